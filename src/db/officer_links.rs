//! The `officer_links` table: one-time links that let an officer set a password (an invitation,
//! a reset), stored as the SHA-256 of their token.

use super::DbConnection;
use super::schema::officer_links;
use crate::domain::account::LinkPurpose;
use crate::domain::ids::OfficerId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = officer_links)]
pub struct LinkRow {
    pub id: i64,
    pub officer_id: OfficerId,
    pub purpose: LinkPurpose,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = officer_links)]
pub struct NewLink<'a> {
    pub officer_id: OfficerId,
    pub purpose: LinkPurpose,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewLink<'_>) -> QueryResult<()> {
    diesel::insert_into(officer_links::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

/// The link of `purpose` whose token hashes to `token_hash`, if any.
pub fn find(
    conn: &mut DbConnection,
    purpose: LinkPurpose,
    token_hash: &str,
) -> QueryResult<Option<LinkRow>> {
    officer_links::table
        .filter(officer_links::token_hash.eq(token_hash))
        .filter(officer_links::purpose.eq(purpose))
        .select(LinkRow::as_select())
        .first(conn)
        .optional()
}

/// Marks a link used; false if it already was (used at the same moment elsewhere).
pub fn mark_used(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        officer_links::table
            .filter(officer_links::id.eq(id))
            .filter(officer_links::used_at.is_null()),
    )
    .set(officer_links::used_at.eq(Some(at)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Ends the officer's unexpired links of `purpose` (a newer one replaces them; a deactivated
/// officer's reset links stop).
pub fn expire_all(
    conn: &mut DbConnection,
    officer_id: OfficerId,
    purpose: LinkPurpose,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        officer_links::table
            .filter(officer_links::officer_id.eq(officer_id))
            .filter(officer_links::purpose.eq(purpose))
            .filter(officer_links::used_at.is_null())
            .filter(officer_links::expires_at.gt(now)),
    )
    .set(officer_links::expires_at.eq(now))
    .execute(conn)
}

/// How many links of `purpose` were made for the officer since `since` (to limit reset mail).
pub fn count_since(
    conn: &mut DbConnection,
    officer_id: OfficerId,
    purpose: LinkPurpose,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    officer_links::table
        .filter(officer_links::officer_id.eq(officer_id))
        .filter(officer_links::purpose.eq(purpose))
        .filter(officer_links::created_at.gt(since))
        .count()
        .get_result(conn)
}
