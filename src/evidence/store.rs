//! Content-addressed, crash-safe storage of evidence blobs on disk.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

/// SHA-256 of a blob as 64 lowercase hex characters.
///
/// Only ever built from a real digest or a strictly checked string, so it is
/// safe to use as a file name (no `/`, no `..`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sha256Hex(String);

impl Sha256Hex {
    /// Accepts exactly 64 lowercase hex digits. Upper case is refused so that
    /// one blob never has two spellings (two URLs, two DB keys).
    pub fn parse(s: &str) -> Option<Self> {
        let ok = s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        ok.then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn of_bytes(b: &[u8]) -> Self {
        Self::from_digest(Sha256::digest(b).as_slice())
    }

    fn from_digest(digest: &[u8]) -> Self {
        Self(hex::encode(digest))
    }
}

impl fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which copy of a piece of evidence a blob is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobKind {
    /// The upload, bit-exact (may carry metadata: never shown to the public).
    Original,
    /// Metadata-free re-encoding, safe to show.
    Display,
    /// Small JPEG for lists.
    Thumbnail,
}

impl BlobKind {
    fn folder(self) -> &'static str {
        match self {
            BlobKind::Original => "originals",
            BlobKind::Display => "display",
            BlobKind::Thumbnail => "thumbnails",
        }
    }
}

/// Blobs live at `root/<kind>/<sha[0..2]>/<sha[2..4]>/<sha>`.
///
/// Writes are atomic (temp file in the target folder, fsync, rename without
/// clobbering, fsync of the folder), so a crash leaves either no blob or the
/// whole blob, never a torn one under a valid name.
#[derive(Clone, Debug)]
pub struct EvidenceStore {
    root: PathBuf,
}

impl EvidenceStore {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// Path: root/<originals|display|thumbnails>/<sha[0..2]>/<sha[2..4]>/<sha>
    /// (no extension; the type is in the DB).
    pub fn path_of(&self, kind: BlobKind, sha: &Sha256Hex) -> PathBuf {
        let s = sha.as_str();
        self.root
            .join(kind.folder())
            .join(&s[0..2])
            .join(&s[2..4])
            .join(s)
    }

    /// Stores bytes under their SHA-256. Returns `created = false` when the
    /// blob was already there (it is left untouched).
    pub fn put_bytes(&self, kind: BlobKind, bytes: &[u8]) -> io::Result<(Sha256Hex, bool)> {
        let sha = Sha256Hex::of_bytes(bytes);
        let dest = self.path_of(kind, &sha);
        if dest.is_file() {
            return Ok((sha, false));
        }
        let dir = self.ensure_parent(&dest)?;
        let mut tmp = NamedTempFile::new_in(&dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        let created = persist_new(tmp, &dest, &dir)?;
        Ok((sha, created))
    }

    /// Stores a file already on disk (e.g. the upload's temp file) under
    /// `sha`, bit-exact. The bytes are copied, not moved: `src` stays where it
    /// is and remains the caller's to delete. Fails with `InvalidData` if the
    /// content's SHA-256 is not `sha`.
    pub fn put_file(&self, kind: BlobKind, src: &Path, sha: &Sha256Hex) -> io::Result<bool> {
        let dest = self.path_of(kind, sha);
        let src = File::open(src)?;
        if dest.is_file() {
            // Still check the caller's claim: a mismatch here means a bug
            // upstream (wrong file paired with a hash) that must not pass silently.
            let actual = hash_reader(src, &mut io::sink())?;
            check_sha(&actual, sha)?;
            return Ok(false);
        }
        let dir = self.ensure_parent(&dest)?;
        let mut tmp = NamedTempFile::new_in(&dir)?;
        // Hash exactly the bytes written, so what gets a name is what was verified.
        let actual = hash_reader(src, tmp.as_file_mut())?;
        check_sha(&actual, sha)?;
        tmp.as_file().sync_all()?;
        persist_new(tmp, &dest, &dir)
    }

    pub fn exists(&self, kind: BlobKind, sha: &Sha256Hex) -> bool {
        self.path_of(kind, sha).is_file()
    }

    pub fn read(&self, kind: BlobKind, sha: &Sha256Hex) -> io::Result<Vec<u8>> {
        fs::read(self.path_of(kind, sha))
    }

    /// Removes a blob; a blob that is not there is not an error. The folder is
    /// fsynced so that a purge really is gone after a crash. Empty shard
    /// folders are kept: removing them would race with a concurrent put.
    pub fn remove(&self, kind: BlobKind, sha: &Sha256Hex) -> io::Result<()> {
        let path = self.path_of(kind, sha);
        match fs::remove_file(&path) {
            Ok(()) => match path.parent() {
                Some(dir) => sync_dir(dir),
                None => Ok(()),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Creates the blob's folder if needed and returns it. Newly created
    /// folders are made durable by fsyncing every folder whose entries changed.
    fn ensure_parent(&self, dest: &Path) -> io::Result<PathBuf> {
        let dir = dest
            .parent()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "blob path has no parent"))?
            .to_path_buf();
        if dir.is_dir() {
            return Ok(dir);
        }
        // Find the deepest folder that already exists: everything below it is new.
        let mut existing = dir.as_path();
        while !existing.is_dir() {
            match existing.parent() {
                Some(p) => existing = p,
                None => break,
            }
        }
        let existing = existing.to_path_buf();
        crate::private_fs::create_dir_all(&dir)?;
        let mut d = dir.parent();
        while let Some(p) = d {
            sync_dir(p)?;
            if p == existing {
                break;
            }
            d = p.parent();
        }
        Ok(dir)
    }
}

/// Renames `tmp` to `dest` unless `dest` exists (a concurrent put of the same
/// content won the race: fine, same bytes). Returns whether we created it.
fn persist_new(tmp: NamedTempFile, dest: &Path, dir: &Path) -> io::Result<bool> {
    match tmp.persist_noclobber(dest) {
        Ok(_) => {
            sync_dir(dir)?;
            Ok(true)
        }
        // The temp file is deleted when the error (which owns it) is dropped.
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e.error),
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Streams `src` into `out` and returns the SHA-256 of what went through.
fn hash_reader(mut src: impl Read, out: &mut impl Write) -> io::Result<Sha256Hex> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buf[..n];
        hasher.update(chunk);
        out.write_all(chunk)?;
    }
    out.flush()?;
    Ok(Sha256Hex::from_digest(hasher.finalize().as_slice()))
}

fn check_sha(actual: &Sha256Hex, expected: &Sha256Hex) -> io::Result<()> {
    if actual == expected {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("content has SHA-256 {actual}, expected {expected}"),
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, EvidenceStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path().join("evidence"));
        (dir, store)
    }

