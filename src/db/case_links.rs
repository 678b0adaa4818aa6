//! The `case_links` table: officers' verdicts on suggested links between two cases, each pair
//! stored once with the lower case id first.

use super::DbConnection;
use super::schema::{case_links, officers};
use crate::domain::ids::{CaseId, OfficerId};
use crate::domain::links::{LinkReason, LinkVerdict};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A verdict on the link between a case and `other`, as the case page shows it.
#[derive(Debug, Clone)]
pub struct VerdictView {
    pub other: CaseId,
    pub verdict: LinkVerdict,
    pub officer_name: String,
    pub decided_at: NaiveDateTime,
    /// The link reasons the officer saw when deciding.
    pub reasons: Vec<LinkReason>,
}

fn ordered(a: CaseId, b: CaseId) -> (CaseId, CaseId) {
    if a.get() < b.get() { (a, b) } else { (b, a) }
}

/// Records (or replaces) the verdict on the pair.
pub fn decide(
    conn: &mut DbConnection,
    a: CaseId,
    b: CaseId,
    verdict: LinkVerdict,
    reasons: &str,
    officer_id: OfficerId,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let (low, high) = ordered(a, b);
    diesel::delete(
        case_links::table
            .filter(case_links::case_id.eq(low))
            .filter(case_links::other_case_id.eq(high)),
    )
    .execute(conn)?;
    diesel::insert_into(case_links::table)
        .values((
            case_links::case_id.eq(low),
            case_links::other_case_id.eq(high),
            case_links::verdict.eq(verdict),
            case_links::reasons.eq(reasons),
            case_links::officer_id.eq(officer_id),
            case_links::decided_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every verdict on a link of `case_id`, keyed by the other case.
pub fn verdicts_for(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<VerdictView>> {
    let rows: Vec<(CaseId, CaseId, LinkVerdict, String, NaiveDateTime, String)> = case_links::table
        .inner_join(officers::table)
        .filter(
            case_links::case_id
                .eq(case_id)
                .or(case_links::other_case_id.eq(case_id)),
        )
        .select((
            case_links::case_id,
            case_links::other_case_id,
            case_links::verdict,
            officers::name,
            case_links::decided_at,
            case_links::reasons,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(a, b, verdict, officer_name, decided_at, reasons)| VerdictView {
                other: if a == case_id { b } else { a },
                verdict,
                officer_name,
                decided_at,
                reasons: reasons.split(',').filter_map(LinkReason::parse).collect(),
            },
        )
        .collect())
}

/// The cases confirmed as linked to `case_id`.
pub fn confirmed_with(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<CaseId>> {
    Ok(verdicts_for(conn, case_id)?
        .into_iter()
        .filter(|v| v.verdict == LinkVerdict::Confirmed)
        .map(|v| v.other)
        .collect())
}
