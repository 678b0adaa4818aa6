//! Password checks (signing in, and the current password on the password page): each attempt is
//! counted in the database before its password is checked, so that guesses sent at once, to one
//! instance or to several, cannot all be checked; and browsers an officer signed in from before
//! keep their way in while an attacker's guesses keep the account locked.

use crate::db::login_attempts::{self as attempts, Counted, NewAttempt};
use crate::db::officers::{self, OfficerRow};
use crate::db::{self, DbError, DbPool, tokens};
use crate::domain::login::{ATTEMPTS_KEPT, AttemptOutcome, DEVICE_LIFETIME, Throttle};
use crate::domain::{DeviceId, OfficerId};

/// Who is trying: the client address, the email typed (normalised), and the device cookie the
/// browser presented, if any.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub address: String,
    pub email: String,
    pub device_token: Option<String>,
}

/// Why a check was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many failures from this client address.
    Address { wait: std::time::Duration },
    /// Too many failures for this account (or, for a known browser, from that browser).
    Account { wait: std::time::Duration },
}

/// An attempt that may be checked: its row is written (pending, counting as a failure).
#[derive(Debug)]
pub struct Admitted {
    attempt_id: i64,
    /// The known browser the attempt came from, if it presented a valid device cookie.
    pub device_id: Option<DeviceId>,
    email: String,
    /// The account with that email, if there is one.
    pub officer: Option<OfficerRow>,
}

pub enum Admission {
    Admitted(Admitted),
    Refused(Refusal),
}

/// Counts the attempt, then decides from the count whether its password may be checked. The
/// decision and the attempt's row are one transaction holding the rows of its throttle keys, so
/// concurrent attempts on the same address, account or browser are decided one after the other.
pub async fn admit(
    pool: &DbPool,
    attempt: Attempt,
    per_address: Option<Throttle>,
) -> Result<Admission, DbError> {
    db::run(pool, move |conn| {
        let now = db::now();
        let device = match &attempt.device_token {
            Some(token) => attempts::find_device(
                conn,
                &tokens::hash_token(token),
                &attempt.email,
                now - DEVICE_LIFETIME,
            )?
            .map(|d| d.id),
            None => None,
        };
        let (who, throttle, own_key) = match device {
            Some(id) => (
                Counted::Device(id),
                Throttle::DEVICE,
                format!("device:{id}"),
            ),
            None => (
                Counted::Account(&attempt.email),
                Throttle::ACCOUNT,
                format!("account:{}", attempt.email),
            ),
        };
        // Always the address first, then the account or browser: no two deciders wait in a circle.
        let keys = [format!("address:{}", attempt.address), own_key];
        attempts::ensure_keys(conn, &keys, now)?;
        let decided = db::write_transaction(conn, |conn| {
            attempts::lock_keys(conn, &keys, now)?;
            let mut refusal = None;
            if let Some(limit) = per_address {
                let (n, oldest) = attempts::failures_since(
                    conn,
                    Counted::Address(&attempt.address),
                    limit.since(now),
                )?;
                refusal = limit
                    .wait(n, oldest, now)
                    .map(|wait| Refusal::Address { wait });
            }
            if refusal.is_none() {
                let (n, oldest) = attempts::failures_since(conn, who, throttle.since(now))?;
                refusal = throttle
                    .wait(n, oldest, now)
                    .map(|wait| Refusal::Account { wait });
            }
            let outcome = if refusal.is_some() {
                AttemptOutcome::Refused
            } else {
                AttemptOutcome::Pending
            };
            let id = attempts::insert(
                conn,
                &NewAttempt {
                    address: &attempt.address,
                    email: &attempt.email,
                    device_id: device,
                    attempted_at: now,
                    outcome,
                },
            )?;
            Ok::<_, diesel::result::Error>((id, refusal))
        })?;
        match decided {
            (_, Some(refusal)) => Ok(Admission::Refused(refusal)),
            (attempt_id, None) => {
                let officer = officers::find_by_email(conn, &attempt.email)?;
                Ok(Admission::Admitted(Admitted {
                    attempt_id,
                    device_id: device,
                    email: attempt.email,
                    officer,
                }))
            }
        }
    })
    .await
}

/// Records how the check went. A success forgives the earlier failures of the account (or of the
/// known browser it came from); the address keeps counting them.
pub async fn settle(pool: &DbPool, admitted: &Admitted, matched: bool) -> Result<(), DbError> {
    let (id, device, email) = (
        admitted.attempt_id,
        admitted.device_id,
        admitted.email.clone(),
    );
    db::run(pool, move |conn| {
        if !matched {
            attempts::set_outcome(conn, id, AttemptOutcome::Failed)?;
            return Ok(());
        }
        db::write_transaction(conn, |conn| {
            attempts::set_outcome(conn, id, AttemptOutcome::Succeeded)?;
            match device {
                Some(d) => attempts::clear(conn, Counted::Device(d)),
                None => attempts::clear(conn, Counted::Account(&email)),
            }
        })?;
        Ok(())
    })
    .await
}

/// After a successful sign-in: the browser's device cookie is refreshed if it had a valid one
/// for this officer; otherwise a new one is made. Returns the new token to set, if any.
pub async fn remember_device(
    pool: &DbPool,
    officer_id: OfficerId,
    known: Option<DeviceId>,
) -> Result<Option<String>, DbError> {
    db::run(pool, move |conn| {
        let now = db::now();
        if let Some(id) = known {
            attempts::touch_device(conn, id, now)?;
            return Ok(None);
        }
        let (token, hash) = tokens::generate();
        attempts::insert_device(conn, officer_id, &hash, now)?;
        Ok(Some(token))
    })
    .await
}

/// Hourly housekeeping: attempts no rule counts any more, browsers past their lifetime.
pub async fn purge_old_attempts(pool: &DbPool) -> Result<usize, DbError> {
    db::run(pool, |conn| {
        let now = db::now();
        Ok(attempts::purge(
            conn,
            now - ATTEMPTS_KEPT,
            now - DEVICE_LIFETIME,
        )?)
    })
    .await
}
