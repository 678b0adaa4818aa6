//! Reading a multipart form as it streams in: text fields into memory (bounded), files into
//! temporary files (bounded while reading), so no request can make the server hold more than
//! the limits say.

use crate::evidence::EvidenceLimits;
use actix_multipart::Multipart;
use futures_util::StreamExt;
use std::path::Path;
use tempfile::NamedTempFile;
use tokio::io::AsyncWriteExt;

/// A text field longer than this is refused (the longest, the description, is 5,000 characters).
const MAX_TEXT_FIELD_BYTES: usize = 64 * 1024;
/// Files past the limit are counted (to say how many were sent) but not kept.
const MAX_FILES_COUNTED: usize = 100;

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
    #[error("the upload was interrupted or malformed: {0}")]
    Malformed(String),
    #[error("could not keep the upload: {0}")]
    Io(#[from] std::io::Error),
}

/// Reads every field. `file_field` names the repeated file input (`evidence`).
pub async fn receive(
    mut payload: Multipart,
    file_field: &str,
    limits: &EvidenceLimits,
    tmp_dir: &Path,
) -> Result<ReceivedForm, UploadError> {
    let total_limit = limits.max_file_bytes * limits.max_files as u64 + 2 * 1024 * 1024;
    let mut total: u64 = 0;
    let mut form = ReceivedForm {
        fields: Vec::new(),
        files: Vec::new(),
        problems: Vec::new(),
    };
    let mut files_seen = 0usize;

    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| UploadError::Malformed(e.to_string()))?;
        let name = field.name().unwrap_or("").to_string();
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(|f| f.to_string());

        if name == file_field {
            let filename = filename.unwrap_or_default();
            let mut tmp: Option<(NamedTempFile, tokio::fs::File)> = None;
            let mut size: u64 = 0;
            let mut too_large = false;
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| UploadError::Malformed(e.to_string()))?;
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
            let mut bytes = Vec::new();
            let mut too_long = false;
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| UploadError::Malformed(e.to_string()))?;
                total += chunk.len() as u64;
                if total > total_limit {
                    return Err(UploadError::RequestTooLarge);
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
