//! Evidence, its copies and handoff packages in S3-compatible object storage (issue 15):
//! `STORAGE_URL=s3://bucket/prefix`, the rest from the `AWS_*` variables.
//!
//! These run against a real S3-compatible server: `tests/object_storage.sh` starts one (moto's
//! server mode) on loopback, makes a bucket and runs them with `TEST_STORAGE_URL=s3://<bucket>`
//! and the `AWS_*` variables set. Without `TEST_STORAGE_URL` each test says it is skipped and
//! passes; the two-instance test also needs `TEST_DATABASE_URL` (PostgreSQL: two instances
//! cannot share a SQLite file without sharing a folder), and runs two `reviewwatch serve`
//! processes (`serve_process.rs`).

use crate::handoff::{PANYU, PANYU_EMAIL, add_regulator, hand_off, in_region, substantiated_case};
use crate::helpers::*;
use crate::serve_process::{Serve, ServeOptions, jobs_of, jobs_seen, until_no_job_left};
use reqwest::StatusCode;
use reviewwatch::storage::{Storage as ObjectStorage, StoredObject};
use std::sync::Arc;

/// A prefix of the test bucket of its own for one test, or `None` (the test is skipped).
fn object_storage_url(test: &str) -> Option<String> {
    let Some(base) = std::env::var("TEST_STORAGE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    else {
        eprintln!(
            "skipped {test}: TEST_STORAGE_URL is not set (tests/object_storage.sh starts an \
             S3-compatible server and sets it)"
        );
        return None;
    };
    let suffix: u64 = rand::random();
    Some(format!(
        "{}/{test}-{suffix:016x}",
        base.trim().trim_end_matches('/')
    ))
}

/// Every object under `prefix` (`evidence`, `packages`) of the store at `url`, read directly.
async fn listed(url: &str, prefix: &'static str) -> Vec<StoredObject> {
    let store = ObjectStorage::object(url, None).expect("the test store");
    tokio::task::spawn_blocking(move || store.list(prefix))
        .await
        .expect("the listing ran")
        .expect("the store lists")
}

fn keys_under(objects: &[StoredObject], folder: &str) -> usize {
    objects
        .iter()
        .filter(|o| o.key.as_str().contains(&format!("/{folder}/")))
        .count()
}

