//! Nobody chooses their screenshots twice (issue 16 item 2): a refused report holds the files that
//! passed for an hour, for the browser that sent them, and shows each as a ticked `keep_upload`
//! box; the resubmission files the ticked ones without sending them again.

use crate::helpers::*;
use reqwest::StatusCode;
use std::sync::Arc;

/// A text file dressed as a screenshot: refused by its bytes.
fn fake_png() -> File {
    ("fake.png", b"not a picture at all".to_vec(), "image/png")
}

/// Sends the report form with `ticked` held screenshots kept, and `files` chosen anew, under the
/// form token of `page` (the form as last shown).
async fn resubmit(
    browser: &Visitor,
    page: &Reply,
    form: &ReportFields,
    ticked: &[String],
    files: Vec<File>,
) -> Reply {
    let token = page
        .attr_of("form#report-form input[name=form_token]", "value")
        .expect("the re-shown form carries a form token");
    let mut multipart = reqwest::multipart::Form::new().text("form_token", token);
    for (name, value) in &form.fields {
        multipart = multipart.text(name.clone(), value.clone());
    }
    for id in ticked {
        multipart = multipart.text("keep_upload", id.clone());
    }
    for (name, bytes, mime) in files {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name)
            .mime_str(mime)
            .expect("a MIME type");
        multipart = multipart.part("evidence", part);
    }
    browser.post_multipart("/reports", multipart).await
}

/// The held screenshots the re-shown form ticks.
fn ticked(page: &Reply) -> Vec<String> {
    page.attrs_of("input[name=keep_upload][checked]", "value")
}

fn held_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    files_under(&app.data_dir.join("held"))
}

