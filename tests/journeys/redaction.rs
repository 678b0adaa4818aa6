//! Evidence as officers handle it: thumbnails, display copies, bit-exact originals (each download
//! audited), and redactions that black out what the reporter and regulators see.

use crate::helpers::*;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn officers_get_bit_exact_originals_and_every_download_is_audited() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let reporter = app.visitor();
    let png = png_screenshot(800);
    let jpeg = jpeg_photo(801);
    let receipt = reporter
        .file_report(
            &ReportFields::zh_cn(),
            vec![
                ("截图.png", png.clone(), "image/png"),
                ("photo.jpg", jpeg.clone(), "image/jpeg"),
            ],
        )
        .await;
    let n = &receipt.number;
    app.run_due_jobs().await;

    let page = officer.case_page(n).await;
    let thumbs = page.attrs_of("#evidence img", "src");
    let displays = page.attrs_of("#evidence a[target=_blank]", "href");
    let originals = page.attrs_of("#evidence a.download[href*=\"/original\"]", "href");
    let shas = page.texts_of("#evidence code.sha");
    assert_eq!(
        (thumbs.len(), displays.len(), originals.len(), shas.len()),
        (2, 2, 2, 2)
    );

    for (i, (uploaded, mime, ext)) in [(&png, "image/png", "png"), (&jpeg, "image/jpeg", "jpg")]
        .into_iter()
        .enumerate()
    {
        let thumb = officer.get_bytes(&thumbs[i]).await;
        assert_eq!(thumb.status, StatusCode::OK, "{}", thumbs[i]);
        assert_eq!(thumb.content_type, "image/jpeg");
        image::load_from_memory(&thumb.bytes).expect("a thumbnail that decodes");
        let display = officer.get_bytes(&displays[i]).await;
        assert_eq!(display.status, StatusCode::OK, "{}", displays[i]);
        assert!(
            display.content_type.starts_with("image/"),
            "{}",
            display.content_type
        );
        let shown = image::load_from_memory(&display.bytes).expect("a display copy that decodes");
        let source = image::load_from_memory(uploaded).unwrap();
        assert_eq!(
            (shown.width(), shown.height()),
            (source.width(), source.height())
        );

        let original = officer.download(&originals[i]).await;
        assert_eq!(original.status, StatusCode::OK);
        assert_eq!(&original.bytes, uploaded, "the original is bit-exact");
        let sha = hex::encode(Sha256::digest(&original.bytes));
        assert_eq!(sha, hex::encode(Sha256::digest(uploaded)));
        assert_eq!(shas[i], sha, "the page shows the original's SHA-256");
        assert_eq!(original.header("content-type").as_deref(), Some(mime));
        let disposition = original.header("content-disposition").unwrap_or_default();
        assert!(
            disposition.starts_with("attachment"),
            "downloaded, never shown inline: {disposition}"
        );
        assert!(disposition.contains(&format!(".{ext}")), "{disposition}");
        assert_eq!(
            original.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
    }

    let downloads = |app: &TestApp| {
        app.audit_actions(n)
            .iter()
            .filter(|a| *a == "evidence_downloaded")
            .count()
    };
    assert_eq!(
        downloads(&app),
        2,
        "one audit entry per original downloaded"
    );
    let page = officer.case_page(n).await;
    assert_eq!(
        page.attr_of("#chain-status", "data-chain").as_deref(),
        Some("intact")
    );

    // A file is reached through its own case only: another case's number finds nothing, and
    // nothing is recorded as downloaded.
    let other = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn().set("shop_name", "另一家店"),
            vec![("other.png", png_screenshot(802), "image/png")],
        )
        .await
        .number;
    let evidence_id = app.evidence_rows()[0].id;
    for variant in ["thumb", "display", "original"] {
        let path = format!("/officer/cases/{other}/evidence/{evidence_id}/{variant}");
        assert_eq!(
            officer.download(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert!(
        !app.audit_actions(&other)
            .contains(&"evidence_downloaded".to_string())
    );
    assert_eq!(downloads(&app), 2);

    // The reporter, with the case open, gets none of the officer's evidence URLs.
    reporter.open_case(n, &receipt.code).await;
    for url in thumbs.iter().chain(&displays).chain(&originals) {
        let reply = reporter.get(url).await;
        assert_to_login(&reply, url);
    }
    assert_eq!(downloads(&app), 2, "the reporter downloaded nothing");
}

/// Whether a pixel is black, allowing for JPEG's noise.
fn is_black(p: &image::Rgb<u8>, tolerance: u8) -> bool {
    p.0.iter().all(|c| *c <= tolerance)
}

#[tokio::test]
async fn a_redaction_blacks_out_the_reporters_copy_and_keeps_the_original() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let colleague = app.officer("wang.fang@amr.example.gov.cn", "王芳").await;
    let reporter = app.visitor();
    let png = png_screenshot(810);
    let receipt = reporter
        .file_report(
            &ReportFields::zh_cn(),
            vec![("带手机号的截图.png", png.clone(), "image/png")],
        )
        .await;
    let n = &receipt.number;
    assert_eq!(
        officer.act(n, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );

    let page = officer.case_page(n).await;
    let redact_path = page
        .attr_of("#evidence a[data-redact]", "href")
        .expect("a link to redact the screenshot");
    let original_path = page
        .attr_of("#evidence a.download[href*=\"/original\"]", "href")
        .unwrap();
    let redact_page = officer.get(&redact_path).await;
    assert_eq!(redact_page.status, StatusCode::OK);
    let form = redact_page
        .form("redact", &redact_path)
        .expect("a redaction form");
    assert!(form.value("csrf_token").is_some_and(|t| !t.is_empty()));
    let before = app.case_state(n);
    let files_before = app.evidence_files("").len();

    // Malformed rectangles are refused with a message; nothing is made.
    for (rects, problem) in [
        ("10,20,abc,5", zh().t1("redact.malformed", 1)),
        ("10,20,30", zh().t1("redact.malformed", 1)),
        ("10,20,30,40\n1,2,0,4", zh().t1("redact.malformed", 2)),
        ("500,10,20,20", zh().t1("redact.outside", 1)),
        ("", zh().t("redact.empty").to_string()),
    ] {
        let reply = officer.submit(&form.clone().fill("rects", rects)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{rects:?}");
        assert_eq!(
            reply.text_of("#redact-problem").as_deref(),
            Some(problem.as_str()),
            "{rects:?}"
        );
    }
    assert_eq!(app.case_state(n), before, "no redaction, no audit entry");
    assert_eq!(app.evidence_files("").len(), files_before);

    // Only the assigned officer (or a supervisor) may redact.
    let theirs = colleague.get(&redact_path).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(theirs.count("form[data-action=redact]"), 0);
    let csrf = colleague.csrf().await;
    let refused = colleague
        .post_form(
            &redact_path,
            &[("csrf_token", &csrf), ("rects", "0,0,10,10")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app.case_state(n), before);

    // Two rectangles, the second running off the image's edge (it is cut to the image).
    let done = officer
        .submit(&form.fill("rects", "20,30,60,40\n150,100,100,100"))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location().as_deref(), Some(redact_path.as_str()));
    let shown = officer.get(&redact_path).await;
    assert_eq!(shown.count("#redaction-current"), 1);
    assert_eq!(
        shown.text_of("textarea[name=rects]").as_deref(),
        Some("20,30,60,40\n150,100,30,20")
    );

    // The reporter's display copy is blacked out inside the rectangles and untouched outside.
    let tracked = reporter.open_case(n, &receipt.code).await;
    let display_url = tracked.attr_of("#evidence a", "href").unwrap();
    let display = reporter.get_bytes(&display_url).await;
    assert_eq!(display.status, StatusCode::OK);
    let redacted = image::load_from_memory(&display.bytes).unwrap().to_rgb8();
    let source = image::load_from_memory(&png).unwrap().to_rgb8();
    assert_eq!(redacted.dimensions(), source.dimensions());
    let inside = |x: u32, y: u32| {
        ((20..80).contains(&x) && (30..70).contains(&y))
            || ((150..180).contains(&x) && (100..120).contains(&y))
    };
    let mut outside_changed = 0;
    for (x, y, p) in redacted.enumerate_pixels() {
        if inside(x, y) {
            assert!(is_black(p, 0), "pixel {x},{y} is blacked out: {p:?}");
        } else if p != source.get_pixel(x, y) {
            outside_changed += 1;
        }
    }
    assert_eq!(
        outside_changed, 0,
        "pixels outside the rectangles are as they were"
    );
    // Its thumbnail too (a JPEG: nearly black).
    let thumb_url = tracked.attr_of("#evidence img", "src").unwrap();
    let thumb = image::load_from_memory(&reporter.get_bytes(&thumb_url).await.bytes)
        .unwrap()
        .to_rgb8();
    let (tw, th) = thumb.dimensions();
    let (cx, cy) = (50 * tw / source.width(), 50 * th / source.height());
    assert!(
        is_black(thumb.get_pixel(cx, cy), 40),
        "{:?}",
        thumb.get_pixel(cx, cy)
    );

    // The officers' redacted copy is the same; the original is still bit-exact.
    let evidence_id = app.evidence_rows()[0].id;
    let officer_copy = officer
        .get_bytes(&format!(
            "/officer/cases/{n}/evidence/{evidence_id}/redacted/display"
        ))
        .await;
    assert_eq!(officer_copy.status, StatusCode::OK);
    assert_eq!(officer_copy.bytes, display.bytes);
    let original = officer.download(&original_path).await;
    assert_eq!(original.bytes, png, "the original is never changed");
    assert_eq!(
        app.evidence_rows()[0].sha256,
        hex::encode(Sha256::digest(&png))
    );

    let actions = app.audit_actions(n);
    assert_eq!(
        actions.iter().filter(|a| *a == "evidence_redacted").count(),
        1,
        "{actions:?}"
    );
    let page = officer.case_page(n).await;
    assert_eq!(
        page.attr_of("#chain-status", "data-chain").as_deref(),
        Some("intact")
    );

    // Redacted again, elsewhere only: the reporter's page shows the latest redaction.
    let form = officer
        .get(&redact_path)
        .await
        .form("redact", &redact_path)
        .expect("the redaction form again");
    let again = officer.submit(&form.fill("rects", "150,100,30,20")).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let tracked = reporter.get("/track/case").await;
    assert_eq!(tracked.count("#evidence img"), 1, "each file once");
    let latest_url = tracked.attr_of("#evidence img", "src").unwrap();
    assert_ne!(
        latest_url, thumb_url,
        "the thumbnail's address names the latest redaction (no stale copy from a cache)"
    );
    let thumb = image::load_from_memory(&reporter.get_bytes(&latest_url).await.bytes)
        .unwrap()
        .to_rgb8();
    assert!(
        !is_black(thumb.get_pixel(cx, cy), 40),
        "the first redaction's rectangle is no longer shown: {:?}",
        thumb.get_pixel(cx, cy)
    );

    // The reporter cannot reach the officers' copies either.
    assert_to_login(
        &reporter
            .get(&format!(
                "/officer/cases/{n}/evidence/{evidence_id}/redacted/display"
            ))
            .await,
        "the officers' redacted copy",
    );
}
