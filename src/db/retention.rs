//! Personal data past its time: reporters' addresses (IP and email) removed from the case, its
//! mail record and its links. The case, its evidence and its audit trail stay (the trail refers
//! to personal text by id only, so it stays verifiable).

use super::DbConnection;
use super::schema::{cases, email_tokens, outbox};
use crate::domain::CaseStatus;
use crate::domain::ids::CaseId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// What an erased mail keeps in place of its recipient and body.
pub const ERASED: &str = "(erased)";

/// Forgets the client address of reports filed before `cutoff`, among the next `limit` such
/// cases by id after `after`: a bounded write however many are due (a first pass over a large
/// database would otherwise hold the write lock for seconds). Returns how many were forgotten
/// and the last case looked at; fewer than `limit` means none is left after it.
pub fn forget_ips_before(
    conn: &mut DbConnection,
    cutoff: NaiveDateTime,
    after: Option<CaseId>,
    limit: i64,
) -> QueryResult<(usize, Option<CaseId>)> {
    let mut due = cases::table
        .filter(cases::reporter_ip.is_not_null())
        .filter(cases::created_at.lt(cutoff))
        .select(cases::id)
        .order(cases::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        due = due.filter(cases::id.gt(after));
    }
    let ids: Vec<CaseId> = due.load(conn)?;
    let Some(&last) = ids.last() else {
        return Ok((0, None));
    };
    let forgotten = diesel::update(cases::table.filter(cases::id.eq_any(&ids)))
        .set(cases::reporter_ip.eq(None::<String>))
        .execute(conn)?;
    Ok((forgotten, Some(last)))
}

/// Finished cases (closed, dismissed, withdrawn) last changed before `cutoff` that still hold a
/// reporter's email address.
pub fn finished_with_contact_before(
    conn: &mut DbConnection,
    cutoff: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<CaseId>> {
    let finished = [
        CaseStatus::Closed,
        CaseStatus::Dismissed,
        CaseStatus::Withdrawn,
    ]
    .map(CaseStatus::as_str);
    cases::table
        .filter(cases::status.eq_any(finished))
        .filter(cases::reporter_email.is_not_null())
        .filter(cases::last_activity_at.lt(cutoff))
        .order(cases::id.asc())
        .select(cases::id)
        .limit(limit)
        .load(conn)
}

/// Removes the reporter's contact from a case: the address (and the consent to share it, which
/// has nothing left to share), the client address, the links mailed to them, and the address and
/// body of every mail to them (unsent ones are dropped: they can no longer go anywhere).
pub fn erase_contact(conn: &mut DbConnection, case_id: CaseId, email: &str) -> QueryResult<()> {
    diesel::update(cases::table.find(case_id))
        .set((
            cases::reporter_email.eq(None::<String>),
            cases::consent_share_contact.eq(false),
            cases::reporter_ip.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::delete(email_tokens::table.filter(email_tokens::case_id.eq(case_id))).execute(conn)?;
    let to_reporter = outbox::table
        .filter(outbox::case_id.eq(case_id))
        .filter(outbox::to_address.eq(email));
    diesel::delete(to_reporter.filter(outbox::sent_at.is_null())).execute(conn)?;
    diesel::update(to_reporter)
        .set((
            outbox::to_address.eq(ERASED),
            outbox::body_text.eq(ERASED),
            outbox::body_html.eq(ERASED),
        ))
        .execute(conn)?;
    Ok(())
}
