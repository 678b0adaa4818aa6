//! Near-identical screenshots across all cases, found through an index rather than a scan: each
//! evidence image's fingerprint (`image_hashes`) and the fingerprint cut into chunks, one indexed
//! row each (`image_hash_chunks`). A lookup reads the rows of its own chunks' values and those a
//! bit away (`ScreenHash::probes`), then checks each candidate's whole fingerprint: it reads a
//! few rows of the index, never every image, and finds every fingerprint within the threshold
//! (multi-index hashing).

use super::DbConnection;
use super::schema::{evidence, image_hash_chunks, image_hashes};
use crate::domain::ids::{CaseId, EvidenceId};
use crate::domain::links::{LinkDetail, LinkReason, Suggestion};
use crate::domain::screenshots::{self, ScreenHash};
use diesel::prelude::*;
use std::collections::HashSet;

/// An evidence image's fingerprint, for the index.
#[derive(Debug, Clone, Copy)]
pub struct NewImageHash {
    pub evidence_id: EvidenceId,
    pub case_id: CaseId,
    pub hash: ScreenHash,
}

/// Adds one evidence image to the index (in the transaction that records it).
pub fn insert(conn: &mut DbConnection, row: &NewImageHash) -> QueryResult<()> {
    insert_rows(conn, std::slice::from_ref(row))
}

/// Adds evidence images to the index, many a statement: for bulk loads (the demo data, the job
/// that indexes evidence recorded before the index existed). PostgreSQL takes each table's rows
/// as one binary `COPY` (the demo data writes thirteen chunk rows for each of 1.8 screenshots a
/// case); SQLite as multi-row inserts.
pub fn insert_all(conn: &mut DbConnection, rows: &[NewImageHash]) -> QueryResult<()> {
    #[derive(Insertable)]
    #[diesel(table_name = image_hashes, treat_none_as_default_value = false)]
    struct HashRow {
        evidence_id: EvidenceId,
        case_id: CaseId,
        hash: String,
    }
    #[derive(Insertable)]
    #[diesel(table_name = image_hash_chunks, treat_none_as_default_value = false)]
    struct ChunkRow {
        chunk_no: i32,
        chunk_value: i64,
        evidence_id: EvidenceId,
    }
    let DbConnection::Postgres(c) = conn else {
        return insert_rows(conn, rows);
    };
    if rows.is_empty() {
        return Ok(());
    }
    let hashes: Vec<HashRow> = rows
        .iter()
        .map(|r| HashRow {
            evidence_id: r.evidence_id,
            case_id: r.case_id,
            hash: r.hash.to_hex(),
        })
        .collect();
    let chunks: Vec<ChunkRow> = rows
        .iter()
        .flat_map(|r| {
            r.hash
                .chunks()
                .into_iter()
                .map(move |(chunk_no, chunk_value)| ChunkRow {
                    chunk_no,
                    chunk_value,
                    evidence_id: r.evidence_id,
                })
        })
        .collect();
    diesel::copy_from(image_hashes::table)
        .from_insertable(hashes)
        .execute(c)?;
    diesel::copy_from(image_hash_chunks::table)
        .from_insertable(chunks)
        .execute(c)?;
    Ok(())
}

/// The index rows as multi-row inserts (SQLite's bulk path, and one filed screenshot's rows).
fn insert_rows(conn: &mut DbConnection, rows: &[NewImageHash]) -> QueryResult<()> {
    // Each backend's own connection: diesel's multi-backend connection has no multi-row insert.
    // 500 rows × 13 chunks × 3 columns stays under SQLite's 32,766 bound parameters.
    for batch in rows.chunks(500) {
        let hashes: Vec<_> = batch
            .iter()
            .map(|r| {
                (
                    image_hashes::evidence_id.eq(r.evidence_id),
                    image_hashes::case_id.eq(r.case_id),
                    image_hashes::hash.eq(r.hash.to_hex()),
                )
            })
            .collect();
        let chunks: Vec<_> = batch
            .iter()
            .flat_map(|r| {
                r.hash.chunks().into_iter().map(move |(no, value)| {
                    (
                        image_hash_chunks::chunk_no.eq(no),
                        image_hash_chunks::chunk_value.eq(value),
                        image_hash_chunks::evidence_id.eq(r.evidence_id),
                    )
                })
            })
            .collect();
        let insert_hashes = diesel::insert_into(image_hashes::table).values(&hashes);
        let insert_chunks = diesel::insert_into(image_hash_chunks::table).values(&chunks);
        match conn {
            DbConnection::Sqlite(c) => {
                insert_hashes.execute(c)?;
                insert_chunks.execute(c)?;
            }
            DbConnection::Postgres(c) => {
                insert_hashes.execute(c)?;
                insert_chunks.execute(c)?;
            }
        }
    }
    Ok(())
}

/// An indexed image near a fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NearImage {
    pub evidence_id: EvidenceId,
    pub case_id: CaseId,
    pub distance: u32,
}

/// The most chunk matches one lookup reads.
const MAX_CANDIDATES: i64 = 5_000;

