//! The `reporter_sessions` table: a reporter's opened case as a record, so that leaving,
//! withdrawing or the case ending revokes every copy of the cookie, and the report form tokens
//! that filed a report (`report_form_tokens`), so that a form files once.

use super::DbConnection;
use super::cases::CaseRow;
use super::platform_notices::NoticeRow;
use super::queue::DeadlineRow;
use super::schema::{
    case_deadlines, cases, platform_notices, report_form_tokens, reporter_sessions,
};
use super::tokens::{generate, hash_token};
use crate::domain::ids::CaseId;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

/// Starts a session on `case_id` that ends at the latest after `lifetime`; returns its token
/// (for the cookie: only its hash is stored).
pub fn create(
    conn: &mut DbConnection,
    case_id: CaseId,
    now: NaiveDateTime,
    lifetime: TimeDelta,
) -> QueryResult<String> {
    let (token, token_hash) = generate();
    diesel::insert_into(reporter_sessions::table)
        .values((
            reporter_sessions::case_id.eq(case_id),
            reporter_sessions::token_hash.eq(&token_hash),
            reporter_sessions::created_at.eq(now),
            reporter_sessions::expires_at.eq(now + lifetime),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The case a session token opens, if the session is neither revoked nor expired.
pub fn live_case(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<CaseId>> {
    super::on_backend!(conn, c => reporter_sessions::table
        .filter(live_token(token, now))
        .select(reporter_sessions::case_id).first(c).optional())
}

/// What the reporter's case page reads first: the case of a live session, its deadlines and
/// its notice to the platform (if the case was handed off with one).
pub type LiveCase = (CaseRow, Option<DeadlineRow>, Option<NoticeRow>);

/// The case of a live session with its deadlines and platform notice, in one statement (the
/// reporter's case page; on PostgreSQL each statement is a round trip). `None` when the session
/// is not live.
pub fn live_case_with_deadlines(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<LiveCase>> {
    super::on_backend!(conn, c => reporter_sessions::table
        .inner_join(
            cases::table
                .left_join(case_deadlines::table)
                .left_join(platform_notices::table),
        )
        .filter(live_token(token, now))
        .select((
            CaseRow::as_select(),
            Option::<DeadlineRow>::as_select(),
            Option::<NoticeRow>::as_select(),
        ))
        .first(c)
        .optional())
}

/// The session of `token`, neither revoked nor expired at `now`: what every read of a live
/// session filters on.
pub(super) type LiveToken = diesel::dsl::And<
    diesel::dsl::And<
        diesel::dsl::Eq<reporter_sessions::token_hash, String>,
        diesel::dsl::IsNull<reporter_sessions::revoked_at>,
    >,
    diesel::dsl::Gt<reporter_sessions::expires_at, NaiveDateTime>,
>;

pub(super) fn live_token(token: &str, now: NaiveDateTime) -> LiveToken {
    reporter_sessions::token_hash
        .eq(hash_token(token))
        .and(reporter_sessions::revoked_at.is_null())
        .and(reporter_sessions::expires_at.gt(now))
}

/// Ends one session (the reporter left).
pub fn revoke(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        reporter_sessions::table
            .filter(reporter_sessions::token_hash.eq(hash_token(token)))
            .filter(reporter_sessions::revoked_at.is_null()),
    )
    .set(reporter_sessions::revoked_at.eq(Some(now)))
    .execute(conn)
}

/// Ends every session of a case (withdrawn, dismissed, closed).
pub fn revoke_all_for_case(
    conn: &mut DbConnection,
    case_id: CaseId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        reporter_sessions::table
            .filter(reporter_sessions::case_id.eq(case_id))
            .filter(reporter_sessions::revoked_at.is_null()),
    )
    .set(reporter_sessions::revoked_at.eq(Some(now)))
    .execute(conn)
}

/// The hash under which a report form token is remembered.
pub fn form_token_hash(form_token: &str) -> String {
    hash_token(&format!("report-form:{form_token}"))
}

/// Records that the form token with `token_hash` filed `case_id`. A second filing with the same
/// token fails on the primary key, so that its transaction files nothing.
pub fn record_form_token(
    conn: &mut DbConnection,
    token_hash: &str,
    case_id: CaseId,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(report_form_tokens::table)
        .values((
            report_form_tokens::token_hash.eq(token_hash),
            report_form_tokens::case_id.eq(case_id),
            report_form_tokens::used_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The case a form token already filed, if it did.
pub fn case_filed_by(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<CaseId>> {
    report_form_tokens::table
        .find(token_hash)
        .select(report_form_tokens::case_id)
        .first(conn)
        .optional()
}

/// Forgets sessions that ended (expired or revoked) before `before`: they open nothing anyway.
pub fn delete_ended(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        reporter_sessions::table.filter(
            reporter_sessions::expires_at
                .lt(before)
                .or(reporter_sessions::revoked_at.lt(before)),
        ),
    )
    .execute(conn)
}
