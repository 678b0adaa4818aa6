//! Faults (issue 15), with `reviewwatch serve` as a process of its own where it is killed
//! (`serve_process.rs`): a server SIGKILLed in the middle of an upload comes back with nothing
//! half-stored; one killed in the middle of a send sends the mail once after its restart; one
//! killed in the middle of a background job (a screenshot's copies) does it once after its
//! restart, when the job's lease has run out; files a killed process stored but
//! never recorded are swept away once a day old, while every file a row refers to stays; a full
//! disk under DATA_DIR (a small tmpfs, where the test may mount one) refuses a report in plain
//! words. Elsewhere: the object store unreachable for a while (`object_storage.rs`: reports
//! refused, screenshot copies retried until it is back), a job whose
//! worker died (`jobs.rs`: taken over when its lease runs out), SMTP down for a while
//! (`mail.rs`), PostgreSQL restarted under load (`tests/pg_restart.sh`, a cluster of its own).

use crate::helpers::*;
use crate::serve_process::{JobSeen, Serve, ServeOptions, jobs_of, until_no_job_left};
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
    let server = Serve::start_with(
        &storage,
        ServeOptions::new().smtp(&format!("smtp://127.0.0.1:{stall}")),
    )
    .await;
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
    let _server = Serve::start_with(
        &storage,
        ServeOptions::new().smtp(&format!("smtp://127.0.0.1:{smtp_port}")),
    )
    .await;

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

/// The evidence rows' ids whose copies are not made yet.
fn without_copies(pool: &reviewwatch::db::DbPool) -> Vec<i64> {
    use reviewwatch::db::schema::evidence;
    evidence::table
        .filter(evidence::display_sha256.is_null())
        .select(evidence::id)
        .load(&mut pool.get().expect("a connection"))
        .expect("the evidence rows")
}

/// The evidence row a `make_screenshot_copies` job is for.
fn evidence_of(job: &JobSeen) -> i64 {
    serde_json::from_str::<serde_json::Value>(&job.payload)
        .ok()
        .and_then(|p| p["evidence_id"].as_i64())
        .unwrap_or_else(|| panic!("a copies job names its evidence: {job:?}"))
}

