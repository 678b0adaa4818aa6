//! The hourly housekeeping jobs, each calling the workflow (or table) function that does the
//! work: what the maintenance loop in `startup.rs` did on every instance, now once per hour.

use super::{JobContext, JobError};
use crate::db::{self, DbPool};
use crate::workflow;
use chrono::{NaiveDateTime, TimeDelta};

/// A reporter session is forgotten a day after it ended.
const ENDED_SESSIONS_KEPT: TimeDelta = TimeDelta::days(1);
/// Done jobs are kept a week, to see that housekeeping runs.
const DONE_JOBS_KEPT: TimeDelta = TimeDelta::days(7);
/// Failed jobs are kept three months, with their errors, for someone to look into.
const FAILED_JOBS_KEPT: TimeDelta = TimeDelta::days(90);
/// Rate limit rows deleted by one statement, and the most statements of one run (the rest wait
/// for the next hour): each a short write, whatever a flood of addresses left behind.
const RATE_LIMIT_BATCH: i64 = 1_000;
const RATE_LIMIT_BATCHES: usize = 500;

pub(super) async fn purge_unconfirmed(pool: &DbPool, ctx: &JobContext) -> Result<(), JobError> {
    workflow::purge::purge_unconfirmed(pool, &ctx.store).await?;
    Ok(())
}

pub(super) async fn purge_reporter_sessions(
    pool: &DbPool,
    now: NaiveDateTime,
) -> Result<(), JobError> {
    let ended_before = now - ENDED_SESSIONS_KEPT;
    db::run(pool, move |conn| {
        Ok(db::reporter_sessions::delete_ended(conn, ended_before)?)
    })
    .await?;
    Ok(())
}

/// Screenshots held for a refused report are removed an hour after they were held.
pub(super) async fn forget_held_uploads(
    ctx: &JobContext,
    now: NaiveDateTime,
) -> Result<(), JobError> {
    let held = ctx.held.clone();
    let now = now.and_utc().timestamp();
    let removed = tokio::task::spawn_blocking(move || held.sweep(now))
        .await
        .map_err(|e| JobError::Held(e.to_string()))?
        .map_err(|e| JobError::Held(e.to_string()))?;
    if removed > 0 {
        tracing::info!(removed, "held screenshots of refused reports removed");
    }
    Ok(())
}

pub(super) async fn send_handoff_reminders(
    pool: &DbPool,
    ctx: &JobContext,
) -> Result<(), JobError> {
    let queued = workflow::handoff::send_reminders(pool, &ctx.handoff).await?;
    if queued > 0 {
        tracing::info!(reminders = queued, "handoff reminders queued");
        ctx.mail_wakeup.notify_one();
    }
    Ok(())
}

pub(super) async fn send_platform_notices(
    pool: &DbPool,
    ctx: &JobContext,
    now: NaiveDateTime,
) -> Result<(), JobError> {
    let queued = workflow::platform_notices::send_due_and_remind(pool, &ctx.handoff, now).await?;
    if queued > 0 {
        tracing::info!(emails = queued, "platform notices and reminders queued");
        ctx.mail_wakeup.notify_one();
    }
    Ok(())
}

pub(super) async fn purge_sign_in_attempts(pool: &DbPool) -> Result<(), JobError> {
    workflow::sign_in::purge_old_attempts(pool).await?;
    Ok(())
}

/// Forgets the per-address rate limit rows whose quota is wholly regained (they would let the
/// next request through as a missing row does), in batches.
pub(super) async fn purge_rate_limits(pool: &DbPool, now: NaiveDateTime) -> Result<(), JobError> {
    let before_ms = now.and_utc().timestamp_millis();
    let mut purged = 0;
    for _ in 0..RATE_LIMIT_BATCHES {
        let deleted = db::run(pool, move |conn| {
            Ok(db::rate_limits::purge_regained(
                conn,
                before_ms,
                RATE_LIMIT_BATCH,
            )?)
        })
        .await?;
        purged += deleted;
        if (deleted as i64) < RATE_LIMIT_BATCH {
            break;
        }
    }
    if purged > 0 {
        tracing::info!(purged, "regained rate limit rows forgotten");
    }
    Ok(())
}

pub(super) async fn apply_retention(pool: &DbPool, ctx: &JobContext) -> Result<(), JobError> {
    workflow::retention::apply(pool, ctx.retention).await?;
    Ok(())
}

pub(super) async fn purge_finished_jobs(pool: &DbPool, now: NaiveDateTime) -> Result<(), JobError> {
    let (done_before, failed_before) = (now - DONE_JOBS_KEPT, now - FAILED_JOBS_KEPT);
    let purged = db::run(pool, move |conn| {
        Ok(db::jobs::purge_finished(conn, done_before, failed_before)?)
    })
    .await?;
    if purged > 0 {
        tracing::info!(purged, "finished jobs forgotten");
    }
    Ok(())
}

pub(super) async fn index_earlier_cases(pool: &DbPool) -> Result<(), JobError> {
    let read = workflow::merchants::index_earlier_cases(pool).await?;
    if read > 0 {
        tracing::info!(cases = read, "earlier cases read into the chain indexes");
    }
    Ok(())
}

/// Screenshots recorded before the near-identical index existed (a database from an earlier
/// release, a restored backup): indexed from their stored thumbnails. Once all are, a run reads
/// one batch that is empty.
pub(super) async fn index_earlier_screenshots(
    pool: &DbPool,
    ctx: &JobContext,
) -> Result<(), JobError> {
    workflow::chains::index_earlier_screenshots(pool, &ctx.store).await?;
    Ok(())
}

/// The public statistics are recomputed once per housekeeping period (an hour): `/stats` serves
/// the snapshot and says when it was computed.
pub(super) async fn refresh_public_stats(
    pool: &DbPool,
    now: NaiveDateTime,
) -> Result<(), JobError> {
    workflow::public_stats::refresh(pool, now).await?;
    Ok(())
}

/// One shard of the stored files swept of what no row refers to (see `workflow::sweep`).
pub(super) async fn sweep_stored_files(
    pool: &DbPool,
    ctx: &JobContext,
    now: NaiveDateTime,
) -> Result<(), JobError> {
    let shard = workflow::sweep::shard_at(now);
    let swept =
        workflow::sweep::sweep_shard(pool, &ctx.store, &ctx.handoff.packages, shard.clone(), now)
            .await?;
    if swept.removed > 0 {
        tracing::info!(
            shard,
            looked_at = swept.looked_at,
            removed = swept.removed,
            "stored files no row refers to were removed"
        );
    }
    Ok(())
}
