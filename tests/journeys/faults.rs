//! Faults (issue 15), with `reviewwatch serve` as a process of its own where it is killed: a
//! server SIGKILLed in the middle of an upload comes back with nothing half-stored; one killed in
//! the middle of a send sends the mail once after its restart; files a killed process stored but
//! never recorded are swept away once a day old, while every file a row refers to stays; a full
//! disk under DATA_DIR (a small tmpfs, where the test may mount one) refuses a report in plain
//! words. Elsewhere: the object store unreachable for a while (`object_storage.rs`), a job whose
//! worker died (`jobs.rs`: taken over when its lease runs out), SMTP down for a while
//! (`mail.rs`), PostgreSQL restarted under load (`tests/pg_restart.sh`, a cluster of its own).

use crate::helpers::*;
use diesel::prelude::*;
use reviewwatch::evidence::{BlobKind, EvidenceStore};
use reviewwatch::storage::{PackageStore, Storage as Files};
use std::time::{Duration, SystemTime};

/// Makes a file look `age` old (its modification time), as if written that long ago.
fn age_file(path: &std::path::Path, age: Duration) {
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file.set_modified(SystemTime::now() - age)
        .expect("set the modification time");
}

const TWO_DAYS: Duration = Duration::from_secs(2 * 24 * 3600);

#[tokio::test]
async fn files_no_row_refers_to_are_swept_once_a_day_old_and_recorded_ones_stay() {
    let app = spawn_app().await;
    let receipt = app
        .file_report(
            &ReportFields::zh_cn(),
            vec![("截图.png", png_screenshot(1800), "image/png")],
        )
        .await;
    let files = Files::local(app.data_dir.clone());
    let store = EvidenceStore::on(&files);
    let packages = PackageStore::on(&files);
    let recorded = reviewwatch::evidence::Sha256Hex::parse(&app.evidence_rows()[0].sha256)
        .expect("a recorded hash");

    // What a process killed between storing and recording leaves: an original and a package no
    // row refers to; and one stored a moment ago (an upload being recorded right now).
    let (orphan, _) = store
        .put_bytes(BlobKind::Original, &png_screenshot(1801))
        .expect("stored");
    let (fresh, _) = store
        .put_bytes(BlobKind::Original, &png_screenshot(1802))
        .expect("stored");
    let (package, _) = packages
        .put_bytes(b"PK a package never recorded")
        .expect("stored");
    let path = |sha: &reviewwatch::evidence::Sha256Hex| {
        app.data_dir
            .join(store.key_of(BlobKind::Original, sha).as_str())
    };
    for old in [path(&orphan), path(&recorded)] {
        age_file(&old, TWO_DAYS);
    }
    let package_file = app.data_dir.join(format!("packages/{package}.zip"));
    age_file(&package_file, TWO_DAYS);

    let shards: std::collections::BTreeSet<String> = [
        orphan.as_str(),
        fresh.as_str(),
        recorded.as_str(),
        package.as_str(),
    ]
    .iter()
    .map(|s| s[..2].to_string())
    .collect();
    let mut removed = 0;
    for shard in shards {
        let swept = reviewwatch::workflow::sweep::sweep_shard(
            &app.pool,
            &store,
            &packages,
            shard,
            reviewwatch::db::now(),
        )
        .await
        .expect("a sweep");
        removed += swept.removed;
    }
    assert_eq!(
        removed, 2,
        "the old original and the old package no row refers to"
    );
    assert!(!path(&orphan).exists(), "the unrecorded original went");
    assert!(!package_file.exists(), "the unrecorded package went");
    assert!(
        path(&recorded).exists(),
        "a recorded original stays, however old"
    );
    assert!(path(&fresh).exists(), "a file stored a moment ago stays");

    // The case still shows its screenshot.
    let page = app
        .visitor()
        .open_case(&receipt.number, &receipt.code)
        .await;
    assert_eq!(page.case_status().as_deref(), Some("submitted"));

    // The sweep is one of the hourly jobs, one shard an hour.
    assert!(
        reviewwatch::domain::jobs::JobKind::housekeeping()
            .any(|k| k.as_str() == "sweep_stored_files")
    );
}

/// `reviewwatch serve` as a process of its own, on `storage`'s data folder and database.
struct Serve {
    child: std::process::Child,
    address: String,
}

impl Serve {
    async fn start(storage: &Storage) -> Serve {
        Self::start_with_mail(storage, None).await
    }

