//! What the sign-in, password and second-factor pages share: a password checked in a free slot
//! by the one throttled check, and the 429 page of a refused check.

use crate::domain::login::Throttle;
use crate::error::AppError;
use crate::i18n::Messages;
use crate::web::client::client_ip;
use crate::web::officer_session;
use crate::web::{AppState, render};
use crate::workflow::sign_in::{self, Attempt, Check, Refusal};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

fn minutes(d: std::time::Duration) -> u64 {
    d.as_secs().div_ceil(60).max(1)
}

/// Who is trying, as the throttle counts them: the client address, the account's email, the
/// browser's device cookie.
pub fn attempt(req: &HttpRequest, state: &AppState, email: String) -> Attempt {
    Attempt {
        address: client_ip(req, state.settings.trust_proxy_headers).to_string(),
        email,
        device_token: officer_session::device_token(req),
    }
}

/// The per-address limit of failed checks.
pub fn per_address(state: &AppState) -> Option<Throttle> {
    Throttle::per_address(state.settings.rate_limit_logins_per_hour)
}

/// Checks a password for `email` the one way every password is checked
/// (`sign_in::check_password`), in a free password slot, or 429 at once.
pub async fn check_password(
    req: &HttpRequest,
    state: &AppState,
    email: String,
    password: String,
) -> Result<Check, AppError> {
    let slot = state.password_checks.try_slot()?;
    sign_in::check_password(
        &state.pool,
        attempt(req, state, email),
        per_address(state),
        |stored| slot.verify(password, stored),
    )
    .await
}

/// The message and the seconds to wait for a refusal.
pub fn refusal_message(m: &Messages, refusal: Refusal) -> (String, u64) {
    match refusal {
        Refusal::Address { wait } => (m.t1("login.too_many", minutes(wait)), wait.as_secs()),
        Refusal::Account { wait } => (m.t1("login.locked", minutes(wait)), wait.as_secs()),
    }
}

/// A page answered 429 with `Retry-After`.
pub fn too_many(page: &impl Template, retry_after_secs: u64) -> Result<HttpResponse, AppError> {
    let mut res = render(StatusCode::TOO_MANY_REQUESTS, page)?;
    res.headers_mut().insert(
        actix_web::http::header::RETRY_AFTER,
        actix_web::http::header::HeaderValue::from(retry_after_secs.max(1)),
    );
    Ok(res)
}
