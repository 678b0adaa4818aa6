//! The queue's search index: each case's search text under a trigram index (substrings of
//! three characters or more) and a bigram index (two characters), and the capped, newest-first
//! list of the cases a term finds.
//!
//! SQLite: two FTS5 tables, `case_search` (trigram tokenizer) and `case_bigrams` (the text's
//! character pairs as tokens), both with the case's id as rowid. PostgreSQL: `case_search` with a
//! pg_trgm index on `body` and a GIN index on `pairs`, the text's character pairs as an array.

use super::DbConnection;
use super::schema::{case_bigrams, case_search};
use crate::domain::CaseId;
use crate::domain::search_term::{SearchTerm, character_pair_list, character_pairs};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

/// At most this many cases, the newest, are listed for a search: a term in every ninth report
/// would otherwise make every page read and sort a hundred thousand rows.
pub const SEARCH_CAP: usize = 1000;

/// The text that search matches: case number, shop name and address, description, lower-cased
/// (both backends then agree on case-insensitivity, whatever their collation).
pub fn search_text(
    case_number: &str,
    shop_name: &str,
    shop_ref: &str,
    description: &str,
) -> String {
    format!("{case_number}\n{shop_name}\n{shop_ref}\n{description}").to_lowercase()
}

diesel::table! {
    /// SQLite's FTS5 `case_search` with its rowid, which bulk inserts set to the case's id.
    #[sql_name = "case_search"]
    fts_case_search (rowid) {
        rowid -> BigInt,
        case_id -> BigInt,
        body -> Text,
    }
}

diesel::table! {
    /// PostgreSQL's `case_search`, with the character pairs of its text (migration 28).
    #[sql_name = "case_search"]
    pg_case_search (case_id) {
        case_id -> BigInt,
        body -> Text,
        pairs -> Array<Text>,
    }
}

pub fn index_for_search(conn: &mut DbConnection, case_id: CaseId, text: &str) -> QueryResult<()> {
    insert_all(conn, &[(case_id, text.to_string())])
}

