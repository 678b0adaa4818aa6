//! The upload sequence every form with screenshots goes through (a report, a reporter's answer):
//! read the multipart form as it streams in, text fields into memory (bounded) and files into
//! temporary files (bounded while reading), so no request can make the server hold more than
//! the limits say, and a body that stalls ends the reading (see `idle_body`); check the files;
//! keep them as blobs only for a form that is to be recorded; record them in the workflow's
//! transaction, with a guard that removes the blobs this request stored unless that transaction
//! committed and no other row refers to them.

use crate::db::{DbConnection, DbError, DbPool};
use crate::error::AppError;
use crate::evidence::intake::{self, CreatedBlobs, Intake, IntakeFailed, StoredEvidence};
use crate::evidence::{BlobKind, EvidenceLimits, EvidenceStore, Rejection, Sha256Hex};
use crate::i18n::Messages;
use actix_multipart::{Multipart, MultipartError};
use futures_util::StreamExt;
use std::path::Path;
use std::sync::Arc;
use tempfile::NamedTempFile;
use tokio::io::AsyncWriteExt;

/// A text field longer than this is refused (the longest, the description, is 5,000 characters).
const MAX_TEXT_FIELD_BYTES: usize = 64 * 1024;
/// Files past the limit are counted (to say how many were sent) but not kept.
const MAX_FILES_COUNTED: usize = 100;
/// No form of ours has more text fields than this (the report form has about 20).
pub const MAX_TEXT_FIELDS: usize = 50;
/// Nor more text in all: past this, reading stops and the form is refused.
pub const MAX_TEXT_BYTES: usize = 256 * 1024;

/// A check on the text fields read so far, made when the first file part begins: a form that
/// fails it is refused before a byte of any file is kept.
pub type FileGate<'a> = &'a dyn Fn(&[(String, String)]) -> Result<(), AppError>;

/// What a form may hold, and where its files go while they are read.
pub struct UploadRules<'a> {
    /// The name of the repeated file input (`evidence`).
    pub file_field: &'a str,
    pub limits: &'a EvidenceLimits,
    pub tmp_dir: &'a Path,
    /// Checked before the first file is kept (a CSRF token sent in the body), if any.
    pub before_files: Option<FileGate<'a>>,
}

