//! Screenshots held for a refused report: the files that passed their checks, kept for an hour
//! under an unguessable token in `DATA_DIR/held/<token>/`, so that the re-shown form offers them
//! (checkboxes named `keep_upload`) and the reporter does not choose them again. Only the browser
//! session that was refused knows the token; the hourly sweep removes what is older than an hour.

use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// How long held files wait for the resubmission.
pub const HELD_FOR_SECS: i64 = 3600;

const MANIFEST: &str = "manifest.json";

/// One held file: its opaque id (the `keep_upload` value), the name the browser gave, its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldFile {
    pub id: String,
    pub name: String,
    pub size: u64,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    /// Unix seconds when the files were held.
    held_at: i64,
    files: Vec<HeldFile>,
}

/// A file to hold: its name as sent, and where its bytes are now.
pub struct ToHold<'a> {
    pub name: &'a str,
    pub path: &'a Path,
}

/// Why held files cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldError {
    /// Older than an hour, removed, or never held for this token (another browser's ids).
    Gone,
}

/// The folder of held files.
#[derive(Clone, Debug)]
pub struct HeldUploads {
    root: PathBuf,
}

fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// A token or id as we make them: lowercase hex of the right length, so never a path.
fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

const TOKEN_LEN: usize = 64;
const ID_LEN: usize = 32;

impl HeldUploads {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    fn folder(&self, token: &str) -> Option<PathBuf> {
        is_hex(token, TOKEN_LEN).then(|| self.root.join(token))
    }

