//! Reading a multipart form as it streams in: text fields into memory (bounded), files into
//! temporary files (bounded while reading), so no request can make the server hold more than
//! the limits say. A body that stalls ends the reading (see `idle_body`).

use crate::error::AppError;
use crate::evidence::EvidenceLimits;
use actix_multipart::{Multipart, MultipartError};
use futures_util::StreamExt;
use std::path::Path;
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
            UploadError::Io(e) => AppError::internal(e),
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