fn evidence_names(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = app
        .evidence_rows()
        .into_iter()
        .map(|e| e.original_name)
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_refusal_keeps_the_screenshots_that_passed_and_the_resubmission_files_them_unsent() {
    let app = spawn_app().await;
    let browser = app.visitor();
    let missing_category = ReportFields::zh_cn().without("category");
    let refused = browser
        .submit_report(
            &missing_category,
            vec![
                ("receipt.png", png_screenshot(9101), "image/png"),
                fake_png(),
                ("chat.jpg", jpeg_photo(9102), "image/jpeg"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = refused.problems().join("\n");
    assert!(problems.contains("fake.png"), "{problems}");
    assert_eq!(app.case_count(), 0);

    // The two good screenshots are attached already, each a ticked box with its name and picture.
    let kept = ticked(&refused);
    assert_eq!(kept.len(), 2, "{}", refused.body);
    let names = refused.texts_of("#held-files label");
    assert!(
        names[0].contains("receipt.png") && names[1].contains("chat.jpg"),
        "{names:?}"
    );
    assert!(
        refused
            .text_of("#form-problems")
            .unwrap_or_default()
            .contains(zh().t("report.held_reselect")),
        "the reporter is told the screenshots that passed are kept"
    );
    let thumbnail = browser
        .get_bytes(&format!("/reports/held/{}", kept[0]))
        .await;
    assert_eq!(thumbnail.status, StatusCode::OK);
    assert_eq!(thumbnail.content_type, "image/png");
    assert_eq!(thumbnail.bytes, png_screenshot(9101));

    // Corrected, and sent with no file chosen again: filed with both.
    let filed = resubmit(&browser, &refused, &ReportFields::zh_cn(), &kept, vec![]).await;
    assert_eq!(
        filed.status,
        StatusCode::SEE_OTHER,
        "{:?}",
        filed.problems()
    );
    assert_eq!(filed.location().as_deref(), Some("/reports/receipt"));
    assert_eq!(app.case_count(), 1);
    assert_eq!(evidence_names(&app), ["chat.jpg", "receipt.png"]);
    assert!(held_files(&app).is_empty(), "nothing stays held once filed");
    assert!(app.tmp_files().is_empty());
}

#[tokio::test]
async fn an_unticked_screenshot_is_not_filed_and_new_ones_join_the_kept() {
    let app = spawn_app().await;
    let browser = app.visitor();
    let refused = browser
        .submit_report(
            &ReportFields::zh_cn().without("description"),
            vec![
                ("keep.png", png_screenshot(9201), "image/png"),
                ("drop.png", png_screenshot(9202), "image/png"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let kept = ticked(&refused);
    assert_eq!(kept.len(), 2);

    // The reporter unticks the second and adds another screenshot.
    let filed = resubmit(
        &browser,
        &refused,
        &ReportFields::zh_cn(),
        &kept[..1],
        vec![("new.jpg", jpeg_photo(9203), "image/jpeg")],
    )
    .await;
    assert_eq!(
        filed.status,
        StatusCode::SEE_OTHER,
        "{:?}",
        filed.problems()
    );
    assert_eq!(evidence_names(&app), ["keep.png", "new.jpg"]);
    assert!(
        held_files(&app).is_empty(),
        "the unticked one is removed too"
    );
}

/// Runs the hourly jobs (`forget_held_uploads` among them) as the runner would `later`.
async fn run_housekeeping_later(app: &TestApp, later: chrono::TimeDelta) {
    app.wait_for_the_job_runner().await;
    let settings = app.settings();
    let (_, keys) = reviewwatch::startup::open_database(&settings)
        .await
        .expect("the test's database");
    let handoff = reviewwatch::startup::handoff_context(&settings, &keys, &app.address)
        .await
        .expect("a handoff context");
    let ctx =
        reviewwatch::startup::job_context(&settings, handoff, Arc::new(tokio::sync::Notify::new()));
    let ran = reviewwatch::jobs::run_due(
        &app.pool,
        &ctx,
        "test-runner",
        reviewwatch::db::now() + later,
    )
    .await
    .expect("a pass of the job runner");
    assert!(ran >= 1, "the hourly jobs ran");
}

#[tokio::test]
async fn screenshots_held_over_an_hour_are_swept_and_their_ids_refused_with_a_clear_message() {
    let app = spawn_app().await;
    let browser = app.visitor();
    let refused = browser
        .submit_report(
            &ReportFields::zh_cn().without("category"),
            vec![("late.png", png_screenshot(9301), "image/png")],
        )
        .await;
    let kept = ticked(&refused);
    assert_eq!(kept.len(), 1);
    assert!(!held_files(&app).is_empty(), "the screenshot is held");

    run_housekeeping_later(&app, chrono::TimeDelta::minutes(61)).await;
    assert!(
        held_files(&app).is_empty(),
        "the sweep removed it after an hour"
    );

    let late = resubmit(&browser, &refused, &ReportFields::zh_cn(), &kept, vec![]).await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        late.problems()
            .contains(&zh().t("upload.held_gone").to_string()),
        "{:?}",
        late.problems()
    );
    assert_eq!(app.case_count(), 0);
}

#[tokio::test]
async fn another_browser_can_neither_see_nor_file_screenshots_held_for_someone_else() {
    let app = spawn_app().await;
    let reporter = app.visitor();
    let refused = reporter
        .submit_report(
            &ReportFields::zh_cn().without("category"),
            vec![("mine.png", png_screenshot(9401), "image/png")],
        )
        .await;
    let kept = ticked(&refused);
    assert_eq!(kept.len(), 1);

    let stranger = app.visitor();
    let peek = stranger.get(&format!("/reports/held/{}", kept[0])).await;
    assert_eq!(peek.status, StatusCode::NOT_FOUND);
    let own_form = stranger.get("/reports/new").await;
    let tried = resubmit(&stranger, &own_form, &ReportFields::zh_cn(), &kept, vec![]).await;
    assert_eq!(tried.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        tried
            .problems()
            .contains(&zh().t("upload.held_gone").to_string()),
        "{:?}",
        tried.problems()
    );
    assert_eq!(app.case_count(), 0);

    // The reporter's own resubmission still files it.
    let filed = resubmit(&reporter, &refused, &ReportFields::zh_cn(), &kept, vec![]).await;
    assert_eq!(
        filed.status,
        StatusCode::SEE_OTHER,
        "{:?}",
        filed.problems()
    );
    assert_eq!(evidence_names(&app), ["mine.png"]);
}
