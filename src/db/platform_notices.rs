//! The `platform_notices` table: one notice per handed-off case, its sending state and the
//! desk's answer. Every change is a guarded UPDATE, so two instances never send or answer twice.

use super::DbConnection;
use super::schema::platform_notices as n;
use crate::domain::ids::{CaseId, HandoffId, MailId, PlatformDeskId, PlatformNoticeId};
use crate::domain::platform_notice::{NoticeClock, PlatformAnswer, PlatformResponse};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = n)]
pub struct NoticeRow {
    pub id: PlatformNoticeId,
    pub case_id: CaseId,
    pub handoff_id: HandoffId,
    pub desk_id: Option<PlatformDeskId>,
    pub created_at: NaiveDateTime,
    pub not_before: NaiveDateTime,
    pub held_at: Option<NaiveDateTime>,
    pub released_at: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub outbox_id: Option<MailId>,
    pub answer_due_on: Option<NaiveDate>,
    pub reminder_sent_at: Option<NaiveDateTime>,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawn_reason: Option<String>,
    pub response: Option<PlatformResponse>,
    pub reviews_removed_count: Option<i32>,
    pub response_details: Option<String>,
    pub responded_at: Option<NaiveDateTime>,
}

impl NoticeRow {
    pub fn clock(&self) -> NoticeClock {
        NoticeClock {
            not_before: self.not_before,
            held: self.held_at.is_some() && self.released_at.is_none(),
            has_desk: self.desk_id.is_some(),
            sent: self.sent_at.is_some(),
            answer_due_on: self.answer_due_on,
            answered: self.responded_at.is_some(),
            withdrawn: self.withdrawn_at.is_some(),
        }
    }

    /// The answer as the desk gave it, once there is one.
    pub fn answer(&self) -> Option<PlatformAnswer> {
        Some(PlatformAnswer {
            response: self.response?,
            reviews_removed_count: self.reviews_removed_count,
            details: self.response_details.clone().unwrap_or_default(),
        })
    }
}

/// Creates the notice of a case at its first handoff; a later handoff of the same case keeps the
/// first notice (the platform hears of a case once). True if a notice was created.
pub fn create_once(
    conn: &mut DbConnection,
    case_id: CaseId,
    handoff_id: HandoffId,
    desk_id: Option<PlatformDeskId>,
    not_before: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    if of_case(conn, case_id)?.is_some() {
        return Ok(false);
    }
    diesel::insert_into(n::table)
        .values((
            n::case_id.eq(case_id),
            n::handoff_id.eq(handoff_id),
            n::desk_id.eq(desk_id),
            n::created_at.eq(now),
            n::not_before.eq(not_before),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn get(conn: &mut DbConnection, id: PlatformNoticeId) -> QueryResult<NoticeRow> {
    n::table.find(id).select(NoticeRow::as_select()).first(conn)
}

pub fn of_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Option<NoticeRow>> {
    super::on_backend!(conn, c => n::table
        .filter(n::case_id.eq(case_id))
        .select(NoticeRow::as_select()).first(c).optional())
}

/// Brings an unsent notice forward to `at` (the regulator acknowledged). False if it was due
/// already, sent or withdrawn.
pub fn bring_forward(
    conn: &mut DbConnection,
    case_id: CaseId,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        n::table
            .filter(n::case_id.eq(case_id))
            .filter(n::sent_at.is_null())
            .filter(n::not_before.gt(at)),
    )
    .set(n::not_before.eq(at))
    .execute(conn)
    .map(|k| k > 0)
}

/// The regulator holds an unsent notice. False if it was sent, withdrawn or held already.
pub fn hold(conn: &mut DbConnection, case_id: CaseId, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        n::table
            .filter(n::case_id.eq(case_id))
            .filter(n::sent_at.is_null())
            .filter(n::withdrawn_at.is_null())
            .filter(n::held_at.is_null()),
    )
    .set(n::held_at.eq(at))
    .execute(conn)
    .map(|k| k > 0)
}

/// Releases a held notice and makes it due at once (the regulator released it, or recorded the
/// outcome). False if it was not held, or was released already.
pub fn release(conn: &mut DbConnection, case_id: CaseId, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        n::table
            .filter(n::case_id.eq(case_id))
            .filter(n::held_at.is_not_null())
            .filter(n::released_at.is_null()),
    )
    .set((n::released_at.eq(at), n::not_before.eq(at)))
    .execute(conn)
    .map(|k| k > 0)
}

/// Unsent, not withdrawn notices whose time has come (held ones are filtered by the caller's
/// rule, `NoticeClock::due`).
/// Only those of `cases`, when given.
pub fn due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    cases: Option<&[CaseId]>,
) -> QueryResult<Vec<NoticeRow>> {
    let mut q = n::table
        .filter(n::sent_at.is_null())
        .filter(n::withdrawn_at.is_null())
        .filter(n::not_before.le(now))
        .into_boxed();
    if let Some(cases) = cases {
        q = q.filter(n::case_id.eq_any(cases.to_vec()));
    }
    q.order(n::id.asc())
        .select(NoticeRow::as_select())
        .load(conn)
}

