//! Keeping the chain indexes: what a case's texts and screenshots add to the indexes that link
//! cases (near-identical screenshots, near-identical texts, shared contacts). Called inside the
//! transaction that records the text or the image, so an index never points at a row that is
//! not there, and a row is never left out of the index.

use super::WorkflowError;
use crate::db::DbConnection;
use crate::domain::CaseId;
use crate::domain::EvidenceId;
use crate::domain::links::TextSource;
use crate::evidence::intake::StoredEvidence;
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
    _conn: &mut DbConnection,
    _case_id: CaseId,
    _evidence_id: EvidenceId,
    _file: &StoredEvidence,
    _now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    Ok(())
}
