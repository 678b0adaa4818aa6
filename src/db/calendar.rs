//! The `calendar_years` table: every official year file loaded, append-only, and the calendar in
//! force read from it — the same on every instance, since they share the database.

use super::schema::{calendar_years, officers};
use super::{DbConnection, DbError};
use crate::domain::OfficerId;
use crate::domain::calendar_file;
use crate::domain::workdays::Calendar;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

pub use crate::domain::calendar_file::Origin;

pub struct NewCalendarYear<'a> {
    pub file: &'a calendar_file::YearFile,
    pub origin: Origin,
    pub imported_by: Option<OfficerId>,
    pub imported_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, y: &NewCalendarYear) -> QueryResult<i64> {
    diesel::insert_into(calendar_years::table)
        .values((
            calendar_years::year.eq(y.file.days.year),
            calendar_years::body.eq(&y.file.text),
            calendar_years::sha256.eq(&y.file.sha256),
            calendar_years::source.eq(&y.file.source),
            calendar_years::origin.eq(y.origin),
            calendar_years::imported_at.eq(y.imported_at),
            calendar_years::imported_by.eq(y.imported_by),
        ))
        .returning(calendar_years::id)
        .get_result(conn)
}

pub fn set_deadlines_moved(conn: &mut DbConnection, id: i64, moved: i32) -> QueryResult<()> {
    diesel::update(calendar_years::table.find(id))
        .set(calendar_years::deadlines_moved.eq(moved))
        .execute(conn)?;
    Ok(())
}

/// The SHA-256 of the file in force for `year`, if any.
pub fn current_sha(conn: &mut DbConnection, year: i32) -> QueryResult<Option<String>> {
    calendar_years::table
        .filter(calendar_years::year.eq(year))
        .order(calendar_years::id.desc())
        .select(calendar_years::sha256)
        .first(conn)
        .optional()
}

