//! Taking in a submission's files: check every one, and only if all pass, keep the originals as
//! blobs. A refused submission leaves nothing behind; a kept one can be undone if its transaction
//! fails. The display copy, thumbnail and hashes are made later (`make_copies`, by a background
//! job or on demand), off the request path.

use super::inspect::{self, check};
use super::{BlobKind, EvidenceLimits, EvidenceStore, Rejection, Sha256Hex};
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
    /// `None` until they are made (`make_copies`): an upload is recorded without them.
    pub copies: Option<ScreenshotCopies>,
}

impl StoredEvidence {
    pub fn perceptual_hash(&self) -> Option<&str> {
        self.copies.as_ref().map(|c| c.perceptual_hash.as_str())
    }
}

/// What is made from a kept original: the display copy and thumbnail (as blobs) and the hashes.
#[derive(Debug, Clone)]
pub struct ScreenshotCopies {
    pub display_sha256: String,
    pub display_kind: ImageKind,
    pub thumb_sha256: String,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub perceptual_hash: String,
    /// The fingerprint for near-identical search, indexed when the copies are recorded.
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
    /// These files were refused, each by its place among the uploads and its name; nothing is
    /// stored.
    Refused(Vec<(usize, String, Rejection)>),
}

/// Checks every upload without storing anything.
pub fn check_only(uploads: &[Upload], limits: &EvidenceLimits) -> Intake {
    let refused: Vec<(usize, String, Rejection)> = uploads
        .iter()
        .enumerate()
        .filter_map(|(i, u)| {
            check(&u.path, limits)
                .err()
                .map(|r| (i, clean_name(&u.name), r))
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

/// Checks every upload (type from the bytes, full decode). On any refusal nothing is stored and
/// every refusal is returned, each with the file's name; otherwise the originals are stored
/// (hashed as they are written) and described, without their copies.
pub fn take_in(
    uploads: &[Upload],
    limits: &EvidenceLimits,
    store: &EvidenceStore,
) -> Result<Intake, IntakeFailed> {
    // Every file is checked before any is kept, one at a time (its bytes and pixels dropped
    // before the next), so a refused submission stores nothing and memory holds one image.
    let started = std::time::Instant::now();
    let mut checked = Vec::with_capacity(uploads.len());
    let mut refused = Vec::new();
    for (i, upload) in uploads.iter().enumerate() {
        match check(&upload.path, limits) {
            Ok(image) => checked.push((upload, image.kind, image.width, image.height)),
            Err(rejection) => refused.push((i, clean_name(&upload.name), rejection)),
        }
    }
    if !refused.is_empty() {
        return Ok(Intake::Refused(refused));
    }
    let checking = started.elapsed();

    let mut created = CreatedBlobs::default();
    let mut stored = Vec::with_capacity(checked.len());
    for (upload, kind, width, height) in checked {
        // Read again (from the page cache): hashed as it is written, and fsynced.
        let put = std::fs::read(&upload.path)
            .and_then(|bytes| Ok((bytes.len(), store.put_bytes(BlobKind::Original, &bytes)?)));
        let (len, (sha, new)) = match put {
            Ok(put) => put,
            Err(error) => return Err(IntakeFailed { error, created }),
        };
        if new {
            created.0.push((BlobKind::Original, sha.clone()));
        }
        stored.push(StoredEvidence {
            original_name: clean_name(&upload.name),
            kind,
            sha256: sha.to_string(),
            byte_size: i64::try_from(len).unwrap_or(i64::MAX),
            width: i32::try_from(width).unwrap_or(i32::MAX),
            height: i32::try_from(height).unwrap_or(i32::MAX),
            copies: None,
        });
    }
    // What the request waits for, for the upload benchmark's breakdown.
    tracing::debug!(
        files = stored.len(),
        check_ms = checking.as_secs_f64() * 1000.0,
        keep_ms = (started.elapsed() - checking).as_secs_f64() * 1000.0,
        "evidence taken in"
    );
    Ok(Intake::Kept(stored, created))
}

/// `take_in`, then the copies of every kept file made at once: for callers with no background
/// jobs to wait for (the demo data).
pub fn take_in_with_copies(
    uploads: &[Upload],
    limits: &EvidenceLimits,
    store: &EvidenceStore,
) -> Result<Intake, IntakeFailed> {
    let (mut stored, mut created) = match take_in(uploads, limits, store)? {
        Intake::Kept(stored, created) => (stored, created),
        refused @ Intake::Refused(_) => return Ok(refused),
    };
    for e in &mut stored {
        match make_copies(store, &e.sha256, e.kind, limits) {
            Ok((copies, made)) => {
                e.copies = Some(copies);
                created.0.extend(made.0);
            }
            Err(CopiesFailed::Io(error)) => return Err(IntakeFailed { error, created }),
            Err(CopiesFailed::Refused(r)) => {
                let error = std::io::Error::other(format!("a checked file failed again: {r}"));
                return Err(IntakeFailed { error, created });
            }
        }
    }
    Ok(Intake::Kept(stored, created))
}

/// Why the copies of a kept original could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CopiesFailed {
    #[error("could not read the original or keep its copies: {0}")]
    Io(#[from] std::io::Error),
    /// The original no longer passes the checks (it passed them when it was taken in).
    #[error("the original cannot be made into copies: {0}")]
    Refused(Rejection),
}

/// Makes the display copy, thumbnail and hashes of the original kept under `sha256`, and keeps
/// the two copies as blobs (those created anew are returned, for the caller to remove if it
/// records nothing). CPU-heavy: for a blocking thread.
pub fn make_copies(
    store: &EvidenceStore,
    sha256: &str,
    kind: ImageKind,
    limits: &EvidenceLimits,
) -> Result<(ScreenshotCopies, CreatedBlobs), CopiesFailed> {
    let sha = Sha256Hex::parse(sha256).ok_or_else(|| {
        CopiesFailed::Io(std::io::Error::other("the original has no valid SHA-256"))
    })?;
    let bytes = store.read(BlobKind::Original, &sha)?;
    let image = inspect::copies_of(&bytes, kind, limits).map_err(CopiesFailed::Refused)?;
    drop(bytes);
    let mut created = CreatedBlobs::default();
    let (display_sha, new_display) = store.put_bytes(BlobKind::Display, &image.display)?;
    if new_display {
        created.0.push((BlobKind::Display, display_sha.clone()));
    }
    // A display copy kept before a failure here stays: the next attempt finds it.
    let (thumb_sha, new_thumb) = store.put_bytes(BlobKind::Thumbnail, &image.thumbnail)?;
    if new_thumb {
        created.0.push((BlobKind::Thumbnail, thumb_sha.clone()));
    }
    let copies = ScreenshotCopies {
        display_sha256: display_sha.to_string(),
        display_kind: image.display_kind,
        thumb_sha256: thumb_sha.to_string(),
        thumb_width: i32::try_from(image.thumbnail_width).unwrap_or(i32::MAX),
        thumb_height: i32::try_from(image.thumbnail_height).unwrap_or(i32::MAX),
        perceptual_hash: image.perceptual_hash,
        fingerprint: image.fingerprint,
    };
    Ok((copies, created))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\me\\截图 1.png"), "截图 1.png");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\u{0}b\n.png"), "ab.png");
        assert_eq!(clean_name(""), "unnamed");
    }

    /// Screenshot-like pixels at a phone's size: a drawn app screen scaled up with hard edges,
    /// with a product photo (a shaded, grainy band) across its middle, so that the files weigh
    /// what real ones do (PNG about 2 MB, JPEG a few hundred KB).
    fn phone_screen(width: u32, height: u32) -> image::RgbImage {
        let layout = crate::seed::images::Layout::new(0, 1414);
        let screen = crate::seed::images::draw_screen(&layout, 7);
        let mut img =
            image::imageops::resize(&screen, width, height, image::imageops::FilterType::Nearest);
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let (top, bottom) = (height * 3 / 10, height * 6 / 10);
        for y in top..bottom {
            for x in 0..width {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let grain = (state % 24) as u8;
                let shade = |c: u32| (c % 200) as u8 + grain;
                img.put_pixel(
                    x,
                    y,
                    image::Rgb([shade(x / 3 + y / 7), shade(y / 4), shade(x / 5 + 60)]),
                );
            }
        }
        img
    }

    fn encoded(img: &image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        match format {
            image::ImageFormat::Jpeg => {
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
                    .encode_image(img)
                    .unwrap();
            }
            _ => img.write_to(&mut out, format).unwrap(),
        }
        out.into_inner()
    }

    fn median(mut v: Vec<Duration>) -> f64 {
        v.sort();
        v[v.len() / 2].as_secs_f64() * 1000.0
    }

    /// Time per upload on the request path, before (everything made while the browser waits)
    /// and after (type from the bytes, full decode, hash and write). A measurement, not a check:
    /// `cargo test --lib upload_request_path -- --ignored --nocapture` (dependencies are built
    /// optimized even in the dev profile; `--release` for the crate's own code too).
    #[test]
    #[ignore = "a measurement, run by hand"]
    fn upload_request_path_timings() {
        const RUNS: usize = 9;
        let limits = EvidenceLimits::default();
        let dir = tempfile::tempdir().unwrap();
        let shots = [
            (
                "1170x2532 PNG",
                encoded(&phone_screen(1170, 2532), image::ImageFormat::Png),
            ),
            (
                "1080x2400 JPEG",
                encoded(&phone_screen(1080, 2400), image::ImageFormat::Jpeg),
            ),
        ];
        for (name, bytes) in shots {
            let path = dir.path().join("upload");
            std::fs::write(&path, &bytes).unwrap();
            let upload = Upload {
                name: name.into(),
                path: path.clone(),
            };
            let (mut before, mut after, mut checking, mut keeping, mut copies) =
                (vec![], vec![], vec![], vec![], vec![]);
            for run in 0..RUNS {
                // A store of its own each time, so that every blob is written anew.
                let old = EvidenceStore::new(dir.path().join(format!("before-{run}")));
                let t = Instant::now();
                let image = inspect::inspect(&path, &limits).unwrap();
                old.put_file(BlobKind::Original, &path, &image.sha256)
                    .unwrap();
                old.put_bytes(BlobKind::Display, &image.display).unwrap();
                old.put_bytes(BlobKind::Thumbnail, &image.thumbnail)
                    .unwrap();
                before.push(t.elapsed());

                let new = EvidenceStore::new(dir.path().join(format!("after-{run}")));
                let t = Instant::now();
                let kept = take_in(std::slice::from_ref(&upload), &limits, &new).unwrap();
                after.push(t.elapsed());
                assert!(matches!(kept, Intake::Kept(..)));

                let t = Instant::now();
                let checked = check(&path, &limits).unwrap();
                checking.push(t.elapsed());
                let parts = EvidenceStore::new(dir.path().join(format!("parts-{run}")));
                let t = Instant::now();
                let read = std::fs::read(&path).unwrap();
                let (sha, _) = parts.put_bytes(BlobKind::Original, &read).unwrap();
                keeping.push(t.elapsed());
                let t = Instant::now();
                make_copies(&parts, sha.as_str(), checked.kind, &limits).unwrap();
                copies.push(t.elapsed());
            }
            let (decode, keep) = (median(checking), median(keeping));
            println!(
                "{name} ({} KiB): request path before {:.1} ms, after {:.1} ms \
                 (type + full decode {decode:.1} ms, hash + write + fsync {keep:.1} ms; \
                 goal ≤ {:.1} ms); copies in the background job {:.1} ms",
                bytes.len() / 1024,
                median(before),
                median(after),
                decode + 2.0 * keep,
                median(copies),
            );
        }
    }
}
