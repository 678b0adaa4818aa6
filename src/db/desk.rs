//! The officer's own page: their cases waiting on a platform's answer, and what changed on their
//! cases since they last looked. Each statement walks an index and stops after a few rows: the
//! officer's most recently active cases (`cases_assignee_activity`), a case's own trail entries
//! (`audit_events (case_id, seq)`), the unanswered notices by their date due
//! (`platform_notices_awaiting`).

use super::schema::{audit_events, cases, platform_notices};
use super::{DbConnection, MultiBackend};
use crate::domain::audit::{ActorKind, AuditAction};
use crate::domain::{CaseId, CaseStatus, OfficerId};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// What an officer hears of on their desk: others' steps on their cases — the reporter's answers
/// (new evidence after filing comes only with one, and its sentence counts the screenshots; the
/// filing's own evidence is not news), the regulator's acknowledgement and outcome, the
/// platform's answer, a case assigned to them — never their own.
pub const NEWS: [AuditAction; 7] = [
    AuditAction::Reply,
    AuditAction::PlatformResponse,
    AuditAction::Acknowledge,
    AuditAction::HandoffAcknowledged,
    AuditAction::Close,
    AuditAction::Outcome,
    AuditAction::Assign,
];

/// The most of the officer's recently active cases whose trails are read for news.
pub const NEWS_CASES: i64 = 200;

/// A case of the officer's waiting on a platform: the notice sent, no answer, not withdrawn.
#[derive(Debug, Clone, Queryable)]
pub struct PlatformWait {
    pub case_number: String,
    pub status: CaseStatus,
    pub shop_name: String,
    pub sent_at: Option<NaiveDateTime>,
    pub answer_due_on: Option<NaiveDate>,
}

#[diesel::dsl::auto_type]
fn platform_waits_select(officer: OfficerId) -> _ {
    platform_notices::table
        .inner_join(cases::table)
        .filter(cases::assigned_officer_id.eq(officer))
        .filter(platform_notices::responded_at.is_null())
        .filter(platform_notices::sent_at.is_not_null())
        .filter(platform_notices::withdrawn_at.is_null())
        .select((
            cases::case_number,
            cases::status,
            cases::shop_name,
            platform_notices::sent_at,
            platform_notices::answer_due_on,
        ))
}

type PlatformWaits = diesel::dsl::IntoBoxed<'static, platform_waits_select, MultiBackend>;

fn platform_waits_query(officer: OfficerId, limit: i64) -> PlatformWaits {
    platform_waits_select(officer)
        .order((
            platform_notices::answer_due_on.asc(),
            platform_notices::id.asc(),
        ))
        .limit(limit)
        .into_boxed()
}

/// The officer's cases waiting on a platform's answer, the answer due soonest first.
pub fn platform_waits(
    conn: &mut DbConnection,
    officer: OfficerId,
    limit: i64,
) -> QueryResult<Vec<PlatformWait>> {
    platform_waits_query(officer, limit).load(conn)
}

type ActiveCases =
    cases::BoxedQuery<'static, MultiBackend, (diesel::sql_types::BigInt, diesel::sql_types::Text)>;

fn active_cases_query(officer: OfficerId, since: NaiveDateTime) -> ActiveCases {
    cases::table
        .filter(cases::assigned_officer_id.eq(officer))
        .filter(cases::last_activity_at.gt(since))
        .select((cases::id, cases::case_number))
        .order((cases::last_activity_at.desc(), cases::id.desc()))
        .limit(NEWS_CASES)
        .into_boxed()
}

/// One step someone else took on one of the officer's cases.
#[derive(Debug, Clone)]
pub struct News {
    pub case_number: String,
    pub at: NaiveDateTime,
    pub actor_kind: ActorKind,
    pub actor_id: Option<i64>,
    pub action: AuditAction,
    pub detail: String,
}

type NewsRow = (
    CaseId,
    NaiveDateTime,
    ActorKind,
    Option<i64>,
    AuditAction,
    String,
);

fn news_query(
    officer: OfficerId,
    ids: Vec<CaseId>,
    since: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> audit_events::BoxedQuery<'static, MultiBackend, NewsSql> {
    audit_events::table
        .filter(audit_events::case_id.eq_any(ids))
        .filter(audit_events::at.gt(since))
        .filter(audit_events::at.le(until))
        .filter(audit_events::action.eq_any(NEWS.map(AuditAction::as_str)))
        .filter(
            audit_events::actor_kind
                .ne(ActorKind::Officer.as_str())
                .or(audit_events::actor_id.ne(officer.0))
                .or(audit_events::actor_id.is_null()),
        )
        .select((
            audit_events::case_id,
            audit_events::at,
            audit_events::actor_kind,
            audit_events::actor_id,
            audit_events::action,
            audit_events::detail,
        ))
        .order((audit_events::at.desc(), audit_events::id.desc()))
        .limit(limit)
        .into_boxed()
}

type NewsSql = (
    diesel::sql_types::BigInt,
    diesel::sql_types::Timestamp,
    diesel::sql_types::Text,
    diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
    diesel::sql_types::Text,
    diesel::sql_types::Text,
);

/// What others did on the officer's cases after `since` and up to `until`, newest first, at
/// most `limit` entries: read from the trails of the officer's cases active since then (at most
/// `NEWS_CASES`; every step that is news marks its case active).
pub fn news_since(
    conn: &mut DbConnection,
    officer: OfficerId,
    since: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<News>> {
    let active: Vec<(CaseId, String)> = active_cases_query(officer, since).load(conn)?;
    if active.is_empty() {
        return Ok(Vec::new());
    }
    let ids = active.iter().map(|(id, _)| *id).collect();
    let rows: Vec<NewsRow> = news_query(officer, ids, since, until, limit).load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(case_id, at, actor_kind, actor_id, action, detail)| {
            let (_, number) = active.iter().find(|(id, _)| *id == case_id)?;
            Some(News {
                case_number: number.clone(),
                at,
                actor_kind,
                actor_id,
                action,
                detail,
            })
        })
        .collect())
}

/// The plans of the desk's own statements (the waiting-on-platforms list, the officer's active
/// cases, the trail entries of up to `NEWS_CASES` of them), for tests that hold them to their
/// indexes. The lists shared with the queue are the queue's views.
pub fn explain(
    conn: &mut DbConnection,
    officer: OfficerId,
    since: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<(&'static str, Vec<String>)>> {
    let ids: Vec<CaseId> = active_cases_query(officer, since)
        .load::<(CaseId, String)>(conn)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    Ok(vec![
        (
            "platform waits",
            super::explain::plan(conn, platform_waits_query(officer, 21))?,
        ),
        (
            "active cases",
            super::explain::plan(conn, active_cases_query(officer, since))?,
        ),
        (
            "news",
            super::explain::plan(conn, news_query(officer, ids, since, until, 50))?,
        ),
    ])
}
