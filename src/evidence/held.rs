//! Screenshots held for a refused report: the files that passed their checks, kept for an hour
//! under an unguessable token (`held/<token>/` in the portal's storage: the data folder or the
//! bucket, so that the resubmission may reach any instance), so that the re-shown form offers
//! them (checkboxes named `keep_upload`) and the reporter does not choose them again. Only the
//! browser session that was refused knows the token; the hourly sweep removes what is older
//! than an hour.

use crate::storage::{Sha256Hex, Storage, StorageKey};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io;
use std::path::Path;

/// How long held files wait for the resubmission.
pub const HELD_FOR_SECS: i64 = 3600;

const MANIFEST: &str = "manifest.json";
const PREFIX: &str = "held";

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

/// The held files, in the portal's storage.
#[derive(Clone, Debug)]
pub struct HeldUploads {
    storage: Storage,
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

fn key(token: &str, name: &str) -> Option<StorageKey> {
    is_hex(token, TOKEN_LEN)
        .then(|| StorageKey::parse(&format!("{PREFIX}/{token}/{name}")))
        .flatten()
}

/// The SHA-256 of a file, read through once.
fn sha_of(path: &Path) -> io::Result<Sha256Hex> {
    use sha2::{Digest, Sha256};
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher)?;
    Ok(Sha256Hex::from_digest(hasher.finalize().as_slice()))
}

impl HeldUploads {
    /// Held files in the local folder `data_dir` (`data_dir/held/…`).
    pub fn new(data_dir: std::path::PathBuf) -> Self {
        Self::on(&Storage::local(data_dir))
    }

    /// Held files in the portal's storage.
    pub fn on(storage: &Storage) -> Self {
        Self {
            storage: storage.clone(),
        }
    }

    /// Holds copies of `files` under a new token, returned with what is held. The manifest is
    /// written last: a hold without one is an interrupted hold, which the sweep removes.
    pub fn hold(&self, files: &[ToHold<'_>], now: i64) -> io::Result<(String, Vec<HeldFile>)> {
        let token = random_hex(TOKEN_LEN / 2);
        match self.copy_into(&token, files, now) {
            Ok(held) => Ok((token, held)),
            Err(e) => {
                self.forget(&token);
                Err(e)
            }
        }
    }

    fn copy_into(&self, token: &str, files: &[ToHold<'_>], now: i64) -> io::Result<Vec<HeldFile>> {
        let bad = || io::Error::new(io::ErrorKind::InvalidInput, "not a held file's key");
        let mut held = Vec::with_capacity(files.len());
        for f in files {
            let id = random_hex(ID_LEN / 2);
            let size = std::fs::metadata(f.path)?.len();
            self.storage
                .put_file(&key(token, &id).ok_or_else(bad)?, f.path, &sha_of(f.path)?)?;
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
        self.storage
            .put_bytes(&key(token, MANIFEST).ok_or_else(bad)?, &manifest)?;
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
        let bytes = self.storage.read(&key(token, MANIFEST)?).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The held files `ids` names, each with the key of its bytes, in the order held. Every id
    /// must be held under `token`, and the token younger than an hour.
    pub fn pick(
        &self,
        token: &str,
        ids: &[String],
        now: i64,
    ) -> Result<Vec<(HeldFile, StorageKey)>, HeldError> {
        let files = self.list(token, now)?;
        if ids.iter().any(|id| !files.iter().any(|f| &f.id == id)) {
            return Err(HeldError::Gone);
        }
        files
            .into_iter()
            .filter(|f| ids.contains(&f.id))
            .map(|f| {
                let k = key(token, &f.id).ok_or(HeldError::Gone)?;
                Ok((f, k))
            })
            .collect()
    }

    /// Copies a picked file's bytes into `dest`.
    pub fn fetch_to(&self, key: &StorageKey, dest: &Path) -> io::Result<u64> {
        self.storage.fetch_to(key, dest)
    }

    /// One held file with its bytes (for its thumbnail on the form).
    pub fn one(&self, token: &str, id: &str, now: i64) -> Option<(HeldFile, Vec<u8>)> {
        if !is_hex(id, ID_LEN) {
            return None;
        }
        let (file, key) = self.pick(token, &[id.to_string()], now).ok()?.pop()?;
        let bytes = self.storage.read(&key).ok()?;
        Some((file, bytes))
    }

    /// Removes what is held under `token` (filed, or held again under a new one).
    pub fn forget(&self, token: &str) {
        if !is_hex(token, TOKEN_LEN) {
            return;
        }
        let removed = self
            .storage
            .list(&format!("{PREFIX}/{token}"))
            .and_then(|objects| objects.iter().try_for_each(|o| self.storage.remove(&o.key)))
            .and_then(|()| {
                self.storage
                    .remove_empty_folder(&format!("{PREFIX}/{token}"))
            });
        if let Err(e) = removed {
            tracing::warn!(error = %e, "could not remove held screenshots");
        }
    }

    /// Removes every hold older than an hour (and any interrupted one as old); returns how many.
    pub fn sweep(&self, now: i64) -> io::Result<usize> {
        // Each hold's files, with the time of the newest: a hold without a manifest is judged by it.
        let mut holds: HashMap<String, (Vec<StorageKey>, i64)> = HashMap::new();
        for object in self.storage.list(PREFIX)? {
            let Some(token) = object.key.parts().nth(1).map(str::to_string) else {
                continue;
            };
            let entry = holds.entry(token).or_insert_with(|| (Vec::new(), i64::MIN));
            entry.1 = entry.1.max(object.modified.timestamp());
            entry.0.push(object.key);
        }
        let mut removed = 0;
        for (token, (keys, newest)) in holds {
            let held_at = self.manifest(&token).map_or(newest, |m| m.held_at);
            if now - held_at > HELD_FOR_SECS {
                for k in &keys {
                    self.storage.remove(k)?;
                }
                self.storage
                    .remove_empty_folder(&format!("{PREFIX}/{token}"))?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn held_in(dir: &Path) -> (HeldUploads, String, Vec<HeldFile>) {
        let held = HeldUploads::new(dir.to_path_buf());
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
        assert_eq!(held.storage.read(&picked[0].1).expect("bytes"), b"second!");
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
