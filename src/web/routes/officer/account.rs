//! Signing in and out, and changing one's password.

use crate::domain::login::{MAX_EMAIL_BYTES, normalise_email};
use crate::domain::officer::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, NewPassword, PasswordError};
use crate::domain::second_factor::SubmittedCode;
use crate::error::AppError;
use crate::i18n::Messages;
use crate::web::context::PageContext;
use crate::web::officer_session::{self, CurrentOfficer, SettingUpOfficer};
use crate::web::password_check::{self, check_password, refusal_message, too_many};
use crate::web::{AppState, render, safe_next, see_other};
use crate::workflow::accounts;
use crate::workflow::second_factor::{self, AfterPassword, CodeEntry, SecondStep};
use crate::workflow::sign_in::{self, Check, Opened};
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
    let now = state.settings.clock.now();
    match second_factor::after_password(&state.pool, &admitted, &next, now).await? {
        AfterPassword::AskForCode { token } => ask_for_code(&state, &token),
        AfterPassword::OpenSession => {
            let opened = sign_in::open_session(&state.pool, &admitted).await?;
            signed_in(&state, &opened, next).await
        }
    }
}

fn is_secure(state: &AppState) -> bool {
    state.links.base_url.starts_with("https://")
}

/// The password was right and a code is to come: the browser keeps the pending sign-in's token
/// and is asked for the code; no session exists yet.
fn ask_for_code(state: &AppState, token: &str) -> Result<HttpResponse, AppError> {
    let mut res = see_other("/officer/login/second-factor");
    res.add_cookie(&officer_session::pending_cookie(token, is_secure(state)))
        .map_err(AppError::internal)?;
    Ok(res)
}

#[derive(Template)]
#[template(path = "pages/officer/login_second_factor.html")]
pub struct SecondStepPage {
    pub ctx: PageContext,
    pub csrf: String,
    pub problem: Option<String>,
}

/// The second step of a sign-in: a code from the app, or a recovery code. Without a pending
/// sign-in, back to the password.
pub async fn show_second_step(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let Some(token) = officer_session::pending_token(&req) else {
        return Ok(see_other("/officer/login"));
    };
    let now = state.settings.clock.now();
    let Some(waiting) = second_factor::waiting(&state.pool, token, now).await? else {
        return Ok(see_other("/officer/login"));
    };
    let page = SecondStepPage {
        ctx,
        csrf: waiting.csrf,
        problem: None,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
}

pub async fn submit_second_step(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let m = ctx.m;
    let Some(token) = officer_session::pending_token(&req) else {
        return Ok(see_other("/officer/login"));
    };
    let problem = |ctx, key: &str| SecondStepPage {
        ctx,
        csrf: form.csrf_token.clone(),
        problem: Some(m.t(key).to_string()),
    };
    let Ok(code) = SubmittedCode::parse(&form.code) else {
        let page = problem(ctx, "second_factor.malformed");
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let attempt = password_check::attempt(&req, &state, String::new());
    let entry = CodeEntry {
        challenge_token: token,
        csrf: form.csrf_token.clone(),
        code,
        address: attempt.address,
        device_token: attempt.device_token,
    };
    let now = state.settings.clock.now();
    let per_address = password_check::per_address(&state);
    match second_factor::complete_sign_in(&state.pool, entry, per_address, now).await? {
        SecondStep::SignedIn { opened, next } => {
            let mut res = signed_in(&state, &opened, next).await?;
            res.add_cookie(&officer_session::pending_removal_cookie(is_secure(&state)))
                .map_err(AppError::internal)?;
            Ok(res)
        }
        SecondStep::Refused => {
            let page = problem(ctx, "second_factor.wrong_code");
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        SecondStep::Throttled(refusal) => {
            let (text, secs) = refusal_message(m, refusal);
            let mut page = problem(ctx, "second_factor.wrong_code");
            page.problem = Some(text);
            too_many(&page, secs)
        }
        SecondStep::Expired => Ok(see_other("/officer/login")),
    }
}

/// Where a sign-in goes: the page asked for, or the officer's desk (or, when supervisors require a second
/// factor and the officer has none, its setup page); with the session's cookie, and the device
/// cookie of a browser new to the officer.
async fn signed_in(
    state: &AppState,
    opened: &Opened,
    next: String,
) -> Result<HttpResponse, AppError> {
    let target = if second_factor::must_set_up(&state.pool, opened.officer_id).await? {
        officer_session::SECOND_FACTOR_SETUP.to_string()
    } else if next == "/" {
        "/officer/desk".to_string()
    } else {
        next
    };
    let secure = is_secure(state);
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
    SettingUpOfficer(officer): SettingUpOfficer,
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
