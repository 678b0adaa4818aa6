//! The officer's own page, read: their open cases by the date due, the cases waiting on
//! reporters, regulators and platforms, and what others did on their cases since they last
//! looked — each list a few rows of an index, with a link to the queue's view for the rest.

use crate::db::desk::{self as desk_db, News, PlatformWait};
use crate::db::queue::{self, Assignee, QueueFilter, QueueRow, Sort};
use crate::db::{self, DbConnection, DbError, calendar, officers};
use crate::domain::audit::ActorKind;
use crate::domain::{CaseStatus, OfficerId, china_date};
use crate::i18n::Messages;
use crate::web::filters;
use crate::web::queue_item::{QueueItem, queue_item};
use crate::web::trail_words::{OfficerNames, audit_sentence};
use chrono::{NaiveDateTime, TimeDelta};

/// How many cases each list shows; the list links to the queue for more.
pub const LIST_SIZE: usize = 20;
/// How many changes the page lists.
pub const NEWS_SIZE: i64 = 50;
/// How far back an officer's first look goes.
pub const FIRST_LOOK_DAYS: i64 = 7;

/// What the desk read, before it is put into words.
pub struct Loaded {
    /// The time the page was read at: the officer's next look starts here.
    pub now: NaiveDateTime,
    /// When the officer last looked (none: never).
    pub seen: Option<NaiveDateTime>,
    pub since: NaiveDateTime,
    pub open: Vec<QueueRow>,
    pub reporters: Vec<QueueRow>,
    pub regulators: Vec<QueueRow>,
    pub platforms: Vec<PlatformWait>,
    pub news: Vec<News>,
    pub names: OfficerNames,
    pub calendar: std::sync::Arc<crate::domain::workdays::Calendar>,
}

/// The officer's cases in `statuses`, in `sort`'s order: the queue's own view
/// (`/officer/cases?assignee=me&status=…`), `LIST_SIZE + 1` rows to tell whether there are more.
fn mine(
    conn: &mut DbConnection,
    me: OfficerId,
    statuses: &[CaseStatus],
    sort: Sort,
) -> diesel::QueryResult<Vec<QueueRow>> {
    let f = QueueFilter {
        statuses: statuses.to_vec(),
        platform: None,
        category: None,
        province_code: None,
        city_code: None,
        assignee: Assignee::Officer(me),
        overdue_on: None,
        filed_from: None,
        filed_until: None,
        search: None,
        sort,
        after: None,
    };
    Ok(queue::page(conn, &f, LIST_SIZE as i64 + 1)?.rows)
}

/// The views of the queue the desk lists, by name: (statuses, order). Each status of a list is
/// read on its own, along the officer's index of that status.
pub fn views() -> [(&'static str, Vec<CaseStatus>, Sort); 5] {
    use CaseStatus as S;
    [
        ("open", vec![S::Submitted, S::InReview], Sort::Deadline),
        ("to hand off", vec![S::Substantiated], Sort::Activity),
        ("reporters", vec![S::AwaitingReporter], Sort::Activity),
        ("handed off", vec![S::HandedOff], Sort::Activity),
        ("acknowledged", vec![S::Acknowledged], Sort::Activity),
    ]
}

/// Reads the desk of `me` as it stands now.
pub fn load(conn: &mut DbConnection, me: OfficerId) -> Result<Loaded, DbError> {
    let now = db::now();
    let seen = officers::desk_seen_at(conn, me)?;
    let since = seen.unwrap_or(now - TimeDelta::days(FIRST_LOOK_DAYS));
    let [open, hand_off, reporters, handed, acknowledged] =
        views().map(|(_, statuses, sort)| mine(conn, me, &statuses, sort));
    let mut open = open?;
    open.extend(hand_off?);
    let mut regulators = handed?;
    regulators.extend(acknowledged?);
    regulators.sort_by_key(|r| std::cmp::Reverse((r.last_activity_at, r.id)));
    Ok(Loaded {
        now,
        seen,
        since,
        open,
        reporters: reporters?,
        regulators,
        platforms: desk_db::platform_waits(conn, me, LIST_SIZE as i64 + 1)?,
        news: desk_db::news_since(conn, me, since, now, NEWS_SIZE)?,
        names: officers::list_all(conn)?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect(),
        calendar: calendar::current(conn)?,
    })
}

/// One list of the desk: its cases and whether the queue holds more.
pub struct CaseList {
    pub items: Vec<QueueItem>,
    pub more: bool,
}

/// A case waiting on a platform's answer.
pub struct PlatformItem {
    pub number: String,
    pub status: CaseStatus,
    pub shop_name: String,
    pub sent: String,
    pub due: Option<String>,
    pub overdue: bool,
}

/// One change on one of the officer's cases, in words.
pub struct NewsItem {
    pub number: String,
    /// The audit action, for tests and styling.
    pub code: &'static str,
    pub at: String,
    pub who: String,
    pub sentence: String,
}

/// The desk in the officer's words.
pub struct Desk {
    /// "Since 2026-12-03 09:30 (China time)", or that this is the first look.
    pub since_line: String,
    pub open: CaseList,
    pub reporters: CaseList,
    pub regulators: CaseList,
    pub platforms: Vec<PlatformItem>,
    pub platforms_more: bool,
    pub news: Vec<NewsItem>,
}

fn list(m: &Messages, rows: &[QueueRow], loaded: &Loaded) -> CaseList {
    let today = china_date(loaded.now);
    CaseList {
        items: rows
            .iter()
            .take(LIST_SIZE)
            .map(|r| queue_item(m, r, today, &loaded.calendar))
            .collect(),
        more: rows.len() > LIST_SIZE,
    }
}

fn who(m: &Messages, n: &News, names: &OfficerNames) -> String {
    match (n.actor_kind, n.actor_id) {
        (ActorKind::Officer, Some(id)) => names
            .get(&OfficerId(id))
            .cloned()
            .unwrap_or_else(|| m.t("trail.actor.officer").to_string()),
        (kind, _) => m.t(&format!("trail.actor.{kind}")).to_string(),
    }
}

/// Puts what was read into `m`'s words.
pub fn in_words(m: &Messages, loaded: &Loaded) -> Desk {
    let today = china_date(loaded.now);
    let since_line = match loaded.seen {
        Some(at) => m.t1("my_desk.since", filters::china_time(&at)),
        None => m.t1("my_desk.since_first", FIRST_LOOK_DAYS),
    };
    Desk {
        since_line,
        open: list(m, &loaded.open, loaded),
        reporters: list(m, &loaded.reporters, loaded),
        regulators: list(m, &loaded.regulators, loaded),
        platforms: loaded
            .platforms
            .iter()
            .take(LIST_SIZE)
            .map(|p| PlatformItem {
                number: p.case_number.clone(),
                status: p.status,
                shop_name: p.shop_name.clone(),
                sent: p
                    .sent_at
                    .map(|t| filters::china_time(&t))
                    .unwrap_or_default(),
                due: p.answer_due_on.map(|d| d.to_string()),
                overdue: p.answer_due_on.is_some_and(|d| d < today),
            })
            .collect(),
        platforms_more: loaded.platforms.len() > LIST_SIZE,
        news: loaded
            .news
            .iter()
            .map(|n| NewsItem {
                number: n.case_number.clone(),
                code: n.action.as_str(),
                at: filters::china_time(&n.at),
                who: who(m, n, &loaded.names),
                sentence: audit_sentence(
                    m,
                    n.action,
                    &serde_json::from_str(&n.detail).unwrap_or_else(|_| serde_json::json!({})),
                    &loaded.names,
                ),
            })
            .collect(),
    }
}