fn files_in(dir: &std::path::Path) -> usize {
    files_under(dir).len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_copies_and_packages_live_in_object_storage_and_come_back_from_a_backup() {
    let Some(url) = object_storage_url("evidence") else {
        return;
    };
    let app = spawn_app_with(|s| s.storage_url = Some(url.clone())).await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let png = png_screenshot(1500);
    let jpeg = jpeg_photo(1501);
    let receipt = substantiated_case(
        &app,
        &officer,
        &in_region(ReportFields::zh_cn(), "440113").email("shopper@example.com"),
        vec![
            ("好评返现卡.png", png.clone(), "image/png"),
            ("聊天记录.jpg", jpeg.clone(), "image/jpeg"),
        ],
    )
    .await;
    app.run_due_jobs().await;

    // Two originals, their display copies and thumbnails: all in the bucket, none on disk.
    let evidence = listed(&url, "evidence").await;
    assert_eq!(keys_under(&evidence, "originals"), 2, "{evidence:?}");
    assert_eq!(keys_under(&evidence, "display"), 2, "{evidence:?}");
    assert_eq!(keys_under(&evidence, "thumbnails"), 2, "{evidence:?}");
    assert!(
        app.evidence_files("").is_empty(),
        "nothing is kept under DATA_DIR/evidence: {:?}",
        app.evidence_files("")
    );

    // The reporter's page shows the thumbnails, read from the bucket.
    let reporter = app.visitor();
    let page = reporter.open_case(&receipt.number, &receipt.code).await;
    let thumbs = page.attrs_of("#evidence img", "src");
    assert_eq!(thumbs.len(), 2, "{}", page.body);
    for src in &thumbs {
        let thumb = reporter.get_bytes(src).await;
        assert_eq!(thumb.status, StatusCode::OK, "{src}");
        assert_eq!(thumb.content_type, "image/jpeg", "{src}");
        assert!(thumb.bytes.starts_with(&[0xFF, 0xD8]), "{src} is a JPEG");
    }

    // The package goes up to the bucket and comes down as the regulator's download.
    hand_off(&officer, &receipt.number, panyu).await;
    let received = app.mail.next_with_attachments_for(PANYU_EMAIL, WAIT).await;
    let (_, attached) = &received.attachments[0];
    let link = crate::handoff::handoff_link(&received.mail, &app.address, "package");
    let downloaded = app.visitor().download(&link).await;
    assert_eq!(downloaded.status, StatusCode::OK);
    assert_eq!(
        &downloaded.bytes, attached,
        "the download is the attached package"
    );
    let packages = listed(&url, "packages").await;
    assert_eq!(packages.len(), 1, "{packages:?}");
    assert_eq!(packages[0].size, attached.len() as u64);
    assert_eq!(files_in(&app.data_dir.join("packages")), 0);

    // `reviewwatch backup` copies the bucket's files (and the signing key kept there) into a
    // folder; `reviewwatch restore` puts them into another prefix, each checked by its hash.
    let scratch = tempfile::tempdir().expect("tempdir");
    let folder = scratch.path().join("backup");
    let backup = command(&app, &url, None)
        .args(["backup", "--to"])
        .arg(&folder)
        .output()
        .expect("backup runs");
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    assert_eq!(files_in(&folder.join("evidence")), 6);
    assert_eq!(files_in(&folder.join("packages")), 1);
    assert!(
        folder.join("signing-key.pem").is_file(),
        "the key kept in the bucket"
    );

    let restored_url = object_storage_url("restored").expect("the same store");
    let fresh = tempfile::tempdir().expect("tempdir");
    let restore = command(&app, &restored_url, Some(fresh.path()))
        .args(["restore", "--from"])
        .arg(&folder)
        .output()
        .expect("restore runs");
    let said = String::from_utf8_lossy(&restore.stdout);
    assert!(
        restore.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&restore.stderr)
    );
    assert!(said.contains("files: 7"), "{said}");
    let mut before: Vec<(String, u64)> = evidence
        .iter()
        .chain(&packages)
        .map(|o| (o.key.to_string(), o.size))
        .collect();
    let mut after: Vec<(String, u64)> = listed(&restored_url, "evidence")
        .await
        .into_iter()
        .chain(listed(&restored_url, "packages").await)
        .map(|o| (o.key.to_string(), o.size))
        .collect();
    before.sort();
    after.sort();
    assert_eq!(after, before, "the restored bucket holds the same files");

    // A damaged file in a backup is found, not restored.
    let original = std::fs::read_dir(folder.join("evidence/originals"))
        .ok()
        .and_then(|mut shards| shards.next())
        .and_then(|e| e.ok())
        .map(|e| e.path())
        .expect("an originals shard");
    let damaged = first_file(&original);
    std::fs::write(&damaged, b"not the screenshot").expect("damage a file");
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let again = command(
        &app,
        &object_storage_url("damaged").expect("store"),
        Some(elsewhere.path()),
    )
    .args(["restore", "--from"])
    .arg(&folder)
    .output()
    .expect("restore runs");
    assert!(!again.status.success(), "a damaged backup is refused");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("SHA-256"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

fn first_file(dir: &std::path::Path) -> std::path::PathBuf {
    let mut here = dir.to_path_buf();
    loop {
        let next = std::fs::read_dir(&here)
            .expect("a folder")
            .flatten()
            .next()
            .expect("not empty")
            .path();
        if next.is_file() {
            return next;
        }
        here = next;
    }
}

/// The `reviewwatch` command on the app's database with `STORAGE_URL=url`; `fresh`: a new
/// deployment in that folder instead (its own SQLite database, or the app's PostgreSQL one,
/// which `pg_restore` would fill: `restore` puts the files back).
fn command(app: &TestApp, url: &str, fresh: Option<&std::path::Path>) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_reviewwatch"));
    cmd.env("DATA_DIR", fresh.unwrap_or(&app.data_dir))
        .env("DATABASE_URL", app.database_url())
        .env("STORAGE_URL", url)
        .env("RUST_LOG", "warn");
    if fresh.is_some() && !app.database_url().starts_with("postgres") {
        cmd.env_remove("DATABASE_URL");
    }
    cmd
}

/// A TCP proxy in front of the S3-compatible server that the test can cut (connections
/// closed as they come, open ones dropped) and mend: the object store "unreachable for a
/// while".
struct Proxy {
    port: u16,
    open: tokio::sync::watch::Sender<bool>,
}

impl Proxy {
    async fn start(target: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let port = listener.local_addr().expect("its address").port();
        let (open, watch) = tokio::sync::watch::channel(true);
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !*watch.borrow() {
                    continue; // dropped: the connection is closed at once
                }
                let (target, mut watch) = (target.clone(), watch.clone());
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = watch.wait_for(|open| !*open) => {}
                    }
                });
            }
        });
        Self { port, open }
    }

    fn cut(&self) {
        self.open.send_replace(false);
    }

    fn mend(&self) {
        self.open.send_replace(true);
    }
}