/// Whether this exact file was ever loaded for its year (start-up loads each file once, so a
/// later upload is not undone by the file it replaced at the next start).
pub fn was_loaded(conn: &mut DbConnection, year: i32, sha256: &str) -> QueryResult<bool> {
    let n: i64 = calendar_years::table
        .filter(calendar_years::year.eq(year))
        .filter(calendar_years::sha256.eq(sha256))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// One load of a year file, for the supervisors' page.
#[derive(Debug, Clone, Queryable)]
pub struct LoadRow {
    pub id: i64,
    pub year: i32,
    pub sha256: String,
    pub source: String,
    pub origin: Origin,
    pub imported_at: NaiveDateTime,
    pub imported_by: Option<String>,
    pub deadlines_moved: i32,
}

impl LoadRow {
    pub fn short_sha(&self) -> &str {
        self.sha256.get(..12).unwrap_or(&self.sha256)
    }

    /// The message key naming how the file came in.
    pub fn origin_key(&self) -> String {
        format!("calendar.origin.{}", self.origin)
    }
}

/// Every load, newest first.
pub fn history(conn: &mut DbConnection) -> QueryResult<Vec<LoadRow>> {
    calendar_years::table
        .left_join(officers::table)
        .order(calendar_years::id.desc())
        .select((
            calendar_years::id,
            calendar_years::year,
            calendar_years::sha256,
            calendar_years::source,
            calendar_years::origin,
            calendar_years::imported_at,
            officers::name.nullable(),
            calendar_years::deadlines_moved,
        ))
        .load(conn)
}

/// The PostgreSQL advisory lock that orders loading a year against counting deadlines: a step
/// that counts days waits for a load in progress (and then sees the new year), and a load waits
/// for the steps counting days (and then re-counts what they wrote). SQLite needs none: every
/// write transaction there takes the one write lock before it reads the calendar.
const CALENDAR_LOCK: i64 = 0x5257_4341_4c44; // "RWCALD"

/// Taken by a load, for its whole transaction.
pub fn lock_for_loading(conn: &mut DbConnection) -> QueryResult<()> {
    if matches!(conn, DbConnection::Postgres(_)) {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(CALENDAR_LOCK)
            .execute(conn)?;
    }
    Ok(())
}

fn lock_for_counting(conn: &mut DbConnection) -> QueryResult<()> {
    if matches!(conn, DbConnection::Postgres(_)) {
        diesel::sql_query("SELECT pg_advisory_xact_lock_shared($1)")
            .bind::<diesel::sql_types::BigInt, _>(CALENDAR_LOCK)
            .execute(conn)?;
    }
    Ok(())
}

/// The calendar as pages that only flag provisional dates need it (the reporter's case page),
/// kept per database in the app's state instead of read on every page. A year once official
/// stays official (a later file for the year replaces it; none is taken away), so a date the
/// calendar read before calls official is official; for one it calls provisional the calendar
/// is read again (and kept).
#[derive(Debug, Default)]
pub struct OfficialYears(Mutex<Option<Arc<Calendar>>>);

impl OfficialYears {
    /// A calendar whose `is_provisional` is right for each of `dates`.
    pub fn to_flag(
        &self,
        conn: &mut DbConnection,
        dates: &[chrono::NaiveDate],
    ) -> Result<Arc<Calendar>, DbError> {
        let known = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(calendar) = known
            && dates.iter().all(|d| !calendar.is_provisional(*d))
        {
            return Ok(calendar);
        }
        let calendar = in_force(conn)?;
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(calendar.clone());
        Ok(calendar)
    }
}

/// Calendars already built, by the (id, hash) list of the rows in force: a pure memo, right for
/// any database this process opens.
static BUILT: LazyLock<Mutex<HashMap<String, Arc<Calendar>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The calendar in force: the latest file of each year. One small query per call; the files
/// are parsed again only when a load changed them (on this instance or another). Within a
/// transaction that counts days for a change, it waits for a load under way to commit.
pub fn current(conn: &mut DbConnection) -> Result<Arc<Calendar>, DbError> {
    lock_for_counting(conn)?;
    in_force(conn)
}

/// `current` for a page that only shows dates: the calendar of the reader's snapshot, without
/// the lock (outside a transaction it would be taken and dropped in one statement: a round trip
/// on PostgreSQL for nothing).
pub fn in_force(conn: &mut DbConnection) -> Result<Arc<Calendar>, DbError> {
    let rows: Vec<(i64, i32, String)> = super::on_backend!(conn, c => calendar_years::table
        .order(calendar_years::id.asc())
        .select((
            calendar_years::id,
            calendar_years::year,
            calendar_years::sha256,
        )).load(c))?;
    let in_force: BTreeMap<i32, (i64, String)> = rows
        .into_iter()
        .map(|(id, year, sha)| (year, (id, sha)))
        .collect();
    let key = in_force
        .values()
        .map(|(id, sha)| format!("{id}:{sha}"))
        .collect::<Vec<_>>()
        .join(",");
    if let Some(c) = BUILT.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(c.clone());
    }
    let ids: Vec<i64> = in_force.values().map(|(id, _)| *id).collect();
    let bodies: Vec<String> = calendar_years::table
        .filter(calendar_years::id.eq_any(ids))
        .select(calendar_years::body)
        .load(conn)?;
    // The shipped years stand until a file for the same year replaces them (a database that was
    // never opened through start-up still counts them right).
    let mut years: Vec<_> = Calendar::shipped().official_years().cloned().collect();
    for body in bodies {
        // Only checked files are stored; one that no longer parses is a bug, said loudly.
        let file = calendar_file::parse(body.as_bytes()).map_err(|e| {
            DbError::Task(format!("a stored calendar year no longer parses: {e:?}"))
        })?;
        years.retain(|y| y.year != file.days.year);
        years.push(file.days);
    }
    let calendar = Arc::new(Calendar::new(years));
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if built.len() > 64 {
        built.clear();
    }
    built.insert(key, calendar.clone());
    Ok(calendar)
}
