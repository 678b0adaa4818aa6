//! Where the portal's files are kept — evidence blobs, their derived copies and handoff
//! packages — behind one interface with two kinds: the local data folder (`DATA_DIR`, the
//! default) and S3-compatible object storage (`STORAGE_URL=s3://bucket/prefix`), which lets
//! several instances share the files with no shared folder.
//!
//! The interface blocks: call it where file I/O belongs (`web::block`, `spawn_blocking`, a
//! command), except [`Storage::stream`], which is for a response body. Errors are
//! `io::Error`s: `NotFound` for a missing object, and [`is_unavailable`] for a store that
//! cannot take or give files now (object storage unreachable, a full disk), which a user is told
//! in plain words.

mod key;
mod local;
mod object;
mod packages;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

pub use key::{Sha256Hex, StorageKey};
pub use packages::PackageStore;

/// A handle on the storage (cheap to clone).
#[derive(Clone, Debug)]
pub struct Storage {
    backend: Arc<Backend>,
}

#[derive(Debug)]
enum Backend {
    Local(local::LocalFolder),
    Object(object::ObjectBucket),
}

/// An object as a listing shows it.
#[derive(Debug, Clone)]
pub struct StoredObject {
    pub key: StorageKey,
    pub size: u64,
    pub modified: DateTime<Utc>,
}

/// The store could not take or give the file now: object storage that does not answer or
/// refuses, for example. Carried inside an `io::Error` (see [`is_unavailable`]).
#[derive(Debug, thiserror::Error)]
#[error("storage unavailable: {0}")]
pub struct Unavailable(pub String);

/// Whether `e` means the storage cannot take or give files now (object storage unreachable,
/// the disk full or read-only), rather than a bug: the user is asked to try again later.
pub fn is_unavailable(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::StorageFull
            | io::ErrorKind::QuotaExceeded
            | io::ErrorKind::ReadOnlyFilesystem
    ) || e.get_ref().is_some_and(|inner| inner.is::<Unavailable>())
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

impl Storage {
    /// Files under `root` (the data folder).
    pub fn local(root: PathBuf) -> Self {
        Self {
            backend: Arc::new(Backend::Local(local::LocalFolder { root })),
        }
    }

    /// `STORAGE_URL`'s store: `s3://bucket/prefix`, at `endpoint` if given (else
    /// `AWS_ENDPOINT_URL`'s). Nothing is sent until it is used (see [`Storage::check`]).
    pub fn object(url: &str, endpoint: Option<&str>) -> Result<Self, String> {
        Ok(Self {
            backend: Arc::new(Backend::Object(object::ObjectBucket::open(url, endpoint)?)),
        })
    }

    /// For logs and messages: the folder or the URL.
    pub fn describe(&self) -> String {
        match &*self.backend {
            Backend::Local(l) => l.root.display().to_string(),
            Backend::Object(o) => o.url().to_owned(),
        }
    }

    pub fn is_local(&self) -> bool {
        matches!(&*self.backend, Backend::Local(_))
    }

    /// Whether the store answers (object storage: one listing; a folder: it can be made).
    pub fn check(&self) -> io::Result<()> {
        match &*self.backend {
            Backend::Local(l) => crate::private_fs::create_dir_all(&l.root),
            Backend::Object(o) => o.check(),
        }
    }

    /// Keeps `bytes` under `key` unless an object is there already (then it is left as it is:
    /// keys of content-addressed objects name their bytes). Returns whether it was written.
    pub fn put_bytes(&self, key: &StorageKey, bytes: &[u8]) -> io::Result<bool> {
        match &*self.backend {
            Backend::Local(l) => l.put_bytes(key, bytes),
            Backend::Object(o) => o.put_bytes(key, bytes),
        }
    }

    /// Copies the file at `src` under `key`, bit-exact, if its SHA-256 is `sha` (else
    /// `InvalidData`, and nothing is kept); an object already there is left as it is (the
    /// file is still checked). `src` stays the caller's. Returns whether it was written.
    pub fn put_file(&self, key: &StorageKey, src: &Path, sha: &Sha256Hex) -> io::Result<bool> {
        match &*self.backend {
            Backend::Local(l) => l.put_file(key, src, sha),
            Backend::Object(o) => o.put_file(key, src, sha),
        }
    }

