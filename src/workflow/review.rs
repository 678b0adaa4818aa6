//! What officers do to a case: take, assign, ask the reporter, resume, dismiss, substantiate,
//! note, extend the deadline, close. Every action checks who may do it and that the case has not
//! changed since the officer's page was drawn, then applies through the state machine.

use super::{Links, WorkflowError, change_status};
use crate::db::{self, DbConnection, audit, cases, findings, notes, officers, queue};
use crate::domain::OfficerId;
use crate::domain::audit::Actor;
use crate::domain::audit::AuditAction;
use crate::domain::audit::Visibility;
use crate::domain::status::ClosedReason;
use crate::domain::{CaseNumber, CaseStatus, DismissReason, Transition};
use crate::mail::{self, messages::OfficerEmail, messages::OfficerNotice};
use chrono::NaiveDateTime;
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

pub(super) fn text(s: &str, required: bool) -> Result<String, WorkflowError> {
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
        let case = open_case(conn, number, version)?;
        let _span =
            tracing::info_span!("case", case = %case.case_number, action = action.name()).entered();
        let step = Step {
            case: &case,
            officer,
            me: Actor::Officer(officer.id),
            now: db::now(),
            links,
        };
        match action {
            ReviewAction::Take => step.take(conn),
            ReviewAction::Assign { officer_id } => step.assign(conn, *officer_id),
            ReviewAction::RequestInfo { message } => step.request_info(conn, message),
            ReviewAction::Resume => {
                require_worker(&case, officer)?;
                change_status(
                    conn,
                    &case,
                    Transition::Resume,
                    step.me,
                    json!({}),
                    None,
                    links,
                )
            }
            ReviewAction::Dismiss { reason, message } => step.dismiss(conn, *reason, message),
            ReviewAction::Substantiate { note, finding } => step.substantiate(conn, note, finding),
            ReviewAction::Close { note } => step.close(conn, note),
            ReviewAction::Note { body } => step.note(conn, body),
            ReviewAction::Extend { reason } => step.extend(conn, reason),
        }
    })
}

/// The case as the officer's page showed it: in the queue, and unchanged since.
fn open_case(
    conn: &mut DbConnection,
    number: &CaseNumber,
    version: i32,
) -> Result<cases::CaseRow, WorkflowError> {
    let case = cases::find_by_number(conn, number)?.ok_or(diesel::result::Error::NotFound)?;
    if case.status == CaseStatus::Unconfirmed {
        // Not in the queue yet: nobody may act on it but its reporter.
        return Err(WorkflowError::NotAllowed("review.not_confirmed"));
    }
    if case.version != version {
        return Err(WorkflowError::Conflict);
    }
    Ok(case)
}

/// One officer's step on one case, inside its transaction.
struct Step<'a> {
    case: &'a cases::CaseRow,
    officer: ActingOfficer,
    me: Actor,
    now: NaiveDateTime,
    links: &'a Links,
}

