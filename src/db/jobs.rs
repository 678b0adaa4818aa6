//! The `jobs` table: background work, claimed under a lease so that of several instances on one
//! database only one runs a job, and a job whose worker died is taken by another once the lease
//! runs out; failed attempts wait and are retried; finished jobs stay visible for a while.

use super::DbConnection;
use super::schema::jobs;
use crate::domain::jobs::{JobKind, JobState, StoredJobKind};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

/// A job to write. Built only from a `JobKind`, so no unknown kind is ever written.
#[derive(Debug, Insertable)]
#[diesel(table_name = jobs)]
pub struct NewJob {
    kind: JobKind,
    payload: String,
    singleton_key: Option<&'static str>,
    state: JobState,
    run_at: NaiveDateTime,
    max_attempts: i32,
    created_at: NaiveDateTime,
}

impl NewJob {
    /// A job that runs once, at `run_at` or as soon after as a worker is free.
    pub fn once(
        kind: JobKind,
        payload: &serde_json::Value,
        run_at: NaiveDateTime,
        now: NaiveDateTime,
    ) -> Self {
        NewJob {
            kind,
            payload: payload.to_string(),
            singleton_key: None,
            state: JobState::Pending,
            run_at,
            max_attempts: kind.max_attempts(),
            created_at: now,
        }
    }

    /// The next run of a recurring kind: keyed by the kind's name, so that at most one is pending.
    pub fn recurring(kind: JobKind, run_at: NaiveDateTime, now: NaiveDateTime) -> Self {
        NewJob {
            singleton_key: Some(kind.as_str()),
            ..NewJob::once(kind, &serde_json::json!({}), run_at, now)
        }
    }
}

/// A job as a worker sees it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct JobRow {
    pub id: i64,
    /// An open set: a name this build does not know is the runner's to report and fail, not a
    /// query error that would hide the job.
    pub kind: StoredJobKind,
    pub payload: String,
    pub singleton_key: Option<String>,
    pub run_at: NaiveDateTime,
    /// Times the job was started, this one included.
    pub attempts: i32,
    pub max_attempts: i32,
    pub lease_owner: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
}

impl JobRow {
    pub fn kind(&self) -> Option<JobKind> {
        self.kind.known()
    }
}

/// A job a worker has just claimed.
#[derive(Debug, Clone)]
pub struct Claim {
    pub job: JobRow,
    /// The worker whose lease on the job ran out before it finished (it died, or took too long).
    pub taken_over_from: Option<String>,
}

/// Writes a job; its id.
pub fn enqueue(conn: &mut DbConnection, job: &NewJob) -> QueryResult<i64> {
    diesel::insert_into(jobs::table)
        .values(job)
        .returning(jobs::id)
        .get_result(conn)
}

/// Writes `job` unless a pending job has its singleton key (another instance scheduled it
/// first); true when written.
pub fn enqueue_unless_pending(conn: &mut DbConnection, job: &NewJob) -> QueryResult<bool> {
    // ON CONFLICT is not in the MultiConnection's own dialect: each backend's connection runs it.
    // Without a target it covers the partial unique index `jobs_singleton` on both.
    let written = match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(jobs::table)
            .values(job)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConnection::Postgres(c) => diesel::insert_into(jobs::table)
            .values(job)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(written == 1)
}

/// The singleton keys of the pending jobs (the recurring jobs that are scheduled).
pub fn pending_singletons(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    jobs::table
        .filter(jobs::state.eq(JobState::Pending))
        .filter(jobs::singleton_key.is_not_null())
        .select(jobs::singleton_key.assume_not_null())
        .load(conn)
}