    pub fn read(&self, key: &StorageKey) -> io::Result<Vec<u8>> {
        match &*self.backend {
            Backend::Local(l) => l.read(key),
            Backend::Object(o) => o.read(key),
        }
    }

    pub fn exists(&self, key: &StorageKey) -> io::Result<bool> {
        match &*self.backend {
            Backend::Local(l) => Ok(l.exists(key)),
            Backend::Object(o) => o.exists(key),
        }
    }

    /// Removes an object; one that is not there is not an error.
    pub fn remove(&self, key: &StorageKey) -> io::Result<()> {
        match &*self.backend {
            Backend::Local(l) => l.remove(key),
            Backend::Object(o) => o.remove(key),
        }
    }

    /// In a local folder, removes the folder of `prefix` once no file is left in it (a bucket
    /// has no folders: nothing to do). For keys made per use (`held/<token>/…`), whose folders
    /// would otherwise pile up.
    pub fn remove_empty_folder(&self, prefix: &str) -> io::Result<()> {
        match &*self.backend {
            Backend::Local(l) => {
                let mut dir = l.root.clone();
                dir.extend(prefix.split('/'));
                match std::fs::remove_dir(&dir) {
                    Err(e)
                        if e.kind() != io::ErrorKind::NotFound
                            && e.kind() != io::ErrorKind::DirectoryNotEmpty =>
                    {
                        Err(e)
                    }
                    _ => Ok(()),
                }
            }
            Backend::Object(_) => Ok(()),
        }
    }

    /// Every object whose key starts with the parts of `prefix` (`""` for all).
    pub fn list(&self, prefix: &str) -> io::Result<Vec<StoredObject>> {
        match &*self.backend {
            Backend::Local(l) => l.list(prefix),
            Backend::Object(o) => o.list(prefix),
        }
    }

    /// Copies the object into the file `dest` (made or truncated), piece by piece; returns its
    /// size.
    pub fn fetch_to(&self, key: &StorageKey, dest: &Path) -> io::Result<u64> {
        match &*self.backend {
            Backend::Local(l) => std::fs::copy(l.path_of(key), dest),
            Backend::Object(o) => o.fetch_to(key, dest),
        }
    }

    /// A file on this machine with the object's bytes, for a program that reads files (OCR):
    /// the stored file itself in a local folder, else a copy in `scratch` that goes with the
    /// returned guard.
    pub fn local_file(&self, key: &StorageKey, scratch: &Path) -> io::Result<LocalFile> {
        match &*self.backend {
            Backend::Local(l) => {
                let path = l.path_of(key);
                if path.is_file() {
                    Ok(LocalFile::Stored(path))
                } else {
                    Err(io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("{key} is not stored"),
                    ))
                }
            }
            Backend::Object(o) => {
                crate::private_fs::create_dir_all(scratch)?;
                let copy = tempfile::NamedTempFile::new_in(scratch)?.into_temp_path();
                o.fetch_to(key, &copy)?;
                Ok(LocalFile::Copy(copy))
            }
        }
    }

    /// The object's size and bytes as they are read, for a response body: a download of any
    /// size never sits in memory.
    pub async fn stream(
        &self,
        key: &StorageKey,
    ) -> io::Result<(u64, BoxStream<'static, io::Result<Bytes>>)> {
        match &*self.backend {
            Backend::Local(l) => stream_file(&l.path_of(key)).await,
            Backend::Object(o) => o.stream(key).await,
        }
    }
}

/// A file with an object's bytes (see [`Storage::local_file`]).
pub enum LocalFile {
    Stored(PathBuf),
    Copy(tempfile::TempPath),
}

impl LocalFile {
    pub fn path(&self) -> &Path {
        match self {
            LocalFile::Stored(p) => p,
            LocalFile::Copy(p) => p,
        }
    }
}

async fn stream_file(path: &Path) -> io::Result<(u64, BoxStream<'static, io::Result<Bytes>>)> {
    use tokio::io::AsyncReadExt;
    let file = tokio::fs::File::open(path).await?;
    let size = file.metadata().await?.len();
    let pieces = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), Some(file)))
            }
            // The error ends the stream; nothing is read after it.
            Err(e) => Some((Err(e), None)),
        }
    });
    Ok((size, pieces.boxed()))
}
