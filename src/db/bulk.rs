//! Bulk loading (the demo data at a million cases): ids and case numbers reserved ahead, so that
//! rows referring to each other (a case, its messages, the audit entries naming them) can be
//! written many to a statement instead of one insert and one read-back per row.

use super::DbConnection;
use super::schema::{case_findings, case_messages, case_notes, cases};
use crate::domain::ids::{CaseId, OfficerId};
use crate::domain::status::ClosedReason;
use crate::domain::{CaseStatus, Category, Lang, Platform};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::max;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// Tables whose ids a bulk load hands out itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serial {
    Cases,
    Messages,
    Notes,
}

impl Serial {
    /// PostgreSQL's sequence behind the table's `BIGSERIAL` id.
    fn sequence(self) -> &'static str {
        match self {
            Serial::Cases => "cases_id_seq",
            Serial::Messages => "case_messages_id_seq",
            Serial::Notes => "case_notes_id_seq",
        }
    }
}

diesel::define_sql_function! {
    /// PostgreSQL: the sequence's next value.
    fn nextval(sequence: Text) -> BigInt;
}
diesel::define_sql_function! {
    /// PostgreSQL: moves the sequence to `value` (the next `nextval` gives `value + 1`).
    fn setval(sequence: Text, value: BigInt) -> BigInt;
}

/// Reserves `n` consecutive ids of `serial`'s table and returns the first. On SQLite the caller
/// must insert them in the same write transaction (the largest id is read); on PostgreSQL the
/// sequence moves past them at once, so concurrent inserts never take one.
pub fn reserve_ids(conn: &mut DbConnection, serial: Serial, n: usize) -> QueryResult<i64> {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    match conn {
        DbConnection::Postgres(c) => {
            if n == 0 {
                return Ok(0);
            }
            let seq = serial.sequence();
            let last: i64 = diesel::select(setval(seq, nextval(seq) + (n - 1))).get_result(c)?;
            Ok(last - n + 1)
        }
        DbConnection::Sqlite(c) => {
            let largest: Option<i64> = match serial {
                Serial::Cases => cases::table
                    .select(max(cases::id))
                    .get_result::<Option<CaseId>>(c)?
                    .map(CaseId::get),
                Serial::Messages => case_messages::table
                    .select(max(case_messages::id))
                    .get_result(c)?,
                Serial::Notes => case_notes::table
                    .select(max(case_notes::id))
                    .get_result(c)?,
            };
            Ok(largest.unwrap_or(0) + 1)
        }
    }
}

/// A case row as a bulk load writes it: with its id and the state its history left.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = cases, treat_none_as_default_value = false)]
pub struct BulkCase {
    pub id: CaseId,
    pub case_number: String,
    pub status: CaseStatus,
    pub platform: Platform,
    pub platform_other: Option<String>,
    pub shop_name: String,
    pub shop_ref: String,
    pub shop_key: String,
    pub region_code: String,
    pub province_code: String,
    pub city_code: Option<String>,
    pub product_url: Option<String>,
    pub order_number: Option<String>,
    pub category: Category,
    pub seen_on: NaiveDate,
    pub description: String,
    pub reporter_email: Option<String>,
    pub language: Lang,
    pub consent_share_contact: bool,
    pub consent_share_platform: bool,
    pub is_complaint: bool,
    pub receipt_hash: String,
    pub reporter_ip: Option<String>,
    pub created_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub last_activity_at: NaiveDateTime,
    pub merchant_key: Option<String>,
    pub version: i32,
    pub assigned_officer_id: Option<OfficerId>,
    pub closed_reason: Option<ClosedReason>,
}

impl BulkCase {
    /// The row `new` describes, with its id and its history's outcome.
    pub fn from_new(
        id: CaseId,
        new: &super::cases::NewCase<'_>,
        version: i32,
        assigned_officer_id: Option<OfficerId>,
        closed_reason: Option<ClosedReason>,
    ) -> Self {
        let owned = |s: Option<&str>| s.map(str::to_string);
        BulkCase {
            id,
            case_number: new.case_number.to_string(),
            status: new.status,
            platform: new.platform,
            platform_other: owned(new.platform_other),
            shop_name: new.shop_name.to_string(),
            shop_ref: new.shop_ref.to_string(),
            shop_key: new.shop_key.to_string(),
            region_code: new.region_code.to_string(),
            province_code: new.province_code.to_string(),
            city_code: owned(new.city_code),
            product_url: owned(new.product_url),
            order_number: owned(new.order_number),
            category: new.category,
            seen_on: new.seen_on,
            description: new.description.to_string(),
            reporter_email: owned(new.reporter_email),
            language: new.language,
            consent_share_contact: new.consent_share_contact,
            consent_share_platform: new.consent_share_platform,
            is_complaint: new.is_complaint,
            receipt_hash: new.receipt_hash.to_string(),
            reporter_ip: owned(new.reporter_ip),
            created_at: new.created_at,
            submitted_at: new.submitted_at,
            last_activity_at: new.last_activity_at,
            merchant_key: owned(new.merchant_key),
            version,
            assigned_officer_id,
            closed_reason,
        }
    }
}

/// A message between an officer and the reporter, with its id.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_messages, treat_none_as_default_value = false)]
pub struct BulkMessage {
    pub id: i64,
    pub case_id: CaseId,
    pub from_reporter: bool,
    pub officer_id: Option<OfficerId>,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// An internal note, with its id.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_notes, treat_none_as_default_value = false)]
pub struct BulkNote {
    pub id: i64,
    pub case_id: CaseId,
    pub officer_id: OfficerId,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// A case's finding.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_findings, treat_none_as_default_value = false)]
pub struct BulkFinding {
    pub case_id: CaseId,
    pub finding: String,
    pub officer_id: OfficerId,
    pub created_at: NaiveDateTime,
}

/// Rows per statement: SQLite takes at most 32,766 parameters a statement (a case has 30).
const ROWS_PER_STATEMENT: usize = 500;

/// PostgreSQL takes the rows as one binary `COPY`; SQLite as multi-row inserts.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match &mut *$conn {
            DbConnection::Postgres(c) => {
                if !$rows.is_empty() {
                    diesel::copy_from($table)
                        .from_insertable($rows)
                        .execute(c)?;
                }
            }
            DbConnection::Sqlite(c) => {
                for chunk in $rows.chunks(ROWS_PER_STATEMENT) {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            }
        }
    };
}

/// Writes the cases, then what refers to them.
pub fn insert_cases(
    conn: &mut DbConnection,
    cases_rows: &[BulkCase],
    messages: &[BulkMessage],
    notes: &[BulkNote],
    findings: &[BulkFinding],
) -> QueryResult<()> {
    insert_rows!(conn, cases::table, cases_rows);
    insert_rows!(conn, case_messages::table, messages);
    insert_rows!(conn, case_notes::table, notes);
    insert_rows!(conn, case_findings::table, findings);
    Ok(())
}

/// Has the planner look at the tables again after a bulk load.
pub fn analyze(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Sqlite(c) => c.batch_execute("ANALYZE"),
        DbConnection::Postgres(c) => c.batch_execute("ANALYZE"),
    }
}
