//! The sweep of stored files no row refers to: what a process killed between storing a file and
//! committing its row leaves behind (an upload, a package), or a cleanup that failed. A file is
//! removed only once older than [`GRACE`] — an upload being recorded, a package being handed
//! off, are never that old — and only after the check that no row refers to it, under the blob
//! lock every recording shares (see `blobs::remove_unrecorded`).
//!
//! Each run sweeps one shard of the store (the files whose SHA-256 starts with one pair of hex
//! digits, chosen by the hour): 1/256 of the files, so a run lists a bounded slice even at a
//! million cases, and the whole store is swept every 256 hours.

use super::WorkflowError;
use crate::db::{self, DbPool, handoffs};
use crate::evidence::{BlobKind, EvidenceStore, Sha256Hex};
use crate::storage::PackageStore;
use chrono::{NaiveDateTime, TimeDelta};

/// How old an unreferenced file must be before it goes.
pub const GRACE: TimeDelta = TimeDelta::days(1);

/// The shard swept at `now`: its two leading hex digits.
pub fn shard_at(now: NaiveDateTime) -> String {
    let hours = now.and_utc().timestamp().div_euclid(3600);
    format!("{:02x}", hours.rem_euclid(256))
}

/// What a run found and removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub looked_at: usize,
    pub removed: usize,
}

/// Sweeps the shard `shard` (two hex digits) of the evidence and the packages, removing what no
/// row refers to and was stored before `now - GRACE`.
pub async fn sweep_shard(
    pool: &DbPool,
    store: &EvidenceStore,
    packages: &PackageStore,
    shard: String,
    now: NaiveDateTime,
) -> Result<Swept, WorkflowError> {
    let older_than = (now - GRACE).and_utc();
    let (store, packages) = (store.clone(), packages.clone());
    db::run_with(pool, move |conn| {
        let mut swept = Swept::default();
        for kind in [BlobKind::Original, BlobKind::Display, BlobKind::Thumbnail] {
            let listed = store
                .list_shard(kind, &shard)
                .map_err(WorkflowError::internal)?;
            swept.looked_at += listed.len();
            let old: Vec<(BlobKind, Sha256Hex)> = listed
                .into_iter()
                .filter(|(_, modified)| *modified < older_than)
                .map(|(sha, _)| (kind, sha))
                .collect();
            swept.removed += super::blobs::remove_unrecorded(conn, &store, &old)?;
        }
        for (sha, modified) in packages
            .list_shard(&shard)
            .map_err(WorkflowError::internal)?
        {
            swept.looked_at += 1;
            if modified >= older_than {
                continue;
            }
            let removed = db::write_transaction(conn, |conn| {
                if handoffs::package_references(conn, &sha)? > 0 {
                    return Ok(false);
                }
                packages.remove(&sha).map_err(WorkflowError::internal)?;
                Ok::<_, WorkflowError>(true)
            })?;
            if removed {
                tracing::info!(package = %sha, "a package no handoff refers to was removed");
                swept.removed += 1;
            }
        }
        Ok(swept)
    })
    .await
}