    /// With mail to the SMTP server at `smtp_url` (else to files).
    async fn start_with_mail(storage: &Storage, smtp_url: Option<&str>) -> Serve {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            l.local_addr().expect("its address").port()
        };
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_reviewwatch"));
        if let Some(url) = smtp_url {
            command.env("SMTP_URL", url);
        } else {
            command.env_remove("SMTP_URL");
        }
        let child = command
            .arg("serve")
            .env("DATA_DIR", storage.dir.path())
            .env("DATABASE_URL", &storage.database_url)
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("MIN_FORM_SECONDS", "0")
            .env("RUST_LOG", "warn")
            .env_remove("STORAGE_URL")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("reviewwatch serve starts");
        let address = format!("http://127.0.0.1:{port}");
        let probe = reqwest::Client::new();
        let healthz = format!("{address}/healthz");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = probe.get(&healthz).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "serve did not answer"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Serve { child, address }
    }

    /// SIGKILL: no chance to clean anything up.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_in_the_middle_of_an_upload_comes_back_with_nothing_half_stored() {
    let storage = Storage::fresh();
    let server = Serve::start(&storage).await;
    let shopper = Visitor::new(&server.address, None);
    let token = shopper.form_token().await;

    // A report whose screenshot is still arriving: half of it sent, the rest never.
    let png = png_screenshot(1900);
    let half = png[..png.len() / 2].to_vec();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    let body = reqwest::Body::wrap_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    }));
    let mut form = reqwest::multipart::Form::new().text("form_token", token);
    for (name, value) in &ReportFields::zh_cn().fields {
        form = form.text(name.clone(), value.clone());
    }
    let part = reqwest::multipart::Part::stream_with_length(body, png.len() as u64)
        .file_name("截图.png")
        .mime_str("image/png")
        .expect("a MIME type");
    let form = form.part("evidence", part);
    let sending = tokio::spawn({
        let client = shopper.client.clone();
        let url = shopper.url("/reports");
        async move { client.post(url).multipart(form).send().await }
    });
    tx.send(Ok(half)).await.expect("the first half goes");
    let tmp = storage.dir.path().join("tmp");
    let partial = poll_until("the upload's temporary file", WAIT, || {
        std::fs::read_dir(&tmp)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.is_file())
    })
    .await;

    server.kill();
    assert!(
        sending.await.expect("the task ran").is_err(),
        "the upload broke off"
    );
    drop(tx);
    assert!(partial.exists(), "SIGKILL left the partial upload behind");
    // An hour later (as the file's time says), the portal starts again.
    age_file(&partial, Duration::from_secs(2 * 3600));
    let server = Serve::start(&storage).await;
    assert!(!partial.exists(), "the restart removed the partial upload");

    let settings = storage.settings();
    let (pool, _) = reviewwatch::startup::open_database(&settings)
        .await
        .expect("the database");
    let mut conn = pool.get().expect("a connection");
    assert_eq!(
        reviewwatch::db::cases::count(&mut conn).expect("count"),
        0,
        "no case"
    );
    let rows: i64 = reviewwatch::db::schema::evidence::table
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(rows, 0, "no evidence row");
    let stored = std::fs::read_dir(storage.dir.path().join("evidence/originals"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(stored, 0, "no evidence file");

    // And the report goes through now.
    let again = Visitor::new(&server.address, None);
    let receipt = again
        .file_report(&ReportFields::zh_cn(), vec![("截图.png", png, "image/png")])
        .await;
    assert!(receipt.number.starts_with("RW-"), "{receipt:?}");
}

/// A small filesystem (tmpfs) mounted for one test, unmounted when dropped; `None` where this
/// process may not mount one (not root, or no `mount`).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(bytes: u64) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk { dir })
    }

    fn free_bytes(&self) -> u64 {
        let path =
            std::ffi::CString::new(self.dir.path().as_os_str().as_encoded_bytes()).expect("a path");
        let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: a valid C string and a zeroed out-parameter of the right type.
        let rc = unsafe { libc::statvfs(path.as_ptr(), &mut stat) };
        assert_eq!(rc, 0, "statvfs");
        stat.f_bavail * stat.f_frsize
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test]
async fn a_full_disk_refuses_the_report_in_plain_words_and_keeps_nothing() {
    let Some(disk) = SmallDisk::mount(2 << 20) else {
        eprintln!("skipped the full disk: a small tmpfs cannot be mounted here (needs root)");
        return;
    };
    let data_dir = disk.dir.path().join("data");
    let app = spawn_app_with(|s| s.data_dir = data_dir.clone()).await;
    // The database stays on the test's own folder; the data folder's disk is all but full.
    let free = disk.free_bytes();
    std::fs::write(
        disk.dir.path().join("filler"),
        vec![0u8; usize::try_from(free.saturating_sub(8 << 10)).expect("fits")],
    )
    .expect("fill the disk");
    // A screenshot of noise: a PNG of ~270 KB, far more than is left.
    let mut noise = image::RgbImage::new(300, 300);
    for (i, p) in noise.pixels_mut().enumerate() {
        let v = (i as u32).wrapping_mul(2_654_435_761);
        *p = image::Rgb([(v >> 24) as u8, (v >> 16) as u8, (v >> 8) as u8]);
    }
    let mut shot = std::io::Cursor::new(Vec::new());
    noise
        .write_to(&mut shot, image::ImageFormat::Png)
        .expect("encode PNG");
    let shot = shot.into_inner();
    assert!(
        shot.len() > 64 << 10,
        "the screenshot does not fit in what is left"
    );

    let refused = app
        .visitor()
        .submit_report(
            &ReportFields::zh_cn(),
            vec![("截图.png", shot, "image/png")],
        )
        .await;
    assert_eq!(
        refused.status,
        reqwest::StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("没有保存任何内容"),
        "{}",
        refused.body
    );
    app.assert_nothing_left_behind();
}

