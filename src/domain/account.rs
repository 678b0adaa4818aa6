//! Officer accounts as a supervisor runs them: what state an account is in, the one-time links
//! that let an officer set a password, what the account trail records, and the rule that keeps
//! one supervisor at least.

use super::keyword::keyword_enum;
use super::officer::Role;
use chrono::{NaiveDateTime, TimeDelta};

keyword_enum! {
    /// What an account trail entry records. An open set: a later change (a second factor) adds
    /// its action here and the table needs no change.
    pub enum AccountAction {
        Invited => "invited",
        Activated => "activated",
        Deactivated => "deactivated",
        Reactivated => "reactivated",
        RoleChanged => "role_changed",
        ResetLinkSent => "reset_link_sent",
        PasswordReset => "password_reset",
        PasswordChanged => "password_changed",
        SecondFactorOn => "second_factor_on",
        SecondFactorOff => "second_factor_off",
        RecoveryCodesRenewed => "recovery_codes_renewed",
        SecondFactorRequirement => "second_factor_requirement",
        /// The officer exported a view of the queue (CSV or XLSX).
        QueueExported => "queue_exported",
    }
}

keyword_enum! {
    /// What a one-time officer link is for.
    pub enum LinkPurpose {
        /// An invitation: the new officer sets their first password.
        Invite => "invite",
        /// A password reset the officer asked for, or a supervisor sent.
        Reset => "reset",
    }
}

impl LinkPurpose {
    /// How long a link works.
    pub fn lifetime(self) -> TimeDelta {
        match self {
            LinkPurpose::Invite => TimeDelta::hours(72),
            LinkPurpose::Reset => TimeDelta::hours(1),
        }
    }
}

keyword_enum! {
    /// Where an account stands.
    pub enum AccountStatus {
        Active => "active",
        Deactivated => "deactivated",
        /// Invited, and the officer has not set a password yet.
        Invited => "invited",
    }
}

impl AccountStatus {
    pub fn of(active: bool, activated_at: Option<NaiveDateTime>) -> Self {
        match (active, activated_at) {
            (true, _) => AccountStatus::Active,
            (false, Some(_)) => AccountStatus::Deactivated,
            (false, None) => AccountStatus::Invited,
        }
    }
}

/// Why a one-time link does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    Unknown,
    Used,
    Expired,
}

/// Whether a link created for `purpose`, used at `used_at` and expiring at `expires_at`, still
/// works at `now`.
pub fn check_link(
    used_at: Option<NaiveDateTime>,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), LinkProblem> {
    if used_at.is_some() {
        Err(LinkProblem::Used)
    } else if now >= expires_at {
        Err(LinkProblem::Expired)
    } else {
        Ok(())
    }
}

/// Whether taking away `target`'s supervisor role or access leaves nobody to run the team:
/// `active_supervisors` counts the active supervisors, the target among them if it is one.
pub fn would_leave_no_supervisor(
    target_role: Role,
    target_active: bool,
    active_supervisors: i64,
) -> bool {
    target_role == Role::Supervisor && target_active && active_supervisors <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + h * 3600, 0)
            .map(|d| d.naive_utc())
            .unwrap_or_default()
    }

    #[test]
    fn a_link_works_once_and_until_it_expires() {
        assert_eq!(check_link(None, at(72), at(71)), Ok(()));
        assert_eq!(check_link(None, at(72), at(72)), Err(LinkProblem::Expired));
        assert_eq!(
            check_link(Some(at(1)), at(72), at(2)),
            Err(LinkProblem::Used)
        );
        assert_eq!(LinkPurpose::Invite.lifetime(), TimeDelta::hours(72));
        assert_eq!(LinkPurpose::Reset.lifetime(), TimeDelta::hours(1));
    }

    #[test]
    fn the_last_active_supervisor_is_kept() {
        assert!(would_leave_no_supervisor(Role::Supervisor, true, 1));
        assert!(!would_leave_no_supervisor(Role::Supervisor, true, 2));
        assert!(!would_leave_no_supervisor(Role::Officer, true, 1));
        assert!(!would_leave_no_supervisor(Role::Supervisor, false, 1));
    }

    #[test]
    fn an_account_is_invited_until_first_activated() {
        assert_eq!(AccountStatus::of(false, None), AccountStatus::Invited);
        assert_eq!(AccountStatus::of(true, Some(at(0))), AccountStatus::Active);
        assert_eq!(
            AccountStatus::of(false, Some(at(0))),
            AccountStatus::Deactivated
        );
    }
}
