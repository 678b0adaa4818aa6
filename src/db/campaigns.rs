//! The `campaigns`, `campaign_events` and `campaign_handoffs` tables, and `cases.campaign_id`:
//! which cases an officer grouped into one campaign, what happened to it, and its handoffs.

use super::DbConnection;
use super::schema::{campaign_events, campaign_handoffs, campaigns, cases, officers, regulators};
use crate::domain::campaign::CampaignEventAction;
use crate::domain::ids::{CampaignHandoffId, CampaignId, CaseId, MailId, OfficerId, RegulatorId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = campaigns)]
pub struct CampaignRow {
    pub id: CampaignId,
    pub name: String,
    pub finding: Option<String>,
    pub created_by: OfficerId,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A campaign as a list or a choice shows it: its name and how many cases it holds.
#[derive(Debug, Clone)]
pub struct CampaignSummary {
    pub id: CampaignId,
    pub name: String,
    pub cases: i64,
    pub updated_at: NaiveDateTime,
}

pub fn insert(
    conn: &mut DbConnection,
    name: &str,
    officer_id: OfficerId,
    now: NaiveDateTime,
) -> QueryResult<CampaignId> {
    diesel::insert_into(campaigns::table)
        .values((
            campaigns::name.eq(name),
            campaigns::created_by.eq(officer_id),
            campaigns::created_at.eq(now),
            campaigns::updated_at.eq(now),
        ))
        .returning(campaigns::id)
        .get_result(conn)
}

pub fn get(conn: &mut DbConnection, id: CampaignId) -> QueryResult<CampaignRow> {
    campaigns::table
        .find(id)
        .select(CampaignRow::as_select())
        .first(conn)
}

pub fn find(conn: &mut DbConnection, id: CampaignId) -> QueryResult<Option<CampaignRow>> {
    get(conn, id).optional()
}

/// Marks the campaign changed (its list is ordered by this).
pub fn touch(conn: &mut DbConnection, id: CampaignId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(campaigns::table.find(id))
        .set(campaigns::updated_at.eq(now))
        .execute(conn)?;
    Ok(())
}

pub fn set_finding(conn: &mut DbConnection, id: CampaignId, finding: &str) -> QueryResult<()> {
    diesel::update(campaigns::table.find(id))
        .set(campaigns::finding.eq(Some(finding)))
        .execute(conn)?;
    Ok(())
}

/// The most recently changed campaigns with their size, for the choice on a case page.
pub fn recent(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<CampaignSummary>> {
    let rows: Vec<(CampaignId, String, NaiveDateTime)> = campaigns::table
        .order(campaigns::updated_at.desc())
        .limit(limit)
        .select((campaigns::id, campaigns::name, campaigns::updated_at))
        .load(conn)?;
    let ids: Vec<CampaignId> = rows.iter().map(|r| r.0).collect();
    let counts = member_counts(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, updated_at)| CampaignSummary {
            cases: counts.iter().find(|(c, _)| *c == id).map_or(0, |(_, n)| *n),
            id,
            name,
            updated_at,
        })
        .collect())
}

