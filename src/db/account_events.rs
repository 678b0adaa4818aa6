//! The `account_events` table: the account audit trail supervisors read on the team page.

use super::DbConnection;
use super::schema::account_events;
use crate::domain::account::AccountAction;
use crate::domain::ids::OfficerId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = account_events)]
pub struct AccountEventRow {
    pub id: i64,
    pub at: NaiveDateTime,
    /// Who made the change; none when the officer did it without a session (a reset link).
    pub actor_id: Option<OfficerId>,
    pub subject_id: OfficerId,
    pub action: AccountAction,
    /// JSON: facts such as the roles before and after, never a password or a token.
    pub detail: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = account_events)]
pub struct NewAccountEvent<'a> {
    pub at: NaiveDateTime,
    pub actor_id: Option<OfficerId>,
    pub subject_id: OfficerId,
    pub action: AccountAction,
    pub detail: &'a str,
}

pub fn insert(conn: &mut DbConnection, new: &NewAccountEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(account_events::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

/// The latest `limit` entries, newest first.
pub fn latest(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<AccountEventRow>> {
    account_events::table
        .order((account_events::at.desc(), account_events::id.desc()))
        .limit(limit)
        .select(AccountEventRow::as_select())
        .load(conn)
}
