//! Campaigns: an officer groups linked cases into one (`link_campaign` on a case page), adds and
//! removes cases later, and substantiates the members still open with one finding. Every change
//! is one transaction, audited in each member's trail and in the campaign's timeline.

use super::review::{take_or_assign, text};
use super::{ActingOfficer, Links, WorkflowError, change_status};
use crate::db::{self, DbConnection, audit, campaigns, cases, findings, notes};
use crate::domain::audit::{Actor, AuditAction, Visibility};
use crate::domain::campaign::{CampaignEventAction, CampaignName, MAX_MEMBERS};
use crate::domain::{CampaignId, CaseNumber, CaseStatus, Transition};
use chrono::NaiveDateTime;
use serde_json::json;

/// Which campaign `link_campaign` puts the cases into.
#[derive(Debug, Clone)]
pub enum CampaignChoice {
    New(CampaignName),
    Existing(CampaignId),
}

/// Puts the case `number` and the checked cases `also` into the chosen campaign. Cases already
/// in it are left as they are; a case in another campaign refuses the whole step.
pub fn link(
    conn: &mut DbConnection,
    number: &CaseNumber,
    choice: &CampaignChoice,
    also: &[CaseNumber],
    officer: ActingOfficer,
) -> Result<CampaignId, WorkflowError> {
    db::write_transaction(conn, |conn| {
        let now = db::now();
        let campaign_id = match choice {
            CampaignChoice::New(name) => create(conn, name, officer, now)?,
            CampaignChoice::Existing(id) => {
                campaigns::find(conn, *id)?.ok_or(WorkflowError::Invalid("campaign.unknown"))?;
                *id
            }
        };
        let mut seen = std::collections::HashSet::new();
        for n in std::iter::once(number).chain(also) {
            if seen.insert(n.to_string()) {
                add_one(conn, campaign_id, n, officer, now)?;
            }
        }
        let size = campaigns::member_counts(conn, &[campaign_id])?
            .first()
            .map_or(0, |(_, n)| *n);
        if size > MAX_MEMBERS as i64 {
            return Err(WorkflowError::Invalid("campaign.too_many"));
        }
        campaigns::touch(conn, campaign_id, now)?;
        Ok(campaign_id)
    })
}

/// Adds one case, by its number, to an existing campaign (from the campaign page).
pub fn add(
    conn: &mut DbConnection,
    campaign_id: CampaignId,
    number: &CaseNumber,
    officer: ActingOfficer,
) -> Result<(), WorkflowError> {
    link(
        conn,
        number,
        &CampaignChoice::Existing(campaign_id),
        &[],
        officer,
    )
    .map(|_| ())
}

fn create(
    conn: &mut DbConnection,
    name: &CampaignName,
    officer: ActingOfficer,
    now: NaiveDateTime,
) -> Result<CampaignId, WorkflowError> {
    let id = campaigns::insert(conn, name.as_str(), officer.id, now)?;
    event(
        conn,
        id,
        None,
        officer,
        CampaignEventAction::Created,
        json!({ "name": name.as_str() }),
        now,
    )?;
    tracing::info!(campaign = %id, "campaign created");
    Ok(id)
}

/// One case into the campaign: refused if unknown, not yet confirmed, or in another campaign.
fn add_one(
    conn: &mut DbConnection,
    campaign_id: CampaignId,
    number: &CaseNumber,
    officer: ActingOfficer,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    let case = cases::find_by_number(conn, number)?
        .filter(|c| c.status != CaseStatus::Unconfirmed)
        .ok_or(WorkflowError::Invalid("campaign.unknown_case"))?;
    match case.campaign_id {
        Some(id) if id == campaign_id => return Ok(()),
        Some(_) => return Err(WorkflowError::Invalid("campaign.in_another")),
        None => {}
    }
    if !campaigns::join(conn, case.id, campaign_id)? {
        return Err(WorkflowError::Conflict);
    }
    let campaign = campaigns::get(conn, campaign_id)?;
    let detail = json!({ "campaign": campaign_id, "name": campaign.name });
    trail(
        conn,
        &case,
        officer,
        AuditAction::CampaignJoined,
        &detail,
        now,
    )?;
    event(
        conn,
        campaign_id,
        Some(&case),
        officer,
        CampaignEventAction::CaseAdded,
        json!({}),
        now,
    )?;
    tracing::info!(case = %case.case_number, campaign = %campaign_id, "case put into a campaign");
    Ok(())
}

/// Takes the case `number` out of the campaign.
pub fn remove(
    conn: &mut DbConnection,
    campaign_id: CampaignId,
    number: &CaseNumber,
    officer: ActingOfficer,
) -> Result<(), WorkflowError> {
    db::write_transaction(conn, |conn| {
        let now = db::now();
        let case = cases::find_by_number(conn, number)?
            .ok_or(WorkflowError::Invalid("campaign.unknown_case"))?;
        if !campaigns::leave(conn, case.id, campaign_id)? {
            return Err(WorkflowError::Invalid("campaign.not_a_member"));
        }
        let campaign = campaigns::get(conn, campaign_id)?;
        let detail = json!({ "campaign": campaign_id, "name": campaign.name });
        trail(
            conn,
            &case,
            officer,
            AuditAction::CampaignLeft,
            &detail,
            now,
        )?;
        event(
            conn,
            campaign_id,
            Some(&case),
            officer,
            CampaignEventAction::CaseRemoved,
            json!({}),
            now,
        )?;
        campaigns::touch(conn, campaign_id, now)?;
        tracing::info!(case = %case.case_number, campaign = %campaign_id, "case taken out of a campaign");
        Ok(())
    })
}

