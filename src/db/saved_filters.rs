//! The `saved_filters` table: each officer's named views of the queue (its query string).

use super::DbConnection;
use super::schema::saved_filters;
use crate::domain::OfficerId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = saved_filters)]
pub struct SavedFilterRow {
    pub id: i64,
    pub officer_id: OfficerId,
    pub name: String,
    pub query: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = saved_filters)]
pub struct NewSavedFilter<'a> {
    pub officer_id: OfficerId,
    pub name: &'a str,
    pub query: &'a str,
    pub created_at: NaiveDateTime,
}

/// The officer's saved views, oldest first.
pub fn of_officer(conn: &mut DbConnection, officer: OfficerId) -> QueryResult<Vec<SavedFilterRow>> {
    saved_filters::table
        .filter(saved_filters::officer_id.eq(officer))
        .order(saved_filters::id.asc())
        .select(SavedFilterRow::as_select())
        .load(conn)
}

pub fn insert(conn: &mut DbConnection, new: &NewSavedFilter<'_>) -> QueryResult<()> {
    diesel::insert_into(saved_filters::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

/// Deletes the officer's own view `id`; false when they have no such view.
pub fn delete(conn: &mut DbConnection, officer: OfficerId, id: i64) -> QueryResult<bool> {
    let n = diesel::delete(
        saved_filters::table
            .filter(saved_filters::id.eq(id))
            .filter(saved_filters::officer_id.eq(officer)),
    )
    .execute(conn)?;
    Ok(n == 1)
}
