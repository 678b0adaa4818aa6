//! Removing reports never confirmed within 7 days: they never entered the queue, and the
//! address that filed them may not be the reporter's.

use crate::db::{self, DbPool, cases, evidence};
use crate::evidence::{BlobKind, EvidenceStore, Sha256Hex};
use chrono::TimeDelta;

pub const UNCONFIRMED_RETENTION: TimeDelta = TimeDelta::days(7);

/// Purges one batch; returns how many reports were removed.
pub async fn purge_unconfirmed(pool: &DbPool, store: &EvidenceStore) -> Result<usize, db::DbError> {
    let cutoff = db::now() - UNCONFIRMED_RETENTION;
    let ids = db::run(pool, move |conn| {
        Ok(cases::unconfirmed_before(conn, cutoff, 100)?)
    })
    .await?;
    let mut removed = 0;
    for id in ids {
        let orphans = db::run(pool, move |conn| {
            db::write_transaction(conn, |conn| {
                let case = cases::get(conn, id)?;
                if case.status != crate::domain::CaseStatus::Unconfirmed {
                    // Confirmed since the list was read: it stays.
                    return Ok(None);
                }
                let files = evidence::for_case(conn, id)?;
                crate::db::case_search::unindex(conn, id)?;
                cases::delete(conn, id)?;
                let mut orphans = Vec::new();
                for f in files {
                    // Copies not made yet have no blobs (a job making them meanwhile removes
                    // its own when it finds the row gone).
                    for (kind, sha) in [
                        (BlobKind::Original, Some(f.sha256)),
                        (BlobKind::Display, f.display_sha256),
                        (BlobKind::Thumbnail, f.thumb_sha256),
                    ]
                    .into_iter()
                    .filter_map(|(kind, sha)| Some((kind, sha?)))
                    {
                        if evidence::references_to(conn, &sha)? == 0 {
                            orphans.push((kind, sha));
                        }
                    }
                }
                Ok::<_, db::DbError>(Some(orphans))
            })
        })
        .await?;
        let Some(orphans) = orphans else { continue };
        // Blobs go after the commit: a crash in between leaves an orphan file, never a row
        // pointing at nothing. Each is looked for once more, under the blob lock: an identical
        // upload may have been recorded since.
        let orphans: Vec<(BlobKind, Sha256Hex)> = orphans
            .into_iter()
            .filter_map(|(kind, sha)| Some((kind, Sha256Hex::parse(&sha)?)))
            .collect();
        let store = store.clone();
        if let Err(e) = db::run_with(pool, move |conn| {
            super::blobs::remove_unrecorded(conn, &store, &orphans)
        })
        .await
        {
            tracing::warn!(error = %e, "could not remove the evidence files of a purged report");
        }
        removed += 1;
    }
    if removed > 0 {
        tracing::info!(removed, "unconfirmed reports purged");
    }
    Ok(removed)
}
