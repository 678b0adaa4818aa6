//! Instance-wide secret keys kept in the database, so every instance of a deployment shares them.

use super::DbConnection;
use super::schema::instance_secrets::dsl::*;
use diesel::prelude::*;
use rand::RngCore;

/// The secret named `key_name`, created (64 random bytes) on first use. Two instances starting
/// at once may both try to create it: the second insert fails and it reads the winner's. The
/// insert runs in a transaction of its own (a savepoint inside the caller's), so a failed one
/// does not abort a PostgreSQL transaction the caller is in.
pub fn get_or_create(conn: &mut DbConnection, key_name: &str) -> QueryResult<Vec<u8>> {
    if let Some(v) = find(conn, key_name)? {
        return Ok(v);
    }
    let mut fresh = [0u8; 64];
    rand::rng().fill_bytes(&mut fresh);
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(instance_secrets)
            .values((name.eq(key_name), value.eq(hex::encode(fresh))))
            .execute(conn)
    });
    if let Err(e) = inserted {
        tracing::debug!(error = %e, "secret created concurrently; reading it");
    }
    find(conn, key_name)?.ok_or(diesel::result::Error::NotFound)
}

fn find(conn: &mut DbConnection, key_name: &str) -> QueryResult<Option<Vec<u8>>> {
    let stored: Option<String> = instance_secrets
        .filter(name.eq(key_name))
        .select(value)
        .first(conn)
        .optional()?;
    Ok(stored.and_then(|h| hex::decode(h).ok()))
}
