//! The `login_attempts`, `login_throttle_keys` and `officer_devices` tables: password checks,
//! counted before they are made, and the browsers officers signed in from.

use super::schema::{login_attempts, login_throttle_keys, officer_devices, officers};
use super::{DbConnection, MultiBackend};
use crate::domain::ids::{DeviceId, OfficerId};
use crate::domain::login::AttemptOutcome;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Insertable)]
#[diesel(table_name = login_attempts)]
pub struct NewAttempt<'a> {
    pub address: &'a str,
    pub email: &'a str,
    pub device_id: Option<DeviceId>,
    pub attempted_at: NaiveDateTime,
    pub outcome: AttemptOutcome,
}

/// Whose failures a lock counts.
#[derive(Debug, Clone, Copy)]
pub enum Counted<'a> {
    /// Every check from a client address, forgiven or not.
    Address(&'a str),
    /// Checks of an account (known or not) from browsers it has not signed in from.
    Account(&'a str),
    /// Checks from one known browser.
    Device(DeviceId),
}

/// Makes sure the throttle keys exist. Outside any transaction: on PostgreSQL a failed insert
/// would abort it, and two instances may insert the same key at once (the loser's insert fails
/// and the row is there all the same).
pub fn ensure_keys(
    conn: &mut DbConnection,
    keys: &[String],
    now: NaiveDateTime,
) -> QueryResult<()> {
    for key in keys {
        let exists = login_throttle_keys::table
            .find(key)
            .select(login_throttle_keys::throttle_key)
            .first::<String>(conn)
            .optional()?
            .is_some();
        if !exists {
            let inserted = diesel::insert_into(login_throttle_keys::table)
                .values((
                    login_throttle_keys::throttle_key.eq(key),
                    login_throttle_keys::touched_at.eq(now),
                ))
                .execute(conn);
            if let Err(e) = inserted {
                tracing::debug!(error = %e, "throttle key created concurrently");
            }
        }
    }
    Ok(())
}

/// Writes to the rows of `keys`, in the order given, inside the caller's transaction: another
/// transaction deciding on one of these keys waits until this one commits, and then counts what
/// it wrote. Callers lock keys in one order (address first) so that none waits in a circle.
pub fn lock_keys(conn: &mut DbConnection, keys: &[String], now: NaiveDateTime) -> QueryResult<()> {
    for key in keys {
        diesel::update(login_throttle_keys::table.find(key))
            .set(login_throttle_keys::touched_at.eq(now))
            .execute(conn)?;
    }
    Ok(())
}

/// The failures (pending or failed checks) counted for `who` since `since`, and the oldest.
pub fn failures_since(
    conn: &mut DbConnection,
    who: Counted<'_>,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let counted = AttemptOutcome::COUNTED;
    let mut q = login_attempts::table
        .filter(login_attempts::attempted_at.gt(since))
        .filter(login_attempts::outcome.eq_any(counted))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(login_attempts::attempted_at),
        ))
        .into_boxed::<MultiBackend>();
    q = match who {
        Counted::Address(address) => q.filter(login_attempts::address.eq(address)),
        Counted::Account(email) => q
            .filter(login_attempts::email.eq(email))
            .filter(login_attempts::device_id.is_null())
            .filter(login_attempts::cleared.eq(false)),
        Counted::Device(id) => q
            .filter(login_attempts::device_id.eq(id))
            .filter(login_attempts::cleared.eq(false)),
    };
    q.first(conn)
}

pub fn insert(conn: &mut DbConnection, new: &NewAttempt<'_>) -> QueryResult<i64> {
    diesel::insert_into(login_attempts::table)
        .values(new)
        .returning(login_attempts::id)
        .get_result(conn)
}

pub fn set_outcome(
    conn: &mut DbConnection,
    attempt_id: i64,
    outcome: AttemptOutcome,
) -> QueryResult<()> {
    diesel::update(login_attempts::table.find(attempt_id))
        .set(login_attempts::outcome.eq(outcome))
        .execute(conn)?;
    Ok(())
}

/// Forgives the earlier failures of an account (or of one known browser) after a success: a
/// person who gets it right is not slowed down by their own typing mistakes. The address still
/// counts them.
pub fn clear(conn: &mut DbConnection, who: Counted<'_>) -> QueryResult<()> {
    match who {
        Counted::Address(_) => Ok(()),
        Counted::Account(email) => diesel::update(
            login_attempts::table
                .filter(login_attempts::email.eq(email))
                .filter(login_attempts::device_id.is_null()),
        )
        .set(login_attempts::cleared.eq(true))
        .execute(conn)
        .map(drop),
        Counted::Device(id) => {
            diesel::update(login_attempts::table.filter(login_attempts::device_id.eq(id)))
                .set(login_attempts::cleared.eq(true))
                .execute(conn)
                .map(drop)
        }
    }
}

/// Deletes attempts and throttle keys no rule looks at any more, and browsers long unused.
pub fn purge(
    conn: &mut DbConnection,
    attempts_before: NaiveDateTime,
    devices_before: NaiveDateTime,
) -> QueryResult<usize> {
    let attempts = diesel::delete(
        login_attempts::table.filter(login_attempts::attempted_at.lt(attempts_before)),
    )
    .execute(conn)?;
    diesel::delete(
        login_throttle_keys::table.filter(login_throttle_keys::touched_at.lt(attempts_before)),
    )
    .execute(conn)?;
    diesel::delete(officer_devices::table.filter(officer_devices::created_at.lt(devices_before)))
        .execute(conn)?;
    Ok(attempts)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = officer_devices)]
pub struct DeviceRow {
    pub id: DeviceId,
    pub officer_id: OfficerId,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
}

/// The known browser behind `token_hash`, if it is still valid (not revoked, made after
/// `created_after`) and belongs to the officer with `email`.
pub fn find_device(
    conn: &mut DbConnection,
    token_hash: &str,
    email: &str,
    created_after: NaiveDateTime,
) -> QueryResult<Option<DeviceRow>> {
    officer_devices::table
        .inner_join(officers::table)
        .filter(officer_devices::token_hash.eq(token_hash))
        .filter(officer_devices::revoked.eq(false))
        .filter(officer_devices::created_at.gt(created_after))
        .filter(officers::email.eq(email))
        .select(DeviceRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_device(
    conn: &mut DbConnection,
    officer_id: OfficerId,
    token_hash: &str,
    at: NaiveDateTime,
) -> QueryResult<DeviceId> {
    diesel::insert_into(officer_devices::table)
        .values((
            officer_devices::officer_id.eq(officer_id),
            officer_devices::token_hash.eq(token_hash),
            officer_devices::created_at.eq(at),
            officer_devices::last_used_at.eq(at),
        ))
        .returning(officer_devices::id)
        .get_result(conn)
}

pub fn touch_device(
    conn: &mut DbConnection,
    device_id: DeviceId,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(officer_devices::table.find(device_id))
        .set(officer_devices::last_used_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Revokes every known browser of an officer but `keep` (after a password change).
pub fn revoke_other_devices(
    conn: &mut DbConnection,
    officer_id: OfficerId,
    keep: Option<DeviceId>,
) -> QueryResult<()> {
    diesel::update(
        officer_devices::table
            .filter(officer_devices::officer_id.eq(officer_id))
            .filter(officer_devices::id.ne(keep.unwrap_or(DeviceId(-1)))),
    )
    .set(officer_devices::revoked.eq(true))
    .execute(conn)?;
    Ok(())
}
