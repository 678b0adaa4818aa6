//! The `evidence` table: one row per file a reporter gave, pointing at content-addressed blobs.

use super::DbConnection;
use super::schema::evidence;
use crate::domain::evidence::{EvidenceSource, ImageKind};
use crate::domain::ids::{CaseId, EvidenceId, OfficerId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = evidence)]
pub struct EvidenceRow {
    pub id: EvidenceId,
    pub case_id: CaseId,
    pub position: i32,
    pub source: EvidenceSource,
    pub original_name: String,
    pub kind: ImageKind,
    pub sha256: String,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
    pub display_sha256: String,
    pub display_kind: ImageKind,
    pub thumb_sha256: String,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub perceptual_hash: String,
    pub uploaded_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = evidence)]
pub struct NewEvidence<'a> {
    pub case_id: CaseId,
    pub position: i32,
    pub source: EvidenceSource,
    pub original_name: &'a str,
    pub kind: ImageKind,
    pub sha256: &'a str,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
    pub display_sha256: &'a str,
    pub display_kind: ImageKind,
    pub thumb_sha256: &'a str,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub perceptual_hash: &'a str,
    pub uploaded_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewEvidence<'_>) -> QueryResult<EvidenceId> {
    diesel::insert_into(evidence::table)
        .values(new)
        .returning(evidence::id)
        .get_result(conn)
}

pub fn for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<EvidenceRow>> {
    evidence::table
        .filter(evidence::case_id.eq(case_id))
        .order(evidence::position.asc())
        .select(EvidenceRow::as_select())
        .load(conn)
}

pub fn next_position(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<i32> {
    let max: Option<i32> = evidence::table
        .filter(evidence::case_id.eq(case_id))
        .select(diesel::dsl::max(evidence::position))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

pub fn get(
    conn: &mut DbConnection,
    case_id: CaseId,
    evidence_id: EvidenceId,
) -> QueryResult<EvidenceRow> {
    evidence::table
        .filter(evidence::case_id.eq(case_id))
        .filter(evidence::id.eq(evidence_id))
        .select(EvidenceRow::as_select())
        .first(conn)
}

/// How many evidence rows (and redactions), in any case, still point at a blob.
pub fn references_to(conn: &mut DbConnection, sha: &str) -> QueryResult<i64> {
    evidence::table
        .filter(
            evidence::sha256
                .eq(sha)
                .or(evidence::display_sha256.eq(sha))
                .or(evidence::thumb_sha256.eq(sha)),
        )
        .count()
        .get_result::<i64>(conn)
        .and_then(|n| {
            use super::schema::evidence_redactions as r;
            let m: i64 = r::table
                .filter(r::display_sha256.eq(sha).or(r::thumb_sha256.eq(sha)))
                .count()
                .get_result(conn)?;
            Ok(n + m)
        })
}

/// The PostgreSQL advisory lock that orders removing a blob no row refers to against recording
/// rows that refer to blobs. A removal holds it alone from its reference check to the removal; a
/// recording shares it until it commits. So a removal sees every recording that committed before
/// it, and a recording that commits after a removal finds the blob gone (and puts it back).
/// SQLite needs none: every write transaction there takes the one write lock.
const BLOB_LOCK: i64 = 0x5257_424c_4f42; // "RWBLOB"

/// Taken by a removal of unrecorded blobs, for its whole transaction.
pub fn lock_blobs_for_removal(conn: &mut DbConnection) -> QueryResult<()> {
    if matches!(conn, DbConnection::Postgres(_)) {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(BLOB_LOCK)
            .execute(conn)?;
    }
    Ok(())
}

/// Taken by a transaction that records rows referring to blobs, until it commits.
pub fn lock_blobs_for_recording(conn: &mut DbConnection) -> QueryResult<()> {
    if matches!(conn, DbConnection::Postgres(_)) {
        diesel::sql_query("SELECT pg_advisory_xact_lock_shared($1)")
            .bind::<diesel::sql_types::BigInt, _>(BLOB_LOCK)
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::evidence_redactions)]
pub struct RedactionRow {
    pub id: i64,
    pub evidence_id: EvidenceId,
    pub officer_id: OfficerId,
    pub rects: String,
    pub display_sha256: String,
    pub thumb_sha256: String,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub created_at: NaiveDateTime,
}

/// The copy of a file that leaves the officers' desk (the Evidence rule): the officer's redacted
/// copy where there is one, else the metadata-free display copy — (display, thumbnail) SHA-256.
pub fn copy_shown<'a>(
    row: &'a EvidenceRow,
    redaction: Option<&'a RedactionRow>,
) -> (&'a str, &'a str) {
    match redaction {
        Some(r) => (&r.display_sha256, &r.thumb_sha256),
        None => (&row.display_sha256, &row.thumb_sha256),
    }
}

#[allow(clippy::too_many_arguments)]
pub fn add_redaction(
    conn: &mut DbConnection,
    evidence_id: EvidenceId,
    officer_id: OfficerId,
    rects_json: &str,
    display_sha256: &str,
    thumb_sha256: &str,
    thumb_size: (i32, i32),
    at: NaiveDateTime,
) -> QueryResult<i64> {
    use super::schema::evidence_redactions as r;
    diesel::insert_into(r::table)
        .values((
            r::evidence_id.eq(evidence_id),
            r::officer_id.eq(officer_id),
            r::rects.eq(rects_json),
            r::display_sha256.eq(display_sha256),
            r::thumb_sha256.eq(thumb_sha256),
            r::thumb_width.eq(thumb_size.0),
            r::thumb_height.eq(thumb_size.1),
            r::created_at.eq(at),
        ))
        .returning(r::id)
        .get_result(conn)
}

/// The latest redaction of a file, which every view but the officers' shows.
pub fn latest_redaction(
    conn: &mut DbConnection,
    evidence_id: EvidenceId,
) -> QueryResult<Option<RedactionRow>> {
    use super::schema::evidence_redactions as r;
    r::table
        .filter(r::evidence_id.eq(evidence_id))
        .order(r::id.desc())
        .select(RedactionRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts evidence rows, of any cases, a thousand a statement, without reading their ids back:
/// for bulk loads (the demo data of `reviewwatch seed-demo`).
pub fn insert_all(conn: &mut DbConnection, rows: &[NewEvidence<'_>]) -> QueryResult<()> {
    for chunk in rows.chunks(1000) {
        // Each backend's own connection: diesel's multi-backend connection has no multi-row insert.
        let insert = diesel::insert_into(evidence::table).values(chunk);
        match conn {
            DbConnection::Sqlite(c) => insert.execute(c),
            DbConnection::Postgres(c) => insert.execute(c),
        }?;
    }
    Ok(())
}
