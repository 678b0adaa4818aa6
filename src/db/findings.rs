//! The `case_findings` table: the officer's reasons for substantiating a case, as the regulator
//! (and later the platform) reads them. Internal notes are kept apart, in `case_notes`.

use super::DbConnection;
use super::schema::{case_findings, officers};
use crate::domain::ids::{CaseId, OfficerId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct FindingView {
    pub finding: String,
    pub officer_name: String,
    pub created_at: NaiveDateTime,
}

/// Records (or, for a case substantiated again after a reopening, replaces) the finding.
pub fn set(
    conn: &mut DbConnection,
    case_id: CaseId,
    officer_id: OfficerId,
    finding: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(case_findings::table.find(case_id)).execute(conn)?;
    diesel::insert_into(case_findings::table)
        .values((
            case_findings::case_id.eq(case_id),
            case_findings::finding.eq(finding),
            case_findings::officer_id.eq(officer_id),
            case_findings::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn of_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Option<FindingView>> {
    case_findings::table
        .inner_join(officers::table)
        .filter(case_findings::case_id.eq(case_id))
        .select((
            case_findings::finding,
            officers::name,
            case_findings::created_at,
        ))
        .first(conn)
        .optional()
}
