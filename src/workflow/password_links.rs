//! The steps behind an officer's one-time links: asking for a reset link, opening a link, and
//! setting a password with it (an invitation activates the account; a reset ends every session
//! and forgets every known browser).

use super::account_events::{AccountChange, record};
use super::team::send_link;
use super::{Links, WorkflowError};
use crate::db::login_attempts::{self, Counted};
use crate::db::officer_links::{self, LinkRow};
use crate::db::officers::{self, OfficerRow};
use crate::db::{self, DbConnection, DbPool, tokens};
use crate::domain::OfficerId;
use crate::domain::account::{AccountAction, AccountStatus, LinkProblem, LinkPurpose, check_link};
use crate::domain::officer::NewPassword;
use chrono::TimeDelta;
use serde_json::json;

/// At most this many reset links are mailed to one account per hour, however often it is asked.
pub const RESETS_PER_HOUR: i64 = 3;

/// Why a link step did not happen.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the link does not work: {0:?}")]
    Link(LinkProblem),
    #[error(transparent)]
    Failed(#[from] WorkflowError),
}

impl From<diesel::result::Error> for LinkError {
    fn from(e: diesel::result::Error) -> Self {
        LinkError::Failed(e.into())
    }
}

impl From<db::DbError> for LinkError {
    fn from(e: db::DbError) -> Self {
        LinkError::Failed(e.into())
    }
}

/// Someone asked for a reset link for `email` on the login page. The same answer follows
/// whether or not the account exists; an active account gets the email (at most
/// `RESETS_PER_HOUR` an hour).
pub async fn request_reset(
    pool: &DbPool,
    email: String,
    links: Links,
) -> Result<(), WorkflowError> {
    db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let Some(officer) = officers::find_by_email(conn, &email)? else {
                return Ok(());
            };
            if !officer.active {
                return Ok(());
            }
            let now = db::now();
            let recent = officer_links::count_since(
                conn,
                officer.id,
                LinkPurpose::Reset,
                now - TimeDelta::hours(1),
            )?;
            if recent >= RESETS_PER_HOUR {
                tracing::info!(officer = %officer.id, "reset link not sent: enough this hour");
                return Ok(());
            }
            officer_links::expire_all(conn, officer.id, LinkPurpose::Reset, now)?;
            let (id, name, email) = (officer.id, &officer.name, &officer.email);
            send_link(conn, id, name, email, LinkPurpose::Reset, &links, now)?;
            let change = AccountChange {
                actor: None,
                subject: id,
                action: AccountAction::ResetLinkSent,
                detail: json!({ "requested_by": "login_page" }),
            };
            record(conn, &change, now)?;
            Ok(())
        })
    })
    .await
}

/// The link and its officer, if the link works now: known, unused, unexpired, and its account
/// in the state it was made for (invited for an invitation, active for a reset).
fn usable(
    conn: &mut DbConnection,
    purpose: LinkPurpose,
    token: &str,
) -> Result<(LinkRow, OfficerRow), LinkError> {
    let link = officer_links::find(conn, purpose, &tokens::hash_token(token))?
        .ok_or(LinkError::Link(LinkProblem::Unknown))?;
    check_link(link.used_at, link.expires_at, db::now()).map_err(LinkError::Link)?;
    let officer = officers::get(conn, link.officer_id)?;
    let expected = match purpose {
        LinkPurpose::Invite => AccountStatus::Invited,
        LinkPurpose::Reset => AccountStatus::Active,
    };
    if AccountStatus::of(officer.active, officer.activated_at) != expected {
        return Err(LinkError::Link(LinkProblem::Used));
    }
    Ok((link, officer))
}

/// Whom a working link is for (its page greets them by name).
pub async fn open_link(
    pool: &DbPool,
    purpose: LinkPurpose,
    token: String,
) -> Result<String, LinkError> {
    db::run_with(pool, move |conn| {
        usable(conn, purpose, &token).map(|(_, officer)| officer.name)
    })
    .await
}

async fn hash(password: NewPassword) -> Result<String, WorkflowError> {
    tokio::task::spawn_blocking(move || password.hash())
        .await
        .map_err(WorkflowError::internal)?
        .map_err(|e| WorkflowError::internal(anyhow::anyhow!("hashing: {e}")))
}

/// Sets a password through a link of `purpose`, once. An invitation activates the account; a
/// reset ends every session of the officer, forgets their browsers and forgives the failed
/// sign-ins that locked the account. Either way the officer then signs in on the login page.
pub async fn set_password(
    pool: &DbPool,
    purpose: LinkPurpose,
    token: String,
    password: NewPassword,
) -> Result<OfficerId, LinkError> {
    let hash = hash(password).await?;
    let id = db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let (link, officer) = usable(conn, purpose, &token)?;
            let now = db::now();
            if !officer_links::mark_used(conn, link.id, now)? {
                return Err(LinkError::Link(LinkProblem::Used));
            }
            let action = match purpose {
                LinkPurpose::Invite => {
                    officers::activate(conn, officer.id, &hash, now)?;
                    AccountAction::Activated
                }
                LinkPurpose::Reset => {
                    officers::set_password(conn, officer.id, &hash, now)?;
                    officers::delete_all_sessions(conn, officer.id)?;
                    login_attempts::revoke_other_devices(conn, officer.id, None)?;
                    login_attempts::clear(conn, Counted::Account(&officer.email))?;
                    officer_links::expire_all(conn, officer.id, LinkPurpose::Reset, now)?;
                    AccountAction::PasswordReset
                }
            };
            let change = AccountChange {
                actor: Some(officer.id),
                subject: officer.id,
                action,
                detail: json!({}),
            };
            record(conn, &change, now)?;
            Ok(officer.id)
        })
    })
    .await?;
    Ok(id)
}
