//! The account audit trail: every change to an officer's account, written in the transaction of
//! the change. Later steps on accounts (a second factor) record theirs through `record` too.

use crate::db::DbConnection;
use crate::db::account_events::{self, NewAccountEvent};
use crate::domain::OfficerId;
use crate::domain::account::AccountAction;

/// One change to record: who (none for the officer acting through an emailed link), whose
/// account, what, and its facts (never a password or a token).
#[derive(Debug, Clone)]
pub struct AccountChange {
    pub actor: Option<OfficerId>,
    pub subject: OfficerId,
    pub action: AccountAction,
    pub detail: serde_json::Value,
}

/// Records `change` at `at`, in the caller's transaction.
pub fn record(
    conn: &mut DbConnection,
    change: &AccountChange,
    at: chrono::NaiveDateTime,
) -> diesel::QueryResult<()> {
    let detail = change.detail.to_string();
    account_events::insert(
        conn,
        &NewAccountEvent {
            at,
            actor_id: change.actor,
            subject_id: change.subject,
            action: change.action,
            detail: &detail,
        },
    )?;
    tracing::info!(
        actor = ?change.actor.map(|a| a.get()),
        subject = %change.subject,
        action = change.action.as_str(),
        "account changed"
    );
    Ok(())
}
