//! Password checks (signing in, and the current password on the password page): each attempt is
//! counted in the database before its password is checked, so that guesses sent at once, to one
//! instance or to several, cannot all be checked; and browsers an officer signed in from before
//! keep their way in while an attacker's guesses keep the account locked.

use super::WorkflowError;
use crate::db::login_attempts::{self as attempts, Counted, NewAttempt};
use crate::db::officers::{self, OfficerRow};
use crate::db::{self, DbError, DbPool, tokens};
use crate::domain::login::{ATTEMPTS_KEPT, AttemptOutcome, DEVICE_LIFETIME, Throttle};
use crate::domain::{DeviceId, OfficerId};
use std::future::Future;

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

/// Records how a password check went. A success forgives the earlier failures of the account
/// (or of the known browser it came from); the address keeps counting them. For an officer with
/// a second factor, only the right code forgives: otherwise a stolen password, typed again after
/// every few wrong codes, would wipe the count that throttles guessing the code.
pub async fn settle(pool: &DbPool, admitted: &Admitted, matched: bool) -> Result<(), DbError> {
    settle_with(pool, admitted, matched, Forgive::UnlessSecondFactor).await
}

/// Records how a second-factor code check went: the right code forgives, as a password would.
pub async fn settle_code(pool: &DbPool, admitted: &Admitted, matched: bool) -> Result<(), DbError> {
    settle_with(pool, admitted, matched, Forgive::Always).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Forgive {
    Always,
    UnlessSecondFactor,
}

async fn settle_with(
    pool: &DbPool,
    admitted: &Admitted,
    matched: bool,
    forgive: Forgive,
) -> Result<(), DbError> {
    let (id, device, email) = (
        admitted.attempt_id,
        admitted.device_id,
        admitted.email.clone(),
    );
    let officer = admitted.officer.as_ref().map(|o| o.id);
    db::run(pool, move |conn| {
        if !matched {
            attempts::set_outcome(conn, id, AttemptOutcome::Failed)?;
            return Ok(());
        }
        let second_factor = match officer {
            Some(o) if forgive == Forgive::UnlessSecondFactor => {
                db::second_factor::is_enabled(conn, o)?
            }
            _ => false,
        };
        if second_factor {
            attempts::set_outcome(conn, id, AttemptOutcome::Succeeded)?;
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

/// How a password check went.
#[derive(Debug)]
pub enum Check {
    Matched(Admitted),
    Mismatched,
    Refused(Refusal),
}

/// Checks a password for `attempt.email` the one way every password is checked: the attempt
/// counted in the database, and refused there if a lock says so; only then `verify` (the argon2
/// check, given the account's hash, or none for no such account or an inactive one); its outcome
/// recorded.
pub async fn check_password<F, Fut, E>(
    pool: &DbPool,
    attempt: Attempt,
    per_address: Option<Throttle>,
    verify: F,
) -> Result<Check, E>
where
    F: FnOnce(Option<String>) -> Fut,
    Fut: Future<Output = Result<bool, E>>,
    E: From<DbError>,
{
    let admitted = match admit(pool, attempt, per_address).await? {
        Admission::Admitted(a) => a,
        Admission::Refused(refusal) => {
            tracing::info!(?refusal, "password check refused by a lock");
            return Ok(Check::Refused(refusal));
        }
    };
    let stored = admitted
        .officer
        .as_ref()
        .filter(|o| o.active)
        .map(|o| o.password_hash.clone());
    let matched = verify(stored).await?;
    settle(pool, &admitted, matched).await?;
    Ok(if matched {
        Check::Matched(admitted)
    } else {
        Check::Mismatched
    })
}

/// The session a sign-in opened: the cookie's token, and a new device token for a browser the
/// officer had not signed in from before.
pub struct Opened {
    pub officer_id: OfficerId,
    pub session_token: String,
    pub device_token: Option<String>,
}

/// Signs in the officer whose password matched: a new session (its token changes at every
/// sign-in, with its own CSRF token), and the browser remembered as one they sign in from.
pub async fn open_session(pool: &DbPool, admitted: &Admitted) -> Result<Opened, WorkflowError> {
    use rand::RngCore;
    let Some(officer) = admitted.officer.as_ref() else {
        return Err(WorkflowError::internal(anyhow::anyhow!(
            "a password matched without an account"
        )));
    };
    let officer_id = officer.id;
    let (token, token_hash) = tokens::generate();
    let mut csrf = [0u8; 24];
    rand::rng().fill_bytes(&mut csrf);
    let csrf = hex::encode(csrf);
    db::run(pool, move |conn| {
        let now = db::now();
        officers::create_session(conn, officer_id, &token_hash, &csrf, now)?;
        // For the team page: when each officer last signed in.
        officers::record_sign_in(conn, officer_id, now)?;
        Ok(())
    })
    .await?;
    let device_token = remember_device(pool, officer_id, admitted.device_id).await?;
    tracing::info!(officer = %officer_id, "officer signed in");
    Ok(Opened {
        officer_id,
        session_token: token,
        device_token,
    })
}

/// Signs the officer out: their session ends, everywhere (a copied cookie too).
pub async fn sign_out(
    pool: &DbPool,
    officer_id: OfficerId,
    session_id: i64,
) -> Result<(), DbError> {
    db::run(pool, move |conn| {
        Ok(officers::delete_session(conn, session_id)?)
    })
    .await?;
    tracing::info!(officer = %officer_id, "officer signed out");
    Ok(())
}

/// Hourly housekeeping: attempts no rule counts any more, browsers past their lifetime.
pub async fn purge_old_attempts(pool: &DbPool) -> Result<usize, DbError> {
    db::run(pool, |conn| {
        let now = db::now();
        db::second_factor::purge_challenges(conn, now)?;
        Ok(attempts::purge(
            conn,
            now - ATTEMPTS_KEPT,
            now - DEVICE_LIFETIME,
        )?)
    })
    .await
}
