//! A supervisor running the team: inviting officers, deactivating and reactivating them,
//! changing roles, sending a password reset link. Each step is one transaction with its account
//! trail entry (`account_events::record`) and its mail.

use super::account_events::{AccountChange, record};
use super::{ActingOfficer, Links, WorkflowError};
use crate::db::account_events::AccountEventRow;
use crate::db::officers::{self, OfficerRow};
use crate::db::{self, DbConnection, DbPool, audit, cases, officer_links, tokens};
use crate::domain::OfficerId;
use crate::domain::account::{
    AccountAction, AccountStatus, LinkPurpose, would_leave_no_supervisor,
};
use crate::domain::audit::{Actor, AuditAction, Visibility};
use crate::domain::officer::Role;
use crate::mail::{self, messages::OfficerLinkEmail};
use chrono::NaiveDateTime;
use serde_json::json;
use std::collections::HashMap;

/// How many account trail entries the team page shows.
pub const TRAIL_SHOWN: i64 = 200;

/// One officer as the team page lists them.
#[derive(Debug, Clone)]
pub struct Member {
    pub officer: OfficerRow,
    pub status: AccountStatus,
    /// Cases assigned to them in an open status.
    pub open_cases: i64,
    /// Whether their sign-in asks for a code from an authenticator app.
    pub second_factor: bool,
}

/// What the team page shows: every officer, and the account trail, newest first.
#[derive(Debug, Clone)]
pub struct Team {
    pub members: Vec<Member>,
    pub trail: Vec<AccountEventRow>,
}

/// The team, for a supervisor.
pub async fn team(pool: &DbPool, acting: ActingOfficer) -> Result<Team, WorkflowError> {
    acting.require_supervisor()?;
    db::run_with(pool, |conn| {
        let counts: HashMap<OfficerId, i64> =
            cases::open_counts_by_assignee(conn)?.into_iter().collect();
        let all = officers::list_all(conn)?;
        let ids: Vec<OfficerId> = all.iter().map(|o| o.id).collect();
        let with_second_factor = db::second_factor::enabled_for(conn, &ids)?;
        let members = all
            .into_iter()
            .map(|officer| Member {
                status: AccountStatus::of(officer.active, officer.activated_at),
                open_cases: counts.get(&officer.id).copied().unwrap_or(0),
                second_factor: with_second_factor.contains(&officer.id),
                officer,
            })
            .collect();
        let trail = db::account_events::latest(conn, TRAIL_SHOWN)?;
        Ok(Team { members, trail })
    })
    .await
}

/// An invitation as the form gives it.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub email: String,
    pub name: String,
    pub role: String,
}

/// Invites an officer: an account that cannot sign in yet, and an email with a one-time link
/// (72 hours) where they set their password. An address that has an account is refused; one
/// that was only invited is invited again (its earlier links end).
pub async fn invite_officer(
    pool: &DbPool,
    acting: ActingOfficer,
    invitation: Invitation,
    links: Links,
) -> Result<OfficerId, WorkflowError> {
    acting.require_supervisor()?;
    let email = invitation.email.trim().to_lowercase();
    let name = invitation.name.trim().to_string();
    if email.is_empty() || email.len() > 254 || email.parse::<lettre::Address>().is_err() {
        return Err(WorkflowError::Invalid("team.bad_email"));
    }
    if name.is_empty() || name.chars().count() > 100 {
        return Err(WorkflowError::Invalid("team.bad_name"));
    }
    let role =
        Role::parse(invitation.role.trim()).ok_or(WorkflowError::Invalid("team.bad_role"))?;
    db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let now = db::now();
            let id = match officers::find_by_email(conn, &email)? {
                Some(o) if o.activated_at.is_some() => {
                    return Err(WorkflowError::Invalid("team.exists"));
                }
                Some(o) => {
                    officers::set_name_and_role(conn, o.id, &name, role)?;
                    officer_links::expire_all(conn, o.id, LinkPurpose::Invite, now)?;
                    o.id
                }
                None => officers::insert(
                    conn,
                    &officers::NewOfficer {
                        email: &email,
                        name: &name,
                        role,
                        // No password until the officer sets one: nothing can match it.
                        password_hash: "",
                        active: false,
                        created_at: now,
                        password_changed_at: now,
                        activated_at: None,
                    },
                )?,
            };
            send_link(conn, id, &name, &email, LinkPurpose::Invite, &links, now)?;
            let detail = json!({ "role": role.as_str() });
            let change = change(Some(acting.id), id, AccountAction::Invited, detail);
            record(conn, &change, now)?;
            Ok(id)
        })
    })
    .await
}

fn change(
    actor: Option<OfficerId>,
    subject: OfficerId,
    action: AccountAction,
    detail: serde_json::Value,
) -> AccountChange {
    AccountChange {
        actor,
        subject,
        action,
        detail,
    }
}

/// Makes a one-time link of `purpose` for the officer and queues the email that carries it, in
/// the caller's transaction. Only the token's hash is kept.
pub(super) fn send_link(
    conn: &mut DbConnection,
    officer_id: OfficerId,
    name: &str,
    email: &str,
    purpose: LinkPurpose,
    links: &Links,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    let (token, token_hash) = tokens::generate();
    officer_links::insert(
        conn,
        &officer_links::NewLink {
            officer_id,
            purpose,
            token_hash: &token_hash,
            created_at: now,
            expires_at: now + purpose.lifetime(),
        },
    )?;
    let url = match purpose {
        LinkPurpose::Invite => links.officer_invite(&token),
        LinkPurpose::Reset => links.password_reset(&token),
    };
    let composed = OfficerLinkEmail {
        purpose,
        officer_name: name.to_string(),
        url,
        expires_hours: purpose.lifetime().num_hours(),
    }
    .compose()?;
    mail::enqueue(conn, None, email, &composed, now)?;
    Ok(())
}

