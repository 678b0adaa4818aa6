//! Internal notes (officers only) and messages between officers and the reporter.

use super::DbConnection;
use super::schema::{case_messages, case_notes, officers};
use crate::domain::ids::{CaseId, NoteId, OfficerId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct NoteView {
    pub id: NoteId,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub officer_name: String,
}

pub fn add_note(
    conn: &mut DbConnection,
    case_id: CaseId,
    officer_id: OfficerId,
    body: &str,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(case_notes::table)
        .values((
            case_notes::case_id.eq(case_id),
            case_notes::officer_id.eq(officer_id),
            case_notes::body.eq(body),
            case_notes::created_at.eq(at),
        ))
        .returning(case_notes::id)
        .get_result(conn)
}

pub fn notes_for(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<NoteView>> {
    case_notes::table
        .inner_join(officers::table)
        .filter(case_notes::case_id.eq(case_id))
        .order(case_notes::id.asc())
        .select((
            case_notes::id,
            case_notes::body,
            case_notes::created_at,
            officers::name,
        ))
        .load(conn)
}

#[derive(Debug, Clone, Queryable)]
pub struct MessageView {
    pub id: i64,
    pub from_reporter: bool,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub officer_name: Option<String>,
}

pub fn add_message(
    conn: &mut DbConnection,
    case_id: CaseId,
    officer_id: Option<OfficerId>,
    body: &str,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(case_messages::table)
        .values((
            case_messages::case_id.eq(case_id),
            case_messages::from_reporter.eq(officer_id.is_none()),
            case_messages::officer_id.eq(officer_id),
            case_messages::body.eq(body),
            case_messages::created_at.eq(at),
        ))
        .returning(case_messages::id)
        .get_result(conn)
}

pub fn messages_for(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<MessageView>> {
    super::on_backend!(conn, c => case_messages::table
        .left_join(officers::table)
        .filter(case_messages::case_id.eq(case_id))
        .order(case_messages::id.asc())
        .select((
            case_messages::id,
            case_messages::from_reporter,
            case_messages::body,
            case_messages::created_at,
            officers::name.nullable(),
        )).load(c))
}
