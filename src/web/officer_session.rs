//! Officer sessions: a random token in an HttpOnly, SameSite=Strict cookie, kept hashed in the
//! database, so logging out ends the session everywhere, even for a copied cookie. The token
//! changes at every login; a session ends after 30 minutes without use or 12 hours in all.

use crate::db::{self, officers};
use crate::domain::OfficerId;
use crate::domain::officer::Role;
use crate::error::AppError;
use crate::web::{AppState, see_other};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use chrono::TimeDelta;
use futures_util::future::LocalBoxFuture;

pub const COOKIE: &str = "rw_officer";
const IDLE: TimeDelta = TimeDelta::minutes(30);
const LIFETIME: TimeDelta = TimeDelta::hours(12);
/// Last-seen times are written at most this often, not on every page.
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);

/// The officer behind a request. Handlers that take it are for signed-in officers only.
#[derive(Debug, Clone)]
pub struct CurrentOfficer {
    pub id: OfficerId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub csrf: String,
    pub session_id: i64,
    /// The keyboard shortcuts are on for this officer (they can turn them off: WCAG 2.1.4).
    pub shortcuts: bool,
}

impl CurrentOfficer {
    pub fn is_supervisor(&self) -> bool {
        self.role == Role::Supervisor
    }

    /// The officer as a workflow step knows them (which decides what they may do).
    pub fn acting(&self) -> crate::workflow::ActingOfficer {
        crate::workflow::ActingOfficer {
            id: self.id,
            supervisor: self.is_supervisor(),
        }
    }

    /// Refuses a page or action that is for supervisors alone.
    pub fn require_supervisor(&self) -> Result<(), AppError> {
        if self.is_supervisor() {
            Ok(())
        } else {
            Err(AppError::Forbidden("review.supervisors_only"))
        }
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        let (a, b) = (self.csrf.as_bytes(), submitted.as_bytes());
        let same =
            a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
        if same {
            Ok(())
        } else {
            Err(AppError::Forbidden("error.csrf"))
        }
    }
}

pub fn session_cookie(token: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(COOKIE, token.to_string())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish()
}

/// The long-lived cookie of a browser an officer signed in from (OWASP's "device cookie"): a
/// random token, kept hashed in `officer_devices`. It opens nothing by itself; it lets that
/// browser keep trying its officer's password while others' guesses keep the account locked.
pub const DEVICE_COOKIE: &str = "rw_device";

pub fn device_cookie(token: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(DEVICE_COOKIE, token.to_string())
        .path("/officer")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::days(
            crate::domain::login::DEVICE_LIFETIME.num_days(),
        ))
        .finish()
}

/// The device cookie a request carries, if any.
pub fn device_token(req: &HttpRequest) -> Option<String> {
    req.cookie(DEVICE_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|t| !t.is_empty() && t.len() <= 64)
}

pub fn removal_cookie(secure: bool) -> Cookie<'static> {
    let mut c = session_cookie("", secure);
    c.make_removal();
    c
}

fn to_login(req: &HttpRequest) -> actix_web::Error {
    let next = if req.method() == actix_web::http::Method::GET {
        req.uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default()
    } else {
        String::new()
    };
    let target = if next.is_empty() {
        "/officer/login".to_string()
    } else {
        let encoded: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
        format!("/officer/login?next={encoded}")
    };
    actix_web::error::InternalError::from_response("sign-in required", see_other(&target)).into()
}

/// Where an officer goes who must set up a second factor before anything else.
pub const SECOND_FACTOR_SETUP: &str = "/officer/account/second-factor";

impl FromRequest for CurrentOfficer {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    /// The signed-in officer, unless supervisors require a second factor of everyone and theirs
    /// is not on: then every officer page sends them to set it up.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (officer, must_set_up) = signed_in(&req).await?;
            if must_set_up {
                let to_setup = see_other(SECOND_FACTOR_SETUP);
                return Err(actix_web::error::InternalError::from_response(
                    "second factor required",
                    to_setup,
                )
                .into());
            }
            Ok(officer)
        })
    }
}

/// A signed-in officer who may still have to set up a second factor: only the setup page and
/// signing out take this.
#[derive(Debug, Clone)]
pub struct SettingUpOfficer(pub CurrentOfficer);

impl FromRequest for SettingUpOfficer {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { signed_in(&req).await.map(|(o, _)| SettingUpOfficer(o)) })
    }
}

/// The officer whose live session the request's cookie names.
/// The officer behind the session cookie, and whether they must set up a second factor first
/// (found in the same database call).
async fn signed_in(req: &HttpRequest) -> Result<(CurrentOfficer, bool), actix_web::Error> {
    let Some(token) = req
        .cookie(COOKIE)
        .map(|c| c.value().to_string())
        .filter(|t| !t.is_empty())
    else {
        return Err(to_login(req));
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| to_login(req))?
        .clone();
    let hash = db::tokens::hash_token(&token);
    let found = db::run(&state.pool, move |conn| {
        let Some((session, officer)) = officers::find_session(conn, &hash)? else {
            return Ok(None);
        };
        let now = db::now();
        let expired = now - session.last_seen_at > IDLE || now - session.created_at > LIFETIME;
        if expired || !officer.active {
            officers::delete_session(conn, session.id)?;
            return Ok(None);
        }
        if now - session.last_seen_at > TOUCH_EVERY {
            officers::touch_session(conn, session.id, now)?;
        }
        let must_set_up = crate::workflow::second_factor::needs_setup(conn, officer.id)?;
        Ok(Some((session, officer, must_set_up)))
    })
    .await
    .map_err(AppError::from)?;
    let Some((session, officer, must_set_up)) = found else {
        return Err(to_login(req));
    };
    let current = CurrentOfficer {
        id: officer.id,
        role: officer.role,
        name: officer.name,
        email: officer.email,
        csrf: session.csrf_token,
        session_id: session.id,
        shortcuts: officer.shortcuts_on,
    };
    Ok((current, must_set_up))
}

/// The short-lived cookie of a sign-in whose password was right and whose second factor is still
/// to come: a random token naming a `sign_in_challenges` row. It opens no page but the second
/// step of the sign-in.
pub const PENDING_COOKIE: &str = "rw_pending";

pub fn pending_cookie(token: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(PENDING_COOKIE, token.to_string())
        .path("/officer/login")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::seconds(
            crate::domain::second_factor::CHALLENGE_LIFETIME.num_seconds(),
        ))
        .finish()
}

pub fn pending_removal_cookie(secure: bool) -> Cookie<'static> {
    let mut c = pending_cookie("", secure);
    c.make_removal();
    c
}

/// The pending sign-in cookie a request carries, if any.
pub fn pending_token(req: &HttpRequest) -> Option<String> {
    req.cookie(PENDING_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|t| !t.is_empty() && t.len() <= 64)
}
