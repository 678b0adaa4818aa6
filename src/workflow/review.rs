//! What officers do to a case: take, assign, ask the reporter, resume, dismiss, substantiate,
//! note, extend the deadline, close. Every action checks who may do it and that the case has not
//! changed since the officer's page was drawn, then applies through the state machine.

use super::{Links, WorkflowError, change_status};
use crate::db::{self, DbConnection, audit, cases, findings, notes, officers, queue};
use crate::domain::OfficerId;
use crate::domain::audit::Actor;
use crate::domain::audit::Visibility;
use crate::domain::status::ClosedReason;
use crate::domain::{CaseNumber, CaseStatus, DismissReason, Transition};
use crate::mail::{self, messages::OfficerEmail, messages::OfficerNotice};
use serde_json::json;

pub const MAX_MESSAGE_CHARS: usize = 5000;

/// The officer acting, as the workflow needs to know them.
#[derive(Debug, Clone, Copy)]
pub struct ActingOfficer {
    pub id: OfficerId,
    pub supervisor: bool,
}

#[derive(Debug, Clone)]
pub enum ReviewAction {
    Take,
    Assign {
        officer_id: OfficerId,
    },
    RequestInfo {
        message: String,
    },
    Resume,
    Dismiss {
        reason: DismissReason,
        message: String,
    },
    /// `finding`: the reasons, shown to the regulator (and the platform); `note` stays internal.
    Substantiate {
        note: String,
        finding: String,
    },
    Note {
        body: String,
    },
    Extend {
        reason: String,
    },
    Close {
        note: String,
    },
}

impl ReviewAction {
    pub fn name(&self) -> &'static str {
        match self {
            ReviewAction::Take => "take",
            ReviewAction::Assign { .. } => "assign",
            ReviewAction::RequestInfo { .. } => "request_info",
            ReviewAction::Resume => "resume",
            ReviewAction::Dismiss { .. } => "dismiss",
            ReviewAction::Substantiate { .. } => "substantiate",
            ReviewAction::Note { .. } => "note",
            ReviewAction::Extend { .. } => "extend",
            ReviewAction::Close { .. } => "close",
        }
    }
}

fn text(s: &str, required: bool) -> Result<String, WorkflowError> {
    let t = s.replace("\r\n", "\n").trim().to_string();
    if required && t.is_empty() {
        return Err(WorkflowError::Invalid("review.text_required"));
    }
    if t.chars().count() > MAX_MESSAGE_CHARS {
        return Err(WorkflowError::Invalid("review.text_too_long"));
    }
    Ok(t)
}

/// Whether `officer` may work the case: its assignee, or any supervisor.
fn may_work(case: &cases::CaseRow, officer: ActingOfficer) -> bool {
    case.may_be_worked_by(officer.id, officer.supervisor)
}

