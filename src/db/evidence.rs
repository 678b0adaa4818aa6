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
    /// The copies and hashes: `None` until the background job (or a step that needs them) made
    /// them (`workflow::screenshot_copies`).
    pub display_sha256: Option<String>,
    pub display_kind: Option<ImageKind>,
    pub thumb_sha256: Option<String>,
    pub thumb_width: Option<i32>,
    pub thumb_height: Option<i32>,
    pub perceptual_hash: Option<String>,
    pub uploaded_at: NaiveDateTime,
}

/// The copies of a screenshot whose copies are made.
#[derive(Debug, Clone, Copy)]
pub struct MadeCopies<'a> {
    pub display_sha256: &'a str,
    pub display_kind: ImageKind,
    pub thumb_sha256: &'a str,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub perceptual_hash: &'a str,
}

impl EvidenceRow {
    /// The thumbnail's size: as made, or as it will be made (from the upright size).
    pub fn thumb_size(&self) -> (i32, i32) {
        match (self.thumb_width, self.thumb_height) {
            (Some(w), Some(h)) => (w, h),
            _ => {
                let side = |v: i32| u32::try_from(v).unwrap_or(0);
                let (w, h) =
                    crate::domain::evidence::thumbnail_size(side(self.width), side(self.height));
                (
                    i32::try_from(w).unwrap_or(i32::MAX),
                    i32::try_from(h).unwrap_or(i32::MAX),
                )
            }
        }
    }

    /// The display copy and thumbnail, once made.
    pub fn copies(&self) -> Option<MadeCopies<'_>> {
        Some(MadeCopies {
            display_sha256: self.display_sha256.as_deref()?,
            display_kind: self.display_kind?,
            thumb_sha256: self.thumb_sha256.as_deref()?,
            thumb_width: self.thumb_width?,
            thumb_height: self.thumb_height?,
            perceptual_hash: self.perceptual_hash.as_deref()?,
        })
    }
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
    pub display_sha256: Option<&'a str>,
    pub display_kind: Option<ImageKind>,
    pub thumb_sha256: Option<&'a str>,
    pub thumb_width: Option<i32>,
    pub thumb_height: Option<i32>,
    pub perceptual_hash: Option<&'a str>,
    pub uploaded_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewEvidence<'_>) -> QueryResult<EvidenceId> {
    diesel::insert_into(evidence::table)
        .values(new)
        .returning(evidence::id)
        .get_result(conn)
}

pub fn for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<EvidenceRow>> {
    super::on_backend!(conn, c => evidence::table
        .filter(evidence::case_id.eq(case_id))
        .order(evidence::position.asc())
        .select(EvidenceRow::as_select()).load(c))
}

/// One evidence row, whatever its case; `None` when it is gone.
pub fn by_id(conn: &mut DbConnection, id: EvidenceId) -> QueryResult<Option<EvidenceRow>> {
    evidence::table
        .find(id)
        .select(EvidenceRow::as_select())
        .first(conn)
        .optional()
}