/// Indexes many cases at once, a thousand rows a statement (bulk loads use this too).
pub fn insert_all(conn: &mut DbConnection, rows: &[(CaseId, String)]) -> QueryResult<()> {
    for chunk in rows.chunks(1000) {
        match conn {
            DbConnection::Postgres(c) => {
                let texts: Vec<_> = chunk
                    .iter()
                    .map(|(id, text)| {
                        (
                            pg_case_search::case_id.eq(id.get()),
                            pg_case_search::body.eq(text),
                            pg_case_search::pairs.eq(character_pair_list(text)),
                        )
                    })
                    .collect();
                diesel::insert_into(pg_case_search::table)
                    .values(texts)
                    .execute(c)?;
            }
            DbConnection::Sqlite(c) => {
                // Both FTS rows of a case take its id as rowid: both rank newest first alike.
                let texts: Vec<_> = chunk
                    .iter()
                    .map(|(id, text)| {
                        (
                            fts_case_search::rowid.eq(*id),
                            fts_case_search::case_id.eq(*id),
                            fts_case_search::body.eq(text),
                        )
                    })
                    .collect();
                diesel::insert_into(fts_case_search::table)
                    .values(texts)
                    .execute(c)?;
                let pairs: Vec<_> = chunk
                    .iter()
                    .map(|(id, text)| {
                        (
                            case_bigrams::rowid.eq(*id),
                            case_bigrams::case_id.eq(*id),
                            case_bigrams::tokens.eq(character_pairs(text)),
                        )
                    })
                    .collect();
                diesel::insert_into(case_bigrams::table)
                    .values(pairs)
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

/// Adds text found later (read from a screenshot) to what search matches for a case.
pub fn add_to_search(conn: &mut DbConnection, case_id: CaseId, text: &str) -> QueryResult<()> {
    let more = format!("\n{}", text.to_lowercase());
    match conn {
        DbConnection::Postgres(c) => {
            let body: Option<String> = diesel::update(pg_case_search::table.find(case_id.get()))
                .set(pg_case_search::body.eq(pg_case_search::body.concat(more)))
                .returning(pg_case_search::body)
                .get_result(c)
                .optional()?;
            if let Some(body) = body {
                diesel::update(pg_case_search::table.find(case_id.get()))
                    .set(pg_case_search::pairs.eq(character_pair_list(&body)))
                    .execute(c)?;
            }
        }
        DbConnection::Sqlite(c) => {
            let rowid = case_id.get();
            // SQLite has no RETURNING on virtual tables: update, then read the new body.
            diesel::update(fts_case_search::table.find(rowid))
                .set(fts_case_search::body.eq(fts_case_search::body.concat(more)))
                .execute(c)?;
            let body: Option<String> = fts_case_search::table
                .find(rowid)
                .select(fts_case_search::body)
                .get_result(c)
                .optional()?;
            if let Some(body) = body {
                diesel::update(case_bigrams::table.find(rowid))
                    .set(case_bigrams::tokens.eq(character_pairs(&body)))
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

/// Removes a case from the index (SQLite's FTS tables have no foreign key to cascade).
pub fn unindex(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(c) => {
            diesel::delete(case_search::table.find(case_id)).execute(c)?;
        }
        DbConnection::Sqlite(c) => {
            let rowid = case_id.get();
            diesel::delete(fts_case_search::table.find(rowid)).execute(c)?;
            diesel::delete(case_bigrams::table.find(rowid)).execute(c)?;
        }
    }
    Ok(())
}

/// The cases a term finds, newest first, at most `SEARCH_CAP`; `capped` when there were more.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidates {
    pub ids: Vec<CaseId>,
    pub capped: bool,
}

// The four ways a term is looked up, each newest first: written once, run by `candidates` and
// explained by `explain_candidates`.
macro_rules! sqlite_pairs {
    ($pair:expr, $limit:expr) => {
        case_bigrams::table
            .filter(sql::<Bool>("case_bigrams MATCH ").bind::<Text, _>(format!("\"{}\"", $pair)))
            .order(case_bigrams::rowid.desc())
            .select(case_bigrams::case_id)
            .limit($limit)
    };
}
macro_rules! sqlite_substring {
    ($s:expr, $limit:expr) => {
        fts_case_search::table
            .filter(fts_case_search::body.like(like_pattern($s)).escape('\\'))
            .order(fts_case_search::rowid.desc())
            .select(fts_case_search::case_id)
            .limit($limit)
    };
}
macro_rules! pg_pairs {
    ($pair:expr, $limit:expr) => {
        pg_case_search::table
            .filter(pg_case_search::pairs.contains(vec![$pair.clone()]))
            .order(pg_case_search::case_id.desc())
            .select(pg_case_search::case_id)
            .limit($limit)
    };
}
macro_rules! pg_substring {
    ($s:expr, $limit:expr) => {
        case_search::table
            .filter(case_search::body.like(like_pattern($s)).escape('\\'))
            .order(case_search::case_id.desc())
            .select(case_search::case_id)
            .limit($limit)
    };
}

pub fn candidates(conn: &mut DbConnection, term: &SearchTerm) -> QueryResult<Candidates> {
    let limit = SEARCH_CAP as i64 + 1;
    let mut ids: Vec<CaseId> = match (conn, term) {
        (DbConnection::Sqlite(c), SearchTerm::Pair(p)) => sqlite_pairs!(p, limit).load(c)?,
        (DbConnection::Sqlite(c), SearchTerm::Substring(s)) => {
            sqlite_substring!(s, limit).load(c)?
        }
        (DbConnection::Postgres(c), SearchTerm::Pair(p)) => pg_pairs!(p, limit).load(c)?,
        (DbConnection::Postgres(c), SearchTerm::Substring(s)) => pg_substring!(s, limit).load(c)?,
    };
    let capped = ids.len() > SEARCH_CAP;
    ids.truncate(SEARCH_CAP);
    Ok(Candidates { ids, capped })
}

/// The plan of the lookup `candidates` runs for `term`.
pub fn explain_candidates(conn: &mut DbConnection, term: &SearchTerm) -> QueryResult<Vec<String>> {
    use super::explain::{postgres, sqlite};
    let limit = SEARCH_CAP as i64 + 1;
    let sqlite_rows = |rows: Vec<(i32, i32, i32, String)>| rows.into_iter().map(|r| r.3).collect();
    Ok(match (conn, term) {
        (DbConnection::Sqlite(c), SearchTerm::Pair(p)) => {
            sqlite_rows(sqlite(sqlite_pairs!(p, limit)).load(c)?)
        }
        (DbConnection::Sqlite(c), SearchTerm::Substring(s)) => {
            sqlite_rows(sqlite(sqlite_substring!(s, limit)).load(c)?)
        }
        (DbConnection::Postgres(c), SearchTerm::Pair(p)) => {
            postgres(pg_pairs!(p, limit)).load(c)?
        }
        (DbConnection::Postgres(c), SearchTerm::Substring(s)) => {
            postgres(pg_substring!(s, limit)).load(c)?
        }
    })
}

fn like_pattern(s: &str) -> String {
    // The user's % and _ are literal, escaped with a backslash (declared in the ESCAPE clause).
    let escaped = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_wildcards_typed_by_people_are_literal() {
        assert_eq!(like_pattern("好评返现"), "%好评返现%");
        assert_eq!(like_pattern("100%_off"), "%100\\%\\_off%");
    }
}
