//! The web layer: application state, routes, pages, and the pieces every handler shares.

pub mod account_forms;
pub mod assets;
pub mod campaign_view;
pub mod case_page;
pub mod client;
pub mod context;
pub mod dashboard;
pub mod desk_view;
pub mod error_page;
pub mod filters;
pub mod form_token;
pub mod held_uploads;
pub mod idle_body;
pub mod limits;
pub mod officer_session;
pub mod open_data;
pub mod password_check;
pub mod platform_notice_view;
pub mod queue_export;
pub mod queue_item;
pub mod receipt_card;
pub mod record_feed;
pub mod record_view;
pub mod region_options;
pub mod related_cases;
pub mod reporter_session;
pub mod request_log;
pub mod routes;
pub mod trail_words;
pub mod upload;

use crate::config::Settings;
use crate::db::{self, DbPool};
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
    /// Which years' calendars are official, for pages that flag provisional dates.
    pub official_years: Arc<db::calendar::OfficialYears>,
}

impl AppState {
    pub fn wake_mailer(&self) {
        self.mail_wakeup.notify_one();
    }

    /// A page's few indexed reads (see `db::read_briefly`).
    pub async fn read_briefly<T, F>(&self, f: F) -> Result<T, db::DbError>
    where
        F: Fn(&mut db::DbConnection) -> Result<T, db::DbError> + Send + Sync + 'static,
        T: Send + 'static,
    {
        let local = !db::is_postgres_url(&self.settings.database_url);
        db::read_briefly(&self.pool, local, f).await
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

/// Only paths on this site. `//evil.example`, `/\evil.example` or `/\t/evil.example` (browsers
/// drop tabs and newlines, and read `\` as `/`) would make this an open redirect.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n
                    .chars()
                    .any(|c| c == '\\' || c.is_control() || c.is_whitespace()) =>
        {
            n
        }
        _ => "/",
    }
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
        .map_err(AppError::storage)?;
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

/// Sends the stored package of handoff `h` to `who` (an officer checking what was sent, or the
/// regulator by its signed link), with an audit entry, as for any download of evidence.
pub async fn serve_package(
    state: &AppState,
    h: &crate::db::handoffs::HandoffRow,
    who: crate::domain::audit::Actor,
) -> Result<HttpResponse, AppError> {
    use crate::workflow::handoff;
    let (case_id, seq, sha) = (h.case_id, h.seq, h.package_sha256.clone());
    let response = stream_zip(state, &h.package_sha256, &h.folder).await?;
    crate::db::run_with(&state.pool, move |conn| {
        handoff::record_package_download(conn, case_id, seq, &sha, who)
    })
    .await
    .map_err(AppError::from)?;
    Ok(response)
}

/// A campaign's package, streamed, its download recorded on every member case.
pub async fn serve_campaign_package(
    state: &AppState,
    h: &crate::db::campaigns::CampaignHandoffRow,
    officer: Option<crate::domain::OfficerId>,
) -> Result<HttpResponse, AppError> {
    use crate::workflow::campaign_handoff;
    let response = stream_zip(state, &h.package_sha256, &h.folder).await?;
    let id = h.id;
    crate::db::run_with(&state.pool, move |conn| {
        campaign_handoff::record_package_download(conn, id, officer)
    })
    .await
    .map_err(AppError::from)?;
    Ok(response)
}

/// A stored package as a download, read from the storage in pieces (a package of hundreds of
/// megabytes never sits in memory).
async fn stream_zip(state: &AppState, sha: &str, folder: &str) -> Result<HttpResponse, AppError> {
    let (len, chunks) = state
        .handoff
        .packages
        .stream(sha)
        .await
        .map_err(AppError::storage)?;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{folder}.zip\""),
        ))
        .insert_header(("Cache-Control", "private, no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(actix_web::body::SizedStream::new(len, chunks)))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/track")), "/track");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example/")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example/")), "/");
        assert_eq!(safe_next(Some("/ /evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
