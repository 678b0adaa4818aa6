//! A shopper files a report, confirms it by email, follows it and withdraws it.

use crate::helpers::*;
use reqwest::StatusCode;
use reviewwatch::domain::CaseStatus;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn a_zh_cn_report_with_email_is_confirmed_by_link_tracked_and_withdrawn() {
    let app = spawn_app().await;
    let form = ReportFields::zh_cn().email(SHOPPER);

    // Filing: a PNG screenshot and a JPEG photo.
    let reply = app
        .submit_report(
            &form,
            vec![
                ("截图1.png", png_screenshot(1), "image/png"),
                ("photo.jpg", jpeg_photo(2), "image/jpeg"),
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "problems: {:?}",
        reply.problems()
    );
    assert_eq!(reply.location().as_deref(), Some("/reports/receipt"));

    // The receipt shows the number and the code, until the reporter says they saved it.
    let receipt = app.get("/reports/receipt").await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert_eq!(receipt.html_lang().as_deref(), Some("zh-CN"));
    let number = receipt
        .text_of("#case-number")
        .expect("the case number is shown");
    let code = receipt
        .text_of("#receipt-code")
        .expect("the receipt code is shown");
    assert_case_number(&number);
    assert_receipt_code(&code);
    let again = app.get("/reports/receipt").await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        again.text_of("#receipt-code").as_deref(),
        Some(code.as_str()),
        "a reload shows the receipt code again"
    );
    let saved = app
        .submit(&again.form("receipt_saved", "/reports/receipt").unwrap())
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let after = app.get("/reports/receipt").await;
    assert_eq!(
        after.count("#receipt-code"),
        0,
        "once saved, the receipt code is not shown again"
    );
    assert!(
        !after.body.contains(&code),
        "the receipt page after saving does not hold the code"
    );

    // The confirmation email, in Chinese, with the number, the code and the link.
    let confirm_mail = app.mail.next_for(SHOPPER, WAIT).await;
    assert_eq!(
        confirm_mail.subject,
        zh().t1("email.confirm.subject", &number)
    );
    assert!(
        has_cjk(&confirm_mail.subject) && has_cjk(&confirm_mail.text),
        "the email is in Chinese"
    );
    assert!(
        confirm_mail
            .text
            .contains(zh().t("email.confirm.keep_code"))
    );
    for body in [&confirm_mail.text, &confirm_mail.html] {
        assert!(body.contains(&number), "the email holds the case number");
        assert!(
            body.contains(&code),
            "the confirmation email holds the receipt code"
        );
    }
    assert_eq!(confirm_mail.to, vec![SHOPPER.to_string()]);
    let link = confirm_mail.confirm_link(&format!("http://127.0.0.1:{}", app.port));
    let path = link.strip_prefix(&app.address).unwrap().to_string();
    assert!(
        confirm_mail.html.contains(&link),
        "the HTML part links to the same page"
    );

    // Opening the link shows a button; it does not confirm (mail scanners open links).
    let shown = app.get(&path).await;
    assert_eq!(shown.status, StatusCode::OK);
    let confirm_form = shown
        .form("confirm", &path)
        .expect("the link shows a confirm button");
    assert_eq!(confirm_form.method, "post");
    let tracker = app.visitor();
    let case_page = tracker.open_case(&number, &code).await;
    assert_eq!(case_page.case_status().as_deref(), Some("unconfirmed"));
    assert_eq!(app.case_status(&number), "unconfirmed");

    // The POST confirms; a second POST finds the link used.
    let confirmed = app.submit(&confirm_form).await;
    assert_eq!(confirmed.status, StatusCode::OK);
    assert_eq!(
        confirmed
            .attr_of("#confirm-result", "data-result")
            .as_deref(),
        Some("confirmed")
    );
    assert!(confirmed.body.contains(&number));
    let reused = app.submit(&confirm_form).await;
    assert_eq!(reused.status, StatusCode::OK);
    assert_eq!(
        reused.attr_of("#confirm-result", "data-result").as_deref(),
        Some("used")
    );
    assert_eq!(reused.count("form[data-action=confirm]"), 0);
    assert_eq!(app.case_status(&number), "submitted");

    // The status email says "submitted" and no longer carries the receipt code.
    let status_mail = app.mail.next_for(SHOPPER, WAIT).await;
    assert_eq!(
        status_mail.subject,
        zh().t2(
            "email.status.subject",
            &number,
            zh().status(CaseStatus::Submitted)
        )
    );
    assert!(has_cjk(&status_mail.text));
    let bare_code = code.replace('-', "");
    for body in [&status_mail.subject, &status_mail.text, &status_mail.html] {
        assert!(
            !body.contains(&code) && !body.contains(&bare_code),
            "a status email never holds the receipt code"
        );
    }
    assert!(status_mail.text.contains(&number));

    // Tracking with the number and the code shows the case, its evidence (once the background
    // job made the copies) and its timeline.
    app.run_due_jobs().await;
    let page = tracker.get("/track/case").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.case_status().as_deref(), Some("submitted"));
    assert!(
        page.text_of("#case-description")
            .unwrap()
            .contains("好评返现卡")
    );
    let thumbs = page.attrs_of("#evidence img", "src");
    assert_eq!(thumbs.len(), 2, "both screenshots are listed");
    for src in &thumbs {
        assert!(
            src.starts_with("/track/case/evidence/")
                && src
                    .split('?')
                    .next()
                    .is_some_and(|path| path.ends_with("/thumb")),
            "{src}"
        );
        let thumb = tracker.get_bytes(src).await;
        assert_eq!(thumb.status, StatusCode::OK, "{src}");
        assert_eq!(thumb.content_type, "image/jpeg", "{src}");
        let decoded = image::load_from_memory_with_format(&thumb.bytes, image::ImageFormat::Jpeg)
            .expect("a real JPEG");
        assert!(decoded.width() > 0 && decoded.height() > 0);
    }
    let names = page.texts_of("#evidence .evidence-name");
    assert_eq!(
        names,
        vec!["截图1.png".to_string(), "photo.jpg".to_string()]
    );
    let timeline = page.texts_of("#timeline li span");
    assert_eq!(
        timeline,
        vec![
            zh().t("timeline.filed").to_string(),
            zh().t1("timeline.evidence_added", "截图1.png"),
            zh().t1("timeline.evidence_added", "photo.jpg"),
            zh().t1(
                "timeline.status_changed",
                zh().status(CaseStatus::Submitted)
            ),
        ],
        "the timeline tells the reporter's story"
    );

    // The code typed in lower case with spaces (and the number likewise) opens the case too.
    let typist = app.visitor();
    let sloppy_code = code.to_lowercase().replace('-', " ");
    let sloppy_number = format!(" {} ", number.to_lowercase().replace('-', " "));
    let sloppy = typist.open_case(&sloppy_number, &sloppy_code).await;
    assert_eq!(sloppy.case_status().as_deref(), Some("submitted"));

    // Withdrawing asks first.
    let withdraw = page
        .form("withdraw", "/track/case")
        .expect("a withdraw button");
    assert!(withdraw.value("csrf_token").is_some_and(|t| !t.is_empty()));
    assert_eq!(
        withdraw.value("confirm"),
        None,
        "the first button only asks"
    );
    let asked = tracker.submit(&withdraw).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert_eq!(
        asked.case_status().as_deref(),
        Some("submitted"),
        "nothing is withdrawn yet"
    );
    assert_eq!(app.case_status(&number), "submitted");
    let really = asked
        .form("withdraw", "/track/case")
        .expect("the confirmation page has its own withdraw form");
    assert_eq!(really.value("confirm"), Some("yes"));

    let done = tracker.submit(&really.fill("reason", "商家已整改")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location().as_deref(), Some("/track/case"));
    let withdrawn = tracker.get("/track/case").await;
    assert_eq!(withdrawn.case_status().as_deref(), Some("withdrawn"));
    assert_eq!(
        withdrawn.count("form[data-action=withdraw]"),
        0,
        "a withdrawn case cannot be withdrawn again"
    );
    assert_eq!(app.case_status(&number), "withdrawn");

    let withdrawn_mail = app.mail.next_for(SHOPPER, WAIT).await;
    assert_eq!(
        withdrawn_mail.subject,
        zh().t2(
            "email.status.subject",
            &number,
            zh().status(CaseStatus::Withdrawn)
        )
    );
    assert!(!withdrawn_mail.text.contains(&code) && !withdrawn_mail.html.contains(&code));
}