/// How many cases each of `ids` holds.
pub fn member_counts(
    conn: &mut DbConnection,
    ids: &[CampaignId],
) -> QueryResult<Vec<(CampaignId, i64)>> {
    let rows: Vec<(Option<CampaignId>, i64)> = cases::table
        .filter(cases::campaign_id.eq_any(ids.iter().map(|i| Some(*i))))
        .group_by(cases::campaign_id)
        .select((cases::campaign_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect())
}

/// Puts the case into the campaign if it is in none. False if it already belongs to one.
pub fn join(
    conn: &mut DbConnection,
    case_id: CaseId,
    campaign_id: CampaignId,
) -> QueryResult<bool> {
    let n = diesel::update(
        cases::table
            .find(case_id)
            .filter(cases::campaign_id.is_null()),
    )
    .set(cases::campaign_id.eq(Some(campaign_id)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Takes the case out of the campaign. False if it was not in it.
pub fn leave(
    conn: &mut DbConnection,
    case_id: CaseId,
    campaign_id: CampaignId,
) -> QueryResult<bool> {
    let n = diesel::update(
        cases::table
            .find(case_id)
            .filter(cases::campaign_id.eq(Some(campaign_id))),
    )
    .set(cases::campaign_id.eq(None::<CampaignId>))
    .execute(conn)?;
    Ok(n == 1)
}

/// The campaign's cases, oldest first.
pub fn members(
    conn: &mut DbConnection,
    campaign_id: CampaignId,
) -> QueryResult<Vec<super::cases::CaseRow>> {
    cases::table
        .filter(cases::campaign_id.eq(Some(campaign_id)))
        .order((cases::created_at.asc(), cases::id.asc()))
        .select(super::cases::CaseRow::as_select())
        .load(conn)
}

/// One entry of a campaign's timeline, as written.
pub struct NewEvent<'a> {
    pub campaign_id: CampaignId,
    pub case_id: Option<CaseId>,
    pub officer_id: Option<OfficerId>,
    pub action: CampaignEventAction,
    pub detail: &'a serde_json::Value,
    pub at: NaiveDateTime,
}

pub fn add_event(conn: &mut DbConnection, e: &NewEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(campaign_events::table)
        .values((
            campaign_events::campaign_id.eq(e.campaign_id),
            campaign_events::case_id.eq(e.case_id),
            campaign_events::officer_id.eq(e.officer_id),
            campaign_events::action.eq(e.action),
            campaign_events::detail.eq(e.detail.to_string()),
            campaign_events::at.eq(e.at),
        ))
        .execute(conn)?;
    Ok(())
}

/// One entry of a campaign's timeline, as the campaign page shows it.
#[derive(Debug, Clone)]
pub struct EventView {
    pub at: NaiveDateTime,
    pub action: CampaignEventAction,
    pub case_number: Option<String>,
    pub officer_name: Option<String>,
    pub detail: serde_json::Value,
}

/// A timeline row as read: when, what, which case, which officer, the detail as JSON text.
type EventRow = (
    NaiveDateTime,
    CampaignEventAction,
    Option<String>,
    Option<String>,
    String,
);

/// The campaign's timeline, oldest first.
pub fn events(conn: &mut DbConnection, campaign_id: CampaignId) -> QueryResult<Vec<EventView>> {
    let rows: Vec<EventRow> = campaign_events::table
        .left_join(cases::table.on(campaign_events::case_id.eq(cases::id.nullable())))
        .left_join(officers::table.on(campaign_events::officer_id.eq(officers::id.nullable())))
        .filter(campaign_events::campaign_id.eq(campaign_id))
        .order((campaign_events::at.asc(), campaign_events::id.asc()))
        .select((
            campaign_events::at,
            campaign_events::action,
            cases::case_number.nullable(),
            officers::name.nullable(),
            campaign_events::detail,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(at, action, case_number, officer_name, detail)| EventView {
                at,
                action,
                case_number,
                officer_name,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
            },
        )
        .collect())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = campaign_handoffs)]
pub struct CampaignHandoffRow {
    pub id: CampaignHandoffId,
    pub campaign_id: CampaignId,
    pub regulator_id: RegulatorId,
    pub seq: i32,
    pub folder: String,
    pub package_sha256: String,
    pub package_size: i64,
    pub case_count: i32,
    pub created_by: OfficerId,
    pub created_at: NaiveDateTime,
    pub outbox_id: Option<MailId>,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub reminder_sent_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = campaign_handoffs)]
pub struct NewCampaignHandoff<'a> {
    pub campaign_id: CampaignId,
    pub regulator_id: RegulatorId,
    pub seq: i32,
    pub folder: &'a str,
    pub package_sha256: &'a str,
    pub package_size: i64,
    pub case_count: i32,
    pub created_by: OfficerId,
    pub created_at: NaiveDateTime,
}

