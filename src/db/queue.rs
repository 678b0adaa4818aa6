//! The officers' queue: the deadline rows kept beside each case, and the one
//! query behind every filter of `/officer/cases` — keyset-paginated, every filter on an index.

use super::case_search::{self, Candidates};
use super::schema::{case_deadlines, case_status_counts, cases, officers};
use super::{DbConnection, MultiBackend};
use crate::domain::deadlines::Deadlines;
use crate::domain::search_term::SearchTerm;
use crate::domain::{CaseId, CaseStatus, Category, OfficerId, Platform};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

pub fn set_deadlines(conn: &mut DbConnection, case_id: CaseId, d: &Deadlines) -> QueryResult<()> {
    let exists: i64 = case_deadlines::table
        .filter(case_deadlines::case_id.eq(case_id))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(case_deadlines::table)
            .values(&NewDeadlineRow::new(case_id, d))
            .execute(conn)?;
    } else {
        diesel::update(case_deadlines::table.find(case_id))
            .set((
                case_deadlines::accept_by.eq(d.accept_by),
                case_deadlines::decide_by.eq(d.decide_by),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_deadlines)]
pub struct DeadlineRow {
    pub case_id: CaseId,
    pub accept_by: Option<NaiveDate>,
    pub decide_by: NaiveDate,
    pub extended_reason: Option<String>,
    pub paused_since: Option<NaiveDateTime>,
}

impl DeadlineRow {
    pub fn deadlines(&self) -> Deadlines {
        Deadlines {
            accept_by: self.accept_by,
            decide_by: self.decide_by,
        }
    }
}

pub fn deadlines_of(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Option<DeadlineRow>> {
    super::on_backend!(conn, c => case_deadlines::table
        .find(case_id)
        .select(DeadlineRow::as_select()).first(c).optional())
}

/// Deadline rows of cases still on a clock (in the queue, waiting, or handed off and not yet
/// acknowledged) with a date on or after `from`: what a newly loaded calendar year can move.
pub fn open_deadlines_since(
    conn: &mut DbConnection,
    from: NaiveDate,
) -> QueryResult<Vec<DeadlineRow>> {
    let open = [
        CaseStatus::Submitted,
        CaseStatus::InReview,
        CaseStatus::AwaitingReporter,
        CaseStatus::HandedOff,
    ]
    .map(CaseStatus::as_str);
    case_deadlines::table
        .inner_join(cases::table)
        .filter(cases::status.eq_any(open))
        .filter(
            case_deadlines::decide_by
                .ge(from)
                .or(case_deadlines::accept_by.ge(from)),
        )
        .order(case_deadlines::case_id.asc())
        .select(DeadlineRow::as_select())
        .load(conn)
}

pub fn set_paused(
    conn: &mut DbConnection,
    case_id: CaseId,
    since: Option<NaiveDateTime>,
) -> QueryResult<()> {
    diesel::update(case_deadlines::table.find(case_id))
        .set(case_deadlines::paused_since.eq(since))
        .execute(conn)?;
    Ok(())
}

pub fn set_extension(
    conn: &mut DbConnection,
    case_id: CaseId,
    d: &Deadlines,
    reason: &str,
) -> QueryResult<()> {
    diesel::update(case_deadlines::table.find(case_id))
        .set((
            case_deadlines::decide_by.eq(d.decide_by),
            case_deadlines::extended_reason.eq(Some(reason)),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    Anyone,
    Nobody,
    Officer(OfficerId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Most recently changed first.
    Activity,
    Newest,
    Oldest,
    /// Soonest due first (so the most overdue lead), only cases a clock runs for.
    Deadline,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Activity => "activity",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Deadline => "deadline",
        }
    }
}

/// Where the previous page ended: the sort key and id of its last row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: NaiveDateTime,
    pub id: CaseId,
}

#[derive(Debug, Clone)]
pub struct QueueFilter {
    /// Empty: every status a case can be worked on in.
    pub statuses: Vec<CaseStatus>,
    pub platform: Option<Platform>,
    pub category: Option<Category>,
    /// A province or city code (six digits).
    pub province_code: Option<String>,
    pub city_code: Option<String>,
    pub assignee: Assignee,
    pub overdue_on: Option<NaiveDate>,
    /// Filed from this time (inclusive) until that time (exclusive), UTC.
    pub filed_from: Option<NaiveDateTime>,
    pub filed_until: Option<NaiveDateTime>,
    pub search: Option<SearchTerm>,
    pub sort: Sort,
    pub after: Option<Cursor>,
}

/// The statuses of the default queue: cases someone must act on.
pub const WORKING_STATUSES: [CaseStatus; 5] = [
    CaseStatus::Submitted,
    CaseStatus::InReview,
    CaseStatus::AwaitingReporter,
    CaseStatus::Substantiated,
    CaseStatus::HandedOff,
];

#[derive(Debug, Clone, Queryable)]
pub struct QueueRow {
    pub id: CaseId,
    pub case_number: String,
    pub status: CaseStatus,
    pub platform: Platform,
    pub platform_other: Option<String>,
    pub shop_name: String,
    pub region_code: String,
    pub category: Category,
    pub is_complaint: bool,
    pub created_at: NaiveDateTime,
    pub last_activity_at: NaiveDateTime,
    pub accept_by: Option<NaiveDate>,
    pub decide_by: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub assignee_name: Option<String>,
    /// The case's version, which a bulk step from the queue checks.
    pub version: i32,
}

impl QueueRow {
    pub fn sort_key(&self, sort: Sort) -> NaiveDateTime {
        match sort {
            Sort::Activity => self.last_activity_at,
            Sort::Newest | Sort::Oldest => self.created_at,
            Sort::Deadline => self
                .due_on
                .unwrap_or_default()
                .and_time(chrono::NaiveTime::MIN),
        }
    }
}

/// A page of the queue, and whether a search found more cases than it lists.
#[derive(Debug, Clone, Default)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub search_capped: bool,
    /// How many cases the whole view holds, counted up to `COUNT_CAP + 1` (more than the cap:
    /// "1,000+"); `None` when not asked for.
    pub count: Option<i64>,
}

/// The most cases a view counts exactly; past it the page says "1,000+".
pub const COUNT_CAP: i64 = 1000;

/// How many cases are overdue on `today` (what `?overdue=1` lists): a range of the deadline
/// index (`due_on` keeps the rule of `Deadlines::due_on`).
pub fn overdue_count(conn: &mut DbConnection, today: NaiveDate) -> QueryResult<i64> {
    case_deadlines::table
        .filter(case_deadlines::due_on.lt(today))
        .count()
        .get_result(conn)
}

/// One page of the queue: `limit` rows after `f.after`, in `f.sort`'s order. Every filter
/// walks an index in the page's order and stops after the page; a search first takes the
/// newest `SEARCH_CAP` cases the term finds, then filters and sorts those.
pub fn page(conn: &mut DbConnection, f: &QueueFilter, limit: i64) -> QueryResult<QueuePage> {
    let candidates = match &f.search {
        Some(term) => Some(case_search::candidates(conn, term)?),
        None => None,
    };
    let search_capped = candidates.as_ref().is_some_and(|c| c.capped);
    let rows = rows(conn, f, candidates, limit)?;
    Ok(QueuePage {
        rows,
        search_capped,
        count: None,
    })
}

/// Rows the capped count reads a statement. In one statement of `COUNT_CAP + 1` rows PostgreSQL
/// gave up the view's index for a scan of every case and a sort (`sort=deadline`, 100,000
/// cases); at this size each step stays on the page's own plan.
const COUNT_STEP: i64 = 200;

/// A page of the queue with the view's capped count: one search, the page, then the view after
/// the first page's last row (from its start for a later page), `COUNT_STEP` rows a statement
/// along the page's own index, until `COUNT_CAP + 1` rows or the view's end.
pub fn page_with_count(
    conn: &mut DbConnection,
    f: &QueueFilter,
    limit: i64,
) -> QueryResult<QueuePage> {
    let candidates = match &f.search {
        Some(term) => Some(case_search::candidates(conn, term)?),
        None => None,
    };
    let search_capped = candidates.as_ref().is_some_and(|c| c.capped);
    let rows = rows(conn, f, candidates.clone(), limit)?;
    let mut view = from_start(f);
    // The rows counted, and the last one when the view may hold more.
    let (mut counted, mut last_read) = if f.after.is_none() {
        // The first page is the view's start: counted already.
        let n = rows.len() as i64;
        (n, (n == limit).then(|| rows.last()).flatten().cloned())
    } else {
        let first: Vec<QueueRow> = rows_query(&view, candidates.clone(), COUNT_STEP).load(conn)?;
        let n = first.len() as i64;
        (
            n,
            (n == COUNT_STEP).then(|| first.last()).flatten().cloned(),
        )
    };
    while let Some(last) = last_read.take()
        && counted <= COUNT_CAP
    {
        view.after = Some(Cursor {
            at: last.sort_key(f.sort),
            id: last.id,
        });
        let step: Vec<QueueRow> = rows_query(&view, candidates.clone(), COUNT_STEP).load(conn)?;
        counted += step.len() as i64;
        last_read = (step.len() as i64 == COUNT_STEP)
            .then(|| step.last())
            .flatten()
            .cloned();
    }
    let count = counted.min(COUNT_CAP + 1);
    Ok(QueuePage {
        rows,
        search_capped,
        count: Some(count),
    })
}

/// The same view from its first row.
fn from_start(f: &QueueFilter) -> QueueFilter {
    QueueFilter {
        after: None,
        ..f.clone()
    }
}

fn rows(
    conn: &mut DbConnection,
    f: &QueueFilter,
    candidates: Option<Candidates>,
    limit: i64,
) -> QueryResult<Vec<QueueRow>> {
    rows_query(f, candidates, limit).load(conn)
}

/// The plans of the statements a queue page runs (the search's, the page's, then its capped
/// count's), for tests
/// that hold every view to its indexes.
pub fn explain_page(
    conn: &mut DbConnection,
    f: &QueueFilter,
    limit: i64,
) -> QueryResult<Vec<String>> {
    let mut plan = Vec::new();
    let candidates = match &f.search {
        Some(term) => {
            plan.extend(case_search::explain_candidates(conn, term)?);
            Some(case_search::candidates(conn, term)?)
        }
        None => None,
    };
    plan.extend(super::explain::plan(
        conn,
        rows_query(f, candidates.clone(), limit),
    )?);
    // A step of the capped count (`page_with_count`).
    plan.extend(super::explain::plan(
        conn,
        rows_query(&from_start(f), candidates, COUNT_STEP),
    )?);
    Ok(plan)
}

/// The plan of a page's own statement, without a search or a count: what a list of the officer's
/// desk runs (`page` with its filter, no count asked).
pub fn explain_rows(
    conn: &mut DbConnection,
    f: &QueueFilter,
    limit: i64,
) -> QueryResult<Vec<String>> {
    super::explain::plan(conn, rows_query(f, None, limit))
}

#[diesel::dsl::auto_type]
fn queue_select() -> _ {
    cases::table
        .left_join(case_deadlines::table)
        .left_join(officers::table)
        .select((
            cases::id,
            cases::case_number,
            cases::status,
            cases::platform,
            cases::platform_other,
            cases::shop_name,
            cases::region_code,
            cases::category,
            cases::is_complaint,
            cases::created_at,
            cases::last_activity_at,
            case_deadlines::accept_by.nullable(),
            case_deadlines::decide_by.nullable(),
            case_deadlines::due_on.nullable(),
            officers::name.nullable(),
            cases::version,
        ))
}

type BoxedQueue = diesel::dsl::IntoBoxed<'static, queue_select, MultiBackend>;

fn rows_query(f: &QueueFilter, candidates: Option<Candidates>, limit: i64) -> BoxedQueue {
    let mut q = queue_select().into_boxed::<MultiBackend>();

    let statuses: Vec<CaseStatus> = if f.statuses.is_empty() {
        WORKING_STATUSES.to_vec()
    } else {
        f.statuses.clone()
    };
    if statuses.len() > 1 {
        // Most cases are in one of these statuses: an index on status would find hundreds of
        // thousands of rows and sort them all. `status || ''` keeps the planner off that index,
        // so it walks the sort order's own index and stops after a page (SQLite: 300 ms → 0.3 ms
        // at 300,000 cases).
        q = q.filter(cases::status.concat("").eq_any(statuses));
    } else {
        q = q.filter(cases::status.eq_any(statuses));
    }
    if let Some(p) = f.platform {
        q = q.filter(cases::platform.eq(p));
    }
    if let Some(c) = f.category {
        q = q.filter(cases::category.eq(c));
    }
    if let Some(p) = &f.province_code {
        q = q.filter(cases::province_code.eq(p.clone()));
    }
    if let Some(c) = &f.city_code {
        q = q.filter(cases::city_code.eq(c.clone()));
    }
    match f.assignee {
        Assignee::Anyone => {}
        Assignee::Nobody => q = q.filter(cases::assigned_officer_id.is_null()),
        Assignee::Officer(id) => q = q.filter(cases::assigned_officer_id.eq(id)),
    }
    // Both make the deadline row required: the planner then drives the query from the deadline
    // index (a left join with a condition on its right side is an inner join).
    if let Some(today) = f.overdue_on {
        q = q.filter(case_deadlines::due_on.lt(today));
    }
    if f.sort == Sort::Deadline {
        // A comparison, not IS NOT NULL: SQLite turns the left join into an inner one only for
        // a condition that a missing row fails. (The default date is 1970-01-01.)
        q = q.filter(case_deadlines::due_on.ge(NaiveDate::default()));
    }
    if let Some(from) = f.filed_from {
        q = q.filter(cases::created_at.ge(from));
    }
    if let Some(until) = f.filed_until {
        q = q.filter(cases::created_at.lt(until));
    }
    if let Some(found) = candidates {
        q = q.filter(cases::id.eq_any(found.ids));
    }
    q = match (f.sort, f.after) {
        (Sort::Activity, Some(c)) => q.filter(
            cases::last_activity_at
                .lt(c.at)
                .or(cases::last_activity_at.eq(c.at).and(cases::id.lt(c.id))),
        ),
        (Sort::Newest, Some(c)) => q.filter(
            cases::created_at
                .lt(c.at)
                .or(cases::created_at.eq(c.at).and(cases::id.lt(c.id))),
        ),
        (Sort::Oldest, Some(c)) => q.filter(
            cases::created_at
                .gt(c.at)
                .or(cases::created_at.eq(c.at).and(cases::id.gt(c.id))),
        ),
        (Sort::Deadline, Some(c)) => {
            let day = c.at.date();
            q.filter(
                case_deadlines::due_on.gt(day).or(case_deadlines::due_on
                    .eq(day)
                    .and(case_deadlines::case_id.gt(c.id))),
            )
        }
        (_, None) => q,
    };
    q = match f.sort {
        Sort::Activity => q.order((cases::last_activity_at.desc(), cases::id.desc())),
        Sort::Newest => q.order((cases::created_at.desc(), cases::id.desc())),
        Sort::Oldest => q.order((cases::created_at.asc(), cases::id.asc())),
        Sort::Deadline => q.order((case_deadlines::due_on.asc(), case_deadlines::case_id.asc())),
    };
    q.limit(limit)
}

/// How many cases are in each status, for the queue's sidebar: the counters the triggers of
/// migration 24 keep, not a count of every case.
pub fn status_counts(conn: &mut DbConnection) -> QueryResult<Vec<(CaseStatus, i64)>> {
    let counts: Vec<(String, i64)> = case_status_counts::table
        .select((case_status_counts::status, case_status_counts::cases))
        .load(conn)?;
    Ok(counts
        .into_iter()
        .filter_map(|(s, n)| CaseStatus::parse(&s).map(|s| (s, n)))
        .collect())
}

/// A deadline row of a case written whole with its history: its deadlines, extension and pause.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_deadlines, treat_none_as_null = true)]
pub struct NewDeadlineRow {
    pub case_id: CaseId,
    pub accept_by: Option<NaiveDate>,
    pub decide_by: NaiveDate,
    pub extended_reason: Option<&'static str>,
    pub paused_since: Option<NaiveDateTime>,
    /// `Deadlines::due_on` of the case's status, for PostgreSQL bulk loads that write it
    /// themselves (`db::bulk::TriggersOff`); the triggers of migration 24 set it otherwise.
    #[diesel(skip_insertion)]
    pub due_on: Option<NaiveDate>,
}

impl NewDeadlineRow {
    /// The row of a case whose clock starts with `d` (what `set_deadlines` inserts): not
    /// extended, not paused.
    pub fn new(case_id: CaseId, d: &Deadlines) -> Self {
        NewDeadlineRow {
            case_id,
            accept_by: d.accept_by,
            decide_by: d.decide_by,
            extended_reason: None,
            paused_since: None,
            due_on: None,
        }
    }
}

/// A deadline row as PostgreSQL's binary `COPY` takes it: every column given.
#[derive(Insertable)]
#[diesel(table_name = case_deadlines, treat_none_as_default_value = false)]
struct CopiedDeadline {
    case_id: CaseId,
    accept_by: Option<NaiveDate>,
    decide_by: NaiveDate,
    extended_reason: Option<&'static str>,
    paused_since: Option<NaiveDateTime>,
    /// Set by the BEFORE INSERT trigger when it is on.
    due_on: Option<NaiveDate>,
}

/// Inserts deadline rows and search index entries of many cases, a thousand rows a statement:
/// for bulk loads (the demo data of `reviewwatch seed-demo`).
pub fn insert_all(
    conn: &mut DbConnection,
    deadlines: &[NewDeadlineRow],
    search: &[(CaseId, String)],
) -> QueryResult<()> {
    match conn {
        // One binary COPY (its BEFORE INSERT trigger sets `due_on`, as for an insert).
        DbConnection::Postgres(c) => {
            if !deadlines.is_empty() {
                let copied: Vec<CopiedDeadline> = deadlines
                    .iter()
                    .map(|d| CopiedDeadline {
                        case_id: d.case_id,
                        accept_by: d.accept_by,
                        decide_by: d.decide_by,
                        extended_reason: d.extended_reason,
                        paused_since: d.paused_since,
                        due_on: d.due_on,
                    })
                    .collect();
                diesel::copy_from(case_deadlines::table)
                    .from_insertable(copied)
                    .execute(c)?;
            }
        }
        // Each backend's own connection: diesel's multi-backend connection has no multi-row
        // insert.
        DbConnection::Sqlite(c) => {
            for chunk in deadlines.chunks(1000) {
                diesel::insert_into(case_deadlines::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
    }
    case_search::insert_all(conn, search)?;
    Ok(())
}
