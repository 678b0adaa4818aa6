//! Text read from screenshots: the job that reads a screenshot is queued with the evidence row,
//! and what it read is recorded, made searchable in the queue and indexed for near-identical
//! texts in one transaction. Officers only: reporters and handoff packages never see it.

use super::WorkflowError;
use crate::db::evidence_texts::{self, EvidenceTextRow};
use crate::db::jobs::{self, NewJob};
use crate::db::{self, DbConnection, case_search};
use crate::domain::EvidenceId;
use crate::domain::jobs::JobKind;
use crate::domain::links::TextSource;
use crate::domain::ocr::OcrState;
use chrono::NaiveDateTime;

/// Queues the reading of a screenshot just recorded (in the transaction that records it).
pub fn queue_reading(
    conn: &mut DbConnection,
    evidence_id: EvidenceId,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    let payload = serde_json::json!({ "evidence_id": evidence_id });
    jobs::enqueue(
        conn,
        &NewJob::once(JobKind::ReadScreenshotText, &payload, now, now),
    )?;
    Ok(())
}

/// What reading one screenshot came to.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub state: OcrState,
    /// The text, tidied (`domain::ocr::tidy`); empty unless read.
    pub text: String,
    pub reason: Option<String>,
    pub seconds: f64,
    pub engine: Option<String>,
}

/// Records what was read from `evidence_id`: the reading, and a text read goes into the queue's
/// search and the near-identical text index. Nothing to do when the screenshot is gone (its
/// case was purged meanwhile).
pub fn record_reading(
    conn: &mut DbConnection,
    evidence_id: EvidenceId,
    reading: &Reading,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    db::write_transaction(conn, |conn| {
        let Some(shot) = evidence_texts::screenshot(conn, evidence_id)? else {
            return Ok(());
        };
        // What OCR read is kept with any payment account masked (the account itself only as the
        // keyed hash `index_text` stores).
        let kept = crate::domain::contact::mask_payment_accounts(&reading.text);
        evidence_texts::put(
            conn,
            &EvidenceTextRow {
                evidence_id,
                state: reading.state,
                body: kept.clone(),
                reason: reading.reason.clone(),
                seconds: reading.seconds,
                engine: reading.engine.clone(),
                read_at: now,
            },
        )?;
        if reading.state == OcrState::Read && !reading.text.trim().is_empty() {
            case_search::add_to_search(conn, shot.case_id, &kept)?;
            super::chains::index_text(
                conn,
                shot.case_id,
                TextSource::Screenshot(evidence_id),
                &reading.text,
                now,
            )?;
        }
        Ok(())
    })
}