/// How long a test waits for a `serve`'s background work: its job runner looks every 15 s.
const JOB_WAIT: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_in_the_middle_of_a_background_job_does_it_once_after_its_restart() {
    use reviewwatch::db::schema::{evidence, image_hashes, jobs};
    let storage = Storage::fresh();
    let server = Serve::start(&storage).await;
    let (pool, _) = reviewwatch::startup::open_database(&storage.settings())
        .await
        .expect("the database");

    // Ten large screenshots: the runner makes their copies one after the other, each a while.
    let files = (0..10)
        .map(|i| {
            (
                "截图.png",
                png_screenshot_of(2200 + i, 1500, 3000),
                "image/png",
            )
        })
        .collect();
    let receipt = server
        .visitor()
        .file_report(&ReportFields::zh_cn(), files)
        .await;

    // SIGKILL while a copies job is claimed and its screenshot's copies are not yet recorded.
    // The process is stopped (SIGSTOP) while the test looks, so what it sees is what the kill
    // cuts short; seen between two jobs, it goes on and the test looks again.
    let in_progress = |pool: &reviewwatch::db::DbPool| {
        let undone = without_copies(pool);
        jobs_of(pool, "make_screenshot_copies")
            .into_iter()
            .find(|j| j.in_progress() && undone.contains(&evidence_of(j)))
    };
    let mut looks = 0;
    let claimed = loop {
        poll_until("a copies job in progress", JOB_WAIT, || in_progress(&pool)).await;
        server.pause();
        if let Some(job) = in_progress(&pool) {
            break job;
        }
        server.resume();
        looks += 1;
        assert!(looks < 20, "never caught a copies job in progress");
    };
    server.kill();
    let leased: Vec<JobSeen> = jobs_of(&pool, "make_screenshot_copies")
        .into_iter()
        .filter(JobSeen::in_progress)
        .collect();
    assert!(
        leased.iter().any(|j| j.id == claimed.id),
        "the job was still in progress when the process died: {leased:?}"
    );
    assert!(
        without_copies(&pool).contains(&evidence_of(&claimed)),
        "its copies were never recorded"
    );

    // Back, once the dead process's lease (30 minutes) has run out: here it has.
    diesel::update(jobs::table.filter(jobs::id.eq(claimed.id)))
        .set(jobs::lease_until.eq(Some(reviewwatch::db::now() - chrono::TimeDelta::seconds(1))))
        .execute(&mut pool.get().expect("a connection"))
        .expect("the lease runs out");
    let server = Serve::start(&storage).await;
    until_no_job_left(&pool, "make_screenshot_copies", JOB_WAIT).await;

    // Every job done; the interrupted one on its second attempt, the others on their first.
    let copies = jobs_of(&pool, "make_screenshot_copies");
    assert_eq!(copies.len(), 10, "{copies:?}");
    for job in &copies {
        let attempts = if job.id == claimed.id { 2 } else { 1 };
        assert_eq!(
            (job.state.as_str(), job.attempts),
            ("done", attempts),
            "{job:?}"
        );
    }
    // Its effects once: every screenshot has its copies, one fingerprint and one reading of its
    // text queued.
    assert!(without_copies(&pool).is_empty());
    let mut conn = pool.get().expect("a connection");
    let fingerprints: i64 = image_hashes::table
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(fingerprints, 10);
    let mut read: Vec<i64> = jobs_of(&pool, "read_screenshot_text")
        .iter()
        .map(evidence_of)
        .collect();
    read.sort_unstable();
    let mut ids: Vec<i64> = evidence::table
        .select(evidence::id)
        .order(evidence::id.asc())
        .load(&mut conn)
        .expect("the evidence rows");
    ids.sort_unstable();
    assert_eq!(read, ids, "one reading of the text per screenshot");

    // Every file a row refers to is there and whole; no other file was kept (a write the kill
    // cut short is a `.tmp` file, never an object under its hash).
    let files = Files::local(storage.dir.path().to_path_buf());
    let store = EvidenceStore::on(&files);
    let referred: Vec<(BlobKind, String)> = evidence::table
        .select((
            evidence::sha256,
            evidence::display_sha256,
            evidence::thumb_sha256,
        ))
        .load::<(String, Option<String>, Option<String>)>(&mut conn)
        .expect("the evidence rows")
        .into_iter()
        .flat_map(|(o, d, t)| {
            [
                (BlobKind::Original, o),
                (BlobKind::Display, d.expect("a display copy")),
                (BlobKind::Thumbnail, t.expect("a thumbnail")),
            ]
        })
        .collect();
    let mut expected: Vec<std::path::PathBuf> = referred
        .iter()
        .map(|(kind, sha)| {
            let sha = reviewwatch::evidence::Sha256Hex::parse(sha).expect("a hash");
            storage.dir.path().join(store.key_of(*kind, &sha).as_str())
        })
        .collect();
    expected.sort();
    expected.dedup();
    let mut kept: Vec<std::path::PathBuf> = files_under(&storage.dir.path().join("evidence"))
        .into_iter()
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(".tmp"))
        })
        .collect();
    kept.sort();
    assert_eq!(kept, expected, "the files kept are the ones rows refer to");
    for path in &kept {
        use sha2::Digest;
        let bytes = std::fs::read(path).expect("a kept file");
        let name = path.file_name().and_then(|n| n.to_str()).expect("a name");
        assert_eq!(
            hex::encode(sha2::Sha256::digest(&bytes)),
            name,
            "{} is whole",
            path.display()
        );
    }

    // The reporter sees all ten screenshots.
    let shopper = server.visitor();
    let page = shopper.open_case(&receipt.number, &receipt.code).await;
    let thumbs = page.attrs_of("#evidence img", "src");
    assert_eq!(thumbs.len(), 10, "{}", page.body);
    for src in &thumbs {
        assert_eq!(
            shopper.get_bytes(src).await.status,
            reqwest::StatusCode::OK,
            "{src}"
        );
    }
}
