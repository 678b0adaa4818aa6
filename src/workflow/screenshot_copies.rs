//! A screenshot's display copy, thumbnail and hashes, made after the upload is recorded: the
//! request path only checks a file and keeps its original (issue 14). Recording queues the job
//! `make_screenshot_copies` in its own transaction; the job (or a step that needs the copies
//! before it ran: a handoff package, a redaction, a platform's link) makes them from the kept
//! original, writes them on the row and then does what recording a finished screenshot does:
//! indexes its fingerprint for near-identical screenshots and queues the reading of its text.
//! Whoever comes first makes them; the other finds them made.

use super::WorkflowError;
use crate::db::evidence::{self, EvidenceRow};
use crate::db::jobs::{self, NewJob};
use crate::db::{self, DbConnection};
use crate::domain::EvidenceId;
use crate::domain::jobs::JobKind;
use crate::evidence::intake::{self, CopiesFailed, ScreenshotCopies};
use crate::evidence::{EvidenceLimits, EvidenceStore};
use chrono::NaiveDateTime;

/// Queues the making of a screenshot's copies (in the transaction that records it).
pub fn queue_making(
    conn: &mut DbConnection,
    evidence_id: EvidenceId,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    let payload = serde_json::json!({ "evidence_id": evidence_id });
    jobs::enqueue(
        conn,
        &NewJob::once(JobKind::MakeScreenshotCopies, &payload, now, now),
    )?;
    Ok(())
}

/// The row of `evidence_id` with its copies made: made here from the kept original if they are
/// not yet (on this thread: CPU-heavy, so a blocking one), and written with the index entry and
/// the queued reading in one transaction. `None` when the row is gone (its case was purged).
/// No transaction is held while the image is worked on.
pub fn make(
    conn: &mut DbConnection,
    store: &EvidenceStore,
    evidence_id: EvidenceId,
    now: NaiveDateTime,
) -> Result<Option<EvidenceRow>, WorkflowError> {
    let Some(row) = evidence::by_id(conn, evidence_id)? else {
        return Ok(None);
    };
    if row.copies().is_some() {
        return Ok(Some(row));
    }
    let started = std::time::Instant::now();
    let (copies, created) = match intake::make_copies(
        store,
        &row.sha256,
        row.kind,
        &EvidenceLimits::default(),
    ) {
        Ok(made) => made,
        Err(CopiesFailed::Io(e)) => return Err(WorkflowError::internal(e)),
        Err(CopiesFailed::Refused(r)) => {
            tracing::error!(evidence = %evidence_id, rejection = %r, "a kept original no longer decodes");
            return Err(WorkflowError::internal(anyhow::anyhow!(
                "the original of evidence {evidence_id} cannot be made into copies: {r}"
            )));
        }
    };
    let written = db::write_transaction(conn, |conn| {
        // The new blobs are referred to from this commit on (see `workflow::blobs`).
        evidence::lock_blobs_for_recording(conn)?;
        if !evidence::set_copies(conn, evidence_id, &as_made(&copies))? {
            return Ok::<_, WorkflowError>(false);
        }
        super::chains::index_screenshot(conn, row.case_id, evidence_id, &copies, now)?;
        Ok(true)
    });
    match written {
        Ok(true) => {
            tracing::debug!(evidence = %evidence_id, ms = started.elapsed().as_millis() as u64, "screenshot copies made");
        }
        Ok(false) => {
            // Gone, or made meanwhile by another: the copies are the same blobs, or nobody's.
            super::blobs::remove_unrecorded(conn, store, &created.into_inner())?;
        }
        Err(e) => {
            super::blobs::remove_unrecorded(conn, store, &created.into_inner())?;
            return Err(e);
        }
    }
    Ok(evidence::by_id(conn, evidence_id)?)
}

/// `row` with its copies: as it is when they are made, else made now (`make`). An error when the
/// row is gone meanwhile.
pub fn made(
    conn: &mut DbConnection,
    store: &EvidenceStore,
    row: EvidenceRow,
    now: NaiveDateTime,
) -> Result<EvidenceRow, WorkflowError> {
    if row.copies().is_some() {
        return Ok(row);
    }
    make(conn, store, row.id, now)?.ok_or_else(|| {
        WorkflowError::from(crate::db::DbError::from(diesel::result::Error::NotFound))
    })
}

/// The copies as an evidence row holds them.
fn as_made(c: &ScreenshotCopies) -> evidence::MadeCopies<'_> {
    evidence::MadeCopies {
        display_sha256: &c.display_sha256,
        display_kind: c.display_kind,
        thumb_sha256: &c.thumb_sha256,
        thumb_width: c.thumb_width,
        thumb_height: c.thumb_height,
        perceptual_hash: &c.perceptual_hash,
    }
}
