//! The `handoffs` table: each package sent to a regulator, with its delivery and answers.

use super::DbConnection;
use super::schema::{cases, handoffs, regulators};
use crate::domain::ids::{CampaignHandoffId, CaseId, HandoffId, MailId, OfficerId, RegulatorId};
use crate::domain::outcome::Outcome;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = handoffs)]
pub struct HandoffRow {
    pub id: HandoffId,
    pub case_id: CaseId,
    pub regulator_id: RegulatorId,
    pub seq: i32,
    pub folder: String,
    pub package_sha256: String,
    pub package_size: i64,
    pub created_by: OfficerId,
    pub created_at: NaiveDateTime,
    pub outbox_id: Option<MailId>,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub outcome: Option<Outcome>,
    pub outcome_details: Option<String>,
    pub outcome_at: Option<NaiveDateTime>,
    pub reminder_sent_at: Option<NaiveDateTime>,
    /// The campaign handoff this case went with, if it went as part of a campaign.
    pub campaign_handoff_id: Option<CampaignHandoffId>,
    /// The decision's document number (文书号), as the regulator gave it with the outcome.
    pub outcome_document_number: Option<String>,
    /// The regulator said the decision has been made public.
    pub outcome_published: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = handoffs)]
pub struct NewHandoff<'a> {
    pub case_id: CaseId,
    pub regulator_id: RegulatorId,
    pub seq: i32,
    pub folder: &'a str,
    pub package_sha256: &'a str,
    pub package_size: i64,
    pub created_by: OfficerId,
    pub created_at: NaiveDateTime,
    pub campaign_handoff_id: Option<CampaignHandoffId>,
}

pub fn insert(conn: &mut DbConnection, new: &NewHandoff<'_>) -> QueryResult<HandoffId> {
    diesel::insert_into(handoffs::table)
        .values(new)
        .returning(handoffs::id)
        .get_result(conn)
}

pub fn next_seq(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<i32> {
    let max: Option<i32> = handoffs::table
        .filter(handoffs::case_id.eq(case_id))
        .select(diesel::dsl::max(handoffs::seq))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

pub fn get(conn: &mut DbConnection, id: HandoffId) -> QueryResult<HandoffRow> {
    handoffs::table
        .find(id)
        .select(HandoffRow::as_select())
        .first(conn)
}

pub fn for_case(
    conn: &mut DbConnection,
    case_id: CaseId,
) -> QueryResult<Vec<(HandoffRow, String)>> {
    handoffs::table
        .inner_join(regulators::table)
        .filter(handoffs::case_id.eq(case_id))
        .order(handoffs::seq.asc())
        .select((HandoffRow::as_select(), regulators::name))
        .load(conn)
}

pub fn set_outbox(conn: &mut DbConnection, id: HandoffId, outbox_id: MailId) -> QueryResult<()> {
    diesel::update(handoffs::table.find(id))
        .set(handoffs::outbox_id.eq(Some(outbox_id)))
        .execute(conn)?;
    Ok(())
}

/// Records the acknowledgement once; false if it was already recorded.
pub fn acknowledge(conn: &mut DbConnection, id: HandoffId, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        handoffs::table
            .find(id)
            .filter(handoffs::acknowledged_at.is_null()),
    )
    .set(handoffs::acknowledged_at.eq(Some(at)))
    .execute(conn)?;
    Ok(n == 1)
}

/// A regulator's outcome as the handoff keeps it.
pub struct RecordedOutcome<'a> {
    pub outcome: Outcome,
    pub details: &'a str,
    /// The decision's document number (文书号), if the regulator gave one.
    pub document_number: Option<&'a str>,
    /// The regulator says the decision has been made public.
    pub published: bool,
}

/// Records the outcome once (an outcome implies receipt); false if one was already recorded.
pub fn record_outcome(
    conn: &mut DbConnection,
    id: HandoffId,
    outcome: &RecordedOutcome<'_>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(handoffs::table.find(id).filter(handoffs::outcome.is_null()))
        .set((
            handoffs::outcome.eq(Some(outcome.outcome)),
            handoffs::outcome_details.eq(Some(outcome.details)),
            handoffs::outcome_at.eq(Some(at)),
            handoffs::outcome_document_number.eq(outcome.document_number),
            handoffs::outcome_published.eq(outcome.published),
        ))
        .execute(conn)?;
    acknowledge(conn, id, at)?;
    Ok(n == 1)
}

/// Handoffs not acknowledged, sent before `before`, whose reminder has not gone yet. A case that
/// went with a campaign is reminded of with its campaign, not alone.
pub fn due_for_reminder(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> QueryResult<Vec<HandoffRow>> {
    handoffs::table
        .inner_join(cases::table)
        .filter(handoffs::acknowledged_at.is_null())
        .filter(handoffs::reminder_sent_at.is_null())
        .filter(handoffs::created_at.lt(before))
        .filter(handoffs::campaign_handoff_id.is_null())
        .filter(cases::status.eq(crate::domain::CaseStatus::HandedOff))
        .select(HandoffRow::as_select())
        .limit(100)
        .load(conn)
}

pub fn mark_reminded(
    conn: &mut DbConnection,
    id: HandoffId,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        handoffs::table
            .find(id)
            .filter(handoffs::reminder_sent_at.is_null()),
    )
    .set(handoffs::reminder_sent_at.eq(Some(at)))
    .execute(conn)?;
    Ok(n == 1)
}

/// The member handoffs of a campaign handoff, with their case numbers, in case order.
pub fn of_campaign_handoff(
    conn: &mut DbConnection,
    id: crate::domain::CampaignHandoffId,
) -> QueryResult<Vec<(HandoffRow, String)>> {
    handoffs::table
        .inner_join(cases::table)
        .filter(handoffs::campaign_handoff_id.eq(Some(id)))
        .order(cases::created_at.asc())
        .select((HandoffRow::as_select(), cases::case_number))
        .load(conn)
}

/// How many handoffs, campaign handoffs and queued mails refer to the package `sha` (the sweep
/// of stored files removes only a package no row refers to).
pub fn package_references(conn: &mut DbConnection, sha: &str) -> QueryResult<i64> {
    use super::schema::{campaign_handoffs, outbox};
    let cases: i64 = handoffs::table
        .filter(handoffs::package_sha256.eq(sha))
        .count()
        .get_result(conn)?;
    let campaigns: i64 = campaign_handoffs::table
        .filter(campaign_handoffs::package_sha256.eq(sha))
        .count()
        .get_result(conn)?;
    let mails: i64 = outbox::table
        .filter(outbox::attachment_sha256.eq(sha))
        .count()
        .get_result(conn)?;
    Ok(cases + campaigns + mails)
}
