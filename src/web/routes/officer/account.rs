//! Signing in and out, and changing one's password.

use crate::domain::login::{MAX_EMAIL_BYTES, Throttle, normalise_email};
use crate::domain::officer::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, NewPassword, PasswordError};
use crate::error::AppError;
use crate::i18n::Messages;
use crate::web::client::client_ip;
use crate::web::context::PageContext;
use crate::web::officer_session::{self, CurrentOfficer};
use crate::web::{AppState, render, safe_next, see_other};
use crate::workflow::accounts;
use crate::workflow::sign_in::{self, Attempt, Check, Opened, Refusal};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/officer/login.html")]
pub struct LoginPage {
    pub ctx: PageContext,
    pub email: String,
    pub next: String,
    pub problem: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn show_login(
    ctx: PageContext,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(query.next.as_deref()).to_string();
    render(
        StatusCode::OK,
        &LoginPage {
            ctx,
            email: String::new(),
            next,
            problem: None,
        },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

fn minutes(d: std::time::Duration) -> u64 {
    d.as_secs().div_ceil(60).max(1)
}

/// Checks a password for `email` the one way every password is checked
/// (`sign_in::check_password`), in a free password slot, or 429 at once.
async fn check_password(
    req: &HttpRequest,
    state: &AppState,
    email: String,
    password: String,
) -> Result<Check, AppError> {
    let slot = state.password_checks.try_slot()?;
    let attempt = Attempt {
        address: client_ip(req, state.settings.trust_proxy_headers).to_string(),
        email,
        device_token: officer_session::device_token(req),
    };
    let per_address = Throttle::per_address(state.settings.rate_limit_logins_per_hour);
    sign_in::check_password(&state.pool, attempt, per_address, |stored| {
        slot.verify(password, stored)
    })
    .await
}

/// The message and the seconds to wait for a refusal.
fn refusal_message(m: &Messages, refusal: Refusal) -> (String, u64) {
    match refusal {
        Refusal::Address { wait } => (m.t1("login.too_many", minutes(wait)), wait.as_secs()),
        Refusal::Account { wait } => (m.t1("login.locked", minutes(wait)), wait.as_secs()),
    }
}

fn too_many(page: &impl Template, retry_after_secs: u64) -> Result<HttpResponse, AppError> {
    let mut res = render(StatusCode::TOO_MANY_REQUESTS, page)?;
    res.headers_mut().insert(
        actix_web::http::header::RETRY_AFTER,
        actix_web::http::header::HeaderValue::from(retry_after_secs.max(1)),
    );
    Ok(res)
}

/// The sign-in form again, with what went wrong and the address as typed (cut to the longest an
/// address may be).
fn login_page(ctx: PageContext, form: &LoginForm, next: &str, problem: String) -> LoginPage {
    LoginPage {
        ctx,
        email: form
            .email
            .trim()
            .char_indices()
            .take_while(|(i, c)| i + c.len_utf8() <= MAX_EMAIL_BYTES)
            .map(|(_, c)| c)
            .collect(),
        next: next.to_string(),
        problem: Some(problem),
    }
}

pub async fn log_in(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let m = ctx.m;
    let next = safe_next(Some(&form.next)).to_string();
    // Before anything else: no account has a longer address or password, so nothing is counted
    // or checked.
    if form.email.trim().len() > MAX_EMAIL_BYTES
        || form.password.chars().count() > MAX_PASSWORD_CHARS
    {
        let page = login_page(
            ctx,
            &form,
            &next,
            m.t("login_security.too_long").to_string(),
        );
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let email = normalise_email(&form.email);
    let admitted = match check_password(&req, &state, email, form.password.clone()).await? {
        Check::Matched(admitted) => admitted,
        Check::Refused(refusal) => {
            let (problem, secs) = refusal_message(m, refusal);
            return too_many(&login_page(ctx, &form, &next, problem), secs);
        }
        Check::Mismatched => {
            tracing::info!("failed officer login");
            let page = login_page(ctx, &form, &next, m.t("login.failed").to_string());
            return render(StatusCode::UNAUTHORIZED, &page);
        }
    };
    let opened = sign_in::open_session(&state.pool, &admitted).await?;
    signed_in(&state, &opened, next)
}

/// Where a sign-in goes: the page asked for, or the queue; with the session's cookie, and the
/// device cookie of a browser new to the officer.
fn signed_in(state: &AppState, opened: &Opened, next: String) -> Result<HttpResponse, AppError> {
    let target = if next == "/" {
        "/officer/cases".to_string()
    } else {
        next
    };
    let secure = state.links.base_url.starts_with("https://");
    let mut res = see_other(&target);
    res.add_cookie(&officer_session::session_cookie(
        &opened.session_token,
        secure,
    ))
    .map_err(AppError::internal)?;
    if let Some(device) = &opened.device_token {
        res.add_cookie(&officer_session::device_cookie(device, secure))
            .map_err(AppError::internal)?;
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf_token: String,
}

pub async fn log_out(
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    sign_in::sign_out(&state.pool, officer.id, officer.session_id).await?;
    let mut res = see_other("/officer/login");
    res.add_cookie(&officer_session::removal_cookie(
        state.links.base_url.starts_with("https://"),
    ))
    .map_err(AppError::internal)?;
    Ok(res)
}

#[derive(Template)]
#[template(path = "pages/officer/password.html")]
pub struct PasswordPage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub problem: Option<String>,
    pub done: bool,
}

pub async fn show_password(
    ctx: PageContext,
    officer: CurrentOfficer,
) -> Result<HttpResponse, AppError> {
    render(
        StatusCode::OK,
        &PasswordPage {
            ctx,
            officer,
            problem: None,
            done: false,
        },
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat: String,
}

/// The new password, or what is wrong with the form before any password is checked.
fn new_password(m: &Messages, form: &PasswordForm) -> Result<NewPassword, String> {
    if form.new_password != form.repeat {
        return Err(m.t("password.mismatch").to_string());
    }
    let new = NewPassword::parse(&form.new_password).map_err(|e| match e {
        PasswordError::TooShort => m.t1("password.too_short", MIN_PASSWORD_CHARS),
        PasswordError::TooLong => m.t1("password.too_long", MAX_PASSWORD_CHARS),
        PasswordError::Common => m.t("login_security.common_password").to_string(),
    })?;
    // No password is that long: wrong, without counting or checking it.
    if form.current.chars().count() > MAX_PASSWORD_CHARS {
        return Err(m.t("password.wrong_current").to_string());
    }
    Ok(new)
}

pub async fn change_password(
    req: HttpRequest,
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let m = ctx.m;
    let fail = |ctx, officer, key: String| PasswordPage {
        ctx,
        officer,
        problem: Some(key),
        done: false,
    };
    let new = match new_password(m, &form) {
        Ok(new) => new,
        Err(msg) => return render(StatusCode::UNPROCESSABLE_ENTITY, &fail(ctx, officer, msg)),
    };
    let checked = check_password(&req, &state, officer.email.clone(), form.current.clone()).await?;
    let admitted = match checked {
        Check::Matched(admitted) => admitted,
        Check::Refused(refusal) => {
            let (problem, secs) = refusal_message(m, refusal);
            return too_many(&fail(ctx, officer, problem), secs);
        }
        Check::Mismatched => {
            let msg = m.t("password.wrong_current").to_string();
            return render(StatusCode::UNPROCESSABLE_ENTITY, &fail(ctx, officer, msg));
        }
    };
    let (id, session_id, this_device) = (officer.id, officer.session_id, admitted.device_id);
    accounts::change_password(&state.pool, id, session_id, this_device, new).await?;
    let page = PasswordPage {
        ctx,
        officer,
        problem: None,
        done: true,
    };
    render(StatusCode::OK, &page)
}
