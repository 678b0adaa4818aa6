//! The screenshots held for a refused report (`evidence::held`), tied to the browser session that
//! was refused: its cookie names the token, so no other browser can file or see them, and the
//! form's `keep_upload` checkboxes name the files by ids that mean nothing without it.

use crate::error::AppError;
use crate::evidence::held::{HeldFile, HeldUploads, ToHold};
use crate::web::AppState;
use crate::web::upload::ReceivedFile;
use actix_session::Session;
use actix_web::{HttpResponse, web};
use tempfile::NamedTempFile;

const HELD_KEY: &str = "held_uploads";
/// The checkbox of a held file on the re-shown report form.
pub const KEEP_FIELD: &str = "keep_upload";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn session_error(e: impl std::fmt::Display) -> AppError {
    AppError::internal(anyhow::anyhow!("session: {e}"))
}

pub fn folder(state: &AppState) -> HeldUploads {
    HeldUploads::on(state.store.storage())
}

fn token(session: &Session) -> Result<Option<String>, AppError> {
    session.get::<String>(HELD_KEY).map_err(session_error)
}

/// What the resubmission asked to keep.
pub enum Kept {
    /// No `keep_upload` was checked.
    Nothing,
    /// The files, copied into temporary files as if they had been sent again.
    Files(Vec<ReceivedFile>),
    /// Held more than an hour ago (and so removed), or never held for this browser.
    Gone,
}

/// The held files the form's checked `keep_upload` boxes name, copied into the temporary folder
/// as received files, so that they pass the same checks and filing as files sent anew.
pub async fn take_kept(
    session: &Session,
    state: &AppState,
    fields: &[(String, String)],
) -> Result<Kept, AppError> {
    let ids: Vec<String> = fields
        .iter()
        .filter(|(name, _)| name == KEEP_FIELD)
        .map(|(_, v)| v.trim().to_string())
        .collect();
    if ids.is_empty() {
        return Ok(Kept::Nothing);
    }
    let Some(token) = token(session)? else {
        return Ok(Kept::Gone);
    };
    let (held, tmp_dir) = (folder(state), state.settings.tmp_dir());
    let copied = tokio::task::spawn_blocking(move || -> std::io::Result<Kept> {
        let Ok(picked) = held.pick(&token, &ids, now()) else {
            return Ok(Kept::Gone);
        };
        let mut files = Vec::with_capacity(picked.len());
        for (file, key) in picked {
            let tmp = NamedTempFile::new_in(&tmp_dir)?;
            held.fetch_to(&key, tmp.path())?;
            files.push(ReceivedFile {
                name: file.name,
                tmp,
                size: file.size,
            });
        }
        Ok(Kept::Files(files))
    })
    .await
    .map_err(AppError::internal)?;
    copied.map_err(AppError::storage)
}

/// Holds the files that passed a refused report's checks for an hour under a new token in this
/// session (what an earlier refusal held goes), and returns them for the re-shown form.
pub async fn hold(
    session: &Session,
    state: &AppState,
    files: Vec<ReceivedFile>,
) -> Result<Vec<HeldFile>, AppError> {
    let earlier = token(session)?;
    let held = folder(state);
    type Held = (Option<String>, Vec<HeldFile>);
    let (token, files) = tokio::task::spawn_blocking(move || -> std::io::Result<Held> {
        if let Some(earlier) = earlier {
            held.forget(&earlier);
        }
        if files.is_empty() {
            return Ok((None, Vec::new()));
        }
        let to_hold: Vec<ToHold<'_>> = files
            .iter()
            .map(|f| ToHold {
                name: &f.name,
                path: f.tmp.path(),
            })
            .collect();
        let (token, held) = held.hold(&to_hold, now())?;
        Ok((Some(token), held))
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::storage)?;
    match token {
        Some(token) => session.insert(HELD_KEY, token).map_err(session_error)?,
        None => {
            session.remove(HELD_KEY);
        }
    }
    Ok(files)
}

/// The report was filed: what was held for it (checked or not) goes.
pub async fn forget(session: &Session, state: &AppState) -> Result<(), AppError> {
    if let Some(token) = token(session)? {
        session.remove(HELD_KEY);
        let held = folder(state);
        tokio::task::spawn_blocking(move || held.forget(&token))
            .await
            .map_err(AppError::internal)?;
    }
    Ok(())
}

/// A held screenshot, for its thumbnail on the re-shown form: only to the browser it is held for.
pub async fn show_held_file(
    session: Session,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token(&session)?.ok_or(AppError::NotFound)?;
    let (held, id) = (folder(&state), id.into_inner());
    let bytes =
        tokio::task::spawn_blocking(move || held.one(&token, &id, now()).map(|(_, bytes)| bytes))
            .await
            .map_err(AppError::internal)?
            .ok_or(AppError::NotFound)?;
    let kind = crate::evidence::inspect::sniff(&bytes[..bytes.len().min(16)])
        .map_err(|_| AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(kind.mime())
        .insert_header(("Cache-Control", "private, no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(bytes))
}
