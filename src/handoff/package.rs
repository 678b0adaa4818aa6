//! The handoff package: a ZIP with one folder holding `case.json`, `summary.html`, the evidence
//! files, `SHA256SUMS` (the format `sha256sum -c` reads) and `SHA256SUMS.sig` (a raw 64-byte
//! Ed25519 signature over `SHA256SUMS`, which `openssl pkeyutl -verify -rawin` checks too).

use super::signing::PortalKey;
use sha2::{Digest, Sha256};
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

pub const SUMS: &str = "SHA256SUMS";
pub const SIGNATURE: &str = "SHA256SUMS.sig";

/// One file of the package, by its path inside the package folder.
pub struct PackageFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("cannot write the package: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("cannot write the package: {0}")]
    Io(#[from] std::io::Error),
    #[error("two files would have the same path {0}")]
    DuplicatePath(String),
    #[error("{path} cannot go into a package: {why}")]
    UnsafePath {
        path: String,
        why: super::verify::Unsafe,
    },
    #[error("{path} cannot go into a package: its name is longer than {limit} bytes")]
    PathTooLong { path: String, limit: usize },
    #[error("{0} cannot name a package's folder: it must be one folder name, safe to unzip")]
    BadFolder(String),
    #[error("a package holds at most {0} entries")]
    TooManyEntries(u64),
    #[error("{path} holds more than {limit} bytes, the most a file of a package may")]
    TooLarge { path: String, limit: u64 },
    #[error("the files hold more than {0} bytes in all, the most a package may")]
    TotalTooLarge(u64),
    #[error("the package cannot be finished: writing an earlier file failed")]
    Broken,
}

/// The `SHA256SUMS` text for `files`, sorted by path, as GNU `sha256sum` writes it.
pub fn sha256sums(files: &[PackageFile]) -> String {
    let mut lines: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.path.clone(), hex::encode(Sha256::digest(&f.bytes))))
        .collect();
    lines.sort();
    sums_text(lines.iter().map(|(p, h)| (p.as_str(), h.as_str())))
}

/// `SHA256SUMS` from (path, hex SHA-256) pairs already sorted by path.
pub(crate) fn sums_text<'a>(sorted: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    sorted
        .into_iter()
        .map(|(path, hash)| format!("{hash}  {path}\n"))
        .collect()
}

/// How every entry of a package is written: one timestamp (the package's), mode 0644, text
/// deflated and the rest stored, so that the same input gives the same bytes.
#[derive(Clone, Copy)]
pub(crate) struct EntryOptions {
    pub text: SimpleFileOptions,
    pub stored: SimpleFileOptions,
}

impl EntryOptions {
    pub fn at(at: chrono::NaiveDateTime) -> Self {
        use chrono::{Datelike, Timelike};
        let stamp = DateTime::from_date_and_time(
            u16::try_from(at.year()).unwrap_or(1980),
            at.month() as u8,
            at.day() as u8,
            at.hour() as u8,
            at.minute() as u8,
            at.second() as u8,
        )
        .unwrap_or_default();
        let text = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(stamp)
            .unix_permissions(0o644);
        // Images are compressed already: storing them keeps the package quick to build and read.
        let stored = text.compression_method(CompressionMethod::Stored);
        Self { text, stored }
    }

    /// A file of the package by its path: `.json` and `.html` deflated, the rest stored.
    pub fn for_path(&self, path: &str) -> SimpleFileOptions {
        if path.ends_with(".json") || path.ends_with(".html") {
            self.text
        } else {
            self.stored
        }
    }
}

/// Builds the ZIP: every file under `folder/`, then the sums and their signature. Entries are
/// written in path order with the given timestamp, so the same input gives the same bytes.
pub fn build(
    folder: &str,
    mut files: Vec<PackageFile>,
    key: &PortalKey,
    at: chrono::NaiveDateTime,
) -> Result<Vec<u8>, PackageError> {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for pair in files.windows(2) {
        if pair[0].path == pair[1].path {
            return Err(PackageError::DuplicatePath(pair[0].path.clone()));
        }
    }
    let sums = sha256sums(&files);
    let signature = key.sign(sums.as_bytes());

    let options = EntryOptions::at(at);

    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for f in &files {
        zip.start_file(format!("{folder}/{}", f.path), options.for_path(&f.path))?;
        zip.write_all(&f.bytes)?;
    }
    zip.start_file(format!("{folder}/{SUMS}"), options.text)?;
    zip.write_all(sums.as_bytes())?;
    zip.start_file(format!("{folder}/{SIGNATURE}"), options.stored)?;
    zip.write_all(&signature)?;
    Ok(zip.finish()?.into_inner())
}
