//! Background jobs: two instances on one database run each housekeeping job once an hour, a
//! failing job is retried with growing waits and left failed with its error, and a job whose
//! worker died is taken over once its lease runs out. The runner's clock is given, never slept.

use crate::helpers::*;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use reviewwatch::db::{self, DbPool, schema::cases, schema::jobs};
use reviewwatch::domain::jobs::{JobKind, backoff};
use reviewwatch::jobs::{JobContext, LEASE, run_due, schedule_housekeeping};
use reviewwatch::startup;
use std::sync::Arc;

/// One instance of the portal on `storage`, as far as jobs go: its own pool on the shared
/// database and what its jobs need (no HTTP server, no background loop).
async fn instance(storage: &Storage) -> (DbPool, JobContext) {
    let settings = storage.settings();
    let (pool, keys) = startup::open_database(&settings).await.unwrap();
    assert_backend(&pool);
    let handoff = startup::handoff_context(&settings, &keys, "http://127.0.0.1:9")
        .await
        .unwrap();
    let ctx = startup::job_context(&settings, handoff, Arc::new(tokio::sync::Notify::new()));
    (pool, ctx)
}

#[derive(Debug, Clone, Queryable)]
struct Job {
    id: i64,
    kind: String,
    state: String,
    run_at: NaiveDateTime,
    attempts: i32,
    lease_owner: Option<String>,
    last_error: Option<String>,
    finished_at: Option<NaiveDateTime>,
}

fn all_jobs(pool: &DbPool) -> Vec<Job> {
    jobs::table
        .order(jobs::id.asc())
        .select((
            jobs::id,
            jobs::kind,
            jobs::state,
            jobs::run_at,
            jobs::attempts,
            jobs::lease_owner,
            jobs::last_error,
            jobs::finished_at,
        ))
        .load(&mut pool.get().unwrap())
        .unwrap()
}

fn job(pool: &DbPool, id: i64) -> Job {
    all_jobs(pool)
        .into_iter()
        .find(|j| j.id == id)
        .expect("the job is kept")
}

fn housekeeping() -> Vec<JobKind> {
    JobKind::housekeeping().collect()
}

/// Each housekeeping kind ran exactly once at or after `since`, by one of `workers`, and its next
/// run is pending an hour after that run.
fn assert_ran_once_since(pool: &DbPool, since: NaiveDateTime, workers: &[&str]) {
    let rows = all_jobs(pool);
    for kind in housekeeping() {
        let of_kind: Vec<&Job> = rows.iter().filter(|j| j.kind == kind.as_str()).collect();
        let ran: Vec<&&Job> = of_kind
            .iter()
            .filter(|j| j.finished_at.is_some_and(|t| t >= since))
            .collect();
        assert_eq!(ran.len(), 1, "{kind:?} ran once: {of_kind:#?}");
        assert_eq!(ran[0].state, "done", "{:?}", ran[0]);
        let owner = ran[0].lease_owner.as_deref().unwrap_or_default();
        assert!(workers.contains(&owner), "{:?}", ran[0]);
        let next: Vec<&&Job> = of_kind.iter().filter(|j| j.state == "pending").collect();
        assert_eq!(next.len(), 1, "{kind:?} has one next run: {of_kind:#?}");
        let wait = next[0].run_at - since;
        assert!(
            wait >= TimeDelta::hours(1) && wait < TimeDelta::hours(1) + TimeDelta::minutes(1),
            "{kind:?} runs again an hour later, not {wait}"
        );
    }
}

