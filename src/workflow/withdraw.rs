//! The reporter withdrawing a report (any state before the handoff).

use super::{Links, WorkflowError, change_status};
use crate::db::{self, DbConnection, cases};
use crate::domain::audit::Actor;
use crate::domain::{CaseStatus, Transition};
use serde_json::json;

pub fn withdraw(
    conn: &mut DbConnection,
    case_id: i64,
    reason: Option<&str>,
    links: &Links,
) -> Result<CaseStatus, WorkflowError> {
    db::write_transaction(conn, |conn| {
        let case = cases::get(conn, case_id)?;
        let detail = match reason {
            Some(r) => json!({ "reason": r }),
            None => json!({}),
        };
        change_status(
            conn,
            &case,
            Transition::Withdraw,
            Actor::Reporter,
            detail,
            None,
            links,
        )
    })
}
