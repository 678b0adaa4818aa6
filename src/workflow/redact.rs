//! Redacting a screenshot: an officer who may work the case blacks out rectangles on its display
//! copy. The redacted copy and its thumbnail are new blobs; from then on reporters and
//! regulators see them. The original and the unredacted display copy stay as they are.

use super::{ActingOfficer, WorkflowError};
use crate::db::{self, DbPool, audit, cases, evidence};
use crate::domain::EvidenceId;
use crate::domain::audit::{Actor, Visibility};
use crate::domain::{CaseNumber, CaseStatus};
use crate::evidence::redact::{Rect, RectError, redact};
use crate::evidence::{BlobKind, EvidenceStore, Sha256Hex};
use serde_json::json;
use tracing::Instrument;

/// What became of a redaction.
#[derive(Debug)]
pub enum Redaction {
    /// Recorded, on the case with this number.
    Done { case_number: String },
    /// The rectangles given cannot be drawn on this image; nothing changed.
    Refused(RectError),
}

/// Redacts evidence `evidence_id` of case `number` with the rectangles of `rects_text` (one
/// `x,y,w,h` a line, in the display copy's pixels), always from the unredacted display copy: a
/// new redaction replaces the last one.
pub async fn redact_evidence(
    pool: &DbPool,
    store: &EvidenceStore,
    officer: ActingOfficer,
    number: CaseNumber,
    evidence_id: EvidenceId,
    rects_text: &str,
) -> Result<Redaction, WorkflowError> {
    let span = tracing::info_span!("case", case = %number);
    let rects_text = rects_text.to_string();
    async move {
        let (case, row) = db::run(pool, move |conn| {
            // An unconfirmed report is unreachable for officers, its evidence as much as its page.
            let case = cases::find_by_number(conn, &number)?
                .filter(|c| c.status != CaseStatus::Unconfirmed)
                .ok_or(diesel::result::Error::NotFound)?;
            let row = evidence::get(conn, case.id, evidence_id)?;
            Ok((case, row))
        })
        .await?;
        // Redacting works on the display copy: made now if the job has not made it yet.
        let row = match row.copies() {
            Some(_) => row,
            None => {
                let (store, id) = (store.clone(), row.id);
                db::run_with(pool, move |conn| {
                    super::screenshot_copies::make(conn, &store, id, db::now())
                })
                .await?
                .ok_or(WorkflowError::from(diesel::result::Error::NotFound))?
            }
        };
        officer.require_worker_of(&case)?;
        let width = u32::try_from(row.width).unwrap_or(0);
        let height = u32::try_from(row.height).unwrap_or(0);
        let rects = match Rect::parse_lines(&rects_text, width, height) {
            Ok(r) => r,
            Err(e) => return Ok(Redaction::Refused(e)),
        };
        let images = draw(store, &row, &rects).await?;
        record(pool, store, officer, &case, &row, rects, images).await?;
        tracing::info!(evidence = %evidence_id, "evidence redacted");
        Ok(Redaction::Done {
            case_number: case.case_number,
        })
    }
    .instrument(span)
    .await
}

/// Blacks out `rects` on the display copy, off the async executor.
async fn draw(
    store: &EvidenceStore,
    row: &evidence::EvidenceRow,
    rects: &[Rect],
) -> Result<crate::evidence::redact::Redacted, WorkflowError> {
    let store = store.clone();
    let copies = row
        .copies()
        .ok_or(WorkflowError::from(diesel::result::Error::NotFound))?;
    let display_sha = Sha256Hex::parse(copies.display_sha256)
        .ok_or(WorkflowError::from(diesel::result::Error::NotFound))?;
    let kind = copies.display_kind;
    let rects = rects.to_vec();
    tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let display = store.read(BlobKind::Display, &display_sha)?;
        redact(&display, kind, &rects).map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await
    .map_err(WorkflowError::internal)?
    .map_err(WorkflowError::Internal)
}

/// Keeps the redacted copies and records them with their audit entry, in one transaction. The
/// copies are stored inside it, holding the blob lock: a failed upload's cleanup cannot remove
/// an identical blob between storing and committing.
async fn record(
    pool: &DbPool,
    store: &EvidenceStore,
    officer: ActingOfficer,
    case: &cases::CaseRow,
    row: &evidence::EvidenceRow,
    rects: Vec<Rect>,
    images: crate::evidence::redact::Redacted,
) -> Result<(), WorkflowError> {
    let (store, case_id, officer_id) = (store.clone(), case.id, officer.id);
    let (evidence_id, position) = (row.id, row.position);
    let rects_json = serde_json::to_string(&rects).map_err(WorkflowError::internal)?;
    db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            evidence::lock_blobs_for_recording(conn)?;
            let (display_sha, _) = store
                .put_bytes(BlobKind::Display, &images.display)
                .map_err(WorkflowError::internal)?;
            let (thumb_sha, _) = store
                .put_bytes(BlobKind::Thumbnail, &images.thumbnail)
                .map_err(WorkflowError::internal)?;
            let now = db::now();
            let size = (
                i32::try_from(images.thumbnail_width).unwrap_or(0),
                i32::try_from(images.thumbnail_height).unwrap_or(0),
            );
            evidence::add_redaction(
                conn,
                evidence_id,
                officer_id,
                &rects_json,
                display_sha.as_str(),
                thumb_sha.as_str(),
                size,
                now,
            )?;
            let detail = json!({
                "position": position,
                "rects": rects,
                "redacted_sha256": display_sha.as_str(),
            });
            audit::append(
                conn,
                &audit::NewAuditEntry {
                    case_id,
                    actor: Actor::Officer(officer_id),
                    action: crate::domain::audit::AuditAction::EvidenceRedacted,
                    detail: &detail,
                    visibility: Visibility::OfficersOnly,
                    at: now,
                },
            )?;
            Ok::<_, WorkflowError>(())
        })
    })
    .await
}