#[tokio::test]
async fn two_instances_on_one_database_run_each_housekeeping_job_once_an_hour() {
    // A report filed with an email address and never confirmed.
    let app = spawn_app().await;
    let receipt = app
        .file_report(
            &ReportFields::zh_cn().email(SHOPPER),
            vec![("截图.png", png_screenshot(3100), "image/png")],
        )
        .await;
    assert_eq!(app.case_status(&receipt.number), "unconfirmed");
    let storage = app.stop();

    // Two instances on the database the portal used; the report is now eight days old, past
    // the seven days an unconfirmed report is kept.
    let (pool_a, a) = instance(&storage).await;
    let (pool_b, b) = instance(&storage).await;
    diesel::update(cases::table.filter(cases::case_number.eq(&receipt.number)))
        .set(cases::created_at.eq(db::now() - TimeDelta::days(8)))
        .execute(&mut pool_a.get().unwrap())
        .unwrap();
    // The screenshot's copies and OCR jobs (whether or not the portal's runner took them) are
    // not this test's.
    diesel::delete(jobs::table.filter(jobs::kind.eq_any([
        JobKind::ReadScreenshotText.as_str(),
        JobKind::MakeScreenshotCopies.as_str(),
    ])))
    .execute(&mut pool_a.get().unwrap())
    .unwrap();

    // Both schedule the housekeeping (whatever the portal's own runner did): once each.
    let now = db::now() + TimeDelta::hours(2);
    schedule_housekeeping(&pool_a, now).await.unwrap();
    schedule_housekeeping(&pool_b, now).await.unwrap();
    let pending = all_jobs(&pool_a)
        .into_iter()
        .filter(|j| j.state == "pending")
        .count();
    assert_eq!(pending, housekeeping().len());
    // A third racing to write one it did not see finds it there.
    for kind in housekeeping() {
        let again = db::jobs::NewJob::recurring(kind, now, now);
        let mut conn = pool_b.get().unwrap();
        assert!(!db::jobs::enqueue_unless_pending(&mut conn, &again).unwrap());
    }

    // Both run what is due at the same moment: between them, each job runs once.
    let (ran_a, ran_b) = tokio::join!(
        run_due(&pool_a, &a, "instance-a", now),
        run_due(&pool_b, &b, "instance-b", now)
    );
    assert_eq!(ran_a.unwrap() + ran_b.unwrap(), housekeeping().len());
    assert_eq!(db::cases::count(&mut pool_b.get().unwrap()).unwrap(), 0);
    assert_ran_once_since(&pool_a, now, &["instance-a", "instance-b"]);

    // Nothing more this hour, for either of them.
    assert_eq!(run_due(&pool_b, &b, "instance-b", now).await.unwrap(), 0);
    let almost = now + TimeDelta::minutes(59);
    assert_eq!(run_due(&pool_a, &a, "instance-a", almost).await.unwrap(), 0);

    // An hour later, each job runs once more.
    let later = now + TimeDelta::hours(1) + TimeDelta::minutes(1);
    let (ran_a, ran_b) = tokio::join!(
        run_due(&pool_a, &a, "instance-a", later),
        run_due(&pool_b, &b, "instance-b", later)
    );
    assert_eq!(ran_a.unwrap() + ran_b.unwrap(), housekeeping().len());
    assert_ran_once_since(&pool_b, later, &["instance-a", "instance-b"]);
}

#[tokio::test]
async fn a_failing_job_is_retried_with_growing_waits_and_left_failed_with_its_error() {
    let storage = Storage::fresh();
    let (pool, ctx) = instance(&storage).await;
    // A kind this build has no handler for (a newer release's, say): every attempt fails.
    let t0 = db::now();
    let id: i64 = diesel::insert_into(jobs::table)
        .values((
            jobs::kind.eq("ocr_from_a_newer_release"),
            jobs::payload.eq("{}"),
            jobs::state.eq("pending"),
            jobs::run_at.eq(t0),
            jobs::max_attempts.eq(4),
            jobs::created_at.eq(t0),
        ))
        .returning(jobs::id)
        .get_result(&mut pool.get().unwrap())
        .unwrap();

    let mut at = t0;
    let mut waits = Vec::new();
    for attempt in 1..=4 {
        if attempt > 1 {
            let early = at - TimeDelta::seconds(1);
            assert_eq!(
                run_due(&pool, &ctx, "worker", early).await.unwrap(),
                0,
                "attempt {attempt} waits for its time"
            );
        }
        assert_eq!(run_due(&pool, &ctx, "worker", at).await.unwrap(), 1);
        let j = job(&pool, id);
        assert_eq!(j.attempts, attempt);
        let error = j.last_error.clone().unwrap_or_default();
        assert!(
            error.contains("unknown job kind") && error.contains("ocr_from_a_newer_release"),
            "{j:?}"
        );
        if attempt < 4 {
            assert_eq!(j.state, "pending", "{j:?}");
            assert_eq!(j.finished_at, None);
            let wait = j.run_at - at;
            assert!(
                wait >= backoff(attempt) && wait < backoff(attempt) + TimeDelta::seconds(10),
                "attempt {attempt} waits {wait}"
            );
            waits.push(wait);
            at = j.run_at;
        } else {
            assert_eq!(j.state, "failed", "{j:?}");
            assert!(j.finished_at.is_some());
        }
    }
    assert!(waits.windows(2).all(|w| w[1] > w[0]), "{waits:?}");

    // Failed for good: kept with its error, never taken again.
    let much_later = at + TimeDelta::days(1);
    assert_eq!(run_due(&pool, &ctx, "worker", much_later).await.unwrap(), 0);
    let j = job(&pool, id);
    assert_eq!((j.state.as_str(), j.attempts), ("failed", 4));
    assert!(j.last_error.is_some());
}