impl Step<'_> {
    fn take(&self, conn: &mut DbConnection) -> Result<CaseStatus, WorkflowError> {
        let officer = self.officer;
        if self
            .case
            .assigned_officer_id
            .is_some_and(|a| a != officer.id)
            && !officer.supervisor
        {
            return Err(WorkflowError::NotAllowed("review.taken_by_other"));
        }
        take_or_assign(conn, self.case, officer.id, self.me, self.links)
    }

    fn assign(
        &self,
        conn: &mut DbConnection,
        officer_id: OfficerId,
    ) -> Result<CaseStatus, WorkflowError> {
        if !self.officer.supervisor {
            return Err(WorkflowError::NotAllowed("review.supervisors_only"));
        }
        let target = officers::get(conn, officer_id)
            .map_err(|_| WorkflowError::Invalid("review.unknown_officer"))?;
        if !target.active {
            return Err(WorkflowError::Invalid("review.unknown_officer"));
        }
        let status = take_or_assign(conn, self.case, target.id, self.me, self.links)?;
        if target.id != self.officer.id {
            let composed = OfficerEmail {
                notice: OfficerNotice::Assigned,
                officer_name: target.name.clone(),
                case_number: self.case.case_number.clone(),
                case_url: self.links.officer_case(&self.case.case_number),
            }
            .compose()?;
            mail::enqueue(conn, Some(self.case.id), &target.email, &composed, self.now)?;
        }
        Ok(status)
    }

    /// The officer's message to the reporter, kept with the case's messages. The trail refers to
    /// it by id: erasing it leaves the chain whole.
    fn message_to_reporter(
        &self,
        conn: &mut DbConnection,
        message: &str,
    ) -> Result<(String, i64), WorkflowError> {
        let message = text(message, true)?;
        let id = notes::add_message(
            conn,
            self.case.id,
            Some(self.officer.id),
            &message,
            self.now,
        )?;
        Ok((message, id))
    }

    fn request_info(
        &self,
        conn: &mut DbConnection,
        message: &str,
    ) -> Result<CaseStatus, WorkflowError> {
        require_worker(self.case, self.officer)?;
        let (message, message_id) = self.message_to_reporter(conn, message)?;
        change_status(
            conn,
            self.case,
            Transition::RequestInfo,
            self.me,
            request_info_detail(message_id),
            Some(&message),
            self.links,
        )
    }

    fn dismiss(
        &self,
        conn: &mut DbConnection,
        reason: DismissReason,
        message: &str,
    ) -> Result<CaseStatus, WorkflowError> {
        require_worker_or_unassigned(self.case, self.officer)?;
        let (message, message_id) = self.message_to_reporter(conn, message)?;
        cases::set_closed_reason(conn, self.case.id, ClosedReason::Dismissed(reason))?;
        change_status(
            conn,
            self.case,
            Transition::Dismiss(reason),
            self.me,
            dismiss_detail(reason, message_id),
            Some(&message),
            self.links,
        )
    }

    fn substantiate(
        &self,
        conn: &mut DbConnection,
        note: &str,
        finding: &str,
    ) -> Result<CaseStatus, WorkflowError> {
        require_worker(self.case, self.officer)?;
        // The state machine first: a finding is asked for only where it can be used.
        self.case.status.apply(Transition::Substantiate)?;
        let note = text(note, false)?;
        let finding = text(finding, false)?;
        if finding.is_empty() {
            return Err(WorkflowError::Invalid("review.finding_required"));
        }
        findings::set(conn, self.case.id, self.officer.id, &finding, self.now)?;
        if !note.is_empty() {
            notes::add_note(conn, self.case.id, self.officer.id, &note, self.now)?;
        }
        let to = Transition::Substantiate;
        change_status(conn, self.case, to, self.me, json!({}), None, self.links)
    }

    fn close(&self, conn: &mut DbConnection, note: &str) -> Result<CaseStatus, WorkflowError> {
        require_worker(self.case, self.officer)?;
        let note = text(note, true)?;
        notes::add_note(conn, self.case.id, self.officer.id, &note, self.now)?;
        cases::set_closed_reason(conn, self.case.id, ClosedReason::ClosedByOfficer)?;
        let to = Transition::Close;
        change_status(conn, self.case, to, self.me, json!({}), None, self.links)
    }

    fn note(&self, conn: &mut DbConnection, body: &str) -> Result<CaseStatus, WorkflowError> {
        let body = text(body, true)?;
        let note_id = notes::add_note(conn, self.case.id, self.officer.id, &body, self.now)?;
        if !cases::touch(conn, self.case.id, self.case.version, self.now)? {
            return Err(WorkflowError::Conflict);
        }
        let entry = note_entry(self.me, note_id, self.now);
        audit::append(conn, &entry.of_case(self.case.id))?;
        Ok(self.case.status)
    }

    fn extend(&self, conn: &mut DbConnection, reason: &str) -> Result<CaseStatus, WorkflowError> {
        require_worker(self.case, self.officer)?;
        let reason = text(reason, true)?;
        let row = queue::deadlines_of(conn, self.case.id)?
            .ok_or(WorkflowError::Invalid("review.no_deadline"))?;
        if row.extended_reason.is_some() {
            return Err(WorkflowError::NotAllowed("review.extended_once"));
        }
        if !matches!(
            self.case.status,
            CaseStatus::Submitted | CaseStatus::InReview | CaseStatus::AwaitingReporter
        ) {
            return Err(WorkflowError::NotAllowed("review.no_deadline"));
        }
        let extended = row
            .deadlines()
            .extended(&*crate::db::calendar::current(conn)?);
        queue::set_extension(conn, self.case.id, &extended, &reason)?;
        if !cases::touch(conn, self.case.id, self.case.version, self.now)? {
            return Err(WorkflowError::Conflict);
        }
        let entry = extend_entry(self.me, &reason, extended.decide_by, self.now);
        audit::append(conn, &entry.of_case(self.case.id))?;
        Ok(self.case.status)
    }
}

// The audit entries of review steps, built here for the steps above and for the demo seed's
// histories alike.

/// A case given to `assignee` (or taken, when `by` is them). Officers only.
pub fn assign_entry(by: Actor, assignee: OfficerId, at: NaiveDateTime) -> audit::NewEntry {
    officers_entry(
        by,
        AuditAction::Assign,
        json!({ "officer_id": assignee }),
        at,
    )
}

/// An internal note was written; its words stay in the notes.
pub fn note_entry(by: Actor, note_id: i64, at: NaiveDateTime) -> audit::NewEntry {
    officers_entry(by, AuditAction::Note, json!({ "note_id": note_id }), at)
}

/// The decision deadline extended, once, for `reason`.
pub fn extend_entry(
    by: Actor,
    reason: &str,
    decide_by: chrono::NaiveDate,
    at: NaiveDateTime,
) -> audit::NewEntry {
    let detail = json!({ "reason": reason, "decide_by": decide_by.to_string() });
    officers_entry(by, AuditAction::Extend, detail, at)
}

fn officers_entry(
    by: Actor,
    action: AuditAction,
    detail: serde_json::Value,
    at: NaiveDateTime,
) -> audit::NewEntry {
    audit::NewEntry {
        actor: by,
        action,
        detail,
        visibility: Visibility::OfficersOnly,
        at,
    }
}

/// The detail of asking the reporter for more: the message by id.
pub fn request_info_detail(message_id: i64) -> serde_json::Value {
    json!({ "message_id": message_id })
}

/// The detail of a dismissal: why, and the message to the reporter by id.
pub fn dismiss_detail(reason: DismissReason, message_id: i64) -> serde_json::Value {
    json!({ "reason": reason.as_str(), "message_id": message_id })
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
pub(super) fn take_or_assign(
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
    audit::append(conn, &assign_entry(actor, assignee, now).of_case(case.id))?;
    let case = cases::get(conn, case.id)?;
    if case.status == CaseStatus::Submitted {
        change_status(conn, &case, Transition::Take, actor, json!({}), None, links)
    } else {
        Ok(case.status)
    }
}
