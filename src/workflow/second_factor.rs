//! The second factor, step by step: an officer turns TOTP on (shown a secret, confirmed with a
//! code, given ten recovery codes), turns it off, makes new recovery codes; a sign-in whose
//! password was right waits for a code before any session exists; supervisors require it of
//! everyone. Every code check is counted before it is made, by the same throttle as passwords.

use super::sign_in::{self, Admission, Admitted, Attempt, Opened, Refusal};
use super::{ActingOfficer, WorkflowError};
use crate::db::second_factor::{self as stored, NewChallenge};
use crate::db::{self, DbPool, officers, tokens};
use crate::domain::OfficerId;
use crate::domain::account::AccountAction;
use crate::domain::login::Throttle;
use crate::domain::second_factor::{
    CHALLENGE_LIFETIME, CodeCheck, RecoveryCode, SubmittedCode, TotpCode, TotpSecret,
};
use crate::workflow::account_events::{self, AccountChange};
use chrono::NaiveDateTime;

/// Where an officer's second factor stands, for their setup page.
#[derive(Debug, Clone)]
pub enum State {
    Off,
    /// Shown a secret, not yet confirmed with a code.
    Pending(TotpSecret),
    On {
        recovery_codes_left: i64,
    },
}

#[derive(Debug, Clone)]
pub struct Overview {
    pub state: State,
    pub required_for_everyone: bool,
}

pub async fn overview(pool: &DbPool, officer: OfficerId) -> Result<Overview, WorkflowError> {
    db::run_with(pool, move |conn| {
        let required_for_everyone = stored::required_for_everyone(conn)?;
        let state = match stored::find(conn, officer)? {
            None => State::Off,
            Some(row) if row.is_enabled() => State::On {
                recovery_codes_left: stored::unused_recovery_codes(conn, officer)?,
            },
            Some(row) => match TotpSecret::from_base32(&row.secret) {
                Some(secret) => State::Pending(secret),
                None => State::Off,
            },
        };
        Ok(Overview {
            state,
            required_for_everyone,
        })
    })
    .await
}

/// A new secret for the officer to add to their app; it works only once confirmed.
pub async fn start_setup(
    pool: &DbPool,
    officer: OfficerId,
    now: NaiveDateTime,
) -> Result<TotpSecret, WorkflowError> {
    let secret = TotpSecret::generate();
    let text = secret.to_base32();
    let started = db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            Ok::<_, WorkflowError>(stored::start_setup(conn, officer, &text, now)?)
        })
    })
    .await?;
    if !started {
        return Err(WorkflowError::Invalid("second_factor.already_on"));
    }
    Ok(secret)
}

/// How confirming a new secret went.
#[derive(Debug)]
pub enum Enabling {
    /// On, with these recovery codes, shown this once.
    Enabled(Vec<RecoveryCode>),
    /// The code does not fit the secret shown.
    WrongCode(TotpSecret),
    /// No secret was waiting (it was turned on meanwhile, or never started).
    NothingPending,
}

/// Turns the second factor on once a code from the app matches the secret shown: the secret,
/// its first used step and the ten recovery codes (hashed) in one transaction.
pub async fn enable(
    pool: &DbPool,
    officer: OfficerId,
    code: TotpCode,
    now: NaiveDateTime,
) -> Result<Enabling, WorkflowError> {
    let codes = RecoveryCode::generate_set();
    let hashes: Vec<String> = codes.iter().map(RecoveryCode::digest).collect();
    let outcome = db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let Some(row) = stored::find(conn, officer)?.filter(|r| !r.is_enabled()) else {
                return Ok::<_, WorkflowError>(Enabling::NothingPending);
            };
            let Some(secret) = TotpSecret::from_base32(&row.secret) else {
                return Ok(Enabling::NothingPending);
            };
            let CodeCheck::Accepted { step } = secret.check(&code, now, None) else {
                return Ok(Enabling::WrongCode(secret));
            };
            if !stored::enable(conn, officer, step, now)? {
                return Ok(Enabling::NothingPending);
            }
            stored::replace_recovery_codes(conn, officer, &hashes, now)?;
            own_change(conn, officer, AccountAction::SecondFactorOn, now)?;
            Ok(Enabling::Enabled(Vec::new()))
        })
    })
    .await?;
    Ok(match outcome {
        Enabling::Enabled(_) => {
            tracing::info!(officer = %officer, "officer turned on the second factor");
            Enabling::Enabled(codes)
        }
        other => other,
    })
}

/// An officer's own change to their second factor, in the account trail.
fn own_change(
    conn: &mut db::DbConnection,
    officer: OfficerId,
    action: AccountAction,
    at: NaiveDateTime,
) -> diesel::QueryResult<()> {
    let change = AccountChange {
        actor: Some(officer),
        subject: officer,
        action,
        detail: serde_json::json!({}),
    };
    account_events::record(conn, &change, at)
}

