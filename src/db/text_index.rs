//! Near-identical texts across all cases (descriptions and text read from screenshots), found
//! through MinHash signatures and LSH bands kept as indexed rows (`case_texts`, `text_bands`):
//! a lookup reads the texts that share a band with this case's texts, through the index, and
//! verifies each against the real text (`domain::text_similarity`).

use super::DbConnection;
use super::schema::{case_texts, text_bands};
use crate::domain::ids::{CaseId, EvidenceId};
use crate::domain::links::{LinkDetail, LinkReason, Suggestion, TextSource};
use crate::domain::text_similarity::{self as ts, Fingerprint};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

/// The most texts sharing a band that one lookup verifies, those sharing most bands first:
/// a text shared by a thousand cases (a common template) still costs a bounded lookup.
pub const MOST_CANDIDATES: usize = 200;

/// The most texts read from one band: the newest, where a common phrase put more in it.
pub const MOST_PER_BAND: i64 = 500;

/// A text to index, with its fingerprint.
#[derive(Debug, Clone)]
pub struct NewText<'a> {
    pub case_id: CaseId,
    pub source: TextSource,
    pub body: &'a str,
    pub fingerprint: Fingerprint,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = case_texts)]
struct TextRow<'a> {
    case_id: CaseId,
    evidence_id: Option<EvidenceId>,
    body: &'a str,
    signature: Vec<u8>,
    created_at: NaiveDateTime,
}

impl<'a> From<&NewText<'a>> for TextRow<'a> {
    fn from(t: &NewText<'a>) -> Self {
        TextRow {
            case_id: t.case_id,
            evidence_id: evidence_of(t.source),
            body: t.body,
            signature: ts::signature_bytes(&t.fingerprint.signature),
            created_at: t.created_at,
        }
    }
}

fn evidence_of(source: TextSource) -> Option<EvidenceId> {
    match source {
        TextSource::Description => None,
        TextSource::Screenshot(e) => Some(e),
    }
}

fn source_of(evidence_id: Option<EvidenceId>) -> TextSource {
    evidence_id.map_or(TextSource::Description, TextSource::Screenshot)
}

/// A row of `text_bands`: one band of one text's signature. Ordered as the table's key, so that
/// a bulk load can write them in key order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Insertable)]
#[diesel(table_name = text_bands, treat_none_as_default_value = false)]
pub struct Band {
    band_value: i64,
    text_id: i64,
}

fn band_rows(text_id: i64, fp: &Fingerprint) -> impl Iterator<Item = Band> {
    let mut values = fp.bands.clone();
    // Two bands of one text may hash alike; the key is (value, text).
    values.sort_unstable();
    values.dedup();
    values.into_iter().map(move |band_value| Band {
        band_value,
        text_id,
    })
}

/// Indexes a text of a case, replacing the one from the same source (OCR read again).
pub fn insert(conn: &mut DbConnection, text: &NewText<'_>) -> QueryResult<i64> {
    let same_source = case_texts::table
        .filter(case_texts::case_id.eq(text.case_id))
        .into_boxed();
    let same_source = match evidence_of(text.source) {
        None => same_source.filter(case_texts::evidence_id.is_null()),
        Some(e) => same_source.filter(case_texts::evidence_id.eq(e)),
    };
    let old: Vec<i64> = same_source.select(case_texts::id).load(conn)?;
    if !old.is_empty() {
        diesel::delete(text_bands::table.filter(text_bands::text_id.eq_any(&old))).execute(conn)?;
        diesel::delete(case_texts::table.filter(case_texts::id.eq_any(&old))).execute(conn)?;
    }
    let id: i64 = diesel::insert_into(case_texts::table)
        .values(TextRow::from(text))
        .returning(case_texts::id)
        .get_result(conn)?;
    let bands: Vec<Band> = band_rows(id, &text.fingerprint).collect();
    insert_bands(conn, &bands)?;
    Ok(id)
}

