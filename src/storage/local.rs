//! The local folder (`DATA_DIR`): every write atomic (temporary file in the target folder,
//! fsync, rename without clobbering, fsync of the folder), so a crash leaves either no file or
//! the whole file under its name, never a torn one.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use super::{Sha256Hex, StorageKey, StoredObject};

#[derive(Debug)]
pub(super) struct LocalFolder {
    pub(super) root: PathBuf,
}

impl LocalFolder {
    pub(super) fn path_of(&self, key: &StorageKey) -> PathBuf {
        let mut path = self.root.clone();
        path.extend(key.parts());
        path
    }

    pub(super) fn put_bytes(&self, key: &StorageKey, bytes: &[u8]) -> io::Result<bool> {
        let dest = self.path_of(key);
        if dest.is_file() {
            return Ok(false);
        }
        let dir = ensure_parent(&dest)?;
        let mut tmp = NamedTempFile::new_in(&dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        persist_new(tmp, &dest, &dir)
    }

    pub(super) fn put_file(
        &self,
        key: &StorageKey,
        src: &Path,
        sha: &Sha256Hex,
    ) -> io::Result<bool> {
        let dest = self.path_of(key);
        let src = File::open(src)?;
        if dest.is_file() {
            // Still check the caller's claim: a mismatch here means a bug upstream (wrong file
            // paired with a hash) that must not pass silently.
            let actual = hash_reader(src, &mut io::sink())?;
            super::check_sha(&actual, sha)?;
            return Ok(false);
        }
        let dir = ensure_parent(&dest)?;
        let mut tmp = NamedTempFile::new_in(&dir)?;
        // Hash exactly the bytes written, so what gets a name is what was verified.
        let actual = hash_reader(src, tmp.as_file_mut())?;
        super::check_sha(&actual, sha)?;
        tmp.as_file().sync_all()?;
        persist_new(tmp, &dest, &dir)
    }

    pub(super) fn read(&self, key: &StorageKey) -> io::Result<Vec<u8>> {
        fs::read(self.path_of(key))
    }

    pub(super) fn exists(&self, key: &StorageKey) -> bool {
        self.path_of(key).is_file()
    }

    /// Removes a file; one that is not there is not an error. The folder is fsynced so that a
    /// purge really is gone after a crash. Empty folders are kept: removing them would race
    /// with a concurrent put.
    pub(super) fn remove(&self, key: &StorageKey) -> io::Result<()> {
        let path = self.path_of(key);
        match fs::remove_file(&path) {
            Ok(()) => match path.parent() {
                Some(dir) => sync_dir(dir),
                None => Ok(()),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Every file under `prefix` (a key's leading parts), in no particular order; temporary
    /// files of writes in progress are not listed.
    pub(super) fn list(&self, prefix: &str) -> io::Result<Vec<StoredObject>> {
        let mut out = Vec::new();
        let start = if prefix.is_empty() {
            self.root.clone()
        } else {
            let mut p = self.root.clone();
            p.extend(prefix.split('/'));
            p
        };
        if !start.is_dir() {
            return Ok(out);
        }
        let mut stack = vec![start];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir)? {
                let entry = entry?;
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    stack.push(entry.path());
                    continue;
                }
                let path = entry.path();
                let Ok(relative) = path.strip_prefix(&self.root) else {
                    continue;
                };
                let relative = relative
                    .iter()
                    .map(|p| p.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                // tempfile's names start with ".tmp": a write in progress, not an object.
                let Some(key) = StorageKey::parse(&relative).filter(|_| !is_temporary(&path))
                else {
                    continue;
                };
                let meta = entry.metadata()?;
                out.push(StoredObject {
                    key,
                    size: meta.len(),
                    modified: meta.modified()?.into(),
                });
            }
        }
        Ok(out)
    }
}

fn is_temporary(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(".tmp"))
}

/// Creates the file's folder if needed and returns it. Newly created folders are made durable
/// by fsyncing every folder whose entries changed.
fn ensure_parent(dest: &Path) -> io::Result<PathBuf> {
    let dir = dest
        .parent()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no parent"))?
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

/// Renames `tmp` to `dest` unless `dest` exists (a concurrent put of the same content won the
/// race: fine, same bytes). Returns whether we created it.
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
pub(super) fn hash_reader(mut src: impl Read, out: &mut impl Write) -> io::Result<Sha256Hex> {
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
