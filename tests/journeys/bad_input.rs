//! Every way a report can be wrong is refused with the right status and a message that says
//! what to fix (naming the file, where there is one), and nothing of it is kept.

use crate::helpers::*;
use reqwest::StatusCode;
use reviewwatch::domain::{FieldError, Problem};

/// Submits `files` with an otherwise valid report (with an email, so a stored case would also
/// queue mail) and returns the refusal.
async fn refused(app: &TestApp, form: ReportFields, files: Vec<File>, status: StatusCode) -> Reply {
    let reply = app.submit_report(&form, files).await;
    assert_eq!(
        reply.status,
        status,
        "problems shown: {:?}",
        reply.problems()
    );
    assert_eq!(reply.html_lang().as_deref(), Some("zh-CN"));
    assert!(
        reply.count("#form-problems") == 1,
        "the form comes back with its problems listed"
    );
    assert_eq!(
        reply.count("form#report-form"),
        1,
        "the form is shown again to be fixed"
    );
    app.assert_nothing_left_behind();
    reply
}

fn with_email() -> ReportFields {
    ReportFields::zh_cn().email(SHOPPER)
}

/// The refusal lists exactly this problem (among possibly others), and it is in Chinese.
fn assert_problem(reply: &Reply, expected: &str) {
    assert!(
        has_cjk(expected),
        "the expected message is zh-CN: {expected}"
    );
    let problems = reply.problems();
    assert!(
        problems.iter().any(|p| p == expected),
        "expected {expected:?} among {problems:?}"
    );
}

fn not_an_image(name: &str, detected: &str) -> String {
    zh().t2(
        "upload.not_an_image",
        name,
        zh().t(&format!("upload.detected.{detected}")),
    )
}

