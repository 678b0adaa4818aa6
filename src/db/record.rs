//! The `record_entries` and `record_corrections` tables: the public record of regulators'
//! published decisions, and merchants' requests to correct it.

use super::DbConnection;
use super::schema::{record_corrections, record_entries};
use crate::domain::outcome::Outcome;
use crate::domain::record::RecordStatus;
use crate::domain::{
    CaseId, Category, HandoffId, OfficerId, Platform, RecordCorrectionId, RecordEntryId,
};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = record_entries)]
pub struct RecordEntryRow {
    pub id: RecordEntryId,
    pub handoff_id: HandoffId,
    pub case_id: CaseId,
    pub platform: Platform,
    pub platform_other: Option<String>,
    pub shop_name: String,
    pub merchant_key: Option<String>,
    pub category: Category,
    pub regulator_name: String,
    pub decision_kind: Outcome,
    pub decision_text: String,
    pub decision_date: NaiveDate,
    pub document_number: String,
    pub status: RecordStatus,
    pub created_at: NaiveDateTime,
    pub approved_by: Option<OfficerId>,
    pub approved_at: Option<NaiveDateTime>,
    pub withdrawn_reason: Option<String>,
    pub withdrawn_document: Option<String>,
    pub withdrawn_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = record_entries)]
pub struct NewRecordEntry<'a> {
    pub handoff_id: HandoffId,
    pub case_id: CaseId,
    pub platform: Platform,
    pub platform_other: Option<&'a str>,
    pub shop_name: &'a str,
    pub merchant_key: Option<&'a str>,
    pub category: Category,
    pub regulator_name: &'a str,
    pub decision_kind: Outcome,
    pub decision_text: &'a str,
    pub decision_date: NaiveDate,
    pub document_number: &'a str,
    pub status: RecordStatus,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewRecordEntry<'_>) -> QueryResult<RecordEntryId> {
    diesel::insert_into(record_entries::table)
        .values(new)
        .returning(record_entries::id)
        .get_result(conn)
}

pub fn get(conn: &mut DbConnection, id: RecordEntryId) -> QueryResult<RecordEntryRow> {
    record_entries::table
        .find(id)
        .select(RecordEntryRow::as_select())
        .first(conn)
}

/// Every entry, newest first, for the supervisors' page (at most `limit`).
pub fn all(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<RecordEntryRow>> {
    record_entries::table
        .order((record_entries::created_at.desc(), record_entries::id.desc()))
        .select(RecordEntryRow::as_select())
        .limit(limit)
        .load(conn)
}

/// Publishes a candidate; false if it is no longer one.
pub fn approve(
    conn: &mut DbConnection,
    id: RecordEntryId,
    by: OfficerId,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        record_entries::table
            .find(id)
            .filter(record_entries::status.eq(RecordStatus::Candidate)),
    )
    .set((
        record_entries::status.eq(RecordStatus::Approved),
        record_entries::approved_by.eq(Some(by)),
        record_entries::approved_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Takes a published entry off with its public note; false if it is not published.
pub fn withdraw(
    conn: &mut DbConnection,
    id: RecordEntryId,
    by: OfficerId,
    reason: &str,
    document: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        record_entries::table
            .find(id)
            .filter(record_entries::status.eq(RecordStatus::Approved)),
    )
    .set((
        record_entries::status.eq(RecordStatus::Withdrawn),
        record_entries::withdrawn_reason.eq(Some(reason)),
        record_entries::withdrawn_document.eq(Some(document)),
        record_entries::withdrawn_at.eq(Some(at)),
        record_entries::withdrawn_by.eq(Some(by)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// What the public may search for: words in the shop name, document number or regulator's
/// name, and the platforms whose names hold the words.
pub struct PublicQuery<'a> {
    pub text: Option<&'a str>,
    pub platforms: Vec<Platform>,
}

fn like_pattern(s: &str) -> String {
    // The user's % and _ are literal, escaped with a backslash (declared in the ESCAPE clause).
    let escaped = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// One page of what the public sees (approved entries and withdrawal notes), newest first:
/// `limit` entries from `offset`.
pub fn public_page(
    conn: &mut DbConnection,
    query: &PublicQuery<'_>,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<RecordEntryRow>> {
    let mut q = record_entries::table
        .filter(record_entries::status.ne(RecordStatus::Candidate))
        .filter(record_entries::approved_at.is_not_null())
        .into_boxed();
    if let Some(text) = query.text {
        let p = like_pattern(text);
        q = q.filter(
            record_entries::shop_name
                .like(p.clone())
                .escape('\\')
                .or(record_entries::document_number.like(p.clone()).escape('\\'))
                .or(record_entries::regulator_name.like(p).escape('\\'))
                .or(record_entries::platform.eq_any(query.platforms.clone())),
        );
    }
    q.order((
        record_entries::approved_at.desc(),
        record_entries::id.desc(),
    ))
    .select(RecordEntryRow::as_select())
    .offset(offset)
    .limit(limit)
    .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = record_corrections)]
pub struct CorrectionRow {
    pub id: RecordCorrectionId,
    pub entry_id: RecordEntryId,
    pub enterprise_name: String,
    pub contact_email: String,
    pub what_is_wrong: String,
    pub document_number: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = record_corrections)]
pub struct NewCorrection<'a> {
    pub entry_id: RecordEntryId,
    pub enterprise_name: &'a str,
    pub contact_email: &'a str,
    pub what_is_wrong: &'a str,
    pub document_number: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

pub fn insert_correction(
    conn: &mut DbConnection,
    new: &NewCorrection<'_>,
) -> QueryResult<RecordCorrectionId> {
    diesel::insert_into(record_corrections::table)
        .values(new)
        .returning(record_corrections::id)
        .get_result(conn)
}

/// Correction requests, newest first (at most `limit`).
pub fn corrections(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<CorrectionRow>> {
    record_corrections::table
        .order((
            record_corrections::created_at.desc(),
            record_corrections::id.desc(),
        ))
        .select(CorrectionRow::as_select())
        .limit(limit)
        .load(conn)
}
