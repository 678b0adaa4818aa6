//! What people do to a case, each step one transaction: the change, its audit entry and its email
//! commit together or not at all.

pub mod account_events;
pub mod accounts;
pub mod blobs;
pub mod bulk;
pub mod calendar;
pub mod campaign_contents;
pub mod campaign_facts;
pub mod campaign_handoff;
pub mod campaigns;
pub mod case_links;
pub mod chains;
pub mod confirm;
pub mod desk;
pub mod directory;
pub mod evidence;
pub mod exports;
pub mod file;
pub mod handoff;
pub mod handoff_desk;
pub mod merchants;
pub mod ocr;
pub mod originals;
pub mod password_links;
pub mod platform_desks;
pub mod platform_notices;
pub mod public_stats;
pub mod purge;
pub mod record;
pub mod redact;
pub mod reply;
pub mod retention;
pub mod review;
pub mod screenshot_copies;
pub mod second_factor;
pub mod sign_in;
pub mod sweep;
pub mod team;
pub mod track;
pub mod withdraw;

pub use review::ActingOfficer;

use crate::db::DbError;
use crate::domain::CaseId;
use crate::domain::TransitionError;
use crate::domain::audit::Visibility;
use crate::domain::{audit::AuditAction, evidence::EvidenceSource};

#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// Someone else changed the case between reading and writing it.
    #[error("the case changed while this was being done")]
    Conflict,
    #[error("an email could not be rendered: {0}")]
    Render(#[from] askama::Error),
    /// The officer may not do this to this case (the key names the reason shown).
    #[error("not allowed: {0}")]
    NotAllowed(&'static str),
    /// The input is not acceptable (the key names the message shown).
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    /// Something else failed (a file, an image, a password hash): the cause goes to the log.
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl WorkflowError {
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        WorkflowError::Internal(e.into())
    }
}

impl ActingOfficer {
    /// Refuses unless this officer may work `case`: its assignee, or any supervisor.
    pub fn require_worker_of(&self, case: &crate::db::cases::CaseRow) -> Result<(), WorkflowError> {
        if case.may_be_worked_by(self.id, self.supervisor) {
            Ok(())
        } else {
            Err(WorkflowError::NotAllowed("review.not_yours"))
        }
    }

    /// Refuses a step that is for supervisors alone.
    pub fn require_supervisor(&self) -> Result<(), WorkflowError> {
        if self.supervisor {
            Ok(())
        } else {
            Err(WorkflowError::NotAllowed("review.supervisors_only"))
        }
    }
}

impl From<diesel::result::Error> for WorkflowError {
    fn from(e: diesel::result::Error) -> Self {
        WorkflowError::Db(DbError::Query(e))
    }
}

/// How long the case link in a reporter's status email works.
pub const ACCESS_LINK_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(14);

/// Links that go into emails, built from the portal's public address.
#[derive(Debug, Clone)]
pub struct Links {
    pub base_url: String,
}

impl Links {
    pub fn confirm(&self, token: &str) -> String {
        format!("{}/confirm/{token}", self.base_url)
    }

    pub fn track(&self) -> String {
        format!("{}/track", self.base_url)
    }

    /// A reporter's signed link to their case (no receipt code in it).
    pub fn access(&self, token: &str) -> String {
        format!("{}/track/link/{token}", self.base_url)
    }

    /// An officer's invitation: where they set their first password.
    pub fn officer_invite(&self, token: &str) -> String {
        format!("{}/officer/invite/{token}", self.base_url)
    }

    /// An officer's password reset link.
    pub fn password_reset(&self, token: &str) -> String {
        format!("{}/officer/password/reset/{token}", self.base_url)
    }

    pub fn officer_case(&self, case_number: &str) -> String {
        format!("{}/officer/cases/{case_number}", self.base_url)
    }
}

use crate::db::{audit, cases, queue, reporter_sessions, tokens};
use crate::domain::audit::Actor;
use crate::domain::china_date;
use crate::domain::deadlines::Deadlines;
use crate::domain::{CaseStatus, Transition};
use crate::evidence::intake::StoredEvidence;
use crate::mail::{self, messages::StatusEmail};

/// Applies `transition` to the case through the state machine, inside the caller's transaction:
/// the new status (only if nobody changed the case since `expected_version`), one audit entry,
/// and the status email to a reporter who can be reached.
pub fn change_status(
    conn: &mut crate::db::DbConnection,
    case: &cases::CaseRow,
    transition: Transition,
    actor: Actor,
    detail: serde_json::Value,
    email_message: Option<&str>,
    links: &Links,
) -> Result<CaseStatus, WorkflowError> {
    let from = case.status;
    let to = from.apply(transition)?;
    let now = crate::db::now();
    if !cases::set_status(conn, case.id, case.version, from, to, now)? {
        return Err(WorkflowError::Conflict);
    }
    audit::append(
        conn,
        &status_entry(transition, from, to, actor, detail, now).of_case(case.id),
    )?;
    keep_deadlines(conn, case, from, to, now)?;
    if !to.is_open() {
        // The case is over: every reporter session and case link ends with it (a copied cookie
        // or a forwarded email opens nothing more); the receipt code still opens the case.
        reporter_sessions::revoke_all_for_case(conn, case.id, now)?;
        tokens::expire_all_for_case(
            conn,
            case.id,
            crate::domain::email_token::TokenPurpose::Access,
            now,
        )?;
    }
    // Only an address that was confirmed gets status mail: an unconfirmed one may not be the reporter's.
    let reachable = case.submitted_at.is_some() || transition == Transition::Confirm;
    if let (Some(email), true) = (&case.reporter_email, reachable) {
        // A link straight to the case, without the receipt code: it opens the case for 14 days,
        // while the case is open; once it is over, the email points to the tracking form.
        let (track_url, holds_link) = reporter_link(conn, case, to.is_open(), links, now)?;
        let composed = StatusEmail {
            lang: case.language,
            case_number: case.case_number.clone(),
            status: to,
            holds_link,
            track_url,
            message: email_message.map(str::to_string),
        }
        .compose()?;
        mail::enqueue(conn, Some(case.id), email, &composed, now)?;
    }
    tracing::info!(case = %case.case_number, from = from.as_str(), to = to.as_str(), "status changed");
    Ok(to)
}

/// The link a reporter's email carries: straight to the case, without the receipt code, for 14
/// days while the case is open (true: the link is a secret); once it is over, the tracking form.
pub(crate) fn reporter_link(
    conn: &mut crate::db::DbConnection,
    case: &cases::CaseRow,
    open: bool,
    links: &Links,
    now: chrono::NaiveDateTime,
) -> Result<(String, bool), WorkflowError> {
    if !open {
        return Ok((links.track(), false));
    }
    let (token, token_hash) = tokens::generate();
    tokens::insert(
        conn,
        case.id,
        crate::domain::email_token::TokenPurpose::Access,
        &token_hash,
        now,
        now + ACCESS_LINK_LIFETIME,
    )?;
    Ok((links.access(&token), true))
}

/// The audit entry of a status change (for `change_status`, and the demo seed's histories): the
/// step's own detail with `from` and `to` added, visible to the reporter.
pub fn status_entry(
    transition: Transition,
    from: CaseStatus,
    to: CaseStatus,
    actor: Actor,
    detail: serde_json::Value,
    at: chrono::NaiveDateTime,
) -> audit::NewEntry {
    let mut detail = detail;
    if let Some(map) = detail.as_object_mut() {
        map.insert("from".into(), from.as_str().into());
        map.insert("to".into(), to.as_str().into());
    }
    audit::NewEntry {
        actor,
        action: AuditAction::of_transition(transition),
        detail,
        visibility: Visibility::AlsoReporter,
        at,
    }
}

/// The deadline clock: it starts when a case enters the queue, stops while the case waits for
/// the reporter, and moves on by the working days the wait took.
fn keep_deadlines(
    conn: &mut crate::db::DbConnection,
    case: &cases::CaseRow,
    from: CaseStatus,
    to: CaseStatus,
    now: chrono::NaiveDateTime,
) -> Result<(), WorkflowError> {
    // The calendar is read only by the steps that count days (one small query when they do).
    if to == CaseStatus::Submitted {
        let cal = crate::db::calendar::current(conn)?;
        let deadlines = Deadlines::starting(&cal, china_date(now), case.is_complaint);
        queue::set_deadlines(conn, case.id, &deadlines)?;
    } else if to == CaseStatus::AwaitingReporter {
        queue::set_paused(conn, case.id, Some(now))?;
    } else if from == CaseStatus::AwaitingReporter
        && let Some(row) = queue::deadlines_of(conn, case.id)?
    {
        if let Some(since) = row.paused_since {
            let cal = crate::db::calendar::current(conn)?;
            let moved = row
                .deadlines()
                .after_pause(&cal, china_date(since), china_date(now));
            queue::set_deadlines(conn, case.id, &moved)?;
        }
        queue::set_paused(conn, case.id, None)?;
    }
    Ok(())
}

/// Records checked evidence files on a case, each with its audit entry, after those it has.
pub fn record_evidence(
    conn: &mut crate::db::DbConnection,
    case_id: CaseId,
    source: EvidenceSource,
    files: &[StoredEvidence],
    now: chrono::NaiveDateTime,
) -> Result<(), WorkflowError> {
    // Held until the caller commits: a failed upload's cleanup cannot remove a blob between
    // this transaction's rows and its commit (see `workflow::blobs`).
    crate::db::evidence::lock_blobs_for_recording(conn)?;
    let first = crate::db::evidence::next_position(conn, case_id)?;
    for (i, e) in files.iter().enumerate() {
        let position = first + i as i32;
        let row = evidence_row(case_id, position, source, &e.original_name, e, now);
        let evidence_id = crate::db::evidence::insert(conn, &row)?;
        match &e.copies {
            // Made already (the demo data): indexed now, and its text read later.
            Some(copies) => chains::index_screenshot(conn, case_id, evidence_id, copies, now)?,
            // The copies, the index and the reading of the text follow from a background job.
            None => screenshot_copies::queue_making(conn, evidence_id, now)?,
        }
        audit::append(conn, &evidence_entry(position, e, now).of_case(case_id))?;
    }
    Ok(())
}

/// The evidence row of a checked file at `position` of a case (for `record_evidence`, and the
/// demo seed, whose files share a few stored images under names of their own).
pub fn evidence_row<'a>(
    case_id: CaseId,
    position: i32,
    source: EvidenceSource,
    original_name: &'a str,
    e: &'a StoredEvidence,
    at: chrono::NaiveDateTime,
) -> crate::db::evidence::NewEvidence<'a> {
    crate::db::evidence::NewEvidence {
        case_id,
        position,
        source,
        original_name,
        kind: e.kind,
        sha256: &e.sha256,
        byte_size: e.byte_size,
        width: e.width,
        height: e.height,
        display_sha256: e.copies.as_ref().map(|c| c.display_sha256.as_str()),
        display_kind: e.copies.as_ref().map(|c| c.display_kind),
        thumb_sha256: e.copies.as_ref().map(|c| c.thumb_sha256.as_str()),
        thumb_width: e.copies.as_ref().map(|c| c.thumb_width),
        thumb_height: e.copies.as_ref().map(|c| c.thumb_height),
        perceptual_hash: e.copies.as_ref().map(|c| c.perceptual_hash.as_str()),
        uploaded_at: at,
    }
}

/// The audit entry of an evidence file added by its reporter.
pub fn evidence_entry(
    position: i32,
    e: &StoredEvidence,
    at: chrono::NaiveDateTime,
) -> audit::NewEntry {
    audit::NewEntry {
        actor: Actor::Reporter,
        action: crate::domain::audit::AuditAction::EvidenceAdded,
        // The file name stays on the evidence row (it may name a person): not in the trail.
        detail: serde_json::json!({ "position": position, "sha256": e.sha256, "bytes": e.byte_size }),
        visibility: Visibility::AlsoReporter,
        at,
    }
}
