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
/// read from a screenshot when OCR has read it. A text too short to link is left out.
pub fn index_text(
    conn: &mut DbConnection,
    case_id: CaseId,
    source: TextSource,
    text: &str,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    if let Some(fingerprint) = crate::domain::text_similarity::fingerprint(text) {
        crate::db::text_index::insert(
            conn,
            &crate::db::text_index::NewText {
                case_id,
                source,
                body: text,
                fingerprint,
                created_at: now,
            },
        )?;
    }
    Ok(())
}

/// Indexes a screenshot just recorded on a case (and queues what is read from it later).
pub fn index_screenshot(
    conn: &mut DbConnection,
    _case_id: CaseId,
    evidence_id: EvidenceId,
    _file: &StoredEvidence,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    // The text in the picture: read later by a background job (OCR), which indexes it then.
    super::ocr::queue_reading(conn, evidence_id, now)?;
    Ok(())
}