/// Claims the job due longest for `worker` until `now + lease`, counting an attempt: no other
/// worker, in this instance or another, takes it until the lease runs out.
pub fn claim_due(
    conn: &mut DbConnection,
    worker: &str,
    now: NaiveDateTime,
    lease: TimeDelta,
) -> QueryResult<Option<Claim>> {
    // A pending job, due, whose lease is free: never leased, released, or run out.
    macro_rules! due_jobs {
        () => {
            jobs::table
                .filter(jobs::state.eq(JobState::Pending))
                .filter(jobs::run_at.le(now))
                .filter(jobs::lease_until.is_null().or(jobs::lease_until.lt(now)))
                .order((jobs::run_at.asc(), jobs::id.asc()))
                .select((jobs::id, jobs::lease_owner, jobs::lease_until))
        };
    }
    type Candidate = (i64, Option<String>, Option<NaiveDateTime>);
    super::write_transaction(conn, |conn| {
        let candidate: Option<Candidate> = match conn {
            // Rows other claimants hold are skipped, not waited for: each takes a different job.
            DbConnection::Postgres(pg) => due_jobs!()
                .for_update()
                .skip_locked()
                .first(pg)
                .optional()?,
            // The write transaction holds SQLite's write lock: no other claim runs meanwhile.
            DbConnection::Sqlite(_) => due_jobs!().first(conn).optional()?,
        };
        let Some((id, previous_owner, previous_lease)) = candidate else {
            return Ok(None);
        };
        // The same conditions again: whatever the backend, only a free lease is taken.
        let won = diesel::update(
            jobs::table
                .filter(jobs::id.eq(id))
                .filter(jobs::state.eq(JobState::Pending))
                .filter(jobs::lease_until.is_null().or(jobs::lease_until.lt(now))),
        )
        .set((
            jobs::lease_owner.eq(Some(worker)),
            jobs::lease_until.eq(Some(now + lease)),
            jobs::attempts.eq(jobs::attempts + 1),
        ))
        .execute(conn)?;
        if won != 1 {
            return Ok(None);
        }
        let job = jobs::table
            .find(id)
            .select(JobRow::as_select())
            .first(conn)?;
        Ok(Some(Claim {
            job,
            // A released lease is cleared; one still set ran out while its worker had it.
            taken_over_from: previous_lease.and(previous_owner),
        }))
    })
}

/// The job `worker` holds: still pending, its lease still `worker`'s.
macro_rules! held_by {
    ($id:expr, $worker:expr) => {
        jobs::table
            .find($id)
            .filter(jobs::state.eq(JobState::Pending))
            .filter(jobs::lease_owner.eq($worker))
            .filter(jobs::lease_until.is_not_null())
    };
}

/// Ends a job `worker` holds as done. False when the worker no longer holds it: its lease ran
/// out and another worker took the job.
pub fn mark_done(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(held_by!(id, worker))
        .set((
            jobs::state.eq(JobState::Done),
            jobs::finished_at.eq(Some(at)),
            jobs::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Ends a job `worker` holds as failed for good, keeping its error. False when the worker no
/// longer holds it.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    error: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(held_by!(id, worker))
        .set((
            jobs::state.eq(JobState::Failed),
            jobs::last_error.eq(Some(error)),
            jobs::finished_at.eq(Some(at)),
            jobs::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Gives back a job `worker` holds after a failed attempt, to be tried again at `retry_at`.
/// False when the worker no longer holds it.
pub fn retry_later(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    error: &str,
    retry_at: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(held_by!(id, worker))
        .set((
            jobs::run_at.eq(retry_at),
            jobs::last_error.eq(Some(error)),
            jobs::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Forgets jobs done before `done_before` and jobs failed before `failed_before`.
pub fn purge_finished(
    conn: &mut DbConnection,
    done_before: NaiveDateTime,
    failed_before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        jobs::table.filter(
            jobs::state
                .eq(JobState::Done)
                .and(jobs::finished_at.lt(done_before))
                .or(jobs::state
                    .eq(JobState::Failed)
                    .and(jobs::finished_at.lt(failed_before))),
        ),
    )
    .execute(conn)
}

/// One job, whatever its state.
pub fn get(conn: &mut DbConnection, id: i64) -> QueryResult<JobRow> {
    jobs::table.find(id).select(JobRow::as_select()).first(conn)
}
