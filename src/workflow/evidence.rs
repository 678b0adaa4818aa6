//! Officers opening a case's evidence: any officer may look at the evidence of a case in the
//! queue, and every download of an original is written in the case's audit trail before the
//! file goes out.

use super::{ActingOfficer, WorkflowError};
use crate::db::{self, DbConnection, audit, cases, evidence};
use crate::domain::EvidenceId;
use crate::domain::audit::{Actor, Visibility};
use crate::domain::{CaseNumber, CaseStatus};
use serde_json::json;

/// The evidence row `evidence_id` of case `number`, for `officer`; an original (`original`) is
/// audited first.
pub fn open_for_officer(
    conn: &mut DbConnection,
    officer: ActingOfficer,
    number: &CaseNumber,
    evidence_id: EvidenceId,
    original: bool,
) -> Result<evidence::EvidenceRow, WorkflowError> {
    // An unconfirmed report is unreachable for officers, its evidence as much as its page.
    let case = cases::find_by_number(conn, number)?
        .filter(|c| c.status != CaseStatus::Unconfirmed)
        .ok_or(diesel::result::Error::NotFound)?;
    let row = evidence::get(conn, case.id, evidence_id)?;
    if original {
        let _span = tracing::info_span!("case", case = %case.case_number).entered();
        db::write_transaction(conn, |conn| {
            audit::append(
                conn,
                &audit::NewAuditEntry {
                    case_id: case.id,
                    actor: Actor::Officer(officer.id),
                    action: crate::domain::audit::AuditAction::EvidenceDownloaded,
                    detail: &json!({ "position": row.position, "sha256": row.sha256 }),
                    visibility: Visibility::OfficersOnly,
                    at: db::now(),
                },
            )
        })?;
        tracing::info!(evidence = %evidence_id, "original evidence downloaded");
    }
    Ok(row)
}
