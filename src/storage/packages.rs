//! Handoff packages in the storage, each kept once under its SHA-256
//! (`packages/<sha256>.zip`: `DATA_DIR/packages/…` on disk).

use std::io;
use std::path::Path;

use bytes::Bytes;
use futures_util::stream::BoxStream;

use super::{Sha256Hex, Storage, StorageKey};

#[derive(Clone, Debug)]
pub struct PackageStore {
    storage: Storage,
}

impl PackageStore {
    pub fn on(storage: &Storage) -> Self {
        Self {
            storage: storage.clone(),
        }
    }

    fn key(sha: &str) -> io::Result<StorageKey> {
        Sha256Hex::parse(sha)
            .and_then(|sha| StorageKey::parse(&format!("packages/{sha}.zip")))
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{sha:?} is not a SHA-256"),
                )
            })
    }

    /// Keeps a package built in memory. Returns its SHA-256 and whether it was written now.
    pub fn put_bytes(&self, bytes: &[u8]) -> io::Result<(String, bool)> {
        let sha = Sha256Hex::of_bytes(bytes).to_string();
        let created = self.storage.put_bytes(&Self::key(&sha)?, bytes)?;
        Ok((sha, created))
    }

    /// Keeps a package written to a file (whose SHA-256 is `sha`), copied piece by piece.
    pub fn put_file(&self, src: &Path, sha: &str) -> io::Result<bool> {
        let key = Self::key(sha)?;
        let sha = Sha256Hex::parse(sha)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256"))?;
        self.storage.put_file(&key, src, &sha)
    }

    /// The whole package (a mail attachment).
    pub fn read(&self, sha: &str) -> io::Result<Vec<u8>> {
        self.storage.read(&Self::key(sha)?)
    }

    /// The packages whose SHA-256 starts with `shard`, with when each was stored.
    pub fn list_shard(
        &self,
        shard: &str,
    ) -> io::Result<Vec<(String, chrono::DateTime<chrono::Utc>)>> {
        Ok(self
            .storage
            .list("packages")?
            .into_iter()
            .filter_map(|o| {
                let name = o.key.parts().last()?.strip_suffix(".zip")?;
                let sha = Sha256Hex::parse(name)?;
                sha.as_str()
                    .starts_with(shard)
                    .then(|| (sha.to_string(), o.modified))
            })
            .collect())
    }

    pub fn remove(&self, sha: &str) -> io::Result<()> {
        self.storage.remove(&Self::key(sha)?)
    }

    /// Its size and bytes as they are read, for a download.
    pub async fn stream(
        &self,
        sha: &str,
    ) -> io::Result<(u64, BoxStream<'static, io::Result<Bytes>>)> {
        self.storage.stream(&Self::key(sha)?).await
    }
}
