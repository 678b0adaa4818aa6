//! Confirming a report through the link in the first email (unconfirmed → submitted).

use super::{Links, WorkflowError, change_status};
use crate::db::{self, DbConnection, cases, tokens};
use crate::domain::audit::Actor;
use crate::domain::{CaseStatus, Transition};
use serde_json::json;

/// What a confirmation link leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// The link can confirm this case.
    Ready { case_number: String },
    /// This request confirmed the case.
    Confirmed { case_number: String },
    /// The link was used; the case is past confirmation.
    AlreadyUsed { case_number: String },
    /// Older than 72 hours.
    Expired,
    /// Not a link the portal made, or its report was purged or withdrawn.
    Unknown,
}

/// Looks at a link without changing anything (the page a mail scanner may open).
pub fn inspect(conn: &mut DbConnection, token: &str) -> Result<LinkState, WorkflowError> {
    let Some(row) = tokens::find(
        conn,
        crate::domain::email_token::TokenPurpose::Confirm,
        token,
    )?
    else {
        return Ok(LinkState::Unknown);
    };
    let case = cases::get(conn, row.case_id)?;
    if row.used_at.is_some() || case.status != CaseStatus::Unconfirmed {
        if case.status == CaseStatus::Withdrawn && row.used_at.is_none() {
            return Ok(LinkState::Unknown);
        }
        return Ok(LinkState::AlreadyUsed {
            case_number: case.case_number,
        });
    }
    if row.expires_at < db::now() {
        return Ok(LinkState::Expired);
    }
    Ok(LinkState::Ready {
        case_number: case.case_number,
    })
}

/// Confirms the case behind the link; `Confirmed` when this call did it.
pub fn confirm(
    conn: &mut DbConnection,
    token: &str,
    links: &Links,
) -> Result<LinkState, WorkflowError> {
    db::write_transaction(conn, |conn| {
        let state = inspect(conn, token)?;
        let LinkState::Ready { case_number } = state else {
            return Ok(state);
        };
        let Some(row) = tokens::find(
            conn,
            crate::domain::email_token::TokenPurpose::Confirm,
            token,
        )?
        else {
            return Ok(LinkState::Unknown);
        };
        if !tokens::mark_used(conn, row.id, db::now())? {
            return Ok(LinkState::AlreadyUsed { case_number });
        }
        let case = cases::get(conn, row.case_id)?;
        change_status(
            conn,
            &case,
            Transition::Confirm,
            Actor::Reporter,
            json!({}),
            None,
            links,
        )?;
        Ok(LinkState::Confirmed { case_number })
    })
}
