//! The reporter withdrawing a report (any state before the handoff).

use super::{Links, WorkflowError, change_status};
use crate::db::{self, DbConnection, cases, notes};
use crate::domain::CaseId;
use crate::domain::audit::Actor;
use crate::domain::{CaseStatus, Transition};
use serde_json::json;

pub fn withdraw(
    conn: &mut DbConnection,
    case_id: CaseId,
    reason: Option<&str>,
    links: &Links,
) -> Result<CaseStatus, WorkflowError> {
    db::write_transaction(conn, |conn| {
        let case = cases::get(conn, case_id)?;
        // The reporter's words are kept as their message; the trail refers to it by id.
        let reason_message_id = match reason {
            Some(r) => {
                case.status.apply(Transition::Withdraw)?;
                Some(notes::add_message(conn, case_id, None, r, db::now())?)
            }
            None => None,
        };
        change_status(
            conn,
            &case,
            Transition::Withdraw,
            Actor::Reporter,
            withdraw_detail(reason_message_id),
            None,
            links,
        )
    })
}

/// The detail of a withdrawal: the reporter's reason by id, when they gave one.
pub fn withdraw_detail(reason_message_id: Option<i64>) -> serde_json::Value {
    match reason_message_id {
        Some(id) => json!({ "reason_message_id": id }),
        None => json!({}),
    }
}