pub struct ReceivedFile {
    /// The name the browser gave, for messages only: never used as a path.
    pub name: String,
    pub tmp: NamedTempFile,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadProblem {
    /// This file is larger than a file may be; it was not kept.
    FileTooLarge { name: String },
    /// More files than allowed; `count` is how many came.
    TooManyFiles { count: usize },
    /// A text field was far longer than any field may be.
    FieldTooLong,
    /// Not UTF-8 text in a text field.
    BadText,
}

pub struct ReceivedForm {
    pub fields: Vec<(String, String)>,
    pub files: Vec<ReceivedFile>,
    pub problems: Vec<UploadProblem>,
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The whole request is larger than any valid form can be: reading stops at once.
    #[error("the request is larger than any report can be")]
    RequestTooLarge,
    /// More text fields, or more text in all, than any form has: reading stops at once.
    #[error("more text fields or text than any form has")]
    FormTooLarge,
    /// The body stopped arriving for longer than the idle timeout.
    #[error("the request body stalled")]
    Stalled,
    /// `before_files` refused the form when its first file began.
    #[error("refused before any file was kept: {0}")]
    Refused(AppError),
    #[error("the upload was interrupted or malformed: {0}")]
    Malformed(String),
    #[error("could not keep the upload: {0}")]
    Io(#[from] std::io::Error),
}

impl From<UploadError> for AppError {
    fn from(e: UploadError) -> Self {
        match e {
            UploadError::RequestTooLarge => AppError::PayloadTooLarge,
            UploadError::FormTooLarge => AppError::FormTooLarge,
            UploadError::Stalled => AppError::RequestTimeout,
            UploadError::Refused(refusal) => refusal,
            UploadError::Malformed(e) => {
                tracing::info!(error = %e, "malformed upload");
                AppError::BadRequest("error.malformed_upload")
            }
            // A full disk while receiving is told in plain words (503), like a store that is down.
            UploadError::Io(e) => AppError::storage(e),
        }
    }
}

fn stream_error(e: MultipartError) -> UploadError {
    if crate::web::idle_body::is_stall(&e) {
        UploadError::Stalled
    } else {
        UploadError::Malformed(e.to_string())
    }
}

/// A multipart error met outside `receive` (a form read field by field): a stalled body is a 408,
/// anything else a malformed upload.
pub fn multipart_error(e: MultipartError) -> AppError {
    stream_error(e).into()
}

/// Reads every field, within `rules`.
pub async fn receive(
    mut payload: Multipart,
    rules: &UploadRules<'_>,
) -> Result<ReceivedForm, UploadError> {
    let UploadRules {
        file_field,
        limits,
        tmp_dir,
        before_files,
    } = *rules;
    let total_limit = limits.max_file_bytes * limits.max_files as u64 + 2 * 1024 * 1024;
    let mut total: u64 = 0;
    let mut form = ReceivedForm {
        fields: Vec::new(),
        files: Vec::new(),
        problems: Vec::new(),
    };
    let mut files_seen = 0usize;
    let mut text_fields = 0usize;
    let mut text_bytes = 0usize;
    let mut gate_passed = before_files.is_none();

    while let Some(field) = payload.next().await {
        let mut field = field.map_err(stream_error)?;
        let name = field.name().unwrap_or("").to_string();
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(|f| f.to_string());

        if name == file_field {
            if !gate_passed {
                if let Some(gate) = before_files {
                    gate(&form.fields).map_err(UploadError::Refused)?;
                }
                gate_passed = true;
            }
            let filename = filename.unwrap_or_default();
            let mut tmp: Option<(NamedTempFile, tokio::fs::File)> = None;
            let mut size: u64 = 0;
            let mut too_large = false;
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(stream_error)?;
                total += chunk.len() as u64;
                if total > total_limit {
                    return Err(UploadError::RequestTooLarge);
                }
                size += chunk.len() as u64;
                if too_large || files_seen >= limits.max_files {
                    continue;
                }
                if size > limits.max_file_bytes {
                    // Stop keeping it; the rest is read and dropped so the browser gets an answer.
                    too_large = true;
                    tmp = None;
                    continue;
                }
                if tmp.is_none() {
                    let named = NamedTempFile::new_in(tmp_dir)?;
                    let file = tokio::fs::File::from_std(named.reopen()?);
                    tmp = Some((named, file));
                }
                if let Some((_, file)) = tmp.as_mut() {
                    file.write_all(&chunk).await?;
                }
            }
            // A file input left empty still sends a part, with no name and no bytes.
            if filename.is_empty() && size == 0 {
                continue;
            }
            files_seen += 1;
            if files_seen > MAX_FILES_COUNTED {
                return Err(UploadError::RequestTooLarge);
            }
            if too_large {
                form.problems
                    .push(UploadProblem::FileTooLarge { name: filename });
            } else if files_seen <= limits.max_files {
                match tmp {
                    Some((named, mut file)) => {
                        file.flush().await?;
                        form.files.push(ReceivedFile {
                            name: filename,
                            tmp: named,
                            size,
                        });
                    }
                    None => {
                        // An empty file: kept as a zero-byte temp file so the checks name it.
                        let named = NamedTempFile::new_in(tmp_dir)?;
                        form.files.push(ReceivedFile {
                            name: filename,
                            tmp: named,
                            size: 0,
                        });
                    }
                }
            }
        } else {
            text_fields += 1;
            if text_fields > MAX_TEXT_FIELDS {
                return Err(UploadError::FormTooLarge);
            }
            let mut bytes = Vec::new();
            let mut too_long = false;
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(stream_error)?;
                total += chunk.len() as u64;
                text_bytes += chunk.len();
                if total > total_limit {
                    return Err(UploadError::RequestTooLarge);
                }
                if text_bytes > MAX_TEXT_BYTES {
                    return Err(UploadError::FormTooLarge);
                }
                if bytes.len() + chunk.len() > MAX_TEXT_FIELD_BYTES {
                    too_long = true;
                    continue;
                }
                bytes.extend_from_slice(&chunk);
            }
            if too_long {
                form.problems.push(UploadProblem::FieldTooLong);
                continue;
            }
            match String::from_utf8(bytes) {
                Ok(text) => form.fields.push((name, text)),
                Err(_) => form.problems.push(UploadProblem::BadText),
            }
        }
    }
    if files_seen > limits.max_files {
        form.problems
            .push(UploadProblem::TooManyFiles { count: files_seen });
        // None of the files is kept: the reporter chooses which ten to send.
        form.files.clear();
    }
    Ok(form)
}

