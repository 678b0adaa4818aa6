//! The `cases` table: filing, reading and changing a case.

use super::DbConnection;
use super::schema::{case_number_counters, cases};
use crate::domain::ids::{CampaignId, CaseId, OfficerId};
use crate::domain::status::ClosedReason;
use crate::domain::{CaseNumber, CaseStatus, Category, Lang, Platform};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct CaseRow {
    pub id: CaseId,
    pub case_number: String,
    pub status: CaseStatus,
    pub platform: Platform,
    pub platform_other: Option<String>,
    pub shop_name: String,
    pub shop_ref: String,
    pub shop_key: String,
    pub region_code: String,
    pub province_code: String,
    pub city_code: Option<String>,
    pub product_url: Option<String>,
    pub order_number: Option<String>,
    pub category: Category,
    pub seen_on: NaiveDate,
    pub description: String,
    pub reporter_email: Option<String>,
    pub language: Lang,
    pub consent_share_contact: bool,
    pub is_complaint: bool,
    pub receipt_hash: String,
    pub reporter_ip: Option<String>,
    pub created_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub last_activity_at: NaiveDateTime,
    pub closed_reason: Option<ClosedReason>,
    pub version: i32,
    pub assigned_officer_id: Option<OfficerId>,
    /// `platform:kind:key` (see `domain::merchant`); `None` until a case filed before merchants
    /// were kept has been read by the chains job.
    pub merchant_key: Option<String>,
    /// The campaign the case belongs to, if an officer put it in one.
    pub campaign_id: Option<CampaignId>,
    /// The reporter agreed to share checked copies of the screenshots with the platform.
    pub consent_share_platform: bool,
}

impl CaseRow {
    /// Who may work the case: its assignee, or any supervisor.
    pub fn may_be_worked_by(&self, officer_id: OfficerId, supervisor: bool) -> bool {
        supervisor || self.assigned_officer_id == Some(officer_id)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = cases)]
pub struct NewCase<'a> {
    pub case_number: &'a str,
    pub status: CaseStatus,
    pub platform: Platform,
    pub platform_other: Option<&'a str>,
    pub shop_name: &'a str,
    pub shop_ref: &'a str,
    pub shop_key: &'a str,
    pub region_code: &'a str,
    pub province_code: &'a str,
    pub city_code: Option<&'a str>,
    pub product_url: Option<&'a str>,
    pub order_number: Option<&'a str>,
    pub category: Category,
    pub seen_on: NaiveDate,
    pub description: &'a str,
    pub reporter_email: Option<&'a str>,
    pub language: Lang,
    pub consent_share_contact: bool,
    pub consent_share_platform: bool,
    pub is_complaint: bool,
    pub receipt_hash: &'a str,
    pub reporter_ip: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub last_activity_at: NaiveDateTime,
    pub merchant_key: Option<&'a str>,
}

/// The next number in `year`'s sequence. Must run inside the filing transaction.
pub fn next_case_number(conn: &mut DbConnection, year: i32) -> QueryResult<CaseNumber> {
    let seq = bump_counter(conn, year, 1)?;
    CaseNumber::new(year, seq).ok_or_else(|| {
        diesel::result::Error::QueryBuilderError(
            format!("case numbers for {year} are exhausted").into(),
        )
    })
}

/// Moves `year`'s counter on by `by` and returns its new last value: one upsert, so that two
/// instances filing the year's first reports at once both get a number (an update, then an
/// insert when there was no row, failed the second instance's insert on the key: a 500 that
/// `benches/soak.sh` found).
fn bump_counter(conn: &mut DbConnection, year: i32, by: i64) -> QueryResult<i64> {
    use case_number_counters::dsl as c;
    // On the concrete connection: diesel's multi-backend connection has no upsert.
    super::on_backend!(conn, conn => diesel::insert_into(c::case_number_counters)
        .values((c::year.eq(year), c::last_value.eq(by)))
        .on_conflict(c::year)
        .do_update()
        .set(c::last_value.eq(c::last_value + by))
        .returning(c::last_value)
        .get_result(conn))
}

/// Reserves the next `n` numbers of `year`'s sequence (a bulk load's) and returns them in order.
/// Must run inside the loading transaction.
pub fn reserve_case_numbers(
    conn: &mut DbConnection,
    year: i32,
    n: usize,
) -> QueryResult<Vec<CaseNumber>> {
    let count = i64::try_from(n).unwrap_or(i64::MAX);
    let last = bump_counter(conn, year, count)?;
    (last - count + 1..=last)
        .map(|seq| {
            CaseNumber::new(year, seq).ok_or_else(|| {
                diesel::result::Error::QueryBuilderError(
                    format!("case numbers for {year} are exhausted").into(),
                )
            })
        })
        .collect()
}

pub fn insert(conn: &mut DbConnection, new: &NewCase<'_>) -> QueryResult<CaseId> {
    diesel::insert_into(cases::table)
        .values(new)
        .returning(cases::id)
        .get_result(conn)
}