    #[test]
    fn sha_parse_is_strict() {
        let good = "a".repeat(64);
        assert_eq!(Sha256Hex::parse(&good).unwrap().as_str(), good);
        assert!(Sha256Hex::parse(&"A".repeat(64)).is_none());
        assert!(Sha256Hex::parse(&"a".repeat(63)).is_none());
        assert!(Sha256Hex::parse(&"g".repeat(64)).is_none());
        assert!(Sha256Hex::parse(&format!("../{}", "a".repeat(61))).is_none());
        assert!(Sha256Hex::parse("").is_none());
    }

    #[test]
    fn sha_of_bytes_matches_known_vector() {
        let sha = Sha256Hex::of_bytes(b"abc");
        assert_eq!(
            sha.to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Sha256Hex::parse(sha.as_str()), Some(sha));
    }

    #[test]
    fn path_layout() {
        let store = EvidenceStore::new(PathBuf::from("/data/evidence"));
        let sha = Sha256Hex::of_bytes(b"abc");
        let s = sha.as_str();
        assert_eq!(
            store.path_of(BlobKind::Original, &sha),
            PathBuf::from(format!("/data/evidence/originals/ba/78/{s}"))
        );
        assert_eq!(
            store.path_of(BlobKind::Display, &sha),
            PathBuf::from(format!("/data/evidence/display/ba/78/{s}"))
        );
        assert_eq!(
            store.path_of(BlobKind::Thumbnail, &sha),
            PathBuf::from(format!("/data/evidence/thumbnails/ba/78/{s}"))
        );
    }

    #[test]
    fn put_exists_read_remove() {
        let (_dir, store) = store();
        let (sha, created) = store.put_bytes(BlobKind::Display, b"hello").unwrap();
        assert!(created);
        assert_eq!(sha, Sha256Hex::of_bytes(b"hello"));
        assert!(store.exists(BlobKind::Display, &sha));
        assert!(!store.exists(BlobKind::Original, &sha));
        assert!(!store.exists(BlobKind::Thumbnail, &sha));
        assert_eq!(store.read(BlobKind::Display, &sha).unwrap(), b"hello");

        // Idempotent: same bytes, same name, not created again.
        let (sha2, created2) = store.put_bytes(BlobKind::Display, b"hello").unwrap();
        assert_eq!(sha2, sha);
        assert!(!created2);

        // No temp files left behind.
        let dir = store.path_of(BlobKind::Display, &sha);
        let entries = fs::read_dir(dir.parent().unwrap()).unwrap().count();
        assert_eq!(entries, 1);

        store.remove(BlobKind::Display, &sha).unwrap();
        assert!(!store.exists(BlobKind::Display, &sha));
        assert_eq!(
            store.read(BlobKind::Display, &sha).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        // Removing again is fine.
        store.remove(BlobKind::Display, &sha).unwrap();
    }

    #[test]
    fn put_file_copies_bit_exact_and_checks_sha() {
        let (dir, store) = store();
        let src = dir.path().join("upload.tmp");
        let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(&src, &content).unwrap();
        let sha = Sha256Hex::of_bytes(&content);

        let wrong = Sha256Hex::of_bytes(b"something else");
        let err = store
            .put_file(BlobKind::Original, &src, &wrong)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(!store.exists(BlobKind::Original, &wrong));
        // The refused copy left nothing in the folder.
        let wrong_dir = store.path_of(BlobKind::Original, &wrong);
        let leftovers = fs::read_dir(wrong_dir.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 0);

        assert!(store.put_file(BlobKind::Original, &src, &sha).unwrap());
        assert_eq!(store.read(BlobKind::Original, &sha).unwrap(), content);
        assert!(src.is_file(), "source is left for the caller");

        assert!(!store.put_file(BlobKind::Original, &src, &sha).unwrap());
        // Even when the blob exists, a wrong pairing is refused.
        let other = dir.path().join("other.tmp");
        fs::write(&other, b"not the same").unwrap();
        let err = store
            .put_file(BlobKind::Original, &other, &sha)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);

        // put_bytes and put_file agree on the name.
        let (sha_b, created) = store.put_bytes(BlobKind::Original, &content).unwrap();
        assert_eq!(sha_b, sha);
        assert!(!created);
    }

    #[test]
    fn put_file_missing_source_is_not_found() {
        let (dir, store) = store();
        let sha = Sha256Hex::of_bytes(b"x");
        let err = store
            .put_file(BlobKind::Original, &dir.path().join("nope"), &sha)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