/// The officer a step is about, or the message that there is none.
fn target(conn: &mut DbConnection, id: OfficerId) -> Result<OfficerRow, WorkflowError> {
    use diesel::OptionalExtension;
    officers::get(conn, id)
        .optional()?
        .ok_or(WorkflowError::Invalid("team.unknown_officer"))
}

/// Refuses a change that would leave no active supervisor.
fn keep_a_supervisor(conn: &mut DbConnection, target: &OfficerRow) -> Result<(), WorkflowError> {
    let supervisors = officers::lock_active_supervisors(conn)?;
    if would_leave_no_supervisor(target.role, target.active, supervisors.len() as i64) {
        return Err(WorkflowError::Invalid("team.last_supervisor"));
    }
    Ok(())
}

/// Deactivates an officer: every session of theirs ends at once, they can no longer sign in,
/// their pending reset links stop, and each of their open cases keeps its status but loses its
/// assignee, with an entry in its trail, so the queue shows it unassigned. Returns how many
/// cases were taken off them. The last active supervisor cannot be deactivated.
pub async fn deactivate_officer(
    pool: &DbPool,
    acting: ActingOfficer,
    officer_id: OfficerId,
) -> Result<usize, WorkflowError> {
    acting.require_supervisor()?;
    db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let officer = target(conn, officer_id)?;
            if !officer.active {
                // Sent twice, or inactive already: nothing more to do.
                return Ok(0);
            }
            keep_a_supervisor(conn, &officer)?;
            let now = db::now();
            officers::set_active(conn, officer_id, false)?;
            let sessions = officers::delete_all_sessions(conn, officer_id)?;
            officer_links::expire_all(conn, officer_id, LinkPurpose::Reset, now)?;
            let open = cases::open_assigned_to(conn, officer_id)?;
            for case in &open {
                if !cases::assign(conn, case.id, case.version, None, now)? {
                    return Err(WorkflowError::Conflict);
                }
                let entry = unassigned_entry(Actor::Officer(acting.id), officer_id, now);
                audit::append(conn, &entry.of_case(case.id))?;
            }
            let detail = json!({ "cases_unassigned": open.len(), "sessions_ended": sessions });
            let change = change(
                Some(acting.id),
                officer_id,
                AccountAction::Deactivated,
                detail,
            );
            record(conn, &change, now)?;
            Ok(open.len())
        })
    })
    .await
}

/// The case trail entry of an assignee taken off a case because they were deactivated.
pub fn unassigned_entry(by: Actor, officer_id: OfficerId, at: NaiveDateTime) -> audit::NewEntry {
    audit::NewEntry {
        actor: by,
        action: AuditAction::Unassigned,
        detail: json!({ "officer_id": officer_id, "reason": "deactivated" }),
        visibility: Visibility::OfficersOnly,
        at,
    }
}

/// Lets a deactivated officer sign in again (their cases stay where they are now).
pub async fn reactivate_officer(
    pool: &DbPool,
    acting: ActingOfficer,
    officer_id: OfficerId,
) -> Result<(), WorkflowError> {
    acting.require_supervisor()?;
    db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let officer = target(conn, officer_id)?;
            match AccountStatus::of(officer.active, officer.activated_at) {
                AccountStatus::Active => return Ok(()),
                AccountStatus::Invited => return Err(WorkflowError::Invalid("team.not_activated")),
                AccountStatus::Deactivated => {}
            }
            let now = db::now();
            officers::set_active(conn, officer_id, true)?;
            let change = change(
                Some(acting.id),
                officer_id,
                AccountAction::Reactivated,
                json!({}),
            );
            record(conn, &change, now)?;
            Ok(())
        })
    })
    .await
}

/// Gives an officer another role. The last active supervisor cannot be made an officer.
pub async fn change_role(
    pool: &DbPool,
    acting: ActingOfficer,
    officer_id: OfficerId,
    role: &str,
) -> Result<(), WorkflowError> {
    acting.require_supervisor()?;
    let role = Role::parse(role.trim()).ok_or(WorkflowError::Invalid("team.bad_role"))?;
    db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let officer = target(conn, officer_id)?;
            if officer.role == role {
                return Ok(());
            }
            keep_a_supervisor(conn, &officer)?;
            let now = db::now();
            officers::set_role(conn, officer_id, role)?;
            let detail = json!({ "from": officer.role.as_str(), "to": role.as_str() });
            let change = change(
                Some(acting.id),
                officer_id,
                AccountAction::RoleChanged,
                detail,
            );
            record(conn, &change, now)?;
            Ok(())
        })
    })
    .await
}

/// A supervisor sends an active officer a password reset link (1 hour, once). Nobody but the
/// officer ever sees or chooses the new password.
pub async fn send_reset_link(
    pool: &DbPool,
    acting: ActingOfficer,
    officer_id: OfficerId,
    links: Links,
) -> Result<(), WorkflowError> {
    acting.require_supervisor()?;
    db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let officer = target(conn, officer_id)?;
            if !officer.active {
                return Err(WorkflowError::Invalid("team.reset_needs_active"));
            }
            let now = db::now();
            officer_links::expire_all(conn, officer_id, LinkPurpose::Reset, now)?;
            let (name, email) = (&officer.name, &officer.email);
            send_link(
                conn,
                officer_id,
                name,
                email,
                LinkPurpose::Reset,
                &links,
                now,
            )?;
            let detail = json!({ "requested_by": "supervisor" });
            let change = change(
                Some(acting.id),
                officer_id,
                AccountAction::ResetLinkSent,
                detail,
            );
            record(conn, &change, now)?;
            Ok(())
        })
    })
    .await
}
