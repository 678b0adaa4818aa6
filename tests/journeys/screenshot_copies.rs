//! A screenshot's display copy, thumbnail and hashes are made by a background job after the
//! report is filed (issue 14): the request only checks the file and keeps its original. Until the
//! job has run, the case pages say the screenshot is being processed; a package made meanwhile
//! still holds its copy; near-identical screenshots are linked once the job has run.

use crate::handoff::{
    PANYU, PANYU_EMAIL, add_regulator, hand_off, in_region, substantiated_case, zip_entries,
};
use crate::helpers::*;
use crate::similar_screenshots::{
    chat_screens, linked_by, png, recompressed_cropped_copy, related, report,
};
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::jobs;
use reviewwatch::domain::jobs::JobKind;
use reviewwatch::evidence::Sha256Hex;

fn copy_jobs(app: &TestApp) -> i64 {
    jobs::table
        .filter(jobs::kind.eq(JobKind::MakeScreenshotCopies.as_str()))
        .count()
        .get_result(&mut app.db())
        .unwrap()
}

/// The placeholder each case page shows for a screenshot whose copies are not made yet.
fn placeholders(page: &Reply) -> Vec<String> {
    page.texts_of("#evidence .evidence-processing")
}

#[tokio::test]
async fn the_case_pages_say_a_screenshot_is_being_processed_until_the_job_made_its_thumbnail() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    app.wait_for_the_job_runner().await;
    let receipt = app
        .file_report(
            &ReportFields::zh_cn(),
            vec![
                ("好评返现卡.png", png_screenshot(2900), "image/png"),
                ("聊天记录.jpg", jpeg_photo(2901), "image/jpeg"),
            ],
        )
        .await;
    let n = &receipt.number;

    // Filed: the originals are kept, the copies are the job's (one per screenshot).
    assert_eq!(app.evidence_files("originals").len(), 2);
    assert_eq!(copy_jobs(&app), 2);
    let rows = app.evidence_rows();
    assert!(rows.iter().all(|r| r.display_sha256.is_none()), "{rows:?}");
    let page = officer.case_page(n).await;
    assert_eq!(
        placeholders(&page),
        vec![zh().t("case.evidence_processing"); 2]
    );
    assert_eq!(page.count("#evidence img"), 0, "no broken image");
    let tracked = app.visitor_speaking("en").open_case(n, &receipt.code).await;
    assert_eq!(
        placeholders(&tracked),
        vec![en().t("case.evidence_processing"); 2]
    );

    // After the job: thumbnails, which open.
    app.run_due_jobs().await;
    let page = officer.case_page(n).await;
    assert!(placeholders(&page).is_empty());
    let thumbs = page.attrs_of("#evidence img", "src");
    assert_eq!(thumbs.len(), 2, "both screenshots have their thumbnail");
    for src in &thumbs {
        let thumb = officer.get_bytes(src).await;
        assert_eq!(thumb.status, StatusCode::OK, "{src}");
        assert_eq!(thumb.content_type, "image/jpeg");
        image::load_from_memory(&thumb.bytes).expect("a thumbnail that decodes");
    }
    assert_eq!(app.evidence_files("display").len(), 2);
    assert_eq!(app.evidence_files("thumbnails").len(), 2);
    assert!(
        app.evidence_rows()
            .iter()
            .all(|r| r.perceptual_hash.is_some())
    );
}

#[tokio::test]
async fn a_bad_file_is_still_refused_with_nothing_stored_and_no_job() {
    let app = spawn_app().await;
    let reply = app
        .submit_report(
            &ReportFields::zh_cn().email(SHOPPER),
            vec![
                ("good.png", png_screenshot(2902), "image/png"),
                (
                    "broken.png",
                    png_screenshot(2903)[..400].to_vec(),
                    "image/png",
                ),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply
            .problems()
            .contains(&zh().t1("upload.broken", "broken.png")),
        "{:?}",
        reply.problems()
    );
    app.assert_nothing_left_behind();
    assert_eq!(copy_jobs(&app), 0);
}

#[tokio::test]
async fn a_package_made_before_the_job_ran_holds_the_display_copy() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    app.wait_for_the_job_runner().await;
    let receipt = substantiated_case(
        &app,
        &officer,
        &in_region(ReportFields::zh_cn(), "440113"),
        vec![("好评返现卡.png", png_screenshot(2904), "image/png")],
    )
    .await;
    let n = &receipt.number;
    assert!(
        app.evidence_rows()[0].display_sha256.is_none(),
        "no job ran yet"
    );

    hand_off(&officer, n, panyu).await;
    let received = app.mail.next_with_attachments_for(PANYU_EMAIL, WAIT).await;
    let (_, zip) = &received.attachments[0];
    let row = &app.evidence_rows()[0];
    let display = row.display_sha256.clone().expect("made for the package");
    let copies: Vec<Vec<u8>> = zip_entries(zip)
        .into_iter()
        .filter(|(name, _)| name.contains("/evidence/") && name.contains("-copy."))
        .map(|(_, bytes)| bytes)
        .collect();
    assert_eq!(copies.len(), 1, "the screenshot's copy is in the package");
    assert_eq!(Sha256Hex::of_bytes(&copies[0]).as_str(), display);
    image::load_from_memory(&copies[0]).expect("a copy that decodes");

    // The job finds the copies made and leaves them.
    app.run_due_jobs().await;
    assert_eq!(
        app.evidence_rows()[0].display_sha256.as_deref(),
        Some(display.as_str())
    );
}

#[tokio::test]
async fn a_near_identical_screenshot_links_two_cases_once_the_job_has_run() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let (screen, _) = chat_screens();
    app.wait_for_the_job_runner().await;
    let a = app
        .visitor()
        .file_report(
            &report(0),
            vec![("聊天记录.png", png(&screen), "image/png")],
        )
        .await
        .number;
    let b = app
        .visitor()
        .file_report(
            &report(1),
            vec![(
                "微信图片.jpg",
                recompressed_cropped_copy(&screen),
                "image/jpeg",
            )],
        )
        .await
        .number;
    // Not yet: the fingerprints are made with the copies.
    assert!(related(&officer.case_page(&a).await).is_empty());

    app.run_due_jobs().await;
    let page_a = officer.case_page(&a).await;
    assert!(
        linked_by(&page_a, &b, "similar_screenshot"),
        "{:?}",
        related(&page_a)
    );
    let page_b = officer.case_page(&b).await;
    assert!(
        linked_by(&page_b, &a, "similar_screenshot"),
        "{:?}",
        related(&page_b)
    );
}