#[tokio::test]
async fn a_job_whose_worker_died_is_taken_by_another_when_its_lease_runs_out() {
    let storage = Storage::fresh();
    let (pool, ctx) = instance(&storage).await;
    let now = db::now();
    schedule_housekeeping(&pool, now).await.unwrap();

    // A worker claims a job and dies without finishing it.
    let claim = db::jobs::claim_due(&mut pool.get().unwrap(), "died", now, LEASE)
        .unwrap()
        .expect("a due job to claim");
    let id = claim.job.id;

    // Another worker runs everything else, not that job, while the lease lasts.
    let others = housekeeping().len() - 1;
    assert_eq!(run_due(&pool, &ctx, "alive", now).await.unwrap(), others);
    let held = job(&pool, id);
    assert_eq!(held.state, "pending");
    assert_eq!(held.lease_owner.as_deref(), Some("died"));
    let just_before = now + LEASE - TimeDelta::seconds(1);
    assert_eq!(run_due(&pool, &ctx, "alive", just_before).await.unwrap(), 0);

    // Once the lease has run out, it takes the job and runs it (a second attempt).
    let after = now + LEASE + TimeDelta::seconds(1);
    assert_eq!(run_due(&pool, &ctx, "alive", after).await.unwrap(), 1);
    let taken = job(&pool, id);
    assert_eq!(taken.state, "done", "{taken:?}");
    assert_eq!(taken.lease_owner.as_deref(), Some("alive"));
    assert_eq!(taken.attempts, 2);
    let next = all_jobs(&pool)
        .into_iter()
        .filter(|j| j.kind == taken.kind && j.state == "pending")
        .map(|j| j.run_at)
        .collect::<Vec<_>>();
    assert_eq!(next.len(), 1);
    assert!(next[0] >= after + TimeDelta::hours(1), "{next:?}");
}

#[tokio::test]
async fn the_portal_runs_its_housekeeping_soon_after_it_starts() {
    let app = spawn_app().await;
    let kinds = housekeeping().len();
    let rows = poll_until("each housekeeping job to run once", WAIT, || {
        let rows = all_jobs(&app.pool);
        let done = rows.iter().filter(|j| j.state == "done").count();
        let pending = rows.iter().filter(|j| j.state == "pending").count();
        (done == kinds && pending == kinds).then_some(rows)
    })
    .await;
    for kind in housekeeping() {
        let of_kind: Vec<&Job> = rows.iter().filter(|j| j.kind == kind.as_str()).collect();
        let done = of_kind.iter().find(|j| j.state == "done").unwrap();
        let next = of_kind.iter().find(|j| j.state == "pending").unwrap();
        let wait = next.run_at - done.finished_at.unwrap();
        assert_eq!(wait, TimeDelta::hours(1), "{kind:?}: {of_kind:#?}");
    }
}

#[tokio::test]
async fn the_housekeeping_forgets_rate_limit_rows_whose_quota_is_regained() {
    use reviewwatch::db::schema::rate_limit_buckets as buckets;
    use reviewwatch::domain::rate_limit::{HourlyQuota, LimitedAction};
    let storage = Storage::fresh();
    let (pool, ctx) = instance(&storage).await;
    let now = db::now();
    let now_ms = now.and_utc().timestamp_millis();
    let quota = HourlyQuota::per_hour(3).unwrap();
    let hours_ago = now_ms - 2 * 3_600_000;
    {
        let mut conn = pool.get().unwrap();
        // Six addresses that tracked a case two hours ago (all regained), one a minute ago.
        for i in 0..6 {
            let address = format!("203.0.113.{i}");
            assert!(
                db::rate_limits::take(&mut conn, LimitedAction::Track, &address, quota, hours_ago)
                    .unwrap()
            );
        }
        assert!(
            db::rate_limits::take(
                &mut conn,
                LimitedAction::Track,
                "198.51.100.7",
                quota,
                now_ms - 60_000
            )
            .unwrap()
        );
        // A refused request writes nothing.
        for _ in 0..2 {
            assert!(
                db::rate_limits::take(
                    &mut conn,
                    LimitedAction::Reply,
                    "198.51.100.7",
                    quota,
                    now_ms
                )
                .unwrap()
            );
        }
        assert!(
            db::rate_limits::take(
                &mut conn,
                LimitedAction::Reply,
                "198.51.100.7",
                quota,
                now_ms
            )
            .unwrap()
        );
        assert!(
            !db::rate_limits::take(
                &mut conn,
                LimitedAction::Reply,
                "198.51.100.7",
                quota,
                now_ms
            )
            .unwrap()
        );
        let tat = db::rate_limits::tat_ms(&mut conn, LimitedAction::Reply, "198.51.100.7").unwrap();
        assert_eq!(tat, Some(now_ms + 3 * quota.interval_ms()));
    }
    schedule_housekeeping(&pool, now).await.unwrap();
    run_due(&pool, &ctx, "worker", now).await.unwrap();
    let mut kept: Vec<(String, String)> = buckets::table
        .select((buckets::action, buckets::address))
        .order(buckets::id.asc())
        .load(&mut pool.get().unwrap())
        .unwrap();
    kept.sort();
    assert_eq!(
        kept,
        vec![
            ("reply".to_string(), "198.51.100.7".to_string()),
            ("track".to_string(), "198.51.100.7".to_string()),
        ]
    );
}
