//! Content-addressed, crash-safe storage of evidence blobs: each blob under its SHA-256, in
//! the portal's storage (the data folder or object storage, see [`crate::storage`]).

use std::io;
use std::path::{Path, PathBuf};

pub use crate::storage::Sha256Hex;
use crate::storage::{Storage, StorageKey};

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

/// Blobs live at `<prefix><kind>/<sha[0..2]>/<sha[2..4]>/<sha>` (no extension; the type is in
/// the database): `evidence/…` in the portal's storage, so `DATA_DIR/evidence/…` on disk.
///
/// Writes are atomic (see [`Storage`]): a crash leaves either no blob or the whole blob, never
/// a torn one under a valid name.
#[derive(Clone, Debug)]
pub struct EvidenceStore {
    storage: Storage,
    prefix: &'static str,
}

impl EvidenceStore {
    /// Blobs directly under the local folder `root` (tests and benchmarks).
    pub fn new(root: PathBuf) -> Self {
        Self {
            storage: Storage::local(root),
            prefix: "",
        }
    }

    /// The evidence of the portal whose storage is `storage`.
    pub fn on(storage: &Storage) -> Self {
        Self {
            storage: storage.clone(),
            prefix: "evidence/",
        }
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// `<prefix><originals|display|thumbnails>/<sha[0..2]>/<sha[2..4]>/<sha>`.
    pub fn key_of(&self, kind: BlobKind, sha: &Sha256Hex) -> StorageKey {
        let s = sha.as_str();
        let key = format!(
            "{}{}/{}/{}/{s}",
            self.prefix,
            kind.folder(),
            &s[0..2],
            &s[2..4]
        );
        StorageKey::parse(&key).unwrap_or_else(|| unreachable!("a SHA-256 makes a valid key"))
    }

    /// Stores bytes under their SHA-256. Returns `created = false` when the blob was already
    /// there (it is left untouched).
    pub fn put_bytes(&self, kind: BlobKind, bytes: &[u8]) -> io::Result<(Sha256Hex, bool)> {
        let sha = Sha256Hex::of_bytes(bytes);
        let created = self.storage.put_bytes(&self.key_of(kind, &sha), bytes)?;
        Ok((sha, created))
    }

    /// Stores a file already on disk (e.g. the upload's temp file) under `sha`, bit-exact. The
    /// bytes are copied, not moved: `src` stays where it is and remains the caller's to delete.
    /// Fails with `InvalidData` if the content's SHA-256 is not `sha`.
    pub fn put_file(&self, kind: BlobKind, src: &Path, sha: &Sha256Hex) -> io::Result<bool> {
        self.storage.put_file(&self.key_of(kind, sha), src, sha)
    }

    pub fn exists(&self, kind: BlobKind, sha: &Sha256Hex) -> io::Result<bool> {
        self.storage.exists(&self.key_of(kind, sha))
    }

    pub fn read(&self, kind: BlobKind, sha: &Sha256Hex) -> io::Result<Vec<u8>> {
        self.storage.read(&self.key_of(kind, sha))
    }

    /// Removes a blob; a blob that is not there is not an error.
    pub fn remove(&self, kind: BlobKind, sha: &Sha256Hex) -> io::Result<()> {
        self.storage.remove(&self.key_of(kind, sha))
    }

    /// The blobs of `kind` whose SHA-256 starts with `shard` (two hex digits), with when each
    /// was stored (the sweep of unreferenced files).
    pub fn list_shard(
        &self,
        kind: BlobKind,
        shard: &str,
    ) -> io::Result<Vec<(Sha256Hex, chrono::DateTime<chrono::Utc>)>> {
        let prefix = format!("{}{}/{shard}", self.prefix, kind.folder());
        Ok(self
            .storage
            .list(&prefix)?
            .into_iter()
            .filter_map(|o| {
                let sha = Sha256Hex::parse(o.key.parts().last()?)?;
                Some((sha, o.modified))
            })
            .collect())
    }

    /// A file on this machine with the blob's bytes (see [`Storage::local_file`]).
    pub fn local_file(
        &self,
        kind: BlobKind,
        sha: &Sha256Hex,
        scratch: &Path,
    ) -> io::Result<crate::storage::LocalFile> {
        self.storage.local_file(&self.key_of(kind, sha), scratch)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::fs;

    fn path_of(store: &EvidenceStore, kind: BlobKind, sha: &Sha256Hex) -> PathBuf {
        PathBuf::from(store.storage().describe()).join(store.key_of(kind, sha).as_str())
    }

    fn store() -> (tempfile::TempDir, EvidenceStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path().join("evidence"));
        (dir, store)
    }

    #[test]
    fn path_layout() {
        let store = EvidenceStore::new(PathBuf::from("/data/evidence"));
        let sha = Sha256Hex::of_bytes(b"abc");
        let s = sha.as_str();
        assert_eq!(
            path_of(&store, BlobKind::Original, &sha),
            PathBuf::from(format!("/data/evidence/originals/ba/78/{s}"))
        );
        assert_eq!(
            path_of(&store, BlobKind::Display, &sha),
            PathBuf::from(format!("/data/evidence/display/ba/78/{s}"))
        );
        assert_eq!(
            path_of(&store, BlobKind::Thumbnail, &sha),
            PathBuf::from(format!("/data/evidence/thumbnails/ba/78/{s}"))
        );
    }

    #[test]
    fn put_exists_read_remove() {
        let (_dir, store) = store();
        let (sha, created) = store.put_bytes(BlobKind::Display, b"hello").unwrap();
        assert!(created);
        assert_eq!(sha, Sha256Hex::of_bytes(b"hello"));
        assert!(store.exists(BlobKind::Display, &sha).unwrap());
        assert!(!store.exists(BlobKind::Original, &sha).unwrap());
        assert!(!store.exists(BlobKind::Thumbnail, &sha).unwrap());
        assert_eq!(store.read(BlobKind::Display, &sha).unwrap(), b"hello");

        // Idempotent: same bytes, same name, not created again.
        let (sha2, created2) = store.put_bytes(BlobKind::Display, b"hello").unwrap();
        assert_eq!(sha2, sha);
        assert!(!created2);

        // No temp files left behind.
        let dir = path_of(&store, BlobKind::Display, &sha);
        let entries = fs::read_dir(dir.parent().unwrap()).unwrap().count();
        assert_eq!(entries, 1);

        store.remove(BlobKind::Display, &sha).unwrap();
        assert!(!store.exists(BlobKind::Display, &sha).unwrap());
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
        assert!(!store.exists(BlobKind::Original, &wrong).unwrap());
        // The refused copy left nothing in the folder.
        let wrong_dir = path_of(&store, BlobKind::Original, &wrong);
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
