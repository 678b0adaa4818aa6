//! The background job runner: claims due jobs from the `jobs` table under a lease, runs each
//! kind's handler, retries a failure with backoff, and keeps the recurring housekeeping going.
//! Any number of instances run it on one database, and each job still runs once.

mod copies;
mod housekeeping;
pub mod ocr;

use crate::db::jobs::{self as job_rows, Claim, JobRow, NewJob};
use crate::db::{self, DbError, DbPool};
use crate::domain::jobs::{JobKind, backoff};
use crate::evidence::EvidenceStore;
use crate::workflow::WorkflowError;
use crate::workflow::handoff::HandoffContext;
use crate::workflow::retention::RetentionPeriods;
use chrono::{NaiveDateTime, SubsecRound, TimeDelta};
use std::sync::Arc;
use tokio::sync::Notify;
use tracing::Instrument;

/// How long a claimed job is its worker's. Longer than any housekeeping pass takes; a job whose
/// worker died waits this long for another.
pub const LEASE: TimeDelta = TimeDelta::minutes(30);

/// The most jobs one pass takes, so that a pass ends and the runner looks again.
const MOST_PER_PASS: usize = 100;

/// What the handlers need besides the database.
#[derive(Clone)]
pub struct JobContext {
    pub store: EvidenceStore,
    /// Screenshots held for refused reports' resubmission.
    pub held: crate::evidence::held::HeldUploads,
    pub handoff: HandoffContext,
    /// Wakes the mail worker when a job queued mail.
    pub mail_wakeup: Arc<Notify>,
    pub retention: RetentionPeriods,
    /// Reads screenshots' text (`tesseract`, where the server has it).
    pub ocr: ocr::OcrEngine,
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// A kind this build does not know: written by a newer release, or by hand.
    #[error("unknown job kind {0:?}: this build has no handler for it")]
    UnknownKind(String),
    #[error("its last attempt (of {0}) never finished: its worker stopped and its lease ran out")]
    Abandoned(i32),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    /// The storage could not give or take a file (retried like any failed attempt).
    #[error("storage: {0}")]
    Storage(#[from] std::io::Error),
    #[error("could not remove held screenshots: {0}")]
    Held(String),
}

/// A name for this process's runner, unique among the instances on one database.
pub fn worker_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    format!(
        "{host}:{}:{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// Makes sure each housekeeping job is scheduled: one that is missing (a new database, a new
/// kind) is due at `now`. Returns how many were added; other instances may have added them.
pub async fn schedule_housekeeping(pool: &DbPool, now: NaiveDateTime) -> Result<usize, DbError> {
    db::run(pool, move |conn| {
        let scheduled = job_rows::pending_singletons(conn)?;
        let mut added = 0;
        for kind in JobKind::housekeeping() {
            if !scheduled.iter().any(|k| k == kind.as_str())
                && job_rows::enqueue_unless_pending(conn, &NewJob::recurring(kind, now, now))?
            {
                added += 1;
            }
        }
        Ok(added)
    })
    .await
}

/// One pass: claims and runs the jobs due at `now` (the pass's clock moves on from it as the pass
/// takes time), one after the other, until none is due. Returns how many jobs it took.
pub async fn run_due(
    pool: &DbPool,
    ctx: &JobContext,
    worker: &str,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let clock = PassClock::starting_at(now);
    let mut taken = 0;
    while taken < MOST_PER_PASS {
        let (owner, at) = (worker.to_string(), clock.now());
        let claim = db::run(pool, move |conn| {
            Ok(job_rows::claim_due(conn, &owner, at, LEASE)?)
        })
        .await?;
        let Some(claim) = claim else { break };
        taken += 1;
        let span = tracing::info_span!(
            "job",
            job_id = claim.job.id,
            kind = %claim.job.kind,
            attempt = claim.job.attempts
        );
        run_claimed(pool, ctx, worker, claim, &clock)
            .instrument(span)
            .await?;
    }
    Ok(taken)
}

/// Runs a claimed job and records how it went.
async fn run_claimed(
    pool: &DbPool,
    ctx: &JobContext,
    worker: &str,
    claim: Claim,
    clock: &PassClock,
) -> Result<(), DbError> {
    let job = claim.job;
    if let Some(previous) = &claim.taken_over_from {
        tracing::warn!(previous, "taking over a job whose worker's lease ran out");
    }
    let outcome = if job.attempts > job.max_attempts {
        // The last attempt it was allowed was claimed and never finished.
        Err(JobError::Abandoned(job.max_attempts))
    } else {
        perform(pool, ctx, &job, clock.now()).await
    };
    record(pool, worker, &job, outcome, clock.now()).await
}

/// The handler of each kind. A new kind adds its arm here (the match is exhaustive).
async fn perform(
    pool: &DbPool,
    ctx: &JobContext,
    job: &JobRow,
    now: NaiveDateTime,
) -> Result<(), JobError> {
    let Some(kind) = job.kind() else {
        return Err(JobError::UnknownKind(job.kind.to_string()));
    };
    match kind {
        JobKind::PurgeUnconfirmed => housekeeping::purge_unconfirmed(pool, ctx).await,
        JobKind::PurgeReporterSessions => housekeeping::purge_reporter_sessions(pool, now).await,
        JobKind::ForgetHeldUploads => housekeeping::forget_held_uploads(ctx, now).await,
        JobKind::HandoffReminders => housekeeping::send_handoff_reminders(pool, ctx).await,
        JobKind::PlatformNotices => housekeeping::send_platform_notices(pool, ctx, now).await,
        JobKind::PurgeSignInAttempts => housekeeping::purge_sign_in_attempts(pool).await,
        JobKind::ApplyRetention => housekeeping::apply_retention(pool, ctx).await,
        JobKind::PurgeFinishedJobs => housekeeping::purge_finished_jobs(pool, now).await,
        JobKind::SweepStoredFiles => housekeeping::sweep_stored_files(pool, ctx, now).await,
        JobKind::IndexEarlierCases => housekeeping::index_earlier_cases(pool).await,
        JobKind::ReadScreenshotText => {
            ocr::read_screenshot_text(pool, ctx, &job.payload, now).await
        }
        JobKind::IndexEarlierScreenshots => {
            housekeeping::index_earlier_screenshots(pool, ctx).await
        }
        JobKind::RefreshPublicStats => housekeeping::refresh_public_stats(pool, now).await,
        JobKind::MakeScreenshotCopies => {
            copies::make_screenshot_copies(pool, ctx, &job.payload, now).await
        }
        JobKind::PurgeRateLimits => housekeeping::purge_rate_limits(pool, now).await,
    }
}

/// What happened to a job after one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Done,
    RetryAt(NaiveDateTime),
    Failed,
}

/// Done; or, after a failed attempt, again after the backoff; or failed for good once it has had
/// all its attempts.
fn verdict(job: &JobRow, succeeded: bool, at: NaiveDateTime) -> Verdict {
    if succeeded {
        Verdict::Done
    } else if job.attempts >= job.max_attempts {
        Verdict::Failed
    } else {
        Verdict::RetryAt(at + backoff(job.attempts))
    }
}

/// Writes the verdict on a job and, when a recurring job is over (done or failed), schedules its
/// next run, in one transaction.
async fn record(
    pool: &DbPool,
    worker: &str,
    job: &JobRow,
    outcome: Result<(), JobError>,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    let verdict = verdict(job, outcome.is_ok(), at);
    let error = outcome.err().map(|e| e.to_string());
    log_verdict(job, verdict, error.as_deref());
    let next = job
        .kind()
        .and_then(|kind| Some(NewJob::recurring(kind, at + kind.every()?, at)));
    let (id, worker) = (job.id, worker.to_string());
    let held = db::run(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let error = error.as_deref().unwrap_or_default();
            let held = match verdict {
                Verdict::Done => job_rows::mark_done(conn, id, &worker, at)?,
                Verdict::Failed => job_rows::mark_failed(conn, id, &worker, error, at)?,
                Verdict::RetryAt(retry_at) => {
                    return Ok(job_rows::retry_later(conn, id, &worker, error, retry_at)?);
                }
            };
            if let (true, Some(next)) = (held, next) {
                job_rows::enqueue_unless_pending(conn, &next)?;
            }
            Ok::<_, DbError>(held)
        })
    })
    .await?;
    if !held {
        tracing::warn!(
            "the job's lease ran out while it ran and another worker took it: its outcome here is not recorded"
        );
    }
    Ok(())
}