#[tokio::test]
async fn an_english_report_gets_english_emails() {
    let app = spawn_app().await;
    let receipt = app
        .file_report(
            &ReportFields::english().email(SHOPPER),
            vec![("shot.png", png_screenshot(3), "image/png")],
        )
        .await;

    let confirm_mail = app.mail.next_for(SHOPPER, WAIT).await;
    assert_eq!(
        confirm_mail.subject,
        en().t1("email.confirm.subject", &receipt.number)
    );
    assert!(
        !has_cjk(&confirm_mail.subject) && !has_cjk(&confirm_mail.text),
        "English only:\n{}",
        confirm_mail.text
    );
    assert!(
        confirm_mail
            .text
            .contains(en().t("email.confirm.keep_code"))
    );
    assert!(confirm_mail.text.contains(&receipt.code));
    assert!(confirm_mail.html.contains("lang=\"en\""));

    let path = confirm_mail
        .confirm_link(&app.address)
        .strip_prefix(&app.address)
        .unwrap()
        .to_string();
    let confirmed = app.post_form(&path, &[]).await;
    assert_eq!(
        confirmed
            .attr_of("#confirm-result", "data-result")
            .as_deref(),
        Some("confirmed")
    );

    let status_mail = app.mail.next_for(SHOPPER, WAIT).await;
    assert_eq!(
        status_mail.subject,
        en().t2(
            "email.status.subject",
            &receipt.number,
            en().status(CaseStatus::Submitted)
        )
    );
    assert!(
        !has_cjk(&status_mail.text),
        "English only:\n{}",
        status_mail.text
    );
    assert!(
        status_mail
            .text
            .contains(en().t("email.status.explain.submitted"))
    );
}