fn s3_endpoint() -> String {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .or_else(|_| std::env::var("AWS_ENDPOINT"))
        .expect("tests/object_storage.sh sets AWS_ENDPOINT_URL with TEST_STORAGE_URL");
    let url = url::Url::parse(&endpoint).expect("an endpoint URL");
    format!(
        "{}:{}",
        url.host_str().expect("a host"),
        url.port_or_known_default().expect("a port")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_object_store_refuses_reports_in_plain_words_and_keeps_nothing() {
    let Some(url) = object_storage_url("outage") else {
        return;
    };
    let proxy = Proxy::start(s3_endpoint()).await;
    let app = spawn_app_with(|s| {
        s.storage_url = Some(url.clone());
        s.storage_endpoint = Some(format!("http://127.0.0.1:{}", proxy.port));
    })
    .await;

    proxy.cut();
    let shopper = app.visitor();
    let refused = shopper
        .submit_report(
            &ReportFields::zh_cn(),
            vec![("截图.png", png_screenshot(1600), "image/png")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        refused.body.contains("证据存储暂时无法使用") && refused.body.contains("没有保存任何内容"),
        "{}",
        refused.body
    );
    assert_eq!(
        refused
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("60")
    );
    assert_eq!(app.case_count(), 0, "no case is stored");
    assert!(app.outbox().is_empty(), "no mail is queued");
    assert!(app.tmp_files().is_empty(), "{:?}", app.tmp_files());
    assert!(
        listed(&url, "evidence").await.is_empty(),
        "nothing reached the bucket"
    );

    // In English too.
    let english = app.visitor_speaking("en");
    let refused = english
        .submit_report(
            &ReportFields::zh_cn().set("language", "en"),
            vec![("shot.png", png_screenshot(1601), "image/png")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        refused
            .body
            .contains("nothing from this submission was kept"),
        "{}",
        refused.body
    );

    // Back again: the same report goes through.
    proxy.mend();
    let receipt = shopper
        .file_report(
            &ReportFields::zh_cn(),
            vec![("截图.png", png_screenshot(1600), "image/png")],
        )
        .await;
    assert_eq!(app.case_status(&receipt.number), "submitted");
    assert_eq!(keys_under(&listed(&url, "evidence").await, "originals"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshot_copies_fail_while_the_object_store_is_away_and_are_made_once_it_is_back() {
    use reviewwatch::domain::jobs::backoff;
    let Some(url) = object_storage_url("jobs-outage") else {
        return;
    };
    let proxy = Proxy::start(s3_endpoint()).await;
    let app = spawn_app_with(|s| {
        s.storage_url = Some(url.clone());
        s.storage_endpoint = Some(format!("http://127.0.0.1:{}", proxy.port));
    })
    .await;
    // The app's own runner has done its first pass; its next is 15 s away. The passes below
    // are the runner's, with their clock given.
    app.wait_for_the_job_runner().await;
    let receipt = app
        .file_report(
            &ReportFields::zh_cn(),
            vec![("截图.png", png_screenshot(1650), "image/png")],
        )
        .await;
    let settings = app.settings.clone();
    let (_, keys) = reviewwatch::startup::open_database(&settings)
        .await
        .expect("the database");
    let handoff = reviewwatch::startup::handoff_context(&settings, &keys, &app.address)
        .await
        .expect("a handoff context");
    let ctx =
        reviewwatch::startup::job_context(&settings, handoff, Arc::new(tokio::sync::Notify::new()));

    // The store goes away: the pass that makes the copies fails, and keeps the job for later.
    proxy.cut();
    let started = reviewwatch::db::now();
    reviewwatch::jobs::run_due(&app.pool, &ctx, "test-runner", started)
        .await
        .expect("a pass of the job runner");
    let failed = poll_until("the failed attempt recorded", WAIT, || {
        jobs_of(&app.pool, "make_screenshot_copies")
            .into_iter()
            .next()
            .filter(|j| j.state == "pending" && !j.in_progress() && j.attempts == 1)
    })
    .await;
    assert!(
        failed
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("storage unavailable")),
        "the attempt failed on the store: {failed:?}"
    );
    assert!(
        app.evidence_rows()[0].display_sha256.is_none(),
        "no copies recorded"
    );
    // Nothing half-stored: the original, as the report left it, and no copy at all.
    let evidence = listed(&url, "evidence").await;
    assert_eq!(keys_under(&evidence, "originals"), 1, "{evidence:?}");
    assert_eq!(keys_under(&evidence, "display"), 0, "{evidence:?}");
    assert_eq!(keys_under(&evidence, "thumbnails"), 0, "{evidence:?}");
    assert!(app.tmp_files().is_empty(), "{:?}", app.tmp_files());

    // Back again: the retry, once its wait is over, makes them.
    proxy.mend();
    let retry_at = started + backoff(1) + chrono::TimeDelta::seconds(1);
    reviewwatch::jobs::run_due(&app.pool, &ctx, "test-runner", retry_at)
        .await
        .expect("a pass of the job runner");
    until_no_job_left(&app.pool, "make_screenshot_copies", WAIT).await;
    let copies = jobs_of(&app.pool, "make_screenshot_copies");
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert_eq!(
        (copies[0].state.as_str(), copies[0].attempts),
        ("done", 2),
        "{copies:?}"
    );
    let evidence = listed(&url, "evidence").await;
    assert_eq!(keys_under(&evidence, "originals"), 1, "{evidence:?}");
    assert_eq!(keys_under(&evidence, "display"), 1, "{evidence:?}");
    assert_eq!(keys_under(&evidence, "thumbnails"), 1, "{evidence:?}");
    assert_eq!(jobs_of(&app.pool, "read_screenshot_text").len(), 1);

    // The reporter sees the screenshot.
    let shopper = app.visitor();
    let page = shopper.open_case(&receipt.number, &receipt.code).await;
    let thumbs = page.attrs_of("#evidence img", "src");
    assert_eq!(thumbs.len(), 1, "{}", page.body);
    let thumb = shopper.get_bytes(&thumbs[0]).await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert!(thumb.bytes.starts_with(&[0xFF, 0xD8]), "a JPEG thumbnail");
}

/// How long the tests wait for a `serve`'s background work: its job runner looks every 15 s.
const JOB_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_database_and_one_bucket_share_reports_sessions_mail_and_jobs() {
    let Some(url) = object_storage_url("two") else {
        return;
    };
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("skipped two instances: TEST_DATABASE_URL (PostgreSQL) is not set");
        return;
    }
    // Two `reviewwatch serve` processes: one PostgreSQL database, one bucket, one SMTP server,
    // each its own DATA_DIR (nothing shared on disk), 3 tracking attempts an hour per address.
    let storage = Storage::fresh();
    let (smtp_port, inbox) = start_smtp();
    let (a_dir, b_dir) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let instance = |dir: &std::path::Path| {
        ServeOptions::new()
            .data_dir(dir)
            .smtp(&format!("smtp://127.0.0.1:{smtp_port}"))
            .object_storage(&url)
            .env("RATE_LIMIT_TRACK_PER_HOUR", "3")
    };
    let a = Serve::start_with(&storage, instance(a_dir.path())).await;
    let b = Serve::start_with(&storage, instance(b_dir.path())).await;
    let (pool, _) = reviewwatch::startup::open_database(&storage.settings())
        .await
        .expect("the shared database");

    // Filed on A (the screenshot to the bucket), confirmed on B.
    let shopper = a.visitor();
    let form = ReportFields::zh_cn().email("two@example.com");
    let receipt = shopper
        .file_report(&form, vec![("截图.png", png_screenshot(1700), "image/png")])
        .await;
    let confirm = inbox.next_for("two@example.com", WAIT).await.confirm_path();
    let confirmed = shopper.at(&b.address).post_form(&confirm, &[]).await;
    assert_eq!(
        confirmed
            .attr_of("#confirm-result", "data-result")
            .as_deref(),
        Some("confirmed")
    );
    let submitted = inbox.next_for("two@example.com", WAIT).await;
    assert!(
        submitted.text.contains(&receipt.number),
        "{}",
        submitted.text
    );

    // Whichever runner took it made the screenshot's copies, once.
    until_no_job_left(&pool, "make_screenshot_copies", JOB_WAIT).await;

    // Tracked on B with its screenshot, read from the bucket.
    let on_b = b.visitor();
    let page = on_b.open_case(&receipt.number, &receipt.code).await;
    let thumbs = page.attrs_of("#evidence img", "src");
    assert_eq!(thumbs.len(), 1, "{}", page.body);
    let from_b = on_b.get_bytes(&thumbs[0]).await;
    assert_eq!(from_b.status, StatusCode::OK);
    assert!(from_b.bytes.starts_with(&[0xFF, 0xD8]), "a JPEG thumbnail");
    // The same reporter's session works on A: the keys are shared through the database.
    let from_a = on_b.at(&a.address).get_bytes(&thumbs[0]).await;
    assert_eq!(from_a.status, StatusCode::OK);
    assert_eq!(
        from_a.bytes, from_b.bytes,
        "both serve the one stored thumbnail"
    );
    for dir in [a_dir.path(), b_dir.path()] {
        let kept = files_under(&dir.join("evidence"));
        assert!(kept.is_empty(), "no evidence on local disk: {kept:?}");
    }
    let evidence = listed(&url, "evidence").await;
    assert_eq!(keys_under(&evidence, "originals"), 1, "{evidence:?}");
    assert_eq!(keys_under(&evidence, "thumbnails"), 1, "{evidence:?}");

    // An officer signed in on A works on B; a colleague on B opened the case at the same time.
    let li = add_officer(&pool, "li.ming@amr.example.gov.cn", "李明", "officer").await;
    let wang = add_officer(&pool, "wang.fang@amr.example.gov.cn", "王芳", "officer").await;
    let li_on_a = sign_in_at(&a.address, &li).await;
    let li_on_b = OfficerBrowser {
        visitor: li_on_a.visitor.at(&b.address),
        account: li.clone(),
    };
    let wang_on_b = sign_in_at(&b.address, &wang).await;
    let seen_by_li = li_on_b.case_page(&receipt.number).await;
    assert_eq!(seen_by_li.case_status().as_deref(), Some("submitted"));
    let seen_by_wang = wang_on_b.case_page(&receipt.number).await;

    // Both take it, Li through A, Wang through B from the page he loaded before: the version
    // check holds across instances, the second is refused with 409 and nothing of it applied.
    let li_page_on_a = li_on_a.case_page(&receipt.number).await;
    let taken = li_on_a
        .act_from(&li_page_on_a, &receipt.number, "take", &[])
        .await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
    let late = wang_on_b
        .act_from(&seen_by_wang, &receipt.number, "take", &[])
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert_eq!(
        late.text_of("#action-problem").as_deref(),
        Some(zh().t("error.case_changed"))
    );
    assert_eq!(late.case_status().as_deref(), Some("in_review"));
    assert_eq!(late.text_of("#assignee").as_deref(), Some("李明"));
    let now_on_b = li_on_b.case_page(&receipt.number).await;
    assert_eq!(now_on_b.case_status().as_deref(), Some("in_review"));
    assert_ne!(
        seen_by_li.attr_of("form input[name=version]", "value"),
        now_on_b.attr_of("form input[name=version]", "value"),
        "B shows the version A wrote"
    );

    // Each mail went out once, whichever instance's worker sent it.
    poll_until("the outbox to be sent", JOB_WAIT, || {
        let rows = outbox_rows(&pool);
        (!rows.is_empty() && rows.iter().all(|(_, sent)| *sent)).then_some(())
    })
    .await;
    let queued = outbox_rows(&pool)
        .iter()
        .filter(|(to, _)| to == "two@example.com")
        .count();
    let later = inbox
        .received_so_far()
        .await
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t == "two@example.com"))
        .count();
    assert_eq!(
        2 + later,
        queued,
        "each queued mail arrived once (the two read above and {later} more)"
    );

    // Each job ran once: one copies job and one text reading per screenshot, each done on its
    // first attempt; no housekeeping kind ran twice although both runners started at once.
    let copies = jobs_of(&pool, "make_screenshot_copies");
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert_eq!((copies[0].state.as_str(), copies[0].attempts), ("done", 1));
    assert_eq!(jobs_of(&pool, "read_screenshot_text").len(), 1);
    let all = jobs_seen(&pool);
    for kind in reviewwatch::domain::jobs::JobKind::housekeeping() {
        let ran: Vec<_> = all
            .iter()
            .filter(|j| j.kind == kind.as_str() && j.state != "pending")
            .collect();
        assert!(ran.len() <= 1, "{} ran twice: {ran:?}", kind.as_str());
    }

    // A rate limit counts the requests to both: 3 tracking attempts an hour, one spent on B
    // above, one more on A and one on B; the fourth waits on either.
    for (serve, attempt) in [(&a, 2), (&b, 3)] {
        let reply = serve.visitor().track(&receipt.number, &receipt.code).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "attempt {attempt}");
    }
    for serve in [&a, &b] {
        let reply = serve.visitor().track(&receipt.number, &receipt.code).await;
        assert_too_many_requests_page(&reply);
    }
}

/// (recipient, sent) of each mail in the outbox.
fn outbox_rows(pool: &reviewwatch::db::DbPool) -> Vec<(String, bool)> {
    use diesel::prelude::*;
    use reviewwatch::db::schema::outbox;
    outbox::table
        .order(outbox::id.asc())
        .select((outbox::to_address, outbox::sent_at.is_not_null()))
        .load(&mut pool.get().expect("a connection"))
        .expect("the outbox")
}