/// Performs `action` on the case `number` as it was at `version`. Returns the case's status after.
pub fn perform(
    conn: &mut DbConnection,
    number: &CaseNumber,
    version: i32,
    officer: ActingOfficer,
    action: &ReviewAction,
    links: &Links,
) -> Result<CaseStatus, WorkflowError> {
    db::write_transaction(conn, |conn| {
        let case = cases::find_by_number(conn, number)?.ok_or(diesel::result::Error::NotFound)?;
        let _span =
            tracing::info_span!("case", case = %case.case_number, action = action.name()).entered();
        if case.status == CaseStatus::Unconfirmed {
            // Not in the queue yet: nobody may act on it but its reporter.
            return Err(WorkflowError::NotAllowed("review.not_confirmed"));
        }
        if case.version != version {
            return Err(WorkflowError::Conflict);
        }
        let me = Actor::Officer(officer.id);
        let now = db::now();
        match action {
            ReviewAction::Take => {
                if case.assigned_officer_id.is_some_and(|a| a != officer.id) && !officer.supervisor
                {
                    return Err(WorkflowError::NotAllowed("review.taken_by_other"));
                }
                take_or_assign(conn, &case, officer.id, me, links)
            }
            ReviewAction::Assign { officer_id } => {
                if !officer.supervisor {
                    return Err(WorkflowError::NotAllowed("review.supervisors_only"));
                }
                let target = officers::get(conn, *officer_id)
                    .map_err(|_| WorkflowError::Invalid("review.unknown_officer"))?;
                if !target.active {
                    return Err(WorkflowError::Invalid("review.unknown_officer"));
                }
                let status = take_or_assign(conn, &case, target.id, me, links)?;
                if target.id != officer.id {
                    let composed = OfficerEmail {
                        notice: OfficerNotice::Assigned,
                        officer_name: target.name.clone(),
                        case_number: case.case_number.clone(),
                        case_url: links.officer_case(&case.case_number),
                    }
                    .compose()?;
                    mail::enqueue(conn, Some(case.id), &target.email, &composed, now)?;
                }
                Ok(status)
            }
            ReviewAction::RequestInfo { message } => {
                require_worker(&case, officer)?;
                let message = text(message, true)?;
                // The trail refers to the message by id: erasing it leaves the chain whole.
                let message_id =
                    notes::add_message(conn, case.id, Some(officer.id), &message, now)?;
                change_status(
                    conn,
                    &case,
                    Transition::RequestInfo,
                    me,
                    json!({ "message_id": message_id }),
                    Some(&message),
                    links,
                )
            }
            ReviewAction::Resume => {
                require_worker(&case, officer)?;
                change_status(conn, &case, Transition::Resume, me, json!({}), None, links)
            }
            ReviewAction::Dismiss { reason, message } => {
                require_worker_or_unassigned(&case, officer)?;
                let message = text(message, true)?;
                let message_id =
                    notes::add_message(conn, case.id, Some(officer.id), &message, now)?;
                cases::set_closed_reason(conn, case.id, ClosedReason::Dismissed(*reason))?;
                change_status(
                    conn,
                    &case,
                    Transition::Dismiss(*reason),
                    me,
                    json!({ "reason": reason.as_str(), "message_id": message_id }),
                    Some(&message),
                    links,
                )
            }
            ReviewAction::Substantiate { note, finding } => {
                require_worker(&case, officer)?;
                // The state machine first: a finding is asked for only where it can be used.
                case.status.apply(Transition::Substantiate)?;
                let note = text(note, false)?;
                let finding = text(finding, false)?;
                if finding.is_empty() {
                    return Err(WorkflowError::Invalid("review.finding_required"));
                }
                findings::set(conn, case.id, officer.id, &finding, now)?;
                if !note.is_empty() {
                    notes::add_note(conn, case.id, officer.id, &note, now)?;
                }
                change_status(
                    conn,
                    &case,
                    Transition::Substantiate,
                    me,
                    json!({}),
                    None,
                    links,
                )
            }
            ReviewAction::Close { note } => {
                require_worker(&case, officer)?;
                let note = text(note, true)?;
                notes::add_note(conn, case.id, officer.id, &note, now)?;
                cases::set_closed_reason(conn, case.id, ClosedReason::ClosedByOfficer)?;
                change_status(conn, &case, Transition::Close, me, json!({}), None, links)
            }
            ReviewAction::Note { body } => {
                let body = text(body, true)?;
                let note_id = notes::add_note(conn, case.id, officer.id, &body, now)?;
                if !cases::touch(conn, case.id, case.version, now)? {
                    return Err(WorkflowError::Conflict);
                }
                // The trail records that a note was written; its words stay in the notes.
                audit::append(
                    conn,
                    &audit::NewAuditEntry {
                        case_id: case.id,
                        actor: me,
                        action: crate::domain::audit::AuditAction::Note,
                        detail: &json!({ "note_id": note_id }),
                        visibility: Visibility::OfficersOnly,
                        at: now,
                    },
                )?;
                Ok(case.status)
            }
            ReviewAction::Extend { reason } => {
                require_worker(&case, officer)?;
                let reason = text(reason, true)?;
                let row = queue::deadlines_of(conn, case.id)?
                    .ok_or(WorkflowError::Invalid("review.no_deadline"))?;
                if row.extended_reason.is_some() {
                    return Err(WorkflowError::NotAllowed("review.extended_once"));
                }
                if !matches!(
                    case.status,
                    CaseStatus::Submitted | CaseStatus::InReview | CaseStatus::AwaitingReporter
                ) {
                    return Err(WorkflowError::NotAllowed("review.no_deadline"));
                }
                let extended = row
                    .deadlines()
                    .extended(&*crate::db::calendar::current(conn)?);
                queue::set_extension(conn, case.id, &extended, &reason)?;
                if !cases::touch(conn, case.id, case.version, now)? {
                    return Err(WorkflowError::Conflict);
                }
                audit::append(
                    conn,
                    &audit::NewAuditEntry {
                        case_id: case.id,
                        actor: me,
                        action: crate::domain::audit::AuditAction::Extend,
                        detail: &json!({ "reason": reason, "decide_by": extended.decide_by.to_string() }),
                        visibility: Visibility::OfficersOnly,
                        at: now,
                    },
                )?;
                Ok(case.status)
            }
        }
    })
}

fn require_worker(case: &cases::CaseRow, officer: ActingOfficer) -> Result<(), WorkflowError> {
    if may_work(case, officer) {
        Ok(())
    } else {
        Err(WorkflowError::NotAllowed("review.not_yours"))
    }
}

/// Dismissing spam from the queue needs no assignment first; an assigned case is its officer's.
fn require_worker_or_unassigned(
    case: &cases::CaseRow,
    officer: ActingOfficer,
) -> Result<(), WorkflowError> {
    if case.assigned_officer_id.is_none() || may_work(case, officer) {
        Ok(())
    } else {
        Err(WorkflowError::NotAllowed("review.not_yours"))
    }
}

/// Gives the case to `assignee`; a submitted case goes into review.
fn take_or_assign(
    conn: &mut DbConnection,
    case: &cases::CaseRow,
    assignee: OfficerId,
    actor: Actor,
    links: &Links,
) -> Result<CaseStatus, WorkflowError> {
    // The state machine first: a case whose status forbids taking it (withdrawn, dismissed,
    // closed, …) is refused before anything about it changes.
    case.status.apply(Transition::Take)?;
    let now = db::now();
    if !cases::assign(conn, case.id, case.version, Some(assignee), now)? {
        return Err(WorkflowError::Conflict);
    }
    audit::append(
        conn,
        &audit::NewAuditEntry {
            case_id: case.id,
            actor,
            action: crate::domain::audit::AuditAction::Assign,
            detail: &json!({ "officer_id": assignee }),
            visibility: Visibility::OfficersOnly,
            at: now,
        },
    )?;
    let case = cases::get(conn, case.id)?;
    if case.status == CaseStatus::Submitted {
        change_status(conn, &case, Transition::Take, actor, json!({}), None, links)
    } else {
        Ok(case.status)
    }
}