#[tokio::test]
async fn an_anonymous_report_is_submitted_at_once_and_sends_no_mail() {
    let app = spawn_app().await;
    let receipt = app
        .file_report(
            &ReportFields::zh_cn(),
            vec![("shot.png", png_screenshot(4), "image/png")],
        )
        .await;
    assert_case_number(&receipt.number);
    assert_receipt_code(&receipt.code);
    assert_eq!(app.case_status(&receipt.number), "submitted");

    // The filer's session already holds the case.
    let page = app.get("/track/case").await;
    assert_eq!(page.case_status().as_deref(), Some("submitted"));
    // And anyone with the number and code can open it.
    let other = app
        .visitor()
        .open_case(&receipt.number, &receipt.code)
        .await;
    assert_eq!(other.case_status().as_deref(), Some("submitted"));

    // No mail was queued (mail is queued in the filing transaction), and none arrived.
    assert!(
        app.outbox().is_empty(),
        "an anonymous report queues no mail: {:?}",
        app.outbox()
    );
    assert!(app.mail.received_so_far().await.is_empty());
}

#[tokio::test]
async fn the_same_screenshot_in_two_cases_is_stored_once() {
    let app = spawn_app().await;
    let bytes = png_screenshot(5);
    let first = app
        .file_report(
            &ReportFields::zh_cn(),
            vec![("a.png", bytes.clone(), "image/png")],
        )
        .await;
    let second = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn().set("shop_name", "另一家店"),
            vec![("b.png", bytes.clone(), "image/png")],
        )
        .await;
    assert_ne!(first.number, second.number);

    let sha = hex::encode(Sha256::digest(&bytes));
    let rows = app.evidence_rows();
    assert_eq!(rows.len(), 2, "each case has its evidence row");
    assert_ne!(rows[0].case_id, rows[1].case_id);
    assert!(
        rows.iter().all(|r| r.sha256 == sha),
        "both rows name the original by its SHA-256"
    );

    let originals = app.evidence_files("originals");
    assert_eq!(
        originals.len(),
        1,
        "one original for two uploads of the same bytes: {originals:?}"
    );
    assert_eq!(originals[0].file_name().unwrap().to_str().unwrap(), sha);
    assert_eq!(
        std::fs::read(&originals[0]).unwrap(),
        bytes,
        "the original is kept bit-exact"
    );
    app.run_due_jobs().await;
    assert_eq!(app.evidence_files("display").len(), 1);
    assert_eq!(app.evidence_files("thumbnails").len(), 1);
    assert!(app.tmp_files().is_empty());
}
