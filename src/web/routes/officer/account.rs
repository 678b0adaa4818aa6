//! Signing in and out, and changing one's password.

use crate::db::{self, login_attempts, officers, tokens};
use crate::domain::login::{MAX_EMAIL_BYTES, Throttle, normalise_email};
use crate::domain::officer::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, NewPassword, PasswordError};
use crate::error::AppError;
use crate::web::client::client_ip;
use crate::web::context::PageContext;
use crate::web::officer_session::{self, CurrentOfficer};
use crate::web::routes::lang::safe_next;
use crate::web::{AppState, render, see_other};
use crate::workflow::sign_in::{self, Admission, Admitted, Attempt, Refusal};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rand::RngCore;
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

/// How a password check went.
enum Check {
    Matched(Admitted),
    Mismatched,
    Refused(Refusal),
}

/// Checks a password for `email` the one way every password is checked: a free slot or 429 at
/// once; the attempt counted in the database, and refused there if a lock says so; only then the
/// argon2 check; its outcome recorded.
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
    let admitted = match sign_in::admit(&state.pool, attempt, per_address).await? {
        Admission::Admitted(a) => a,
        Admission::Refused(refusal) => {
            tracing::info!(?refusal, "password check refused by a lock");
            return Ok(Check::Refused(refusal));
        }
    };
    let stored = admitted
        .officer
        .as_ref()
        .filter(|o| o.active)
        .map(|o| o.password_hash.clone());
    let matched = slot.verify(password, stored).await?;
    sign_in::settle(&state.pool, &admitted, matched).await?;
    Ok(if matched {
        Check::Matched(admitted)
    } else {
        Check::Mismatched
    })
}

/// The message and the seconds to wait for a refusal.
fn refusal_message(m: &crate::i18n::Messages, refusal: Refusal) -> (String, u64) {
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

pub async fn log_in(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let m = ctx.m;
    let next = safe_next(Some(&form.next)).to_string();
    let page = |ctx, problem: String| LoginPage {
        ctx,
        email: form
            .email
            .trim()
            .char_indices()
            .take_while(|(i, c)| i + c.len_utf8() <= MAX_EMAIL_BYTES)
            .map(|(_, c)| c)
            .collect(),
        next: next.clone(),
        problem: Some(problem),
    };
    // Before anything else: no account has a longer address or password, so nothing is counted
    // or checked.
    if form.email.trim().len() > MAX_EMAIL_BYTES
        || form.password.chars().count() > MAX_PASSWORD_CHARS
    {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(ctx, m.t("login_security.too_long").to_string()),
        );
    }
    let email = normalise_email(&form.email);

    let admitted = match check_password(&req, &state, email, form.password.clone()).await? {
        Check::Matched(admitted) => admitted,
        Check::Refused(refusal) => {
            let (problem, secs) = refusal_message(m, refusal);
            return too_many(&page(ctx, problem), secs);
        }
        Check::Mismatched => {
            tracing::info!("failed officer login");
            return render(
                StatusCode::UNAUTHORIZED,
                &page(ctx, m.t("login.failed").to_string()),
            );
        }
    };
    let Some(officer) = admitted.officer.as_ref() else {
        return Err(AppError::internal(anyhow::anyhow!(
            "a password matched without an account"
        )));
    };
    let officer_id = officer.id;

    let (token, token_hash) = tokens::generate();
    let mut csrf = [0u8; 24];
    rand::rng().fill_bytes(&mut csrf);
    let csrf = hex::encode(csrf);
    db::run(&state.pool, move |conn| {
        Ok(officers::create_session(
            conn,
            officer_id,
            &token_hash,
            &csrf,
            db::now(),
        )?)
    })
    .await?;
    let device = sign_in::remember_device(&state.pool, officer_id, admitted.device_id).await?;
    tracing::info!(officer = %officer_id, "officer signed in");
    let target = if next == "/" {
        "/officer/cases".to_string()
    } else {
        next
    };
    let secure = state.links.base_url.starts_with("https://");
    let mut res = see_other(&target);
    res.add_cookie(&officer_session::session_cookie(&token, secure))
        .map_err(AppError::internal)?;
    if let Some(device) = device {
        res.add_cookie(&officer_session::device_cookie(&device, secure))
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
    let session_id = officer.session_id;
    db::run(&state.pool, move |conn| {
        Ok(officers::delete_session(conn, session_id)?)
    })
    .await?;
    tracing::info!(officer = %officer.id, "officer signed out");
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
    if form.new_password != form.repeat {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &fail(ctx, officer, m.t("password.mismatch").to_string()),
        );
    }
    let new = match NewPassword::parse(&form.new_password) {
        Ok(p) => p,
        Err(e) => {
            let msg = match e {
                PasswordError::TooShort => m.t1("password.too_short", MIN_PASSWORD_CHARS),
                PasswordError::TooLong => m.t1("password.too_long", MAX_PASSWORD_CHARS),
                PasswordError::Common => m.t("login_security.common_password").to_string(),
            };
            return render(StatusCode::UNPROCESSABLE_ENTITY, &fail(ctx, officer, msg));
        }
    };
    // No password is that long: wrong, without counting or checking it.
    if form.current.chars().count() > MAX_PASSWORD_CHARS {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &fail(ctx, officer, m.t("password.wrong_current").to_string()),
        );
    }
    let checked = check_password(&req, &state, officer.email.clone(), form.current.clone()).await?;
    let admitted = match checked {
        Check::Matched(admitted) => admitted,
        Check::Refused(refusal) => {
            let (problem, secs) = refusal_message(m, refusal);
            return too_many(&fail(ctx, officer, problem), secs);
        }
        Check::Mismatched => {
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &fail(ctx, officer, m.t("password.wrong_current").to_string()),
            );
        }
    };
    let (id, session_id, this_device) = (officer.id, officer.session_id, admitted.device_id);
    let hash = tokio::task::spawn_blocking(move || new.hash())
        .await
        .map_err(AppError::internal)?
        .map_err(|e| AppError::internal(anyhow::anyhow!("hashing: {e}")))?;
    db::run_with(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| {
            officers::set_password(conn, id, &hash, db::now())?;
            // Other devices signed in with the old password are signed out, and no longer
            // known: only this browser keeps its way past a lock.
            officers::delete_other_sessions(conn, id, session_id)?;
            login_attempts::revoke_other_devices(conn, id, this_device)?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    tracing::info!(officer = %id, "officer changed password");
    render(
        StatusCode::OK,
        &PasswordPage {
            ctx,
            officer,
            problem: None,
            done: true,
        },
    )
}
