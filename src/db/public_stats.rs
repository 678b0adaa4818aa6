//! The public statistics: the counts the refresh job reads from the cases (grouped in SQL, never
//! a case's own data), and the stored snapshot `/stats` serves.
//!
//! A report counts once it entered the queue (`submitted_at` is set), in the China month it was
//! filed (`created_at`), as the officers' dashboard counts it.

use super::DbConnection;
use super::schema::{audit_events, cases, platform_notices, public_stats};
use crate::domain::audit::AuditAction;
use crate::domain::dashboard::Period;
use crate::domain::ids::CaseId;
use crate::domain::{Category, Platform};
use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

/// Reports that entered the queue, per platform and category.
pub fn platform_category(conn: &mut DbConnection) -> QueryResult<Vec<(Platform, Category, i64)>> {
    cases::table
        .filter(cases::submitted_at.is_not_null())
        .group_by((cases::platform, cases::category))
        .select((cases::platform, cases::category, count_star()))
        .load(conn)
}

/// Reports that entered the queue and were filed in `p`, per province code (through
/// `cases_created (created_at, id)`).
pub fn provinces_in(conn: &mut DbConnection, p: Period) -> QueryResult<Vec<(String, i64)>> {
    cases::table
        .filter(cases::created_at.ge(p.from))
        .filter(cases::created_at.lt(p.until))
        .filter(cases::submitted_at.is_not_null())
        .group_by(cases::province_code)
        .select((cases::province_code, count_star()))
        .load(conn)
}

/// A case's first decision or handoff, with when it entered the queue.
#[derive(Debug, Clone, Queryable)]
pub struct Milestone {
    pub case_id: CaseId,
    pub platform: Platform,
    pub action: AuditAction,
    pub submitted_at: Option<NaiveDateTime>,
    pub at: NaiveDateTime,
}

/// The substantiations, dismissals and handoffs of the cases that entered the queue: a case has
/// one of each at most but for a handoff resent as a new one, so about three rows per decided
/// case (diesel does not group across a join; the caller keeps each case's first).
pub fn milestones(conn: &mut DbConnection) -> QueryResult<Vec<Milestone>> {
    audit_events::table
        .inner_join(cases::table)
        .filter(audit_events::action.eq_any([
            AuditAction::Substantiate,
            AuditAction::Dismiss,
            AuditAction::HandOff,
        ]))
        .filter(cases::submitted_at.is_not_null())
        .select((
            audit_events::case_id,
            cases::platform,
            audit_events::action,
            cases::submitted_at,
            audit_events::at,
        ))
        .load(conn)
}

/// The platform notices that went out and were not taken back: each one's platform, when it was
/// sent and when the desk answered (nothing else of the notice or its case).
pub fn notices_sent(
    conn: &mut DbConnection,
) -> QueryResult<Vec<(Platform, NaiveDateTime, Option<NaiveDateTime>)>> {
    platform_notices::table
        .inner_join(cases::table)
        .filter(platform_notices::sent_at.is_not_null())
        .filter(platform_notices::withdrawn_at.is_null())
        .select((
            cases::platform,
            platform_notices::sent_at.assume_not_null(),
            platform_notices::responded_at,
        ))
        .load(conn)
}

/// The latest snapshot's JSON and when it was computed.
pub fn latest(conn: &mut DbConnection) -> QueryResult<Option<(NaiveDateTime, String)>> {
    public_stats::table
        .order(public_stats::id.desc())
        .select((public_stats::computed_at, public_stats::body))
        .first(conn)
        .optional()
}

/// Stores a snapshot and forgets the ones before it.
pub fn replace(conn: &mut DbConnection, computed_at: NaiveDateTime, body: &str) -> QueryResult<()> {
    let id: i64 = diesel::insert_into(public_stats::table)
        .values((
            public_stats::computed_at.eq(computed_at),
            public_stats::body.eq(body),
        ))
        .returning(public_stats::id)
        .get_result(conn)?;
    diesel::delete(public_stats::table.filter(public_stats::id.lt(id))).execute(conn)?;
    Ok(())
}
