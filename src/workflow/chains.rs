//! Keeping the chain indexes: what a case's texts and screenshots add to the indexes that link
//! cases (near-identical screenshots, near-identical texts, shared contacts). Called inside the
//! transaction that records the text or the image, so an index never points at a row that is
//! not there, and a row is never left out of the index.

use super::WorkflowError;
use crate::db::contacts::NewCaseContact;
use crate::db::image_index::NewImageHash;
use crate::db::{self, DbConnection, DbPool};
use crate::domain::CaseId;
use crate::domain::EvidenceId;
use crate::domain::contact;
use crate::domain::links::TextSource;
use crate::evidence::intake::ScreenshotCopies;
use crate::evidence::{BlobKind, EvidenceStore, Sha256Hex, fingerprint};
use chrono::NaiveDateTime;

/// Indexes a text of a case: the reporter's description when the report is filed, the text
/// read from a screenshot when OCR has read it. A text too short to link is left out.
pub fn index_text(
    conn: &mut DbConnection,
    case_id: CaseId,
    source: TextSource,
    text: &str,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    index_contacts(conn, case_id, source, text, now)?;
    // Payment accounts are kept only as keyed hashes (above): the indexed copy is masked.
    let kept = contact::mask_payment_accounts(text);
    if let Some(fingerprint) = crate::domain::text_similarity::fingerprint(&kept) {
        crate::db::text_index::insert(
            conn,
            &crate::db::text_index::NewText {
                case_id,
                source,
                body: &kept,
                fingerprint,
                created_at: now,
            },
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Contacts (issue 11 item 4).

/// Replaces the contacts found in one text of a case with those in `text` (`domain::contact`):
/// the reporter's own email address left out, payment accounts hashed with the instance's key.
pub fn index_contacts(
    conn: &mut DbConnection,
    case_id: CaseId,
    source: TextSource,
    text: &str,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    let reporter_email = db::cases::get(conn, case_id)?.reporter_email;
    let account_key = db::secrets::get_or_create(conn, contact::CONTACT_ACCOUNT_KEY)?;
    let scan = contact::ContactScan {
        reporter_email: reporter_email.as_deref(),
        account_key: &account_key,
    };
    let found = contact::find_contacts(text, &scan);
    let evidence_id = match source {
        TextSource::Description => None,
        TextSource::Screenshot(e) => Some(e),
    };
    let rows = contact_rows(case_id, evidence_id, &found, now);
    db::contacts::replace_for_text(conn, case_id, evidence_id, &rows)?;
    if !found.is_empty() {
        tracing::debug!(contacts = found.len(), "contacts indexed");
    }
    Ok(())
}

/// The rows of the contacts `found` in one text of a case: for `index_contacts`, and for the
/// demo seed, which writes them in bulk (`db::contacts::insert_all`).
pub fn contact_rows(
    case_id: CaseId,
    evidence_id: Option<EvidenceId>,
    found: &[contact::FoundContact],
    now: NaiveDateTime,
) -> Vec<NewCaseContact<'_>> {
    found
        .iter()
        .map(|f| NewCaseContact {
            case_id,
            kind: f.kind,
            contact_key: &f.key,
            shown: &f.shown,
            evidence_id,
            found_at: now,
        })
        .collect()
}

/// Indexes a screenshot whose copies were just recorded on a case (and queues what is read from
/// it later).
pub fn index_screenshot(
    conn: &mut DbConnection,
    case_id: CaseId,
    evidence_id: EvidenceId,
    file: &ScreenshotCopies,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    db::image_index::insert(
        conn,
        &NewImageHash {
            evidence_id,
            case_id,
            hash: file.fingerprint,
        },
    )?;
    // The text in the picture: read later by a background job (OCR), which indexes it then.
    super::ocr::queue_reading(conn, evidence_id, now)?;
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