/// Writes the copies of a screenshot whose copies were not made yet. False when the row is gone
/// or its copies were made meanwhile (by the job, or by a step that needed them first).
pub fn set_copies(
    conn: &mut DbConnection,
    id: EvidenceId,
    copies: &MadeCopies<'_>,
) -> QueryResult<bool> {
    let changed = diesel::update(
        evidence::table
            .find(id)
            .filter(evidence::display_sha256.is_null()),
    )
    .set((
        evidence::display_sha256.eq(Some(copies.display_sha256)),
        evidence::display_kind.eq(Some(copies.display_kind)),
        evidence::thumb_sha256.eq(Some(copies.thumb_sha256)),
        evidence::thumb_width.eq(Some(copies.thumb_width)),
        evidence::thumb_height.eq(Some(copies.thumb_height)),
        evidence::perceptual_hash.eq(Some(copies.perceptual_hash)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
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
/// copy where there is one, else the metadata-free display copy — (display, thumbnail) SHA-256;
/// `None` while the copies are not made yet.
pub fn copy_shown<'a>(
    row: &'a EvidenceRow,
    redaction: Option<&'a RedactionRow>,
) -> Option<(&'a str, &'a str)> {
    match redaction {
        Some(r) => Some((&r.display_sha256, &r.thumb_sha256)),
        None => row.copies().map(|c| (c.display_sha256, c.thumb_sha256)),
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
    super::on_backend!(conn, c => r::table
        .filter(r::evidence_id.eq(evidence_id))
        .order(r::id.desc())
        .select(RedactionRow::as_select()).first(c).optional())
}

/// A case's files in order, each with the thumbnail of its latest redaction if it has one: one
/// statement (the reporter's case page; on PostgreSQL each statement is a round trip).
pub fn for_case_with_redacted_thumbs(
    conn: &mut DbConnection,
    case_id: CaseId,
) -> QueryResult<Vec<(EvidenceRow, Option<String>)>> {
    use super::schema::evidence_redactions as r;
    let rows: Vec<(EvidenceRow, Option<String>)> = super::on_backend!(conn, c => evidence::table
        .left_join(r::table)
        .filter(evidence::case_id.eq(case_id))
        .order((evidence::position.asc(), r::id.asc()))
        .select((EvidenceRow::as_select(), r::thumb_sha256.nullable()))
        .load(c))?;
    Ok(latest_redactions(rows))
}

/// Each file once, with the thumbnail of its latest redaction, from rows by position and
/// redaction: a file comes once per redaction (rare), in order of making, the last the latest.
pub(super) fn latest_redactions(
    rows: impl IntoIterator<Item = (EvidenceRow, Option<String>)>,
) -> Vec<(EvidenceRow, Option<String>)> {
    let mut files: Vec<(EvidenceRow, Option<String>)> = Vec::new();
    for (file, thumb) in rows {
        match files.last_mut() {
            Some((last, shown)) if last.id == file.id => *shown = thumb,
            _ => files.push((file, thumb)),
        }
    }
    files
}

/// Inserts evidence rows, of any cases, with the ids `first_id`, `first_id + 1`, … reserved for
/// them (`bulk::reserve_ids`), a thousand a statement: for bulk loads (the demo data of
/// `reviewwatch seed-demo`), which index the screenshots under those ids in the same transaction.
pub fn insert_all(
    conn: &mut DbConnection,
    first_id: EvidenceId,
    rows: &[NewEvidence<'_>],
) -> QueryResult<()> {
    // Every column given, the id too (PostgreSQL: one binary COPY).
    #[derive(Insertable)]
    #[diesel(table_name = evidence, treat_none_as_default_value = false)]
    struct WithId<'a> {
        id: EvidenceId,
        case_id: CaseId,
        position: i32,
        source: EvidenceSource,
        original_name: &'a str,
        kind: ImageKind,
        sha256: &'a str,
        byte_size: i64,
        width: i32,
        height: i32,
        display_sha256: Option<&'a str>,
        display_kind: Option<ImageKind>,
        thumb_sha256: Option<&'a str>,
        thumb_width: Option<i32>,
        thumb_height: Option<i32>,
        perceptual_hash: Option<&'a str>,
        uploaded_at: NaiveDateTime,
    }
    if rows.is_empty() {
        return Ok(());
    }
    let with_ids: Vec<WithId<'_>> = rows
        .iter()
        .zip(first_id.get()..)
        .map(|(r, id)| WithId {
            id: EvidenceId(id),
            case_id: r.case_id,
            position: r.position,
            source: r.source,
            original_name: r.original_name,
            kind: r.kind,
            sha256: r.sha256,
            byte_size: r.byte_size,
            width: r.width,
            height: r.height,
            display_sha256: r.display_sha256,
            display_kind: r.display_kind,
            thumb_sha256: r.thumb_sha256,
            thumb_width: r.thumb_width,
            thumb_height: r.thumb_height,
            perceptual_hash: r.perceptual_hash,
            uploaded_at: r.uploaded_at,
        })
        .collect();
    match conn {
        DbConnection::Postgres(c) => {
            diesel::copy_from(evidence::table)
                .from_insertable(with_ids)
                .execute(c)?;
        }
        // Each backend's own connection: diesel's multi-backend connection has no multi-row
        // insert. 17 columns × 1,000 rows stays under SQLite's 32,766 bound parameters.
        DbConnection::Sqlite(c) => {
            for chunk in with_ids.chunks(1000) {
                diesel::insert_into(evidence::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
    }
    Ok(())
}
