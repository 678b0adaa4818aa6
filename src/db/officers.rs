//! The `officers` table and their sessions (`officer_sessions`).

use super::DbConnection;
use super::schema::{officer_sessions, officers};
use crate::domain::ids::OfficerId;
use crate::domain::officer::Role;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = officers)]
pub struct OfficerRow {
    pub id: OfficerId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub password_changed_at: NaiveDateTime,
    pub last_sign_in_at: Option<NaiveDateTime>,
    /// When the account was first activated (its password set); none while only invited.
    pub activated_at: Option<NaiveDateTime>,
    /// The queue's and case page's keyboard shortcuts are on (each officer may turn them off).
    pub shortcuts_on: bool,
}

impl OfficerRow {
    pub fn is_supervisor(&self) -> bool {
        self.role == Role::Supervisor
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = officers)]
pub struct NewOfficer<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub password_changed_at: NaiveDateTime,
    pub activated_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, new: &NewOfficer<'_>) -> QueryResult<OfficerId> {
    diesel::insert_into(officers::table)
        .values(new)
        .returning(officers::id)
        .get_result(conn)
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<OfficerRow>> {
    officers::table
        .filter(officers::email.eq(email.trim().to_lowercase()))
        .select(OfficerRow::as_select())
        .first(conn)
        .optional()
}

pub fn get(conn: &mut DbConnection, id: OfficerId) -> QueryResult<OfficerRow> {
    officers::table
        .find(id)
        .select(OfficerRow::as_select())
        .first(conn)
}

/// Active officers, by name, for assignment lists.
pub fn list_active(conn: &mut DbConnection) -> QueryResult<Vec<OfficerRow>> {
    officers::table
        .filter(officers::active.eq(true))
        .order(officers::name.asc())
        .select(OfficerRow::as_select())
        .load(conn)
}

pub fn set_password(
    conn: &mut DbConnection,
    id: OfficerId,
    hash: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(officers::table.find(id))
        .set((
            officers::password_hash.eq(hash),
            officers::password_changed_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every officer, by name (the team page).
pub fn list_all(conn: &mut DbConnection) -> QueryResult<Vec<OfficerRow>> {
    officers::table
        .order((officers::name.asc(), officers::id.asc()))
        .select(OfficerRow::as_select())
        .load(conn)
}

/// The active supervisors, their rows locked until the transaction ends on PostgreSQL (on
/// SQLite the write transaction holds the whole database): two supervisors taken away at once
/// are decided one after the other.
pub fn lock_active_supervisors(conn: &mut DbConnection) -> QueryResult<Vec<OfficerId>> {
    let q = officers::table
        .filter(officers::role.eq(Role::Supervisor))
        .filter(officers::active.eq(true))
        .select(officers::id);
    match conn {
        DbConnection::Postgres(pg) => q.for_update().load(pg),
        DbConnection::Sqlite(_) => q.load(conn),
    }
}

pub fn set_active(conn: &mut DbConnection, id: OfficerId, active: bool) -> QueryResult<()> {
    diesel::update(officers::table.find(id))
        .set(officers::active.eq(active))
        .execute(conn)?;
    Ok(())
}

pub fn set_role(conn: &mut DbConnection, id: OfficerId, role: Role) -> QueryResult<()> {
    diesel::update(officers::table.find(id))
        .set(officers::role.eq(role))
        .execute(conn)?;
    Ok(())
}

/// A new name and role for an invited officer invited again.
pub fn set_name_and_role(
    conn: &mut DbConnection,
    id: OfficerId,
    name: &str,
    role: Role,
) -> QueryResult<()> {
    diesel::update(officers::table.find(id))
        .set((officers::name.eq(name), officers::role.eq(role)))
        .execute(conn)?;
    Ok(())
}

/// An invited officer's first password: the account becomes active.
pub fn activate(
    conn: &mut DbConnection,
    id: OfficerId,
    hash: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(officers::table.find(id))
        .set((
            officers::password_hash.eq(hash),
            officers::password_changed_at.eq(at),
            officers::active.eq(true),
            officers::activated_at.eq(Some(at)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn record_sign_in(
    conn: &mut DbConnection,
    id: OfficerId,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(officers::table.find(id))
        .set(officers::last_sign_in_at.eq(Some(at)))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = officer_sessions)]
pub struct SessionRow {
    pub id: i64,
    pub token_hash: String,
    pub officer_id: OfficerId,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

pub fn create_session(
    conn: &mut DbConnection,
    officer_id: OfficerId,
    token_hash: &str,
    csrf_token: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(officer_sessions::table)
        .values((
            officer_sessions::token_hash.eq(token_hash),
            officer_sessions::officer_id.eq(officer_id),
            officer_sessions::csrf_token.eq(csrf_token),
            officer_sessions::created_at.eq(at),
            officer_sessions::last_seen_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find_session(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<(SessionRow, OfficerRow)>> {
    officer_sessions::table
        .inner_join(officers::table)
        .filter(officer_sessions::token_hash.eq(token_hash))
        .select((SessionRow::as_select(), OfficerRow::as_select()))
        .first(conn)
        .optional()
}

pub fn touch_session(
    conn: &mut DbConnection,
    session_id: i64,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(officer_sessions::table.find(session_id))
        .set(officer_sessions::last_seen_at.eq(at))
        .execute(conn)?;
    Ok(())
}

pub fn delete_session(conn: &mut DbConnection, session_id: i64) -> QueryResult<()> {
    diesel::delete(officer_sessions::table.find(session_id)).execute(conn)?;
    Ok(())
}

/// Ends every session of an officer but `keep` (after a password change, the other devices).
pub fn delete_other_sessions(
    conn: &mut DbConnection,
    officer_id: OfficerId,
    keep: i64,
) -> QueryResult<()> {
    diesel::delete(
        officer_sessions::table
            .filter(officer_sessions::officer_id.eq(officer_id))
            .filter(officer_sessions::id.ne(keep)),
    )
    .execute(conn)?;
    Ok(())
}

/// Ends every session of an officer (deactivated, or their password reset by a link).
pub fn delete_all_sessions(conn: &mut DbConnection, officer_id: OfficerId) -> QueryResult<usize> {
    diesel::delete(officer_sessions::table.filter(officer_sessions::officer_id.eq(officer_id)))
        .execute(conn)
}

/// Turns the officer's keyboard shortcuts on or off.
pub fn set_shortcuts(conn: &mut DbConnection, id: OfficerId, on: bool) -> QueryResult<()> {
    diesel::update(officers::table.find(id))
        .set(officers::shortcuts_on.eq(on))
        .execute(conn)?;
    Ok(())
}

/// When the officer last opened their desk page (none: never).
pub fn desk_seen_at(conn: &mut DbConnection, id: OfficerId) -> QueryResult<Option<NaiveDateTime>> {
    officers::table
        .find(id)
        .select(officers::desk_seen_at)
        .first(conn)
}

/// Notes that the officer has seen their desk as it was at `at`.
pub fn set_desk_seen(conn: &mut DbConnection, id: OfficerId, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(officers::table.find(id))
        .set(officers::desk_seen_at.eq(Some(at)))
        .execute(conn)?;
    Ok(())
}