/// Indexes many texts at once (the benchmark): the same rows as `insert`, many to a statement.
/// The texts must be new (no source indexed before).
pub fn insert_many(conn: &mut DbConnection, texts: &[NewText<'_>]) -> QueryResult<()> {
    let first = super::bulk::reserve_ids(conn, super::bulk::Serial::Texts, texts.len())?;
    let bands = insert_numbered(conn, first, texts)?;
    insert_bands(conn, &bands)
}

/// Writes new texts under the ids `first`, `first + 1`, … (reserved with `bulk::reserve_ids`,
/// in the same transaction on SQLite) — one binary COPY on PostgreSQL, 500 rows a statement on
/// SQLite — and returns their bands, for `insert_bands` now or, in key order, after a bulk load.
pub fn insert_numbered(
    conn: &mut DbConnection,
    first: i64,
    texts: &[NewText<'_>],
) -> QueryResult<Vec<Band>> {
    #[derive(Insertable)]
    #[diesel(table_name = case_texts, treat_none_as_default_value = false)]
    struct NumberedRow<'a> {
        id: i64,
        case_id: CaseId,
        evidence_id: Option<EvidenceId>,
        body: &'a str,
        signature: Vec<u8>,
        created_at: NaiveDateTime,
    }
    let rows: Vec<NumberedRow<'_>> = texts
        .iter()
        .zip(first..)
        .map(|(t, id)| {
            let TextRow {
                case_id,
                evidence_id,
                body,
                signature,
                created_at,
            } = TextRow::from(t);
            NumberedRow {
                id,
                case_id,
                evidence_id,
                body,
                signature,
                created_at,
            }
        })
        .collect();
    // Each backend's own connection: diesel's multi-backend connection has no multi-row insert.
    match conn {
        DbConnection::Postgres(c) => {
            if !rows.is_empty() {
                diesel::copy_from(case_texts::table)
                    .from_insertable(&rows)
                    .execute(c)?;
            }
        }
        DbConnection::Sqlite(c) => {
            for chunk in rows.chunks(500) {
                diesel::insert_into(case_texts::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
    }
    Ok(texts
        .iter()
        .zip(first..)
        .flat_map(|(t, id)| band_rows(id, &t.fingerprint))
        .collect())
}

/// Writes band rows: one binary COPY on PostgreSQL, 16,000 rows a statement on SQLite (32,000
/// values: SQLite takes 32,766 at most).
pub fn insert_bands(conn: &mut DbConnection, rows: &[Band]) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(c) => {
            if !rows.is_empty() {
                diesel::copy_from(text_bands::table)
                    .from_insertable(rows)
                    .execute(c)?;
            }
        }
        DbConnection::Sqlite(c) => {
            for chunk in rows.chunks(16_000) {
                diesel::insert_into(text_bands::table)
                    .values(chunk)
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

/// An indexed text.
#[derive(Debug, Clone, Queryable)]
struct StoredText {
    case_id: CaseId,
    evidence_id: Option<EvidenceId>,
    body: String,
    signature: Vec<u8>,
}

macro_rules! stored_text {
    () => {
        (
            case_texts::case_id,
            case_texts::evidence_id,
            case_texts::body,
            case_texts::signature,
        )
    };
}

/// A text of another case nearly the same as one of ours.
#[derive(Debug, Clone, PartialEq)]
pub struct TextMatch {
    pub other: CaseId,
    pub mine: TextSource,
    pub theirs: TextSource,
    pub their_body: String,
    /// Jaccard similarity of the two texts' shingles.
    pub similarity: f64,
}

/// The texts of other cases than `case_id` nearly the same as `body`: those sharing an LSH band
/// with it (most shared bands first, at most `MOST_CANDIDATES`), verified on their shingles.
pub fn lookup(
    conn: &mut DbConnection,
    case_id: CaseId,
    mine: TextSource,
    body: &str,
    signature: &[u32],
) -> QueryResult<Vec<TextMatch>> {
    let mut bands = ts::bands(signature, ts::PARAMS);
    bands.sort_unstable();
    bands.dedup();
    // Each band is read through the index, its newest `MOST_PER_BAND` texts at most: a lookup
    // costs the same among a million texts as among a thousand, even where a common phrase
    // fills a band.
    let mut shared: HashMap<i64, u32> = HashMap::new();
    for band in bands {
        let texts: Vec<i64> = text_bands::table
            .filter(text_bands::band_value.eq(band))
            .select(text_bands::text_id)
            .order(text_bands::text_id.desc())
            .limit(MOST_PER_BAND)
            .load(conn)?;
        for t in texts {
            *shared.entry(t).or_default() += 1;
        }
    }
    // Those sharing most bands first (the likeliest), the newest among equals.
    let mut ranked: Vec<(i64, u32)> = shared.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    let candidates: Vec<i64> = ranked
        .into_iter()
        .take(MOST_CANDIDATES)
        .map(|(t, _)| t)
        .collect();
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let texts: Vec<StoredText> = case_texts::table
        .filter(case_texts::id.eq_any(&candidates))
        .filter(case_texts::case_id.ne(case_id))
        .select(stored_text!())
        .load(conn)?;
    let my_shingles = ts::shingles(&ts::normalise(body).chars, ts::PARAMS.k);
    Ok(texts
        .into_iter()
        .filter(|t| {
            // The signatures' estimate is cheap: far-off candidates are not shingled at all.
            ts::estimate(signature, &ts::signature_from_bytes(&t.signature)) >= ts::THRESHOLD - 0.15
        })
        .filter_map(|t| {
            let theirs = ts::shingles(&ts::normalise(&t.body).chars, ts::PARAMS.k);
            let similarity = ts::jaccard(&my_shingles, &theirs);
            (similarity >= ts::THRESHOLD).then(|| TextMatch {
                other: t.case_id,
                mine,
                theirs: source_of(t.evidence_id),
                their_body: t.body,
                similarity,
            })
        })
        .collect())
}

/// Other cases whose description or screenshot text is nearly the same as one of this case's,
/// the most similar first, with this case's text split around the passage they share.
pub fn similar_texts(
    conn: &mut DbConnection,
    case_id: CaseId,
    limit: i64,
) -> QueryResult<Vec<Suggestion>> {
    let mine: Vec<StoredText> = case_texts::table
        .filter(case_texts::case_id.eq(case_id))
        .order(case_texts::id.asc())
        .select(stored_text!())
        .load(conn)?;
    // The best match per other case: one text link per case says enough.
    let mut best: HashMap<CaseId, (TextMatch, &str)> = HashMap::new();
    for t in &mine {
        let signature = ts::signature_from_bytes(&t.signature);
        for m in lookup(conn, case_id, source_of(t.evidence_id), &t.body, &signature)? {
            let better = best
                .get(&m.other)
                .is_none_or(|(b, _)| m.similarity > b.similarity);
            if better {
                best.insert(m.other, (m, t.body.as_str()));
            }
        }
    }
    let mut found: Vec<(TextMatch, &str)> = best.into_values().collect();
    found.sort_by(|a, b| {
        b.0.similarity
            .total_cmp(&a.0.similarity)
            .then(b.0.other.cmp(&a.0.other))
    });
    found.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(found
        .into_iter()
        .map(|(m, my_body)| Suggestion {
            other: m.other,
            reason: LinkReason::SimilarText,
            strength: ts::strength(m.similarity),
            detail: LinkDetail::Text {
                mine: m.mine,
                theirs: m.theirs,
                passage: ts::shared_passage(my_body, &m.their_body).unwrap_or_default(),
            },
        })
        .collect())
}

/// How many texts are indexed (the benchmark, the seed's report).
pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    case_texts::table.count().get_result(conn)
}
