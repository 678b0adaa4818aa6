//! The officer's own desk settings: their saved views of the queue and whether the keyboard
//! shortcuts are on.

use super::WorkflowError;
use crate::db::{self, DbConnection, officers, saved_filters};
use crate::domain::OfficerId;

/// The most views one officer keeps.
pub const MAX_SAVED: usize = 20;
/// The longest name of a saved view, in characters.
pub const MAX_NAME_CHARS: usize = 60;

/// Saves the queue view `query` (the queue's query string, without a page cursor) as `name`.
pub fn save_filter(
    conn: &mut DbConnection,
    officer: OfficerId,
    name: &str,
    query: &str,
) -> Result<(), WorkflowError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(WorkflowError::Invalid("saved_filter.name_required"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(WorkflowError::Invalid("saved_filter.name_too_long"));
    }
    if query.len() > 2000 {
        return Err(WorkflowError::Invalid("saved_filter.too_long"));
    }
    db::write_transaction(conn, |conn| {
        if saved_filters::of_officer(conn, officer)?.len() >= MAX_SAVED {
            return Err(WorkflowError::Invalid("saved_filter.too_many"));
        }
        saved_filters::insert(
            conn,
            &saved_filters::NewSavedFilter {
                officer_id: officer,
                name,
                query,
                created_at: db::now(),
            },
        )?;
        Ok(())
    })
}

/// Deletes one of the officer's own saved views.
pub fn delete_filter(
    conn: &mut DbConnection,
    officer: OfficerId,
    id: i64,
) -> Result<(), WorkflowError> {
    db::write_transaction(conn, |conn| {
        if saved_filters::delete(conn, officer, id)? {
            Ok(())
        } else {
            Err(WorkflowError::Db(diesel::result::Error::NotFound.into()))
        }
    })
}

/// Turns the officer's keyboard shortcuts on or off.
pub fn set_shortcuts(
    conn: &mut DbConnection,
    officer: OfficerId,
    on: bool,
) -> Result<(), WorkflowError> {
    db::write_transaction(conn, |conn| {
        officers::set_shortcuts(conn, officer, on)?;
        Ok(())
    })
}

/// Notes that the officer has read their desk as it stood at `at` (taken before the page was
/// read, so a step between the reading and this write is still news next time).
pub fn mark_desk_seen(
    conn: &mut DbConnection,
    officer: OfficerId,
    at: chrono::NaiveDateTime,
) -> Result<(), WorkflowError> {
    db::write_transaction(conn, |conn| {
        officers::set_desk_seen(conn, officer, at)?;
        Ok(())
    })
}
