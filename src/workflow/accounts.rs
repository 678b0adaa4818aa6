//! Officer accounts: creating one (the `reviewwatch officer add` command and the demo data), and
//! an officer changing their password.

use super::WorkflowError;
use crate::db::{self, DbPool, login_attempts, officers};
use crate::domain::OfficerId;
use crate::domain::officer::{NewPassword, Role};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0} is not an email address")]
    BadEmail(String),
    #[error("the name must not be empty")]
    NoName,
    #[error("the role must be officer or supervisor")]
    BadRole,
    #[error(transparent)]
    Password(#[from] crate::domain::officer::PasswordError),
    #[error("an officer with the email {0} exists already")]
    Exists(String),
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error(transparent)]
    Db(#[from] db::DbError),
}

pub async fn add_officer(
    pool: &DbPool,
    email: &str,
    name: &str,
    role: &str,
    password: &str,
) -> Result<OfficerId, AccountError> {
    let email = email.trim().to_lowercase();
    if email.parse::<lettre::Address>().is_err() {
        return Err(AccountError::BadEmail(email));
    }
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(AccountError::NoName);
    }
    let role = Role::parse(role).ok_or(AccountError::BadRole)?;
    let hash = NewPassword::parse(password)?
        .hash()
        .map_err(|e| AccountError::Hash(e.to_string()))?;
    db::run_with(pool, move |conn| {
        if officers::find_by_email(conn, &email)
            .map_err(db::DbError::from)?
            .is_some()
        {
            return Err(AccountError::Exists(email));
        }
        let now = db::now();
        let id = officers::insert(
            conn,
            &officers::NewOfficer {
                email: &email,
                name: &name,
                role,
                password_hash: &hash,
                active: true,
                created_at: now,
                password_changed_at: now,
                activated_at: Some(now),
            },
        )
        .map_err(db::DbError::from)?;
        Ok(id)
    })
    .await
}

/// An officer's new password, once their current one matched: kept hashed; their other sessions
/// end, and their other browsers are forgotten, so only `this_device` keeps its way past a lock.
pub async fn change_password(
    pool: &DbPool,
    officer_id: OfficerId,
    session_id: i64,
    this_device: Option<crate::domain::DeviceId>,
    new: NewPassword,
) -> Result<(), WorkflowError> {
    let hash = tokio::task::spawn_blocking(move || new.hash())
        .await
        .map_err(WorkflowError::internal)?
        .map_err(|e| WorkflowError::internal(anyhow::anyhow!("hashing: {e}")))?;
    db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            officers::set_password(conn, officer_id, &hash, db::now())?;
            // Other devices signed in with the old password are signed out, and no longer
            // known: only this browser keeps its way past a lock.
            officers::delete_other_sessions(conn, officer_id, session_id)?;
            login_attempts::revoke_other_devices(conn, officer_id, this_device)?;
            let change = super::account_events::AccountChange {
                actor: Some(officer_id),
                subject: officer_id,
                action: crate::domain::account::AccountAction::PasswordChanged,
                detail: serde_json::json!({}),
            };
            super::account_events::record(conn, &change, db::now())?;
            Ok::<_, WorkflowError>(())
        })
    })
    .await?;
    tracing::info!(officer = %officer_id, "officer changed password");
    Ok(())
}
