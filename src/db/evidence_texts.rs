//! The `evidence_texts` table: what OCR read from each screenshot, or why it read nothing.
//! Officers only: never shown to reporters, never put in a handoff package.

use super::DbConnection;
use super::schema::evidence_texts;
use crate::domain::ids::EvidenceId;
use crate::domain::ocr::OcrState;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = evidence_texts)]
pub struct EvidenceTextRow {
    pub evidence_id: EvidenceId,
    pub state: OcrState,
    pub body: String,
    /// Why nothing was read (unavailable, failed).
    pub reason: Option<String>,
    pub seconds: f64,
    /// `tesseract --version`'s first line, when it ran.
    pub engine: Option<String>,
    pub read_at: NaiveDateTime,
}

/// Writes the reading of a screenshot, replacing an earlier one.
pub fn put(conn: &mut DbConnection, row: &EvidenceTextRow) -> QueryResult<()> {
    let updated = diesel::update(evidence_texts::table.find(row.evidence_id))
        .set(row)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(evidence_texts::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn get(
    conn: &mut DbConnection,
    evidence_id: EvidenceId,
) -> QueryResult<Option<EvidenceTextRow>> {
    evidence_texts::table
        .find(evidence_id)
        .select(EvidenceTextRow::as_select())
        .first(conn)
        .optional()
}

/// The readings of some screenshots (a case's evidence list).
pub fn for_evidence(
    conn: &mut DbConnection,
    ids: &[EvidenceId],
) -> QueryResult<Vec<EvidenceTextRow>> {
    evidence_texts::table
        .filter(evidence_texts::evidence_id.eq_any(ids))
        .select(EvidenceTextRow::as_select())
        .load(conn)
}

/// Where a screenshot to read is kept.
#[derive(Debug, Clone, Queryable)]
pub struct Screenshot {
    pub case_id: crate::domain::ids::CaseId,
    /// The upload as received.
    pub sha256: String,
    /// The metadata-free copy (PNG or JPEG: every Tesseract build reads it); `None` until made.
    pub display_sha256: Option<String>,
}

/// The screenshot `evidence_id`, if it is still there.
pub fn screenshot(
    conn: &mut DbConnection,
    evidence_id: EvidenceId,
) -> QueryResult<Option<Screenshot>> {
    use super::schema::evidence;
    evidence::table
        .find(evidence_id)
        .select((
            evidence::case_id,
            evidence::sha256,
            evidence::display_sha256,
        ))
        .first(conn)
        .optional()
}
