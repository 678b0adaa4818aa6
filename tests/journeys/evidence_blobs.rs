//! Identical uploads share one blob (the store is content-addressed). An upload that fails
//! removes only the blobs it stored that no row refers to, so it never takes away a blob an
//! identical upload recorded meanwhile; and a recording that lost a blob to such a cleanup before
//! its commit puts it back.

use crate::helpers::*;
use reviewwatch::db::{self, DbConnection};
use reviewwatch::domain::CaseId;
use reviewwatch::domain::evidence::EvidenceSource;
use reviewwatch::evidence::intake::StoredEvidence;
use reviewwatch::evidence::{BlobKind, EvidenceLimits, EvidenceStore, Sha256Hex};
use reviewwatch::web::upload::{Checked, EvidenceIntake, KeptEvidence, ReceivedFile, check_files};
use reviewwatch::workflow::{self, WorkflowError};
use std::io::Write;
use std::sync::Arc;

fn intake(app: &TestApp) -> EvidenceIntake {
    EvidenceIntake {
        pool: app.pool.clone(),
        store: EvidenceStore::new(app.data_dir.join("evidence")),
        limits: EvidenceLimits::default(),
        slots: Arc::new(tokio::sync::Semaphore::new(2)),
    }
}

/// One request's upload of `bytes`, checked and kept as blobs, not yet recorded.
async fn upload(app: &TestApp, intake: &EvidenceIntake, bytes: &[u8]) -> KeptEvidence {
    let mut tmp = tempfile::NamedTempFile::new_in(app.data_dir.join("tmp")).unwrap();
    tmp.write_all(bytes).unwrap();
    let file = ReceivedFile {
        name: "截图.png".to_string(),
        tmp,
        size: bytes.len() as u64,
    };
    match check_files(intake, vec![file], true).await.unwrap() {
        Checked::Passed(kept) => kept,
        Checked::Refused { refused, .. } => {
            panic!("the screenshot is refused: {:?}", refused[0].1)
        }
    }
}

/// Records the evidence on a case, as an answer to the officer does, in one transaction.
fn record_on(
    case_id: CaseId,
) -> impl FnOnce(&mut DbConnection, &[StoredEvidence]) -> Result<(), WorkflowError> + Send + 'static
{
    move |conn, stored| {
        db::write_transaction(conn, |conn| {
            workflow::record_evidence(conn, case_id, EvidenceSource::Reply, stored, db::now())
        })
    }
}

/// A workflow step that fails: its transaction does not commit.
fn fail(_: &mut DbConnection, _: &[StoredEvidence]) -> Result<(), WorkflowError> {
    Err(WorkflowError::Conflict)
}

/// Whether the screenshot's original is kept (the one blob an upload stores: its copies are
/// made by a background job).
fn blobs_kept(intake: &EvidenceIntake, e: &StoredEvidence) -> bool {
    assert!(e.copies.is_none(), "an upload stores the original alone");
    intake
        .store
        .exists(BlobKind::Original, &Sha256Hex::parse(&e.sha256).unwrap())
        .unwrap()
}

async fn a_case(app: &TestApp) -> CaseId {
    let receipt = app
        .file_report(
            &ReportFields::zh_cn(),
            vec![("首张截图.png", png_screenshot(801), "image/png")],
        )
        .await;
    app.case_id(&receipt.number)
}

#[tokio::test]
async fn a_failed_upload_keeps_the_blob_an_identical_upload_recorded() {
    let app = spawn_app().await;
    let case_id = a_case(&app).await;
    let intake = intake(&app);
    let screenshot = png_screenshot(802);

    // Request A stores the screenshot first; request B, sending the same bytes, finds it there.
    let a = upload(&app, &intake, &screenshot).await;
    let b = upload(&app, &intake, &screenshot).await;
    let stored = b.stored()[0].clone();
    assert!(blobs_kept(&intake, &stored));

    // B commits its row; then A's transaction fails, and its guard is dropped uncommitted (on a
    // thread of its own, as the server's cleanup runs off the executor).
    b.record(record_on(case_id)).await.unwrap();
    let failed = a.record(fail).await;
    assert!(matches!(failed, Err(WorkflowError::Conflict)));
    assert!(
        blobs_kept(&intake, &stored),
        "B's row refers to the blobs: they stay"
    );

    // The same for a guard merely dropped, without a transaction tried.
    let c = upload(&app, &intake, &screenshot).await;
    std::thread::spawn(move || drop(c)).join().unwrap();
    assert!(blobs_kept(&intake, &stored));
    assert!(app.tmp_files().is_empty(), "{:?}", app.tmp_files());

    // And the officer can open them.
    let rows = app.evidence_rows();
    assert!(
        rows.iter()
            .any(|r| r.sha256 == stored.sha256 && r.case_id == case_id)
    );
}

#[tokio::test]
async fn a_failed_upload_removes_the_blobs_nothing_refers_to() {
    let app = spawn_app().await;
    let intake = intake(&app);
    let before = app.evidence_files("");

    let a = upload(&app, &intake, &png_screenshot(803)).await;
    let stored = a.stored()[0].clone();
    assert!(blobs_kept(&intake, &stored));
    assert!(a.record(fail).await.is_err());
    assert!(!blobs_kept(&intake, &stored));

    let b = upload(&app, &intake, &png_screenshot(804)).await;
    let stored = b.stored()[0].clone();
    std::thread::spawn(move || drop(b)).join().unwrap();
    assert!(!blobs_kept(&intake, &stored));
    assert_eq!(app.evidence_files(""), before);
}

