//! Signing in and out, and changing one's password.

use crate::db::{self, officers, tokens};
use crate::domain::officer::{NewPassword, PasswordError, decoy_hash, verify_password};
use crate::error::AppError;
use crate::web::client::client_ip;
use crate::web::context::PageContext;
use crate::web::officer_session::{self, CurrentOfficer};
use crate::web::routes::lang::safe_next;
use crate::web::{AppState, render, see_other};
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

pub async fn log_in(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let m = ctx.m;
    let email = form.email.trim().to_lowercase();
    let next = safe_next(Some(&form.next)).to_string();
    let page = |ctx, problem: String| LoginPage {
        ctx,
        email: form.email.trim().chars().take(254).collect(),
        next: next.clone(),
        problem: Some(problem),
    };

    let ip = client_ip(&req, state.settings.trust_proxy_headers).to_string();
    if let Some(wait) = state.limits.login_failures_by_address.blocked_for(&ip) {
        return render(
            StatusCode::TOO_MANY_REQUESTS,
            &page(ctx, m.t1("login.too_many", minutes(wait))),
        );
    }
    if let Some(wait) = state.limits.login_failures_by_account.blocked_for(&email) {
        return render(
            StatusCode::TOO_MANY_REQUESTS,
            &page(ctx, m.t1("login.locked", minutes(wait))),
        );
    }

    let lookup = email.clone();
    let officer = db::run(&state.pool, move |conn| {
        Ok(officers::find_by_email(conn, &lookup)?)
    })
    .await?;
    let password = form.password.clone();
    let stored = officer
        .as_ref()
        .filter(|o| o.active)
        .map(|o| o.password_hash.clone());
    // Unknown or inactive accounts are checked against a decoy hash: the same work, the same answer.
    let ok = web::block(move || {
        let matched = verify_password(&password, stored.as_deref().unwrap_or_else(|| decoy_hash()));
        matched && stored.is_some()
    })
    .await
    .map_err(AppError::internal)?;
    let Some(officer) = officer.filter(|_| ok) else {
        state.limits.login_failures_by_address.record(&ip);
        state.limits.login_failures_by_account.record(&email);
        tracing::info!("failed officer login");
        return render(
            StatusCode::UNAUTHORIZED,
            &page(ctx, m.t("login.failed").to_string()),
        );
    };
    state.limits.login_failures_by_account.clear(&email);

    let (token, token_hash) = tokens::generate();
    let mut csrf = [0u8; 24];
    rand::rng().fill_bytes(&mut csrf);
    let csrf = hex::encode(csrf);
    let officer_id = officer.id;
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
    tracing::info!(officer = officer_id, "officer signed in");
    let target = if next == "/" {
        "/officer/cases".to_string()
    } else {
        next
    };
    let mut res = see_other(&target);
    res.add_cookie(&officer_session::session_cookie(
        &token,
        state.links.base_url.starts_with("https://"),
    ))
    .map_err(AppError::internal)?;
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
    tracing::info!(officer = officer.id, "officer signed out");
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
        Err(PasswordError::TooShort) => {
            let msg = m.t1(
                "password.too_short",
                crate::domain::officer::MIN_PASSWORD_CHARS,
            );
            return render(StatusCode::UNPROCESSABLE_ENTITY, &fail(ctx, officer, msg));
        }
        Err(PasswordError::TooLong) => {
            let msg = m.t1(
                "password.too_long",
                crate::domain::officer::MAX_PASSWORD_CHARS,
            );
            return render(StatusCode::UNPROCESSABLE_ENTITY, &fail(ctx, officer, msg));
        }
    };
    let (id, session_id, current) = (officer.id, officer.session_id, form.current.clone());
    let changed = db::run_with(&state.pool, move |conn| {
        let row = officers::get(conn, id)?;
        if !verify_password(&current, &row.password_hash) {
            return Ok(false);
        }
        let hash = new
            .hash()
            .map_err(|e| AppError::internal(anyhow::anyhow!("hashing: {e}")))?;
        db::write_transaction(conn, |conn| {
            officers::set_password(conn, id, &hash, db::now())?;
            // Other devices signed in with the old password are signed out.
            officers::delete_other_sessions(conn, id, session_id)?;
            Ok::<_, AppError>(true)
        })
    })
    .await?;
    if !changed {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &fail(ctx, officer, m.t("password.wrong_current").to_string()),
        );
    }
    tracing::info!(officer = id, "officer changed password");
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
