//! The `officer_second_factors`, `officer_recovery_codes`, `sign_in_challenges` and
//! `security_settings` tables: officers' TOTP secrets and recovery codes, sign-ins waiting for
//! their code, and whether a second factor is required of everyone.

use super::DbConnection;
use super::schema::{
    officer_recovery_codes, officer_second_factors, security_settings, sign_in_challenges,
};
use crate::domain::ids::{DeviceId, OfficerId};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashSet;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = officer_second_factors)]
pub struct SecondFactorRow {
    pub officer_id: OfficerId,
    /// Base-32; read through `domain::second_factor::TotpSecret::from_base32`.
    pub secret: String,
    pub created_at: NaiveDateTime,
    /// `None` while the officer has not yet confirmed the secret with a code.
    pub enabled_at: Option<NaiveDateTime>,
    pub last_used_step: Option<i64>,
}

impl SecondFactorRow {
    pub fn is_enabled(&self) -> bool {
        self.enabled_at.is_some()
    }
}

pub fn find(conn: &mut DbConnection, officer: OfficerId) -> QueryResult<Option<SecondFactorRow>> {
    officer_second_factors::table
        .find(officer)
        .select(SecondFactorRow::as_select())
        .first(conn)
        .optional()
}

/// Which of `officers` have a second factor turned on (the team page shows it per officer).
pub fn enabled_for(
    conn: &mut DbConnection,
    officers: &[OfficerId],
) -> QueryResult<HashSet<OfficerId>> {
    let ids: Vec<OfficerId> = officer_second_factors::table
        .filter(officer_second_factors::officer_id.eq_any(officers))
        .filter(officer_second_factors::enabled_at.is_not_null())
        .select(officer_second_factors::officer_id)
        .load(conn)?;
    Ok(ids.into_iter().collect())
}

pub fn is_enabled(conn: &mut DbConnection, officer: OfficerId) -> QueryResult<bool> {
    Ok(!enabled_for(conn, &[officer])?.is_empty())
}

/// A new secret waiting to be confirmed, replacing one that was never confirmed. Returns false
/// (and writes nothing) when the officer's second factor is on already.
pub fn start_setup(
    conn: &mut DbConnection,
    officer: OfficerId,
    secret: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    if let Some(row) = find(conn, officer)? {
        if row.is_enabled() {
            return Ok(false);
        }
        diesel::delete(officer_second_factors::table.find(officer)).execute(conn)?;
    }
    diesel::insert_into(officer_second_factors::table)
        .values((
            officer_second_factors::officer_id.eq(officer),
            officer_second_factors::secret.eq(secret),
            officer_second_factors::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Turns a confirmed secret on, recording the step its confirming code used. False when there
/// was no secret waiting (another tab turned it on first).
pub fn enable(
    conn: &mut DbConnection,
    officer: OfficerId,
    step: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        officer_second_factors::table
            .find(officer)
            .filter(officer_second_factors::enabled_at.is_null()),
    )
    .set((
        officer_second_factors::enabled_at.eq(now),
        officer_second_factors::last_used_step.eq(step),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records `step` as used, unless it or a later one was used already: a conditional update, so
/// of two requests with the same code only one gets through, on either backend.
pub fn use_step(conn: &mut DbConnection, officer: OfficerId, step: i64) -> QueryResult<bool> {
    let n = diesel::update(
        officer_second_factors::table
            .find(officer)
            .filter(officer_second_factors::enabled_at.is_not_null())
            .filter(
                officer_second_factors::last_used_step
                    .is_null()
                    .or(officer_second_factors::last_used_step.lt(step)),
            ),
    )
    .set(officer_second_factors::last_used_step.eq(step))
    .execute(conn)?;
    Ok(n == 1)
}

/// Removes the officer's second factor and recovery codes.
pub fn remove(conn: &mut DbConnection, officer: OfficerId) -> QueryResult<()> {
    diesel::delete(
        officer_recovery_codes::table.filter(officer_recovery_codes::officer_id.eq(officer)),
    )
    .execute(conn)?;
    diesel::delete(officer_second_factors::table.find(officer)).execute(conn)?;
    Ok(())
}

/// Replaces every recovery code of the officer with the ones whose hashes are given.
pub fn replace_recovery_codes(
    conn: &mut DbConnection,
    officer: OfficerId,
    hashes: &[String],
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        officer_recovery_codes::table.filter(officer_recovery_codes::officer_id.eq(officer)),
    )
    .execute(conn)?;
    // One statement per code: the connection spans both backends, which share no batch insert.
    for hash in hashes {
        diesel::insert_into(officer_recovery_codes::table)
            .values((
                officer_recovery_codes::officer_id.eq(officer),
                officer_recovery_codes::code_hash.eq(hash),
                officer_recovery_codes::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Uses the officer's unused recovery code with `hash`, once: true if there was one.
pub fn use_recovery_code(
    conn: &mut DbConnection,
    officer: OfficerId,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        officer_recovery_codes::table
            .filter(officer_recovery_codes::officer_id.eq(officer))
            .filter(officer_recovery_codes::code_hash.eq(hash))
            .filter(officer_recovery_codes::used_at.is_null()),
    )
    .set(officer_recovery_codes::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn unused_recovery_codes(conn: &mut DbConnection, officer: OfficerId) -> QueryResult<i64> {
    officer_recovery_codes::table
        .filter(officer_recovery_codes::officer_id.eq(officer))
        .filter(officer_recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sign_in_challenges)]
pub struct ChallengeRow {
    pub id: i64,
    pub officer_id: OfficerId,
    pub device_id: Option<DeviceId>,
    pub csrf_token: String,
    pub next_path: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sign_in_challenges)]
pub struct NewChallenge<'a> {
    pub token_hash: &'a str,
    pub officer_id: OfficerId,
    pub device_id: Option<DeviceId>,
    pub csrf_token: &'a str,
    pub next_path: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert_challenge(conn: &mut DbConnection, new: &NewChallenge<'_>) -> QueryResult<()> {
    diesel::insert_into(sign_in_challenges::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

/// The challenge behind `token_hash`, if it has not expired at `now`.
pub fn find_challenge(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<ChallengeRow>> {
    sign_in_challenges::table
        .filter(sign_in_challenges::token_hash.eq(token_hash))
        .filter(sign_in_challenges::expires_at.gt(now))
        .select(ChallengeRow::as_select())
        .first(conn)
        .optional()
}

/// Ends a challenge; true if it was still there (so only one request completes it).
pub fn delete_challenge(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    Ok(diesel::delete(sign_in_challenges::table.find(id)).execute(conn)? == 1)
}

/// Deletes expired challenges.
pub fn purge_challenges(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sign_in_challenges::table.filter(sign_in_challenges::expires_at.le(now)))
        .execute(conn)
}

/// Whether supervisors require a second factor of every officer.
pub fn required_for_everyone(conn: &mut DbConnection) -> QueryResult<bool> {
    Ok(security_settings::table
        .find(1)
        .select(security_settings::second_factor_required)
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}

pub fn set_required_for_everyone(
    conn: &mut DbConnection,
    required: bool,
    by: OfficerId,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(security_settings::table.find(1))
        .set((
            security_settings::second_factor_required.eq(required),
            security_settings::changed_at.eq(now),
            security_settings::changed_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}