#[tokio::test]
async fn a_text_file_named_png_is_refused_by_its_bytes() {
    let app = spawn_app().await;
    let text = "这不是截图，只是一段文字。\nThis is plain text pretending to be an image.\n"
        .as_bytes()
        .to_vec();
    let reply = refused(
        &app,
        with_email(),
        vec![
            ("good.png", png_screenshot(10), "image/png"),
            ("notes.png", text, "image/png"),
        ],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(&reply, &not_an_image("notes.png", "text"));
    assert!(
        !reply.problems().iter().any(|p| p.contains("good.png")),
        "the good file is not blamed"
    );
}

#[tokio::test]
async fn a_truncated_png_is_refused_as_broken() {
    let app = spawn_app().await;
    let whole = png_screenshot(11);
    let truncated = whole[..whole.len() * 6 / 10].to_vec();
    let reply = refused(
        &app,
        with_email(),
        vec![("cut.png", truncated, "image/png")],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(&reply, &zh().t1("upload.broken", "cut.png"));
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_by_its_pixel_count() {
    let app = spawn_app().await;
    let bomb = decompression_bomb_png(20_000, 20_000);
    assert!(
        bomb.len() < 4096,
        "the bomb is small on the wire: {} bytes",
        bomb.len()
    );
    let reply = refused(
        &app,
        with_email(),
        vec![
            ("bomb.png", bomb, "image/png"),
            ("good.png", png_screenshot(12), "image/png"),
        ],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        &reply,
        &zh().t2("upload.too_many_pixels", "bomb.png", "20000×20000"),
    );
}

#[tokio::test]
async fn a_file_over_10_mib_is_refused_with_413() {
    let app = spawn_app().await;
    // A real PNG signature and then 11 MiB: the size alone refuses it.
    let mut big = png_screenshot(13);
    big.resize(11 * 1024 * 1024, 0x5a);
    let reply = refused(
        &app,
        with_email(),
        vec![
            ("good.png", png_screenshot(14), "image/png"),
            ("huge.png", big, "image/png"),
        ],
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert_problem(&reply, &zh().t1("upload.too_large", "huge.png"));
}

#[tokio::test]
async fn eleven_files_are_refused() {
    let app = spawn_app().await;
    let names = [
        "1.png", "2.png", "3.png", "4.png", "5.png", "6.png", "7.png", "8.png", "9.png", "10.png",
        "11.png",
    ];
    let files: Vec<File> = names
        .iter()
        .zip(20u32..)
        .map(|(n, seed)| (*n, png_screenshot(seed), "image/png"))
        .collect();
    let reply = refused(&app, with_email(), files, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_problem(&reply, &zh().t1("upload.too_many_files", 11));
}

#[tokio::test]
async fn an_svg_is_refused() {
    let app = spawn_app().await;
    let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>"#.to_vec();
    let reply = refused(
        &app,
        with_email(),
        vec![("drawing.svg", svg, "image/svg+xml")],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(&reply, &not_an_image("drawing.svg", "svg"));
}

#[tokio::test]
async fn an_html_polyglot_is_refused() {
    let app = spawn_app().await;
    let mut polyglot =
        b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
            .to_vec();
    polyglot.extend_from_slice(&png_screenshot(15));
    let reply = refused(
        &app,
        with_email(),
        vec![("poly.png", polyglot, "image/png")],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(&reply, &not_an_image("poly.png", "html"));
}

#[tokio::test]
async fn a_missing_shop_name_is_named() {
    let app = spawn_app().await;
    let reply = refused(
        &app,
        with_email().without("shop_name"),
        vec![("good.png", png_screenshot(16), "image/png")],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let expected = zh().field_error(&FieldError {
        field: "shop_name",
        problem: Problem::Required,
    });
    assert!(
        expected.contains(zh().field_label("shop_name")),
        "the message names the field"
    );
    assert_problem(&reply, &expected);
    assert_eq!(
        reply.count("#shop_name-error"),
        1,
        "the field itself carries the message"
    );
    // What the reporter typed is kept.
    assert_eq!(
        reply.attr_of("#shop_url", "value").as_deref(),
        Some("https://shop123456.taobao.com/")
    );
}

#[tokio::test]
async fn a_description_over_5000_characters_is_refused() {
    let app = spawn_app().await;
    let long = "好".repeat(5001);
    let reply = refused(
        &app,
        with_email().set("description", &long),
        vec![("good.png", png_screenshot(17), "image/png")],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        &reply,
        &zh().field_error(&FieldError {
            field: "description",
            problem: Problem::TooLong { max: 5000 },
        }),
    );
}

#[tokio::test]
async fn a_bad_email_is_refused() {
    let app = spawn_app().await;
    let reply = refused(
        &app,
        ReportFields::zh_cn().email("shopper@@example"),
        vec![("good.png", png_screenshot(18), "image/png")],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        &reply,
        &zh().field_error(&FieldError {
            field: "email",
            problem: Problem::BadEmail,
        }),
    );
}

#[tokio::test]
async fn a_script_in_the_description_is_stored_and_shown_as_text() {
    let app = spawn_app().await;
    let description =
        "商家说：<script>alert('xss')</script><img src=x onerror=alert(2)> 五星好评返现";
    let receipt = app
        .file_report(
            &ReportFields::zh_cn().set("description", description),
            vec![("good.png", png_screenshot(19), "image/png")],
        )
        .await;
    assert_eq!(
        app.case_description(&receipt.number),
        description,
        "the description is stored as typed"
    );
    let page = app
        .visitor()
        .open_case(&receipt.number, &receipt.code)
        .await;
    assert_eq!(
        page.text_of("#case-description").as_deref(),
        Some(description),
        "the text is shown as typed"
    );
    assert_eq!(
        page.count("#case-description script"),
        0,
        "no script element comes from the description"
    );
    assert_eq!(
        page.count("#case-description img"),
        0,
        "no element at all comes from the description"
    );
    // The only scripts on the page are the site's own.
    for src in page.attrs_of("script", "src") {
        assert!(src.starts_with("/static/"), "{src}");
    }
    assert_eq!(page.count("script"), page.count("script[src]"));
    assert!(
        !page.body.contains("<script>alert("),
        "the markup is escaped in the HTML"
    );
    assert!(
        !page.body.contains("<img src=x"),
        "the markup is escaped in the HTML"
    );
}

#[tokio::test]
async fn a_form_sent_faster_than_a_person_could_is_refused() {
    let app = spawn_app_with(|s| s.min_form_seconds = 3600).await;
    let reply = refused(
        &app,
        with_email(),
        vec![("good.png", png_screenshot(30), "image/png")],
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    assert_problem(&reply, zh().t("report.too_fast"));
}

#[tokio::test]
async fn a_forged_form_token_is_refused() {
    let app = spawn_app().await;
    // A token with a plausible shape, an old timestamp and a signature the server never made.
    let forged = format!(
        "{}.{}",
        chrono::Utc::now().timestamp() - 600,
        "ab".repeat(32)
    );
    let reply = app
        .submit_report_with_token(
            &with_email(),
            vec![("good.png", png_screenshot(31), "image/png")],
            Some(&forged),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_problem(&reply, zh().t("report.form_expired"));
    // The page hands out a genuine token to try again with.
    let fresh = reply.attr_of("input[name=form_token]", "value").unwrap();
    assert_ne!(fresh, forged);
    app.assert_nothing_left_behind();
}

#[tokio::test]
async fn a_missing_form_token_is_refused() {
    let app = spawn_app().await;
    let reply = app
        .submit_report_with_token(
            &with_email(),
            vec![("good.png", png_screenshot(32), "image/png")],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_problem(&reply, zh().t("report.form_expired"));
    app.assert_nothing_left_behind();
}

#[tokio::test]
async fn withdrawing_without_the_csrf_token_is_forbidden() {
    let app = spawn_app().await;
    let receipt = app
        .file_report(
            &ReportFields::zh_cn(),
            vec![("good.png", png_screenshot(33), "image/png")],
        )
        .await;
    let reporter = app.visitor();
    let page = reporter.open_case(&receipt.number, &receipt.code).await;
    let withdraw = page
        .form("withdraw", "/track/case")
        .expect("a withdraw button")
        .fill("confirm", "yes");
    assert!(withdraw.value("csrf_token").is_some_and(|t| !t.is_empty()));

    let missing = withdraw.clone().without("csrf_token");
    let forged = withdraw.clone().fill(
        "csrf_token",
        "0123456789abcdef0123456789abcdef0123456789abcdef",
    );
    let empty = withdraw.clone().fill("csrf_token", "");
    for form in [missing, forged, empty] {
        let reply = reporter.submit(&form).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{form:?}");
        assert_eq!(
            reply.text_of("#error-message").as_deref(),
            Some(zh().t("error.csrf"))
        );
        assert_eq!(reply.html_lang().as_deref(), Some("zh-CN"));
    }
    assert_eq!(
        app.case_status(&receipt.number),
        "submitted",
        "the case is untouched"
    );
    assert_eq!(
        reporter.get("/track/case").await.case_status().as_deref(),
        Some("submitted")
    );
}