pub fn insert_handoff(
    conn: &mut DbConnection,
    new: &NewCampaignHandoff<'_>,
) -> QueryResult<CampaignHandoffId> {
    diesel::insert_into(campaign_handoffs::table)
        .values(new)
        .returning(campaign_handoffs::id)
        .get_result(conn)
}

pub fn next_handoff_seq(conn: &mut DbConnection, campaign_id: CampaignId) -> QueryResult<i32> {
    let max: Option<i32> = campaign_handoffs::table
        .filter(campaign_handoffs::campaign_id.eq(campaign_id))
        .select(diesel::dsl::max(campaign_handoffs::seq))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

pub fn get_handoff(
    conn: &mut DbConnection,
    id: CampaignHandoffId,
) -> QueryResult<CampaignHandoffRow> {
    campaign_handoffs::table
        .find(id)
        .select(CampaignHandoffRow::as_select())
        .first(conn)
}

/// The campaign's handoffs with the regulator's name, first first.
pub fn handoffs_of(
    conn: &mut DbConnection,
    campaign_id: CampaignId,
) -> QueryResult<Vec<(CampaignHandoffRow, String)>> {
    campaign_handoffs::table
        .inner_join(regulators::table)
        .filter(campaign_handoffs::campaign_id.eq(campaign_id))
        .order(campaign_handoffs::seq.asc())
        .select((CampaignHandoffRow::as_select(), regulators::name))
        .load(conn)
}

pub fn set_handoff_outbox(
    conn: &mut DbConnection,
    id: CampaignHandoffId,
    outbox_id: MailId,
) -> QueryResult<()> {
    diesel::update(campaign_handoffs::table.find(id))
        .set(campaign_handoffs::outbox_id.eq(Some(outbox_id)))
        .execute(conn)?;
    Ok(())
}

/// Records the regulator's acknowledgement once. False if it was recorded before.
pub fn acknowledge_handoff(
    conn: &mut DbConnection,
    id: CampaignHandoffId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        campaign_handoffs::table
            .find(id)
            .filter(campaign_handoffs::acknowledged_at.is_null()),
    )
    .set(campaign_handoffs::acknowledged_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Campaign handoffs made before `before` that are neither acknowledged nor reminded yet.
pub fn handoffs_due_for_reminder(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> QueryResult<Vec<CampaignHandoffRow>> {
    campaign_handoffs::table
        .filter(campaign_handoffs::acknowledged_at.is_null())
        .filter(campaign_handoffs::reminder_sent_at.is_null())
        .filter(campaign_handoffs::created_at.lt(before))
        .select(CampaignHandoffRow::as_select())
        .load(conn)
}

/// Marks the reminder sent once. False if another instance sent it first.
pub fn mark_handoff_reminded(
    conn: &mut DbConnection,
    id: CampaignHandoffId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        campaign_handoffs::table
            .find(id)
            .filter(campaign_handoffs::reminder_sent_at.is_null()),
    )
    .set(campaign_handoffs::reminder_sent_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// The contacts found in the campaign's cases.
pub fn member_contacts(
    conn: &mut DbConnection,
    campaign_id: CampaignId,
) -> QueryResult<Vec<super::contacts::CaseContactRow>> {
    use super::schema::case_contacts;
    case_contacts::table
        .inner_join(cases::table)
        .filter(cases::campaign_id.eq(Some(campaign_id)))
        .order((
            case_contacts::kind,
            case_contacts::contact_key,
            case_contacts::case_id,
        ))
        .select(super::contacts::CaseContactRow::as_select())
        .load(conn)
}

/// The campaigns of `case_ids` (for a list of suggested cases).
pub fn of_cases(
    conn: &mut DbConnection,
    case_ids: &[CaseId],
) -> QueryResult<Vec<(CaseId, CampaignId, String)>> {
    let rows: Vec<(CaseId, Option<CampaignId>, String)> = cases::table
        .inner_join(campaigns::table)
        .filter(cases::id.eq_any(case_ids))
        .select((cases::id, cases::campaign_id, campaigns::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(case, id, name)| id.map(|id| (case, id, name)))
        .collect())
}
