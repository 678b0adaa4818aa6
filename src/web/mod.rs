//! The web layer: application state, routes, pages, and the pieces every handler shares.

pub mod assets;
pub mod client;
pub mod context;
pub mod error_page;
pub mod filters;
pub mod form_token;
pub mod idle_body;
pub mod limits;
pub mod officer_session;
pub mod region_options;
pub mod reporter_session;
pub mod request_log;
pub mod routes;
pub mod upload;

use crate::config::Settings;
use crate::db::DbPool;
use crate::error::AppError;
use crate::evidence::{EvidenceLimits, EvidenceStore};
use crate::workflow::Links;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use std::sync::Arc;
use tokio::sync::Notify;

/// Secret keys of the instance (kept in the database, shared by all instances).
pub struct Keys {
    pub receipt: Vec<u8>,
    pub form: Vec<u8>,
    pub session: actix_web::cookie::Key,
    /// Signs regulators' links.
    pub handoff_links: Vec<u8>,
}

pub struct AppState {
    pub settings: Settings,
    pub pool: DbPool,
    pub keys: Keys,
    pub store: EvidenceStore,
    pub limits: limits::RateLimits,
    pub evidence_limits: EvidenceLimits,
    pub links: Links,
    /// Wakes the mail worker when a change queued mail, so it goes out at once.
    pub mail_wakeup: Arc<Notify>,
    /// Everything a handoff needs: the signing key, the link key, where packages are kept.
    pub handoff: crate::workflow::handoff::HandoffContext,
    /// Image checks are CPU- and memory-heavy (a 40 MP JPEG needs ~250 MB): at most this many at once.
    pub inspect_slots: Arc<tokio::sync::Semaphore>,
    /// At most one password check per core at once (`PASSWORD_CHECK_SLOTS`).
    pub password_checks: limits::PasswordChecks,
}

impl AppState {
    pub fn wake_mailer(&self) {
        self.mail_wakeup.notify_one();
    }
}

/// Renders a page with the given status. Pages are never cached by shared caches: some show
/// secrets, all show state that changes.
pub fn render(status: StatusCode, page: &impl Template) -> Result<HttpResponse, AppError> {
    let body = page.render()?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(body))
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}

/// Checks uploaded evidence off the async executor, at most `inspect_slots` at a time, and keeps
/// it unless `check_only` (nothing may be kept from a submission that is refused anyway).
pub async fn take_in_uploads(
    state: &AppState,
    files: &[upload::ReceivedFile],
    check_only: bool,
) -> Result<crate::evidence::intake::Intake, AppError> {
    use crate::evidence::intake::{self, Upload};
    let uploads: Vec<Upload> = files
        .iter()
        .map(|f| Upload {
            name: f.name.clone(),
            path: f.tmp.path().to_path_buf(),
        })
        .collect();
    let (store, limits) = (state.store.clone(), state.evidence_limits);
    let permit = state
        .inspect_slots
        .clone()
        .acquire_owned()
        .await
        .map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        if check_only {
            Ok(intake::check_only(&uploads, &limits))
        } else {
            intake::take_in(&uploads, &limits, &store)
        }
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)
}

/// An evidence image (or original) for someone allowed to see it: cached privately, its type
/// never sniffed, and downloaded as `attachment` when a file name is given.
pub async fn serve_blob(
    state: &AppState,
    kind: crate::evidence::BlobKind,
    sha: &str,
    content_type: &str,
    attachment: Option<String>,
) -> Result<HttpResponse, AppError> {
    let sha = crate::evidence::Sha256Hex::parse(sha).ok_or(AppError::NotFound)?;
    let store = state.store.clone();
    let bytes = actix_web::web::block(move || store.read(kind, &sha))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let mut res = HttpResponse::Ok();
    res.content_type(content_type)
        .insert_header(("Cache-Control", "private, max-age=600"))
        .insert_header(("X-Content-Type-Options", "nosniff"));
    if let Some(name) = attachment {
        res.insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ));
    }
    Ok(res.body(bytes))
}