/// Reads a form whose files are evidence screenshots (the repeated `evidence` input), within
/// the evidence limits, into the portal's temporary folder.
pub async fn receive_evidence(
    payload: Multipart,
    state: &crate::web::AppState,
    before_files: Option<FileGate<'_>>,
) -> Result<ReceivedForm, UploadError> {
    let tmp_dir = state.settings.tmp_dir();
    let rules = UploadRules {
        file_field: "evidence",
        limits: &state.evidence_limits,
        tmp_dir: &tmp_dir,
        before_files,
    };
    receive(payload, &rules).await
}

impl UploadProblem {
    /// A file larger than a file may be.
    pub fn is_too_large(&self) -> bool {
        matches!(self, UploadProblem::FileTooLarge { .. })
    }
}

/// What the reader is told about a problem found while reading the form.
pub fn problem_message(m: &Messages, p: &UploadProblem) -> String {
    match p {
        UploadProblem::FileTooLarge { name } => m.t1("upload.too_large", name),
        UploadProblem::TooManyFiles { count } => m.t1("upload.too_many_files", count),
        UploadProblem::FieldTooLong => m.t("upload.field_too_long").to_string(),
        UploadProblem::BadText => m.t("upload.bad_text").to_string(),
    }
}

/// What the reader is told about a file the checks refused, named as they sent it.
pub fn rejection_message(m: &Messages, name: &str, r: &Rejection) -> String {
    match r {
        Rejection::Empty => m.t1("upload.empty", name),
        Rejection::TooLarge { .. } => m.t1("upload.too_large", name),
        Rejection::NotAnImage { detected } => m.t2(
            "upload.not_an_image",
            name,
            m.t(&format!("upload.detected.{detected}")),
        ),
        Rejection::TooManyPixels { width, height, .. } => {
            m.t2("upload.too_many_pixels", name, format!("{width}×{height}"))
        }
        Rejection::Broken { .. } => m.t1("upload.broken", name),
    }
}

/// What checking and keeping evidence needs: taken from the app's state, or made by a test.
#[derive(Clone)]
pub struct EvidenceIntake {
    pub pool: DbPool,
    pub store: EvidenceStore,
    pub limits: EvidenceLimits,
    /// Image checks are CPU- and memory-heavy (a 40 MP JPEG needs ~250 MB): at most this many
    /// at once.
    pub slots: Arc<tokio::sync::Semaphore>,
}

impl EvidenceIntake {
    pub fn of(state: &crate::web::AppState) -> Self {
        Self {
            pool: state.pool.clone(),
            store: state.store.clone(),
            limits: state.evidence_limits,
            slots: state.inspect_slots.clone(),
        }
    }
}

/// What the checks made of a form's files.
pub enum Checked {
    /// Every file passed: kept as blobs if keeping was asked for, else only checked.
    Passed(KeptEvidence),
    /// These files were refused, each with its name; nothing was kept. The files that passed
    /// come back, for a form that holds them for its resubmission.
    Refused {
        refused: Vec<(String, Rejection)>,
        passed: Vec<ReceivedFile>,
    },
}