/// Ten new recovery codes, replacing every earlier one (used or not).
pub async fn regenerate_recovery_codes(
    pool: &DbPool,
    officer: OfficerId,
    now: NaiveDateTime,
) -> Result<Vec<RecoveryCode>, WorkflowError> {
    let codes = RecoveryCode::generate_set();
    let hashes: Vec<String> = codes.iter().map(RecoveryCode::digest).collect();
    db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            if !stored::is_enabled(conn, officer)? {
                return Err(WorkflowError::Invalid("second_factor.not_on"));
            }
            stored::replace_recovery_codes(conn, officer, &hashes, now)?;
            own_change(conn, officer, AccountAction::RecoveryCodesRenewed, now)?;
            Ok(())
        })
    })
    .await?;
    tracing::info!(officer = %officer, "officer made new recovery codes");
    Ok(codes)
}

/// Turns the officer's second factor off, once their password or a code was checked. Refused
/// while supervisors require it of everyone.
pub async fn disable(pool: &DbPool, officer: OfficerId) -> Result<(), WorkflowError> {
    db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            if stored::required_for_everyone(conn)? {
                return Err(WorkflowError::Invalid(
                    "second_factor.required_cannot_turn_off",
                ));
            }
            stored::remove(conn, officer)?;
            own_change(conn, officer, AccountAction::SecondFactorOff, db::now())?;
            Ok(())
        })
    })
    .await?;
    tracing::info!(officer = %officer, "officer turned off the second factor");
    Ok(())
}

/// Supervisors require a second factor of every officer, or stop requiring it.
pub async fn set_required_for_everyone(
    pool: &DbPool,
    acting: ActingOfficer,
    required: bool,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    if !acting.supervisor {
        return Err(WorkflowError::NotAllowed("review.supervisors_only"));
    }
    db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            stored::set_required_for_everyone(conn, required, acting.id, now)?;
            let change = AccountChange {
                actor: Some(acting.id),
                subject: acting.id,
                action: AccountAction::SecondFactorRequirement,
                detail: serde_json::json!({ "required_for_everyone": required }),
            };
            Ok::<_, WorkflowError>(account_events::record(conn, &change, now)?)
        })
    })
    .await?;
    tracing::info!(supervisor = %acting.id, required, "second factor requirement changed");
    Ok(())
}

/// Whether the officer must set up a second factor before anything else: required of everyone,
/// and theirs is not on.
pub async fn must_set_up(pool: &DbPool, officer: OfficerId) -> Result<bool, db::DbError> {
    db::run(pool, move |conn| Ok(needs_setup(conn, officer)?)).await
}

/// `must_set_up` inside a caller's own database call (the officer session's lookup, so that an
/// officer page costs one trip to the database, not two).
pub fn needs_setup(conn: &mut db::DbConnection, officer: OfficerId) -> diesel::QueryResult<bool> {
    Ok(stored::required_for_everyone(conn)? && !stored::is_enabled(conn, officer)?)
}

/// What follows a right password.
#[derive(Debug)]
pub enum AfterPassword {
    /// No second factor: a session may be opened.
    OpenSession,
    /// A second factor is on: the browser gets this challenge token and is asked for a code.
    AskForCode { token: String },
}

/// After a right password: an officer with a second factor gets a short-lived challenge (a
/// random token whose hash is stored, bound to the officer and the browser's known device), and
/// no session yet; anyone else may have their session.
pub async fn after_password(
    pool: &DbPool,
    admitted: &Admitted,
    next: &str,
    now: NaiveDateTime,
) -> Result<AfterPassword, WorkflowError> {
    let Some(officer) = admitted.officer.as_ref().map(|o| o.id) else {
        return Err(WorkflowError::internal(anyhow::anyhow!(
            "a password matched without an account"
        )));
    };
    let (device, next) = (admitted.device_id, next.to_string());
    db::run_with(pool, move |conn| {
        if !stored::is_enabled(conn, officer)? {
            return Ok(AfterPassword::OpenSession);
        }
        let (token, token_hash) = tokens::generate();
        let (csrf, _) = tokens::generate();
        stored::insert_challenge(
            conn,
            &NewChallenge {
                token_hash: &token_hash,
                officer_id: officer,
                device_id: device,
                csrf_token: &csrf,
                next_path: &next,
                created_at: now,
                expires_at: now + CHALLENGE_LIFETIME,
            },
        )?;
        Ok(AfterPassword::AskForCode { token })
    })
    .await
}

/// A sign-in waiting for its code, as its page needs it.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub csrf: String,
}

/// The challenge behind the browser's token, if it is still waiting at `now`.
pub async fn waiting(
    pool: &DbPool,
    token: String,
    now: NaiveDateTime,
) -> Result<Option<Waiting>, db::DbError> {
    db::run(pool, move |conn| {
        let hash = tokens::hash_token(&token);
        Ok(stored::find_challenge(conn, &hash, now)?.map(|c| Waiting { csrf: c.csrf_token }))
    })
    .await
}

/// The code sent with the second step, and who sent it.
#[derive(Debug, Clone)]
pub struct CodeEntry {
    pub challenge_token: String,
    pub csrf: String,
    pub code: SubmittedCode,
    pub address: String,
    pub device_token: Option<String>,
}