#[tokio::test]
async fn a_recording_puts_back_a_blob_a_failed_upload_removed_before_its_commit() {
    let app = spawn_app().await;
    let case_id = a_case(&app).await;
    let intake = intake(&app);
    let screenshot = png_screenshot(805);

    // B finds A's blobs there; A fails and removes them before B commits (nothing referred to
    // them yet); B's commit finds them gone and puts them back from its own upload.
    let a = upload(&app, &intake, &screenshot).await;
    let b = upload(&app, &intake, &screenshot).await;
    let stored = b.stored()[0].clone();
    assert!(a.record(fail).await.is_err());
    assert!(!blobs_kept(&intake, &stored));
    b.record(record_on(case_id)).await.unwrap();
    assert!(blobs_kept(&intake, &stored));
    assert!(app.tmp_files().is_empty(), "{:?}", app.tmp_files());
}

#[tokio::test]
async fn a_failed_uploads_cleanup_waits_for_a_recording_in_progress() {
    let app = spawn_app().await;
    let case_id = a_case(&app).await;
    let intake = intake(&app);
    let screenshot = png_screenshot(806);
    let a = upload(&app, &intake, &screenshot).await;
    let b = upload(&app, &intake, &screenshot).await;
    let stored = vec![b.stored()[0].clone()];
    drop(b);

    // B's transaction has written its row and not committed yet.
    let (written_tx, written_rx) = std::sync::mpsc::channel();
    let (commit_tx, commit_rx) = std::sync::mpsc::channel::<()>();
    let pool = app.pool.clone();
    let recording = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        db::write_transaction(&mut conn, |conn| {
            workflow::record_evidence(conn, case_id, EvidenceSource::Reply, &stored, db::now())?;
            written_tx.send(()).unwrap();
            commit_rx.recv().unwrap();
            Ok::<_, WorkflowError>(())
        })
        .unwrap();
    });
    written_rx.recv().unwrap();

    // A fails now: its cleanup may not look for references until B has committed.
    let cleanup = tokio::spawn(a.record(fail));
    commit_tx.send(()).unwrap();
    recording.join().unwrap();
    assert!(cleanup.await.unwrap().is_err());
    app.run_due_jobs().await;
    let stored = &app.evidence_rows().into_iter().last().unwrap();
    assert_eq!(stored.case_id, case_id);
    for (kind, sha) in [
        (BlobKind::Original, Some(&stored.sha256)),
        (BlobKind::Display, stored.display_sha256.as_ref()),
        (BlobKind::Thumbnail, stored.thumb_sha256.as_ref()),
    ] {
        let sha = sha.expect("the copies are made");
        assert!(
            intake
                .store
                .exists(kind, &Sha256Hex::parse(sha).unwrap())
                .unwrap(),
            "the recorded {kind:?} blob stays"
        );
    }
}

#[tokio::test]
async fn purging_an_unconfirmed_report_keeps_the_screenshots_another_case_holds() {
    use diesel::prelude::*;
    use reviewwatch::db::schema::cases;
    let app = spawn_app().await;
    let intake = intake(&app);
    let shared = png_screenshot(807);
    let own = png_screenshot(808);

    // A confirmed case holds `shared`; a report never confirmed holds `shared` and `own`.
    let kept = app
        .file_report(
            &ReportFields::zh_cn(),
            vec![("共同.png", shared.clone(), "image/png")],
        )
        .await;
    let stale = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn().email(SHOPPER),
            vec![
                ("共同.png", shared.clone(), "image/png"),
                ("自己的.png", own.clone(), "image/png"),
            ],
        )
        .await;
    assert_eq!(app.case_status(&stale.number), "unconfirmed");
    app.run_due_jobs().await;
    let rows = app.evidence_rows();
    let row_of = |case: &str, bytes: &[u8]| {
        let id = app.case_id(case);
        let sha = Sha256Hex::of_bytes(bytes).to_string();
        rows.iter()
            .find(|r| r.case_id == id && r.sha256 == sha)
            .cloned()
            .unwrap()
    };
    let (shared_row, own_row) = (row_of(&kept.number, &shared), row_of(&stale.number, &own));
    let exists = |r: &reviewwatch::db::evidence::EvidenceRow| {
        [
            (BlobKind::Original, Some(&r.sha256)),
            (BlobKind::Display, r.display_sha256.as_ref()),
            (BlobKind::Thumbnail, r.thumb_sha256.as_ref()),
        ]
        .map(|(kind, sha)| {
            let sha = sha.expect("the copies are made");
            intake
                .store
                .exists(kind, &Sha256Hex::parse(sha).unwrap())
                .unwrap()
        })
    };

    diesel::update(cases::table.filter(cases::case_number.eq(&stale.number)))
        .set(cases::created_at.eq(db::now() - chrono::TimeDelta::days(8)))
        .execute(&mut app.db())
        .unwrap();
    let purged = workflow::purge::purge_unconfirmed(&app.pool, &intake.store)
        .await
        .unwrap();
    assert_eq!(purged, 1);
    assert_eq!(app.case_count(), 1);
    assert_eq!(
        exists(&shared_row),
        [true; 3],
        "the other case's screenshot stays"
    );
    assert_eq!(
        exists(&own_row),
        [false; 3],
        "the purged report's own screenshot goes"
    );
}