fn as_uploads(files: &[ReceivedFile]) -> Vec<intake::Upload> {
    files
        .iter()
        .map(|f| intake::Upload {
            name: f.name.clone(),
            path: f.tmp.path().to_path_buf(),
        })
        .collect()
}

/// Checks every file off the async executor, at most `slots` forms at a time, and keeps them as
/// blobs only if `keep` (nothing may be kept from a form that is refused anyway: its files are
/// still checked, so that every problem is told at once).
pub async fn check_files(
    intake: &EvidenceIntake,
    files: Vec<ReceivedFile>,
    keep: bool,
) -> Result<Checked, AppError> {
    let uploads = as_uploads(&files);
    let (store, limits) = (intake.store.clone(), intake.limits);
    let permit = intake
        .slots
        .clone()
        .acquire_owned()
        .await
        .map_err(AppError::internal)?;
    let taken = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        if keep {
            intake::take_in(&uploads, &limits, &store)
        } else {
            Ok(intake::check_only(&uploads, &limits))
        }
    })
    .await
    .map_err(AppError::internal)?;
    match taken {
        Ok(Intake::Kept(stored, created)) => Ok(Checked::Passed(KeptEvidence {
            stored,
            guard: NewBlobs::new(created, intake.pool.clone(), intake.store.clone()),
            files,
            limits: intake.limits,
        })),
        Ok(Intake::Refused(refused)) => {
            let passed = files
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !refused.iter().any(|(at, ..)| at == i))
                .map(|(_, f)| f)
                .collect();
            let refused = refused.into_iter().map(|(_, n, r)| (n, r)).collect();
            Ok(Checked::Refused { refused, passed })
        }
        Err(IntakeFailed { error, created }) => {
            NewBlobs::new(created, intake.pool.clone(), intake.store.clone())
                .discard()
                .await;
            // A store that cannot take files now is told in plain words (503), not as a fault.
            Err(AppError::storage(error))
        }
    }
}

/// Files that passed their checks (and were kept as blobs, if asked), waiting to be recorded.
pub struct KeptEvidence {
    stored: Vec<StoredEvidence>,
    guard: NewBlobs,
    /// The temporary files, kept until the evidence is recorded: a blob removed meanwhile by a
    /// failed identical upload is put back from them.
    files: Vec<ReceivedFile>,
    limits: EvidenceLimits,
}

impl KeptEvidence {
    pub fn stored(&self) -> &[StoredEvidence] {
        &self.stored
    }

    /// The files as received, for a form that was checked but not kept (`keep` false): nothing
    /// was stored, so there is nothing to remove.
    pub fn into_files(self) -> Vec<ReceivedFile> {
        self.files
    }

    /// Not to be recorded: removes the blobs this request stored that no row refers to, and
    /// waits for it; the temporary files go too.
    pub async fn discard(self) {
        self.guard.discard().await;
    }

    /// Records the evidence with `record` (one workflow step, which commits its own
    /// transaction). If it fails, the blobs this request stored go again, unless another row
    /// refers to them; if it commits, every blob its rows refer to is made sure to be there.
    /// All of it runs on one blocking thread, to the end even if the request goes away.
    pub async fn record<T, E, F>(self, record: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection, &[StoredEvidence]) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let KeptEvidence {
            stored,
            mut guard,
            files,
            limits,
        } = self;
        tokio::task::spawn_blocking(move || {
            let mut conn = guard.pool.get().map_err(DbError::from)?;
            let recorded = record(&mut conn, &stored);
            match &recorded {
                Ok(_) => {
                    guard.committed();
                    restore_missing(&guard.store, &stored, &files, &limits);
                }
                Err(_) => guard.remove_with(&mut conn),
            }
            recorded
        })
        .await
        .map_err(|e| DbError::Task(e.to_string()))?
    }
}

