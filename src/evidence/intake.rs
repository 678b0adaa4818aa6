//! Taking in a submission's files: check every one, and only if all pass, keep them as blobs.
//! A refused submission leaves nothing behind; a kept one can be undone if its transaction fails.

use super::{BlobKind, EvidenceLimits, EvidenceStore, Rejection, Sha256Hex, inspect};
use crate::domain::evidence::ImageKind;
use crate::domain::screenshots::ScreenHash;
use std::path::PathBuf;

/// A file as it arrived: the name the browser gave (for messages only) and where its bytes are.
pub struct Upload {
    pub name: String,
    pub path: PathBuf,
}

/// A file that passed its checks and is kept under its hashes.
#[derive(Debug, Clone)]
pub struct StoredEvidence {
    pub original_name: String,
    pub kind: ImageKind,
    pub sha256: String,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
    pub display_sha256: String,
    pub display_kind: ImageKind,
    pub thumb_sha256: String,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub perceptual_hash: String,
    /// The fingerprint for near-identical search, indexed when the evidence is recorded.
    pub fingerprint: ScreenHash,
}

/// Blobs this intake created (and only those: a blob that existed before belongs to another case).
#[derive(Debug, Default)]
pub struct CreatedBlobs(Vec<(BlobKind, Sha256Hex)>);

impl CreatedBlobs {
    /// The blobs, for a guard that removes them only if no row refers to them
    /// (`web::upload::NewBlobs`).
    pub fn into_inner(self) -> Vec<(BlobKind, Sha256Hex)> {
        self.0
    }

    /// Removes them again, without asking whether anything refers to them: for callers no
    /// other request can race (the demo data, made before the portal serves).
    pub fn undo(self, store: &EvidenceStore) {
        for (kind, sha) in self.0 {
            if let Err(e) = store.remove(kind, &sha) {
                tracing::warn!(error = %e, "could not remove an evidence file of a failed submission");
            }
        }
    }
}

/// Names longer than this are cut for display and storage (the bytes are what count).
const MAX_NAME_CHARS: usize = 200;

fn clean_name(name: &str) -> String {
    // Only the last path component, and no control characters: it is shown on pages and in packages.
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    if cleaned.trim().is_empty() {
        "unnamed".to_string()
    } else {
        cleaned
    }
}

/// What became of a submission's files.
pub enum Intake {
    /// Every file passed and is stored.
    Kept(Vec<StoredEvidence>, CreatedBlobs),
    /// These files (by name) were refused; nothing is stored.
    Refused(Vec<(String, Rejection)>),
}

/// Checks every upload without storing anything.
pub fn check_only(uploads: &[Upload], limits: &EvidenceLimits) -> Intake {
    let refused: Vec<(String, Rejection)> = uploads
        .iter()
        .filter_map(|u| {
            inspect(&u.path, limits)
                .err()
                .map(|r| (clean_name(&u.name), r))
        })
        .collect();
    if refused.is_empty() {
        Intake::Kept(Vec::new(), CreatedBlobs::default())
    } else {
        Intake::Refused(refused)
    }
}

/// Storing failed part-way: the blobs stored until then are the caller's to remove (only if no
/// row refers to them: an identical upload may have found them there and recorded them).
#[derive(Debug, thiserror::Error)]
#[error("could not keep the upload: {error}")]
pub struct IntakeFailed {
    #[source]
    pub error: std::io::Error,
    pub created: CreatedBlobs,
}

/// Checks every upload. On any refusal nothing is stored and every refusal is returned, each
/// with the file's name; otherwise the files are stored and described.
pub fn take_in(
    uploads: &[Upload],
    limits: &EvidenceLimits,
    store: &EvidenceStore,
) -> Result<Intake, IntakeFailed> {
    let mut checked = Vec::with_capacity(uploads.len());
    let mut refused = Vec::new();
    for upload in uploads {
        match inspect(&upload.path, limits) {
            Ok(image) => checked.push((upload, image)),
            Err(rejection) => refused.push((clean_name(&upload.name), rejection)),
        }
    }
    if !refused.is_empty() {
        return Ok(Intake::Refused(refused));
    }

    let mut created = CreatedBlobs::default();
    let mut stored = Vec::with_capacity(checked.len());
    let result: std::io::Result<()> = (|| {
        for (upload, image) in &checked {
            if store.put_file(BlobKind::Original, &upload.path, &image.sha256)? {
                created.0.push((BlobKind::Original, image.sha256.clone()));
            }
            let (display_sha, new_display) = store.put_bytes(BlobKind::Display, &image.display)?;
            if new_display {
                created.0.push((BlobKind::Display, display_sha.clone()));
            }
            let (thumb_sha, new_thumb) = store.put_bytes(BlobKind::Thumbnail, &image.thumbnail)?;
            if new_thumb {
                created.0.push((BlobKind::Thumbnail, thumb_sha.clone()));
            }
            stored.push(StoredEvidence {
                original_name: clean_name(&upload.name),
                kind: image.kind,
                sha256: image.sha256.to_string(),
                byte_size: i64::try_from(image.byte_size).unwrap_or(i64::MAX),
                width: i32::try_from(image.width).unwrap_or(i32::MAX),
                height: i32::try_from(image.height).unwrap_or(i32::MAX),
                display_sha256: display_sha.to_string(),
                display_kind: image.display_kind,
                thumb_sha256: thumb_sha.to_string(),
                thumb_width: i32::try_from(image.thumbnail_width).unwrap_or(i32::MAX),
                thumb_height: i32::try_from(image.thumbnail_height).unwrap_or(i32::MAX),
                perceptual_hash: image.perceptual_hash.clone(),
                fingerprint: image.fingerprint,
            });
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(Intake::Kept(stored, created)),
        Err(error) => Err(IntakeFailed { error, created }),
    }
}

#[cfg(test)]
mod tests {
    use super::clean_name;

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\me\\截图 1.png"), "截图 1.png");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\u{0}b\n.png"), "ab.png");
        assert_eq!(clean_name(""), "unnamed");
    }
}
