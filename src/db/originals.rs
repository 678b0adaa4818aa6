//! The `original_requests` table: a regulator asks for the original of an evidence file, an
//! officer decides, and an approved request carries a single-use download link (token hashed).

use super::DbConnection;
use super::schema::{evidence, handoffs, original_requests};
use crate::domain::ids::{CaseId, EvidenceId, HandoffId, OfficerId, OriginalRequestId};
use crate::domain::original::OriginalRequestStatus;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = original_requests)]
pub struct OriginalRequestRow {
    pub id: OriginalRequestId,
    pub handoff_id: HandoffId,
    pub evidence_id: EvidenceId,
    pub reason: String,
    pub requested_at: NaiveDateTime,
    pub status: OriginalRequestStatus,
    pub decided_by: Option<OfficerId>,
    pub decided_at: Option<NaiveDateTime>,
    pub token_hash: Option<String>,
    pub expires_at: Option<NaiveDateTime>,
    pub used_at: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut DbConnection,
    handoff_id: HandoffId,
    evidence_id: EvidenceId,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<OriginalRequestId> {
    diesel::insert_into(original_requests::table)
        .values((
            original_requests::handoff_id.eq(handoff_id),
            original_requests::evidence_id.eq(evidence_id),
            original_requests::reason.eq(reason),
            original_requests::requested_at.eq(at),
            original_requests::status.eq(OriginalRequestStatus::Requested),
        ))
        .returning(original_requests::id)
        .get_result(conn)
}

pub fn get(conn: &mut DbConnection, id: OriginalRequestId) -> QueryResult<OriginalRequestRow> {
    original_requests::table
        .find(id)
        .select(OriginalRequestRow::as_select())
        .first(conn)
}

/// Whether a request for this file under this handoff is still open (asked, not yet decided).
pub fn is_pending(
    conn: &mut DbConnection,
    handoff_id: HandoffId,
    evidence_id: EvidenceId,
) -> QueryResult<bool> {
    let n: i64 = original_requests::table
        .filter(original_requests::handoff_id.eq(handoff_id))
        .filter(original_requests::evidence_id.eq(evidence_id))
        .filter(original_requests::status.eq(OriginalRequestStatus::Requested))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Every request on a case's handoffs, newest first, with the file's position and name.
pub fn for_case(
    conn: &mut DbConnection,
    case_id: CaseId,
) -> QueryResult<Vec<(OriginalRequestRow, i32, String, i32)>> {
    original_requests::table
        .inner_join(handoffs::table)
        .inner_join(evidence::table)
        .filter(handoffs::case_id.eq(case_id))
        .order(original_requests::id.desc())
        .select((
            OriginalRequestRow::as_select(),
            evidence::position,
            evidence::original_name,
            handoffs::seq,
        ))
        .load(conn)
}

/// Decides an open request; false if it was decided already (by someone else, first).
pub fn decide(
    conn: &mut DbConnection,
    id: OriginalRequestId,
    status: OriginalRequestStatus,
    officer_id: OfficerId,
    token: Option<(&str, NaiveDateTime)>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        original_requests::table
            .filter(original_requests::id.eq(id))
            .filter(original_requests::status.eq(OriginalRequestStatus::Requested)),
    )
    .set((
        original_requests::status.eq(status),
        original_requests::decided_by.eq(Some(officer_id)),
        original_requests::decided_at.eq(Some(at)),
        original_requests::token_hash.eq(token.map(|(h, _)| h)),
        original_requests::expires_at.eq(token.map(|(_, e)| e)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn by_token(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<OriginalRequestRow>> {
    original_requests::table
        .filter(original_requests::token_hash.eq(token_hash))
        .select(OriginalRequestRow::as_select())
        .first(conn)
        .optional()
}

/// Uses the link once: false if it was used already.
pub fn mark_used(
    conn: &mut DbConnection,
    id: OriginalRequestId,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        original_requests::table
            .filter(original_requests::id.eq(id))
            .filter(original_requests::used_at.is_null()),
    )
    .set(original_requests::used_at.eq(Some(at)))
    .execute(conn)?;
    Ok(n == 1)
}