/// Indexed images of other cases than `except` within the threshold of `hash`, nearest first,
/// at most `limit`.
pub fn near(
    conn: &mut DbConnection,
    hash: &ScreenHash,
    except: CaseId,
    limit: usize,
) -> QueryResult<Vec<NearImage>> {
    let probe = |(no, values): (i32, Vec<i64>)| {
        image_hash_chunks::chunk_no
            .eq(no)
            .and(image_hash_chunks::chunk_value.eq_any(values))
    };
    let mut probes = hash.probes().into_iter();
    let Some(first) = probes.next() else {
        return Ok(Vec::new());
    };
    let mut query = image_hash_chunks::table
        .select(image_hash_chunks::evidence_id)
        .filter(probe(first))
        .into_boxed::<super::MultiBackend>();
    for p in probes {
        query = query.or_filter(probe(p));
    }
    // Bounded work however many copies of one picture there are (a card photographed in
    // thousands of parcels): the candidates are capped, and a picture that common is named by
    // its first few thousand copies as well as by all.
    let ids: HashSet<EvidenceId> = query
        .limit(MAX_CANDIDATES)
        .load::<EvidenceId>(conn)?
        .into_iter()
        .collect();
    let ids: Vec<EvidenceId> = ids.into_iter().collect();
    let mut found = Vec::new();
    // Bound parameters: SQLite allows 32,766 a statement.
    for batch in ids.chunks(10_000) {
        let rows: Vec<(EvidenceId, CaseId, String)> = image_hashes::table
            .filter(image_hashes::evidence_id.eq_any(batch))
            .filter(image_hashes::case_id.ne(except))
            .select((
                image_hashes::evidence_id,
                image_hashes::case_id,
                image_hashes::hash,
            ))
            .load(conn)?;
        found.extend(
            rows.into_iter()
                .filter_map(|(evidence_id, case_id, stored)| {
                    let distance = ScreenHash::parse_hex(&stored)?.distance(hash);
                    screenshots::is_near(distance).then_some(NearImage {
                        evidence_id,
                        case_id,
                        distance,
                    })
                }),
        );
    }
    found.sort_by_key(|n| (n.distance, n.evidence_id));
    found.truncate(limit);
    Ok(found)
}

/// The fingerprint of one evidence image, if it is indexed.
pub fn hash_of(
    conn: &mut DbConnection,
    evidence_id: EvidenceId,
) -> QueryResult<Option<ScreenHash>> {
    let stored: Option<String> = image_hashes::table
        .filter(image_hashes::evidence_id.eq(evidence_id))
        .select(image_hashes::hash)
        .first(conn)
        .optional()?;
    Ok(stored.and_then(|s| ScreenHash::parse_hex(&s)))
}

/// Screenshots in other cases that are the same or nearly the same as one of this case's: the
/// same file (even one not indexed yet), or a fingerprint within the threshold. Strength:
/// `screenshots::strength` of the distance (100 for the same file or the same fingerprint).
pub fn similar_screenshots(
    conn: &mut DbConnection,
    case_id: CaseId,
    limit: i64,
) -> QueryResult<Vec<Suggestion>> {
    let limit = usize::try_from(limit).unwrap_or(0);
    let mine: Vec<(EvidenceId, String, Option<String>)> = evidence::table
        .left_join(image_hashes::table)
        .filter(evidence::case_id.eq(case_id))
        .select((
            evidence::id,
            evidence::sha256,
            image_hashes::hash.nullable(),
        ))
        .load(conn)?;
    let mut found = Vec::new();
    for (id, sha, stored) in mine {
        let same_file: Vec<(EvidenceId, CaseId)> = evidence::table
            .filter(evidence::sha256.eq(&sha))
            .filter(evidence::case_id.ne(case_id))
            .select((evidence::id, evidence::case_id))
            .limit(limit as i64)
            .load(conn)?;
        let mut near_ones: Vec<NearImage> = same_file
            .into_iter()
            .map(|(evidence_id, case_id)| NearImage {
                evidence_id,
                case_id,
                distance: 0,
            })
            .collect();
        if let Some(hash) = stored.as_deref().and_then(ScreenHash::parse_hex) {
            for n in near(conn, &hash, case_id, limit)? {
                if !near_ones.iter().any(|m| m.evidence_id == n.evidence_id) {
                    near_ones.push(n);
                }
            }
        }
        found.extend(near_ones.into_iter().map(|n| Suggestion {
            other: n.case_id,
            reason: if n.distance == 0 {
                LinkReason::SameScreenshot
            } else {
                LinkReason::SimilarScreenshot
            },
            strength: screenshots::strength(n.distance),
            detail: LinkDetail::Screenshot {
                mine: id,
                theirs: n.evidence_id,
                distance: n.distance,
            },
        }));
    }
    found.sort_by_key(|s| std::cmp::Reverse(s.strength));
    found.truncate(limit);
    Ok(found)
}

/// Evidence rows not in the index yet (recorded before it existed), after `after` in id order:
/// id, case, thumbnail blob.
pub fn unindexed(
    conn: &mut DbConnection,
    after: Option<EvidenceId>,
    limit: i64,
) -> QueryResult<Vec<(EvidenceId, CaseId, String)>> {
    let mut query = evidence::table
        .left_join(image_hashes::table)
        .filter(image_hashes::evidence_id.nullable().is_null())
        // A screenshot without its copies is indexed by the job that makes them.
        .filter(evidence::thumb_sha256.is_not_null())
        .into_boxed::<super::MultiBackend>();
    if let Some(after) = after {
        query = query.filter(evidence::id.gt(after));
    }
    query
        .order(evidence::id.asc())
        .select((
            evidence::id,
            evidence::case_id,
            evidence::thumb_sha256.assume_not_null(),
        ))
        .limit(limit)
        .load(conn)
}

/// Of these evidence rows, those that exist and are not in the index.
pub fn still_unindexed(
    conn: &mut DbConnection,
    ids: &[EvidenceId],
) -> QueryResult<HashSet<EvidenceId>> {
    let rows: Vec<EvidenceId> = evidence::table
        .left_join(image_hashes::table)
        .filter(image_hashes::evidence_id.nullable().is_null())
        .filter(evidence::id.eq_any(ids))
        .select(evidence::id)
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
