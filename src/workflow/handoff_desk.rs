//! An officer's follow-up on a handoff already made: sending it again, and recording an outcome
//! the regulator reported another way (a letter, a call). Each is for an officer who may work the
//! case, and only for a handoff of that case.

use super::handoff::{self, HandoffContext, RegulatorAnswer};
use super::{ActingOfficer, Links, WorkflowError};
use crate::db::{DbConnection, cases, handoffs};
use crate::domain::CaseNumber;
use crate::domain::HandoffId;
use crate::domain::audit::Actor;
use crate::domain::outcome::Outcome;

/// Refuses unless handoff `handoff_id` belongs to case `number` and `officer` may work it.
fn check_worked_handoff(
    conn: &mut DbConnection,
    number: &CaseNumber,
    handoff_id: HandoffId,
    officer: ActingOfficer,
) -> Result<(), WorkflowError> {
    let case = cases::find_by_number(conn, number)?.ok_or(diesel::result::Error::NotFound)?;
    if handoffs::get(conn, handoff_id)?.case_id != case.id {
        return Err(diesel::result::Error::NotFound.into());
    }
    officer.require_worker_of(&case)
}

/// Sends handoff `handoff_id` of case `number` to its regulator again.
pub fn resend(
    conn: &mut DbConnection,
    ctx: &HandoffContext,
    officer: ActingOfficer,
    number: &CaseNumber,
    handoff_id: HandoffId,
) -> Result<(), WorkflowError> {
    check_worked_handoff(conn, number, handoff_id, officer)?;
    if handoffs::get(conn, handoff_id)?
        .campaign_handoff_id
        .is_some()
    {
        // It went in its campaign's package, to be acknowledged with the campaign.
        return Err(WorkflowError::NotAllowed("campaign.resend_with_campaign"));
    }
    handoff::resend(conn, ctx, handoff_id, officer.id)
}

/// Records the outcome of handoff `handoff_id` of case `number`, as the officer was told it.
pub fn record_outcome(
    conn: &mut DbConnection,
    officer: ActingOfficer,
    number: &CaseNumber,
    handoff_id: HandoffId,
    outcome: Outcome,
    details: &str,
    links: &Links,
) -> Result<RegulatorAnswer, WorkflowError> {
    check_worked_handoff(conn, number, handoff_id, officer)?;
    handoff::record_outcome(
        conn,
        handoff_id,
        &handoff::OutcomeReport::plain(outcome, details),
        Actor::Officer(officer.id),
        links,
    )
}