fn log_verdict(job: &JobRow, verdict: Verdict, error: Option<&str>) {
    let error = error.unwrap_or_default();
    match verdict {
        Verdict::Done => tracing::debug!("job done"),
        Verdict::RetryAt(retry_at) if job.kind().is_none() => {
            tracing::error!(error, %retry_at, "job of an unknown kind; will retry (a newer instance may know it)")
        }
        Verdict::RetryAt(retry_at) => {
            tracing::warn!(error, %retry_at, "job failed; will retry")
        }
        Verdict::Failed => tracing::error!(
            error,
            attempts = job.attempts,
            "job failed for good; it stays in the jobs table with its error"
        ),
    }
}

/// The time within a pass: `now` as given when the pass started, moved on by the time the pass
/// has taken, so that a lease claimed late in a long pass is as long as one claimed first.
struct PassClock {
    start: NaiveDateTime,
    started: std::time::Instant,
}

impl PassClock {
    fn starting_at(start: NaiveDateTime) -> Self {
        PassClock {
            start,
            started: std::time::Instant::now(),
        }
    }

    fn now(&self) -> NaiveDateTime {
        let elapsed = TimeDelta::from_std(self.started.elapsed()).unwrap_or(TimeDelta::MAX);
        self.start
            .checked_add_signed(elapsed)
            .unwrap_or(self.start)
            .trunc_subsecs(6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(attempts: i32, max_attempts: i32) -> JobRow {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
            .and_then(|d| d.and_hms_opt(3, 0, 0))
            .expect("a valid time");
        JobRow {
            id: 1,
            kind: crate::domain::jobs::StoredJobKind::Known(JobKind::ApplyRetention),
            payload: "{}".into(),
            singleton_key: None,
            run_at: t,
            attempts,
            max_attempts,
            lease_owner: Some("w".into()),
            lease_until: Some(t + LEASE),
            last_error: None,
            created_at: t,
        }
    }

    #[test]
    fn a_failed_attempt_waits_longer_each_time_until_the_last_one_fails_the_job() {
        let j = job(1, 3);
        let at = j.run_at;
        assert_eq!(
            verdict(&j, false, at),
            Verdict::RetryAt(at + TimeDelta::seconds(30))
        );
        assert_eq!(
            verdict(&job(2, 3), false, at),
            Verdict::RetryAt(at + TimeDelta::minutes(1))
        );
        assert_eq!(verdict(&job(3, 3), false, at), Verdict::Failed);
        assert_eq!(verdict(&job(4, 3), false, at), Verdict::Failed);
        assert_eq!(verdict(&job(3, 3), true, at), Verdict::Done);
    }

    #[test]
    fn the_pass_clock_starts_at_the_given_time_and_never_goes_back() {
        let start = job(1, 1).run_at;
        let clock = PassClock::starting_at(start);
        let first = clock.now();
        assert!(first >= start && first - start < TimeDelta::seconds(5));
        assert!(clock.now() >= first);
    }
}