pub fn find_by_number(
    conn: &mut DbConnection,
    number: &CaseNumber,
) -> QueryResult<Option<CaseRow>> {
    cases::table
        .filter(cases::case_number.eq(number.to_string()))
        .select(CaseRow::as_select())
        .first(conn)
        .optional()
}

pub fn get(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<CaseRow> {
    super::on_backend!(conn, c => cases::table.find(case_id).select(CaseRow::as_select()).first(c))
}

/// Moves a case from `from` to `to` if it is still at `version`; false when someone else changed
/// it first (the caller refuses rather than overwrite).
pub fn set_status(
    conn: &mut DbConnection,
    case_id: CaseId,
    version: i32,
    from: CaseStatus,
    to: CaseStatus,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let submitted_now =
        (from == CaseStatus::Unconfirmed && to == CaseStatus::Submitted).then_some(at);
    let changed = diesel::update(
        cases::table
            .filter(cases::id.eq(case_id))
            .filter(cases::version.eq(version))
            .filter(cases::status.eq(from)),
    )
    .set((
        cases::status.eq(to),
        cases::version.eq(cases::version + 1),
        cases::last_activity_at.eq(at),
    ))
    .execute(conn)?;
    if changed == 1
        && let Some(at) = submitted_now
    {
        diesel::update(cases::table.find(case_id))
            .set(cases::submitted_at.eq(Some(at)))
            .execute(conn)?;
    }
    Ok(changed == 1)
}

/// Ids of unconfirmed reports filed before `cutoff` (purged: they never entered the queue).
pub fn unconfirmed_before(
    conn: &mut DbConnection,
    cutoff: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<CaseId>> {
    cases::table
        .filter(cases::status.eq(CaseStatus::Unconfirmed))
        .filter(cases::created_at.lt(cutoff))
        .select(cases::id)
        .limit(limit)
        .load(conn)
}

pub fn delete(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<usize> {
    diesel::delete(cases::table.find(case_id)).execute(conn)
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    cases::table.count().get_result(conn)
}

/// One row read along the primary key: proves the database answers, in the same time at a
/// million cases as at none (a count reads every row).
pub fn ping(conn: &mut DbConnection) -> QueryResult<()> {
    cases::table
        .select(cases::id)
        .limit(1)
        .load::<CaseId>(conn)
        .map(drop)
}

/// Assigns the case if it is still at `version`; false when someone changed it first.
pub fn assign(
    conn: &mut DbConnection,
    case_id: CaseId,
    version: i32,
    officer_id: Option<OfficerId>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        cases::table
            .filter(cases::id.eq(case_id))
            .filter(cases::version.eq(version)),
    )
    .set((
        cases::assigned_officer_id.eq(officer_id),
        cases::version.eq(cases::version + 1),
        cases::last_activity_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The open cases assigned to an officer (to take them off when the officer is deactivated).
pub fn open_assigned_to(
    conn: &mut DbConnection,
    officer_id: OfficerId,
) -> QueryResult<Vec<CaseRow>> {
    let open: Vec<CaseStatus> = CaseStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.is_open())
        .collect();
    cases::table
        .filter(cases::assigned_officer_id.eq(officer_id))
        .filter(cases::status.eq_any(open))
        .order(cases::id.asc())
        .select(CaseRow::as_select())
        .load(conn)
}

/// How many open cases each officer has assigned.
pub fn open_counts_by_assignee(conn: &mut DbConnection) -> QueryResult<Vec<(OfficerId, i64)>> {
    let open: Vec<CaseStatus> = CaseStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.is_open())
        .collect();
    let rows: Vec<(Option<OfficerId>, i64)> = cases::table
        .filter(cases::assigned_officer_id.is_not_null())
        .filter(cases::status.eq_any(open))
        .group_by(cases::assigned_officer_id)
        .select((cases::assigned_officer_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect())
}

/// Marks activity (a note, a message) and moves the version on, so a form opened before it
/// notices that the case changed.
pub fn touch(
    conn: &mut DbConnection,
    case_id: CaseId,
    version: i32,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        cases::table
            .filter(cases::id.eq(case_id))
            .filter(cases::version.eq(version)),
    )
    .set((
        cases::version.eq(cases::version + 1),
        cases::last_activity_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Marks activity that changes nothing an open form holds (a platform's answer, a regulator's
/// outcome on a closed case): the queue's activity order and the officer's desk see it, the
/// version stays.
pub fn mark_activity(
    conn: &mut DbConnection,
    case_id: CaseId,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(cases::table.find(case_id))
        .set(cases::last_activity_at.eq(at))
        .execute(conn)?;
    Ok(())
}

pub fn set_closed_reason(
    conn: &mut DbConnection,
    case_id: CaseId,
    reason: ClosedReason,
) -> QueryResult<()> {
    diesel::update(cases::table.find(case_id))
        .set(cases::closed_reason.eq(Some(reason)))
        .execute(conn)?;
    Ok(())
}