/// An SMTP server that takes a whole message and then never answers: the send is in flight
/// when the test kills the portal. Tells `got` when a message's data has arrived.
async fn stalling_smtp(got: tokio::sync::mpsc::Sender<()>) -> u16 {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let port = listener.local_addr().expect("its address").port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let got = got.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 stall.test ESMTP\r\n").await;
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            let _ = got.send(()).await;
                            // Never answered: the sender waits until it is killed.
                            std::future::pending::<()>().await;
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let answer: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 stall.test\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go on\r\n"
                    } else if upper.starts_with("QUIT") {
                        b"221 bye\r\n"
                    } else {
                        b"250 OK\r\n"
                    };
                    if write.write_all(answer).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_in_the_middle_of_a_send_sends_the_mail_once_after_its_restart() {
    use reviewwatch::db::schema::outbox;
    let storage = Storage::fresh();
    let (got_tx, mut got) = tokio::sync::mpsc::channel(4);
    let stall = stalling_smtp(got_tx).await;
    let server = Serve::start_with_mail(&storage, Some(&format!("smtp://127.0.0.1:{stall}"))).await;
    let shopper = Visitor::new(&server.address, None);
    let receipt = shopper
        .file_report(
            &ReportFields::zh_cn().email("killed.send@example.com"),
            vec![("截图.png", png_screenshot(2100), "image/png")],
        )
        .await;
    tokio::time::timeout(WAIT, got.recv())
        .await
        .expect("the confirmation mail reached the SMTP server")
        .expect("a message");
    // The mail is on the wire, its answer never comes: SIGKILL.
    server.kill();

    // Back, with a working SMTP server. The dead process's lease on the mail (five minutes) is
    // what a real restart waits out: here it has run out.
    let (smtp_port, inbox) = start_smtp();
    let settings = storage.settings();
    let (pool, _) = reviewwatch::startup::open_database(&settings)
        .await
        .expect("the database");
    let unsent: Vec<Option<chrono::NaiveDateTime>> = outbox::table
        .filter(outbox::sent_at.is_null())
        .select(outbox::locked_until)
        .load(&mut pool.get().expect("a connection"))
        .expect("the outbox");
    assert_eq!(
        unsent.len(),
        1,
        "the confirmation waits, leased to the dead process"
    );
    assert!(unsent[0].is_some(), "it was leased when the process died");
    diesel::update(outbox::table.filter(outbox::sent_at.is_null()))
        .set(outbox::locked_until.eq(Some(reviewwatch::db::now() - chrono::TimeDelta::seconds(1))))
        .execute(&mut pool.get().expect("a connection"))
        .expect("the lease runs out");
    let _server =
        Serve::start_with_mail(&storage, Some(&format!("smtp://127.0.0.1:{smtp_port}"))).await;

    let mail = inbox.next_for("killed.send@example.com", WAIT).await;
    assert!(mail.text.contains(&receipt.number), "{}", mail.text);
    poll_until("the outbox to record the send", WAIT, || {
        let left: i64 = outbox::table
            .filter(outbox::sent_at.is_null())
            .count()
            .get_result(&mut pool.get().expect("a connection"))
            .expect("count");
        (left == 0).then_some(())
    })
    .await;
    let again: Vec<_> = inbox
        .received_so_far()
        .await
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t == "killed.send@example.com"))
        .collect();
    assert!(again.is_empty(), "sent once after the restart, not twice");
}
