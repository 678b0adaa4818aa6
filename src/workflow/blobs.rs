//! Removing evidence blobs that no row records: those a failed upload stored, those of a purged
//! report. Only those no row refers to go: the store is content-addressed, so two identical
//! uploads share one blob, and the one that created it may fail while the other records it.

use super::WorkflowError;
use crate::db::{self, DbConnection, evidence};
use crate::evidence::{BlobKind, EvidenceStore, Sha256Hex};

/// Removes each of `blobs` that no evidence row or redaction refers to (the only tables that
/// hold evidence blobs' hashes; packages and calendar files are kept elsewhere). The check and
/// the removal hold the blob lock, which every recording shares until it commits, so no
/// reference can be committed in between. Returns how many were removed.
pub fn remove_unrecorded(
    conn: &mut DbConnection,
    store: &EvidenceStore,
    blobs: &[(BlobKind, Sha256Hex)],
) -> Result<usize, WorkflowError> {
    if blobs.is_empty() {
        return Ok(0);
    }
    db::write_transaction(conn, |conn| {
        evidence::lock_blobs_for_removal(conn)?;
        let mut removed = 0;
        for (kind, sha) in blobs {
            if evidence::references_to(conn, sha.as_str())? > 0 {
                tracing::info!(sha256 = %sha, "an evidence file stays: a row refers to it");
                continue;
            }
            match store.remove(*kind, sha) {
                Ok(()) => removed += 1,
                Err(e) => {
                    tracing::warn!(error = %e, "could not remove an evidence file no row refers to")
                }
            }
        }
        Ok(removed)
    })
}
