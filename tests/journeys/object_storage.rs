//! Evidence, its copies and handoff packages in S3-compatible object storage (issue 15):
//! `STORAGE_URL=s3://bucket/prefix`, the rest from the `AWS_*` variables.
//!
//! These run against a real S3-compatible server: `tests/object_storage.sh` starts one (moto's
//! server mode) on loopback, makes a bucket and runs them with `TEST_STORAGE_URL=s3://<bucket>`
//! and the `AWS_*` variables set. Without `TEST_STORAGE_URL` each test says it is skipped and
//! passes; the two-instance test also needs `TEST_DATABASE_URL` (PostgreSQL: two instances
//! cannot share a SQLite file without sharing a folder).

use crate::handoff::{PANYU, PANYU_EMAIL, add_regulator, hand_off, in_region, substantiated_case};
use crate::helpers::*;
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
async fn two_instances_on_one_database_and_one_bucket_share_reports_sessions_mail_and_jobs() {
    let Some(url) = object_storage_url("two") else {
        return;
    };
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("skipped two instances: TEST_DATABASE_URL (PostgreSQL) is not set");
        return;
    }
    let shared = Storage::fresh();
    let a = spawn_app_on(shared.clone(), |s| s.storage_url = Some(url.clone())).await;
    // B: another data folder (nothing shared on disk), mail to the same SMTP server as A.
    let b_dir = tempfile::tempdir().expect("tempdir");
    let a_smtp = a.settings.smtp_url.clone();
    let b = spawn_app_on(Arc::clone(&shared), |s| {
        s.storage_url = Some(url.clone());
        s.data_dir = b_dir.path().to_path_buf();
        s.smtp_url = a_smtp;
    })
    .await;

    // Filed on A (screenshots to the bucket), confirmed and tracked on B.
    let shopper = a.visitor();
    let png = png_screenshot(1700);
    let form = ReportFields::zh_cn().email("two@example.com");
    let receipt = shopper
        .file_report(&form, vec![("截图.png", png.clone(), "image/png")])
        .await;
    let confirm = a
        .mail
        .next_for("two@example.com", WAIT)
        .await
        .confirm_path();
    let confirmed = shopper.at(&b.address).post_form(&confirm, &[]).await;
    assert_eq!(
        confirmed
            .attr_of("#confirm-result", "data-result")
            .as_deref(),
        Some("confirmed")
    );
    a.run_due_jobs().await;
    let on_b = b.visitor();
    let page = on_b.open_case(&receipt.number, &receipt.code).await;
    let thumbs = page.attrs_of("#evidence img", "src");
    assert_eq!(thumbs.len(), 1, "{}", page.body);
    let from_b = on_b.get_bytes(&thumbs[0]).await;
    assert_eq!(from_b.status, StatusCode::OK);
    // The same session cookie works on A: the keys are shared through the database.
    let from_a = on_b.at(&a.address).get_bytes(&thumbs[0]).await;
    assert_eq!(from_a.status, StatusCode::OK);
    assert_eq!(
        from_a.bytes, from_b.bytes,
        "both serve the one stored thumbnail"
    );
    assert!(b.evidence_files("").is_empty() && a.evidence_files("").is_empty());

    // An officer signed in on A works on B.
    let officer = a.officer("li.ming@amr.example.gov.cn", "李明").await;
    let on_b_officer = officer.visitor.at(&b.address);
    let case_on_b = on_b_officer
        .get(&format!("/officer/cases/{}", receipt.number))
        .await;
    assert_eq!(
        case_on_b.status,
        StatusCode::OK,
        "the officer's session works on B"
    );

    // Each mail went once: the confirmation request and the "submitted" notice, whichever
    // instance's worker sent them.
    let _submitted = a.mail.next_for("two@example.com", WAIT).await;
    a.wait_for_the_job_runner().await;
    b.wait_for_the_job_runner().await;
    let extra: Vec<_> = a
        .mail
        .received_so_far()
        .await
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t == "two@example.com"))
        .collect();
    assert!(extra.is_empty(), "a mail went twice: {}", extra.len());
    let outbox = a.outbox();
    assert_eq!(outbox.len(), 2, "{outbox:?}");
    assert!(outbox.iter().all(|m| m.sent_at.is_some()), "{outbox:?}");
}