/// The blobs of a piece of evidence: its original, and its copies if they are made.
fn blobs_of(e: &StoredEvidence) -> Vec<(BlobKind, &str)> {
    let mut blobs = vec![(BlobKind::Original, e.sha256.as_str())];
    if let Some(c) = &e.copies {
        blobs.push((BlobKind::Display, c.display_sha256.as_str()));
        blobs.push((BlobKind::Thumbnail, c.thumb_sha256.as_str()));
    }
    blobs
}

fn all_present(store: &EvidenceStore, stored: &[StoredEvidence]) -> bool {
    stored.iter().flat_map(blobs_of).all(|(kind, sha)| {
        // A store that cannot say counts as missing: the blob is put back (or that fails
        // and is logged).
        Sha256Hex::parse(sha).is_none_or(|sha| store.exists(kind, &sha).unwrap_or(false))
    })
}

/// After the commit: a blob this request found already there may have been removed by the
/// cleanup of a failed identical upload, which checked for references before this commit. It is
/// put back from the temporary files (the rows now refer to it, so no cleanup removes it again).
fn restore_missing(
    store: &EvidenceStore,
    stored: &[StoredEvidence],
    files: &[ReceivedFile],
    limits: &EvidenceLimits,
) {
    if all_present(store, stored) {
        return;
    }
    tracing::warn!(
        "a recorded evidence file was removed by a failed identical upload: putting it back"
    );
    let restored = intake::take_in(&as_uploads(files), limits, store);
    if !matches!(restored, Ok(Intake::Kept(..))) || !all_present(store, stored) {
        tracing::error!("a recorded evidence file could not be put back");
    }
}

/// The blobs a request stored anew. Dropped, it removes them again, unless `committed` said the
/// transaction recording them committed; and even then only those no row refers to by now
/// (`workflow::blobs`): an identical upload may have found them there and recorded them.
pub struct NewBlobs {
    blobs: Vec<(BlobKind, Sha256Hex)>,
    pool: DbPool,
    store: EvidenceStore,
}

impl NewBlobs {
    pub fn new(created: CreatedBlobs, pool: DbPool, store: EvidenceStore) -> Self {
        Self {
            blobs: created.into_inner(),
            pool,
            store,
        }
    }

    /// The transaction recording them committed: they are the rows' now.
    pub fn committed(&mut self) {
        self.blobs.clear();
    }

    /// Removes those no row refers to, on this thread.
    fn remove_with(&mut self, conn: &mut DbConnection) {
        let blobs = std::mem::take(&mut self.blobs);
        if let Err(e) = crate::workflow::blobs::remove_unrecorded(conn, &self.store, &blobs) {
            tracing::warn!(error = %e, "could not remove the evidence files of a failed upload");
        }
    }

    fn remove_now(&mut self) {
        if self.blobs.is_empty() {
            return;
        }
        match self.pool.get() {
            Ok(mut conn) => self.remove_with(&mut conn),
            Err(e) => {
                tracing::warn!(error = %e, "could not remove the evidence files of a failed upload")
            }
        }
    }

    /// The rest of this guard, which takes over its blobs.
    fn take(&mut self) -> NewBlobs {
        NewBlobs {
            blobs: std::mem::take(&mut self.blobs),
            pool: self.pool.clone(),
            store: self.store.clone(),
        }
    }

    /// Removes them (those no row refers to) off the async executor, and waits for it.
    pub async fn discard(mut self) {
        let mut rest = self.take();
        if rest.blobs.is_empty() {
            return;
        }
        if let Err(e) = tokio::task::spawn_blocking(move || rest.remove_now()).await {
            tracing::warn!(error = %e, "could not remove the evidence files of a failed upload");
        }
    }
}

impl Drop for NewBlobs {
    fn drop(&mut self) {
        if self.blobs.is_empty() {
            return;
        }
        let mut rest = self.take();
        match tokio::runtime::Handle::try_current() {
            // A request that ended early: the database is asked off the executor.
            Ok(runtime) => {
                runtime.spawn_blocking(move || rest.remove_now());
            }
            Err(_) => rest.remove_now(),
        }
    }
}