/// Why a member cannot be substantiated from the campaign page (`None`: it can, or it is already).
pub fn blocker(case: &cases::CaseRow, officer: ActingOfficer) -> Option<&'static str> {
    match case.status {
        CaseStatus::Substantiated | CaseStatus::HandedOff | CaseStatus::Acknowledged => None,
        CaseStatus::AwaitingReporter => Some("campaign.blocked_awaiting_reporter"),
        CaseStatus::Unconfirmed
        | CaseStatus::Dismissed
        | CaseStatus::Withdrawn
        | CaseStatus::Closed => Some("campaign.blocked_closed"),
        CaseStatus::Submitted | CaseStatus::InReview => match case.assigned_officer_id {
            Some(a) if a != officer.id && !officer.supervisor => {
                Some("campaign.blocked_other_officer")
            }
            _ => None,
        },
    }
}

/// Whether the member still needs substantiating before the campaign can be handed off.
pub fn needs_substantiating(case: &cases::CaseRow) -> bool {
    !matches!(
        case.status,
        CaseStatus::Substantiated | CaseStatus::HandedOff | CaseStatus::Acknowledged
    )
}

/// Substantiates every member still submitted or in review with one `finding` (taking an
/// unassigned one first), all or none. Refused while any member is blocked. Returns how many.
pub fn substantiate_members(
    conn: &mut DbConnection,
    campaign_id: CampaignId,
    finding: &str,
    note: &str,
    officer: ActingOfficer,
    links: &Links,
) -> Result<usize, WorkflowError> {
    let finding = text(finding, false)?;
    if finding.is_empty() {
        return Err(WorkflowError::Invalid("review.finding_required"));
    }
    let note = text(note, false)?;
    db::write_transaction(conn, |conn| {
        let now = db::now();
        let members = campaigns::members(conn, campaign_id)?;
        if members.is_empty() {
            return Err(WorkflowError::Invalid("campaign.empty"));
        }
        if members.iter().any(|c| blocker(c, officer).is_some()) {
            return Err(WorkflowError::NotAllowed("campaign.members_blocked"));
        }
        let me = Actor::Officer(officer.id);
        let mut done = Vec::new();
        for case in members.iter().filter(|c| needs_substantiating(c)) {
            let _span = tracing::info_span!("case", case = %case.case_number).entered();
            let case = if case.status == CaseStatus::Submitted || case.assigned_officer_id.is_none()
            {
                take_or_assign(conn, case, officer.id, me, links)?;
                cases::get(conn, case.id)?
            } else {
                case.clone()
            };
            findings::set(conn, case.id, officer.id, &finding, now)?;
            if !note.is_empty() {
                notes::add_note(conn, case.id, officer.id, &note, now)?;
            }
            let detail = json!({ "campaign": campaign_id });
            change_status(
                conn,
                &case,
                Transition::Substantiate,
                me,
                detail,
                None,
                links,
            )?;
            done.push(case.case_number.clone());
        }
        campaigns::set_finding(conn, campaign_id, &finding)?;
        let detail = json!({ "cases": done });
        event(
            conn,
            campaign_id,
            None,
            officer,
            CampaignEventAction::Substantiated,
            detail,
            now,
        )?;
        campaigns::touch(conn, campaign_id, now)?;
        Ok(done.len())
    })
}

/// An entry in the case's own trail (officers only).
fn trail(
    conn: &mut DbConnection,
    case: &cases::CaseRow,
    officer: ActingOfficer,
    action: AuditAction,
    detail: &serde_json::Value,
    at: NaiveDateTime,
) -> Result<(), WorkflowError> {
    audit::append(
        conn,
        &audit::NewAuditEntry {
            case_id: case.id,
            actor: Actor::Officer(officer.id),
            action,
            detail,
            visibility: Visibility::OfficersOnly,
            at,
        },
    )?;
    Ok(())
}

/// An entry in the campaign's timeline.
fn event(
    conn: &mut DbConnection,
    campaign_id: CampaignId,
    case: Option<&cases::CaseRow>,
    officer: ActingOfficer,
    action: CampaignEventAction,
    detail: serde_json::Value,
    at: NaiveDateTime,
) -> Result<(), WorkflowError> {
    campaigns::add_event(
        conn,
        &campaigns::NewEvent {
            campaign_id,
            case_id: case.map(|c| c.id),
            officer_id: Some(officer.id),
            action,
            detail: &detail,
            at,
        },
    )?;
    Ok(())
}