    /// Holds copies of `files` under a new token, returned with what is held. The manifest is
    /// written last: a folder without one is an interrupted hold, which the sweep removes.
    pub fn hold(&self, files: &[ToHold<'_>], now: i64) -> io::Result<(String, Vec<HeldFile>)> {
        let token = random_hex(TOKEN_LEN / 2);
        let dir = self.root.join(&token);
        crate::private_fs::create_dir_all(&dir)?;
        match Self::copy_into(&dir, files, now) {
            Ok(held) => Ok((token, held)),
            Err(e) => {
                let _ = fs::remove_dir_all(&dir);
                Err(e)
            }
        }
    }

    fn copy_into(dir: &Path, files: &[ToHold<'_>], now: i64) -> io::Result<Vec<HeldFile>> {
        let mut held = Vec::with_capacity(files.len());
        for f in files {
            let id = random_hex(ID_LEN / 2);
            let size = fs::copy(f.path, dir.join(&id))?;
            held.push(HeldFile {
                id,
                name: f.name.to_string(),
                size,
            });
        }
        let manifest = serde_json::to_vec(&Manifest {
            held_at: now,
            files: held.clone(),
        })
        .map_err(io::Error::other)?;
        write_atomically(dir, &dir.join(MANIFEST), &manifest)?;
        Ok(held)
    }

    /// What is held under `token`, if it is younger than an hour.
    pub fn list(&self, token: &str, now: i64) -> Result<Vec<HeldFile>, HeldError> {
        let manifest = self.manifest(token).ok_or(HeldError::Gone)?;
        if now - manifest.held_at > HELD_FOR_SECS {
            return Err(HeldError::Gone);
        }
        Ok(manifest.files)
    }

    fn manifest(&self, token: &str) -> Option<Manifest> {
        let dir = self.folder(token)?;
        let bytes = fs::read(dir.join(MANIFEST)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The held files `ids` names, each with where its bytes are, in the order held. Every id
    /// must be held under `token`, and the token younger than an hour.
    pub fn pick(
        &self,
        token: &str,
        ids: &[String],
        now: i64,
    ) -> Result<Vec<(HeldFile, PathBuf)>, HeldError> {
        let files = self.list(token, now)?;
        if ids.iter().any(|id| !files.iter().any(|f| &f.id == id)) {
            return Err(HeldError::Gone);
        }
        let dir = self.folder(token).ok_or(HeldError::Gone)?;
        Ok(files
            .into_iter()
            .filter(|f| ids.contains(&f.id))
            .map(|f| {
                let path = dir.join(&f.id);
                (f, path)
            })
            .collect())
    }

    /// Where one held file's bytes are, with its description (for its thumbnail on the form).
    pub fn one(&self, token: &str, id: &str, now: i64) -> Option<(HeldFile, PathBuf)> {
        if !is_hex(id, ID_LEN) {
            return None;
        }
        self.pick(token, &[id.to_string()], now).ok()?.pop()
    }

    /// Removes what is held under `token` (filed, or held again under a new one).
    pub fn forget(&self, token: &str) {
        if let Some(dir) = self.folder(token)
            && let Err(e) = fs::remove_dir_all(&dir)
            && e.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(error = %e, "could not remove held screenshots");
        }
    }

    /// Removes every hold older than an hour (and any interrupted one as old); returns how many.
    pub fn sweep(&self, now: i64) -> io::Result<usize> {
        let entries = match fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut removed = 0;
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_string();
            if !is_hex(&name, TOKEN_LEN) {
                continue;
            }
            let held_at = match self.manifest(&name) {
                Some(m) => m.held_at,
                None => modified_secs(&entry.path()).unwrap_or(0),
            };
            if now - held_at > HELD_FOR_SECS {
                fs::remove_dir_all(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

fn modified_secs(path: &Path) -> Option<i64> {
    let modified = fs::metadata(path).ok()?.modified().ok()?;
    let secs = modified
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    i64::try_from(secs).ok()
}

/// Writes `bytes` to `path` whole or not at all.
fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held_in(dir: &Path) -> (HeldUploads, String, Vec<HeldFile>) {
        let held = HeldUploads::new(dir.join("held"));
        let (a, b) = (dir.join("a.png"), dir.join("b.jpg"));
        fs::write(&a, b"first").expect("a");
        fs::write(&b, b"second!").expect("b");
        let files = [
            ToHold {
                name: "a.png",
                path: &a,
            },
            ToHold {
                name: "b.jpg",
                path: &b,
            },
        ];
        let (token, listed) = held.hold(&files, 1_000).expect("held");
        (held, token, listed)
    }

    #[test]
    fn held_files_are_picked_by_their_ids_for_an_hour() {
        let dir = tempfile::tempdir().expect("a folder");
        let (held, token, listed) = held_in(dir.path());
        assert_eq!(listed.len(), 2);
        assert_eq!((listed[0].name.as_str(), listed[0].size), ("a.png", 5));
        assert_ne!(listed[0].id, listed[1].id);
        let picked = held
            .pick(
                &token,
                std::slice::from_ref(&listed[1].id),
                1_000 + HELD_FOR_SECS,
            )
            .expect("still held");
        assert_eq!(picked.len(), 1, "only the ticked one");
        assert_eq!(fs::read(&picked[0].1).expect("bytes"), b"second!");
        assert_eq!(
            held.pick(
                &token,
                std::slice::from_ref(&listed[1].id),
                1_001 + HELD_FOR_SECS
            ),
            Err(HeldError::Gone),
            "older than an hour"
        );
    }

    #[test]
    fn ids_from_another_token_or_shaped_as_paths_are_refused() {
        let dir = tempfile::tempdir().expect("a folder");
        let (held, token, listed) = held_in(dir.path());
        let (_, other, _) = held_in(dir.path());
        assert_eq!(
            held.pick(&other, std::slice::from_ref(&listed[0].id), 1_000),
            Err(HeldError::Gone)
        );
        assert_eq!(
            held.pick("../held", &[], 1_000),
            Err(HeldError::Gone),
            "not a token"
        );
        assert!(held.one(&token, "../manifest.json", 1_000).is_none());
        assert!(held.one(&token, &listed[0].id, 1_000).is_some());
    }

    #[test]
    fn the_sweep_removes_holds_older_than_an_hour_and_forget_removes_one() {
        let dir = tempfile::tempdir().expect("a folder");
        let (held, token, _) = held_in(dir.path());
        assert_eq!(held.sweep(1_000 + HELD_FOR_SECS).expect("sweep"), 0);
        assert!(dir.path().join("held").join(&token).exists());
        assert_eq!(held.sweep(1_001 + HELD_FOR_SECS).expect("sweep"), 1);
        assert!(!dir.path().join("held").join(&token).exists());
        let (held, token, _) = held_in(dir.path());
        held.forget(&token);
        assert!(!dir.path().join("held").join(&token).exists());
    }
}
