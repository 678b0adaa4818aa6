//! What people do to a case, each step one transaction: the change, its audit entry and its email
//! commit together or not at all.

pub mod accounts;
pub mod confirm;
pub mod file;
pub mod purge;
pub mod track;
pub mod withdraw;

use crate::db::DbError;
use crate::domain::TransitionError;

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
}

impl From<diesel::result::Error> for WorkflowError {
    fn from(e: diesel::result::Error) -> Self {
        WorkflowError::Db(DbError::Query(e))
    }
}

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
}

use crate::db::{audit, cases, queue};
use crate::domain::deadlines::Deadlines;
use crate::domain::{china_date, workdays};
use crate::domain::audit::Actor;
use crate::domain::{CaseStatus, Lang, Transition};
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
    links: &Links,
) -> Result<CaseStatus, WorkflowError> {
    let from = case.status();
    let to = from.apply(transition)?;
    let now = crate::db::now();
    if !cases::set_status(conn, case.id, case.version, from, to, now)? {
        return Err(WorkflowError::Conflict);
    }
    let mut detail = detail;
    if let Some(map) = detail.as_object_mut() {
        map.insert("from".into(), from.as_str().into());
        map.insert("to".into(), to.as_str().into());
    }
    audit::append(conn, case.id, actor, transition.name(), &detail, true, now)?;
    keep_deadlines(conn, case, from, to, now)?;
    // Only an address that was confirmed gets status mail: an unconfirmed one may not be the reporter's.
    let reachable = case.submitted_at.is_some() || transition == Transition::Confirm;
    if let (Some(email), true) = (&case.reporter_email, reachable) {
        let composed = StatusEmail {
            lang: Lang::parse(&case.language).unwrap_or_default(),
            case_number: case.case_number.clone(),
            status: to,
            track_url: links.track(),
            message: None,
        }
        .compose()?;
        mail::enqueue(conn, Some(case.id), email, &composed, now)?;
    }
    tracing::info!(case = %case.case_number, from = from.as_str(), to = to.as_str(), "status changed");
    Ok(to)
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
    let cal = workdays::official();
    if to == CaseStatus::Submitted {
        let deadlines = Deadlines::starting(cal, china_date(now), case.is_complaint);
        queue::set_deadlines(conn, case.id, &deadlines)?;
    } else if to == CaseStatus::AwaitingReporter {
        queue::set_paused(conn, case.id, Some(now))?;
    } else if from == CaseStatus::AwaitingReporter
        && let Some(row) = queue::deadlines_of(conn, case.id)?
    {
        if let Some(since) = row.paused_since {
            let moved = row.deadlines().after_pause(cal, china_date(since), china_date(now));
            queue::set_deadlines(conn, case.id, &moved)?;
        }
        queue::set_paused(conn, case.id, None)?;
    }
    Ok(())
}