/// How the second step went.
pub enum SecondStep {
    /// Signed in: the session, and where to go.
    SignedIn { opened: Opened, next: String },
    /// Wrong, or already used: counted as a failure.
    Refused,
    /// Too many failures: nothing was checked.
    Throttled(Refusal),
    /// No such sign-in waiting (expired, used, or a forged form): start again.
    Expired,
}

/// The second step of a sign-in: the code counted (as a password check would be) before it is
/// checked; a right TOTP code of a step not used before, or an unused recovery code, ends the
/// challenge and opens the session, each once.
pub async fn complete_sign_in(
    pool: &DbPool,
    entry: CodeEntry,
    per_address: Option<Throttle>,
    now: NaiveDateTime,
) -> Result<SecondStep, WorkflowError> {
    let hash = tokens::hash_token(&entry.challenge_token);
    let found = db::run(pool, move |conn| {
        let Some(challenge) = stored::find_challenge(conn, &hash, now)? else {
            return Ok(None);
        };
        let officer = officers::get(conn, challenge.officer_id)?;
        Ok(Some((challenge, officer)))
    })
    .await?;
    let Some((challenge, officer)) = found.filter(|(_, o)| o.active) else {
        return Ok(SecondStep::Expired);
    };
    if !same_token(&challenge.csrf_token, &entry.csrf) {
        return Ok(SecondStep::Expired);
    }
    let attempt = Attempt {
        address: entry.address,
        email: officer.email.clone(),
        device_token: entry.device_token,
    };
    let admitted = match sign_in::admit(pool, attempt, per_address).await? {
        Admission::Admitted(a) => a,
        Admission::Refused(refusal) => {
            tracing::info!(?refusal, "second-factor check refused by a lock");
            return Ok(SecondStep::Throttled(refusal));
        }
    };
    let (officer_id, challenge_id) = (officer.id, challenge.id);
    let matched = db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let right = code_is_right(conn, officer_id, &entry.code, now)?;
            // Only one request ends the challenge; a second one with another right code fails.
            Ok::<_, WorkflowError>(right && stored::delete_challenge(conn, challenge_id)?)
        })
    })
    .await?;
    sign_in::settle_code(pool, &admitted, matched).await?;
    if !matched {
        tracing::info!(officer = %officer_id, "wrong second-factor code");
        return Ok(SecondStep::Refused);
    }
    let opened = sign_in::open_session(pool, &admitted).await?;
    Ok(SecondStep::SignedIn {
        opened,
        next: challenge.next_path,
    })
}

/// How checking a signed-in officer's code went (to turn the second factor off).
#[derive(Debug)]
pub enum CodeCheckOutcome {
    Right,
    Wrong,
    Throttled(Refusal),
}

/// Checks a code of the officer's, counted first by the password throttle; a right code is used
/// up as at sign-in.
pub async fn check_code(
    pool: &DbPool,
    attempt: Attempt,
    per_address: Option<Throttle>,
    officer: OfficerId,
    code: SubmittedCode,
    now: NaiveDateTime,
) -> Result<CodeCheckOutcome, WorkflowError> {
    let admitted = match sign_in::admit(pool, attempt, per_address).await? {
        Admission::Admitted(a) => a,
        Admission::Refused(refusal) => return Ok(CodeCheckOutcome::Throttled(refusal)),
    };
    let matched = db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            Ok::<_, WorkflowError>(code_is_right(conn, officer, &code, now)?)
        })
    })
    .await?;
    sign_in::settle_code(pool, &admitted, matched).await?;
    Ok(if matched {
        CodeCheckOutcome::Right
    } else {
        CodeCheckOutcome::Wrong
    })
}

/// Checks and uses up a code inside the caller's transaction: a TOTP code records its step
/// (refused if that step or a later one was used), a recovery code is marked used.
fn code_is_right(
    conn: &mut db::DbConnection,
    officer: OfficerId,
    code: &SubmittedCode,
    now: NaiveDateTime,
) -> Result<bool, db::DbError> {
    match code {
        SubmittedCode::Totp(code) => {
            let Some(row) = stored::find(conn, officer)?.filter(|r| r.is_enabled()) else {
                return Ok(false);
            };
            let Some(secret) = TotpSecret::from_base32(&row.secret) else {
                return Ok(false);
            };
            match secret.check(code, now, row.last_used_step) {
                CodeCheck::Accepted { step } => Ok(stored::use_step(conn, officer, step)?),
                CodeCheck::Replayed => {
                    tracing::info!(officer = %officer, "a used second-factor code was sent again");
                    Ok(false)
                }
                CodeCheck::Wrong => Ok(false),
            }
        }
        SubmittedCode::Recovery(code) => {
            if !stored::is_enabled(conn, officer)? {
                return Ok(false);
            }
            let used = stored::use_recovery_code(conn, officer, &code.digest(), now)?;
            if used {
                tracing::info!(officer = %officer, "officer used a recovery code");
            }
            Ok(used)
        }
    }
}

fn same_token(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