pub fn set_desk(
    conn: &mut DbConnection,
    id: PlatformNoticeId,
    desk: PlatformDeskId,
) -> QueryResult<usize> {
    diesel::update(n::table.find(id).filter(n::sent_at.is_null()))
        .set(n::desk_id.eq(desk))
        .execute(conn)
}

/// Marks an unsent notice sent. False if another pass sent it first.
pub fn mark_sent(
    conn: &mut DbConnection,
    id: PlatformNoticeId,
    at: NaiveDateTime,
    answer_due_on: NaiveDate,
) -> QueryResult<bool> {
    diesel::update(n::table.find(id).filter(n::sent_at.is_null()))
        .set((n::sent_at.eq(at), n::answer_due_on.eq(answer_due_on)))
        .execute(conn)
        .map(|k| k > 0)
}

pub fn set_outbox(
    conn: &mut DbConnection,
    id: PlatformNoticeId,
    mail: MailId,
) -> QueryResult<usize> {
    diesel::update(n::table.find(id))
        .set(n::outbox_id.eq(mail))
        .execute(conn)
}

/// Sent, unanswered, not withdrawn, not yet reminded notices due on or before `due_before`.
pub fn reminder_candidates(
    conn: &mut DbConnection,
    due_before: NaiveDate,
) -> QueryResult<Vec<NoticeRow>> {
    n::table
        .filter(n::sent_at.is_not_null())
        .filter(n::responded_at.is_null())
        .filter(n::withdrawn_at.is_null())
        .filter(n::reminder_sent_at.is_null())
        .filter(n::answer_due_on.lt(due_before))
        .order(n::id.asc())
        .select(NoticeRow::as_select())
        .load(conn)
}

/// Marks a notice reminded. False if it was reminded, answered or withdrawn meanwhile.
pub fn mark_reminded(
    conn: &mut DbConnection,
    id: PlatformNoticeId,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        n::table
            .find(id)
            .filter(n::reminder_sent_at.is_null())
            .filter(n::responded_at.is_null())
            .filter(n::withdrawn_at.is_null()),
    )
    .set(n::reminder_sent_at.eq(at))
    .execute(conn)
    .map(|k| k > 0)
}

/// Records the desk's answer, once. False if it answered already or the notice was withdrawn.
pub fn answer(
    conn: &mut DbConnection,
    id: PlatformNoticeId,
    a: &PlatformAnswer,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        n::table
            .find(id)
            .filter(n::responded_at.is_null())
            .filter(n::withdrawn_at.is_null())
            .filter(n::sent_at.is_not_null()),
    )
    .set((
        n::response.eq(a.response),
        n::reviews_removed_count.eq(a.reviews_removed_count),
        n::response_details.eq(&a.details),
        n::responded_at.eq(at),
    ))
    .execute(conn)
    .map(|k| k > 0)
}

/// Takes a notice back. False if it was withdrawn or answered already.
pub fn withdraw(
    conn: &mut DbConnection,
    case_id: CaseId,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        n::table
            .filter(n::case_id.eq(case_id))
            .filter(n::withdrawn_at.is_null())
            .filter(n::responded_at.is_null()),
    )
    .set((n::withdrawn_at.eq(at), n::withdrawn_reason.eq(reason)))
    .execute(conn)
    .map(|k| k > 0)
}

/// Notices due but without a desk, oldest first, with their case number, platform and domain.
pub fn waiting_for_desk(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> QueryResult<Vec<(NoticeRow, String, crate::domain::Platform, String)>> {
    use super::schema::cases;
    n::table
        .inner_join(cases::table)
        .filter(n::desk_id.is_null())
        .filter(n::sent_at.is_null())
        .filter(n::withdrawn_at.is_null())
        .filter(n::held_at.is_null().or(n::released_at.is_not_null()))
        .filter(n::not_before.le(now))
        .order(n::id.asc())
        .select((
            NoticeRow::as_select(),
            cases::case_number,
            cases::platform,
            cases::shop_ref,
        ))
        .load(conn)
}

/// Sent notices past their answer deadline and unanswered, with their case number, oldest first.
pub fn overdue(conn: &mut DbConnection, today: NaiveDate) -> QueryResult<Vec<(NoticeRow, String)>> {
    use super::schema::cases;
    n::table
        .inner_join(cases::table)
        .filter(n::sent_at.is_not_null())
        .filter(n::responded_at.is_null())
        .filter(n::withdrawn_at.is_null())
        .filter(n::answer_due_on.lt(today))
        .order(n::answer_due_on.asc())
        .select((NoticeRow::as_select(), cases::case_number))
        .load(conn)
}
