//! An officer's verdict on a suggested link between two cases: confirmed (one chain) or
//! rejected (not related), recorded once per pair and in both cases' audit trails.

use super::WorkflowError;
use super::review::ActingOfficer;
use crate::db::{self, DbConnection, audit, case_links, cases};
use crate::domain::audit::{Actor, AuditAction, Visibility};
use crate::domain::links::{LinkReason, LinkVerdict};
use crate::domain::{CaseNumber, CaseStatus};
use serde_json::json;

/// Records `verdict` on the link between the cases `number` and `other`, as the page showed it
/// with `reasons`.
pub fn decide(
    conn: &mut DbConnection,
    number: &CaseNumber,
    other: &CaseNumber,
    verdict: LinkVerdict,
    reasons: &[LinkReason],
    officer: ActingOfficer,
) -> Result<(), WorkflowError> {
    db::write_transaction(conn, |conn| {
        let case = open(conn, number)?;
        let other_case = open(conn, other)?;
        if case.id == other_case.id {
            return Err(WorkflowError::Invalid("links.not_itself"));
        }
        let _span = tracing::info_span!("case", case = %case.case_number).entered();
        let now = db::now();
        let reason_list: Vec<&str> = reasons.iter().map(|r| r.as_str()).collect();
        case_links::decide(
            conn,
            case.id,
            other_case.id,
            verdict,
            &reason_list.join(","),
            officer.id,
            now,
        )?;
        let action = match verdict {
            LinkVerdict::Confirmed => AuditAction::LinkConfirmed,
            LinkVerdict::Rejected => AuditAction::LinkRejected,
        };
        for (this, that) in [(&case, &other_case), (&other_case, &case)] {
            audit::append(
                conn,
                &audit::NewEntry {
                    actor: Actor::Officer(officer.id),
                    action,
                    detail: json!({ "case": that.case_number, "reasons": reason_list }),
                    visibility: Visibility::OfficersOnly,
                    at: now,
                }
                .of_case(this.id),
            )?;
        }
        tracing::info!(other = %other_case.case_number, verdict = verdict.as_str(), "link decided");
        Ok(())
    })
}

fn open(conn: &mut DbConnection, number: &CaseNumber) -> Result<cases::CaseRow, WorkflowError> {
    cases::find_by_number(conn, number)?
        .filter(|c| c.status != CaseStatus::Unconfirmed)
        .ok_or(WorkflowError::Invalid("links.unknown_case"))
}
