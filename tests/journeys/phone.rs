//! A shopper on a phone (issue 16): the receipt code cannot be lost, the language switch never
//! loses the reader.

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn the_receipt_code_stays_shown_through_a_reload_and_a_language_switch_until_saved() {
    let app = spawn_app().await;
    let shopper = app.visitor_speaking("zh-CN");
    let receipt = shopper
        .file_report(
            &ReportFields::zh_cn(),
            vec![("a.png", png_screenshot(1601), "image/png")],
        )
        .await;
    assert_receipt_code(&receipt.code);

    // A reload shows it again, each group of four whole.
    let reloaded = shopper.get("/reports/receipt").await;
    assert_eq!(reloaded.status, StatusCode::OK);
    assert_eq!(
        reloaded.text_of("#receipt-code"),
        Some(receipt.code.clone())
    );
    assert_eq!(
        reloaded.texts_of("#receipt-code .code-group").concat(),
        receipt.code,
        "the code is made of its groups"
    );
    assert_eq!(reloaded.count("#receipt-code .code-group"), 5);
    assert_eq!(
        reloaded.count("#receipt-code wbr"),
        4,
        "a line breaks only between groups"
    );

    // The language switch comes back to the receipt, in English, with the code.
    let switched = shopper
        .get(&reloaded.attr_of("a.lang-switch", "href").unwrap())
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.location().as_deref(), Some("/reports/receipt"));
    let english = shopper.get("/reports/receipt").await;
    assert_eq!(english.html_lang().as_deref(), Some("en"));
    assert_eq!(
        english.text_of("#case-number"),
        Some(receipt.number.clone())
    );
    assert_eq!(english.text_of("#receipt-code"), Some(receipt.code.clone()));
    assert_eq!(
        english.text_of("#code-saved").as_deref(),
        Some(en().t("receipt.saved_button"))
    );

    // The card to keep: a PNG download named after the case.
    let card = shopper
        .client
        .get(shopper.url("/reports/receipt/card.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(card.status(), StatusCode::OK);
    let disposition = card.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        disposition.contains(&format!("{}.png", receipt.number)),
        "{disposition}"
    );
    assert_eq!(card.headers()["cache-control"], "no-store");
    let png = card.bytes().await.unwrap();
    let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
        .expect("the card is a PNG");
    assert!(image.width() > image.height());
    // Another browser gets no card.
    let stranger = app.visitor().get_bytes("/reports/receipt/card.png").await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);

    // "I saved it" without this session's CSRF token changes nothing.
    let saved = english
        .form("receipt_saved", "/reports/receipt")
        .expect("the saved form");
    let forged = shopper
        .submit(&saved.clone().fill("csrf_token", "forged"))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        shopper
            .get("/reports/receipt")
            .await
            .text_of("#receipt-code"),
        Some(receipt.code.clone())
    );

    // After "I saved it", the code is no longer shown, nor drawn.
    let done = shopper.submit(&saved).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location().as_deref(), Some("/reports/receipt"));
    let after = shopper.get("/reports/receipt").await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.count("#receipt-code"), 0);
    assert!(!after.body.contains(&receipt.code));
    assert_eq!(
        after.text_of("h1").as_deref(),
        Some(en().t("receipt.gone_title"))
    );
    assert_eq!(
        shopper.get_bytes("/reports/receipt/card.png").await.status,
        StatusCode::NOT_FOUND
    );
    // The code still opens the case.
    let page = app
        .visitor()
        .open_case(&receipt.number, &receipt.code)
        .await;
    assert_eq!(page.case_status().as_deref(), Some("submitted"));
}

#[tokio::test]
async fn the_language_switch_on_a_refused_report_leads_back_to_the_form() {
    let app = spawn_app().await;
    let shopper = app.visitor_speaking("zh-CN");
    let refused = shopper
        .submit_report(
            &ReportFields::zh_cn().without("category"),
            vec![("a.png", png_screenshot(1602), "image/png")],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        refused.problems()
    );
    let switch = refused
        .attr_of("a.lang-switch", "href")
        .expect("a language switch");
    assert_eq!(switch, "/lang/en?next=%2Freports");
    let reply = shopper.get(&switch).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location().as_deref(), Some("/reports/new"));
    let form = shopper.get("/reports/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.html_lang().as_deref(), Some("en"));
    assert_eq!(form.count("form#report-form[data-keep-on-lang]"), 1);

    // The same for an old link straight to the form's address, and for the reporter's forms.
    for (next, page) in [
        ("/reports", "/reports/new"),
        ("/track/case/reply%3Fcsrf_token%3Dx", "/track/case"),
        ("/track/leave", "/track"),
    ] {
        let reply = app.visitor().get(&format!("/lang/zh-CN?next={next}")).await;
        assert_eq!(reply.location().as_deref(), Some(page), "{next}");
    }
}

#[tokio::test]
async fn an_answer_refused_for_a_bad_attachment_keeps_its_text_and_points_to_the_problem() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let reporter = app.visitor_speaking("zh-CN");
    let receipt = reporter
        .file_report(
            &ReportFields::zh_cn(),
            vec![("first.png", png_screenshot(1603), "image/png")],
        )
        .await;
    assert_eq!(
        officer.act(&receipt.number, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let asked = officer
        .act(
            &receipt.number,
            "request_info",
            &[("message", "请补充订单截图。")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);

    // The banner asking for an answer leads to the form.
    let page = reporter.open_case(&receipt.number, &receipt.code).await;
    assert_eq!(
        page.attr_of("#reply-link", "href").as_deref(),
        Some("#reply-form")
    );
    assert_eq!(page.count("form#reply-form[data-action=reply]"), 1);
    assert_eq!(page.count("#reply-problems"), 0);

    let typed = "订单截图在这里，商家客服还发了返现红包的聊天记录。";
    let form = page
        .form("reply", "/track/case")
        .unwrap()
        .fill("message", typed);
    let refused = reporter
        .submit_multipart(
            &form,
            vec![("order.png", b"not an image at all".to_vec(), "image/png")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.text_of("#reply-message").as_deref(),
        Some(typed),
        "the answer is kept"
    );
    assert_eq!(
        refused
            .attr_of("#reply-message", "aria-describedby")
            .as_deref(),
        Some("reply-problems")
    );
    assert!(
        refused
            .text_of("#reply-problems")
            .unwrap()
            .contains("order.png")
    );
    assert_eq!(
        refused.count("#reply-problems[autofocus][tabindex='-1']"),
        1,
        "focus goes to the problem"
    );
    assert_eq!(app.case_status(&receipt.number), "awaiting_reporter");

    // Sent again with a real screenshot, the kept text is the answer.
    let again = refused.form("reply", "/track/case").unwrap();
    assert_eq!(again.value("message"), Some(typed));
    let sent = reporter
        .submit_multipart(
            &again,
            vec![("order.png", png_screenshot(1604), "image/png")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(app.case_status(&receipt.number), "in_review");
}

#[tokio::test]
async fn the_tracking_page_says_what_happens_next_from_review_to_the_regulators_outcome() {
    use crate::handoff::{PANYU, PANYU_EMAIL, add_regulator, hand_off, handoff_link, in_region};
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let reporter = app.visitor_speaking("zh-CN");
    let receipt = reporter
        .file_report(
            &in_region(ReportFields::zh_cn(), "440113"),
            vec![("a.png", png_screenshot(1605), "image/png")],
        )
        .await;
    let n = receipt.number.clone();

    // With the officers: the expected decision date.
    let page = reporter.open_case(&n, &receipt.code).await;
    let decide_by = page
        .attr_of("#decide-by", "data-date")
        .expect("a decision date");
    assert_eq!(
        page.text_of("#next-step p").as_deref(),
        Some(zh().t1("case.next.submitted_by", &decide_by).as_str())
    );

    // Handed off: the regulator that received it, by name.
    assert_eq!(
        officer.act(&n, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let decided = officer
        .act(
            &n,
            "substantiate",
            &[
                ("note", "属实。"),
                ("finding", "好评返现卡与订单相互印证。"),
            ],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER);
    let page = reporter.get("/track/case").await;
    assert_eq!(
        page.text_of("#next-step p").as_deref(),
        Some(zh().t("case.next.substantiated"))
    );
    hand_off(&officer, &n, panyu).await;
    let page = reporter.get("/track/case").await;
    let next = page.text_of("#next-step p").unwrap();
    assert!(next.contains(PANYU), "{next}");
    // The officer's handoff table: every column header says what it holds (screen readers).
    let officer_page = officer.case_page(&n).await;
    let headers = officer_page.texts_of("#handoffs thead th");
    assert_eq!(headers.len(), 6);
    assert!(headers.iter().all(|h| !h.is_empty()), "{headers:?}");

    // The regulator's outcome, in plain words, in English too.
    let mail = app.mail.next_for(PANYU_EMAIL, WAIT).await;
    let outcome = handoff_link(&mail, &app.address, "outcome");
    let regulator = app.visitor();
    let form = regulator
        .get(&outcome)
        .await
        .form("outcome", &outcome)
        .expect("an outcome form")
        .fill("outcome", "penalty")
        .fill("details", "罚款人民币五万元。");
    assert_eq!(regulator.submit(&form).await.status, StatusCode::OK);
    // Closing ended the reporter's session: the code opens the case again.
    let page = reporter.open_case(&n, &receipt.code).await;
    assert_eq!(page.case_status().as_deref(), Some("closed"));
    assert_eq!(
        page.text_of("#next-step p").as_deref(),
        Some(
            zh().t2(
                "case.next.outcome",
                zh().t("outcome.penalty"),
                zh().t("case.next.outcome_plain.penalty")
            )
            .as_str()
        )
    );
    reporter.get("/lang/en?next=/track/case").await;
    let english = reporter.get("/track/case").await;
    assert_eq!(
        english.text_of("#next-step p").as_deref(),
        Some(
            en().t2(
                "case.next.outcome",
                en().t("outcome.penalty"),
                en().t("case.next.outcome_plain.penalty")
            )
            .as_str()
        )
    );
    // English readers: the region in Chinese (marked as such) with its pinyin; times in China time.
    assert_eq!(
        english.text_of(r#"span[lang="zh-CN"]"#).as_deref(),
        Some("广东省 广州市 番禺区")
    );
    assert_eq!(
        english.text_of(".pinyin").as_deref(),
        Some("(Guangdong, Guangzhou, Panyu)")
    );
    assert_eq!(
        english.text_of("#times-note").as_deref(),
        Some(en().t("case.times_note"))
    );
    let form = reporter.get("/reports/new").await;
    assert!(
        form.texts_of("#region_code option")
            .iter()
            .any(|o| o == "番禺区 Panyu"),
        "no “番禺区 Panyu” among the counties"
    );
    // Each place name is Chinese, marked so (the first option, “choose”, is English).
    let options = form.count("#region_code option");
    assert_eq!(
        form.count(r#"#region_code option[lang="zh-CN"]"#),
        options - 1
    );
}

/// Each element of an email's HTML that shows a link as text lets it wrap; the button is a
/// block a thumb can hit.
fn assert_reads_on_a_phone(html: &str, link: &str) {
    let doc = scraper::Html::parse_document(html);
    let all = scraper::Selector::parse("body *").unwrap();
    let showing_link: Vec<_> = doc
        .select(&all)
        .filter(|e| e.text().any(|t| t.contains(link)))
        .filter(|e| {
            e.children()
                .any(|c| c.value().as_text().is_some_and(|t| t.contains(link)))
        })
        .collect();
    assert!(
        !showing_link.is_empty(),
        "the link is shown as text: {html}"
    );
    for e in showing_link {
        let style = e.value().attr("style").unwrap_or_default();
        assert!(
            style.contains("word-break:break-all") && style.contains("overflow-wrap:anywhere"),
            "a link shown as text wraps: <{} style={style:?}>",
            e.value().name()
        );
    }
    let button = scraper::Selector::parse("a.rw-button").unwrap();
    let button = doc.select(&button).next().expect("a button");
    assert_eq!(button.value().attr("href"), Some(link));
    assert!(
        button
            .value()
            .attr("style")
            .unwrap()
            .contains("display:inline-block")
    );
    assert!(html.contains("max-width:560px") && html.contains("box-sizing:border-box"));
}

#[tokio::test]
async fn the_confirmation_and_status_emails_read_on_a_phone_in_both_languages() {
    let app = spawn_app().await;
    for (form, addr, m) in [
        (ReportFields::zh_cn(), "zh.phone@example.com", zh()),
        (ReportFields::english(), "en.phone@example.com", en()),
    ] {
        app.visitor()
            .file_report(
                &form.email(addr),
                vec![("a.png", png_screenshot(1606), "image/png")],
            )
            .await;
        let mail = app.mail.next_for(addr, WAIT).await;
        let link = mail.confirm_link(&app.address);
        assert_reads_on_a_phone(&mail.html, &link);
        assert!(mail.html.contains(m.t("email.confirm.button")));
        assert!(mail.text.contains(&link), "the plain text holds the link");
        // The plain-text part is the message's own (a label only the text template holds), not
        // text made from the HTML.
        assert!(mail.text.contains(m.t("email.confirm.link_label")));
        assert!(!mail.html.contains(m.t("email.confirm.link_label")));

        // The status email after confirming: a button to the case.
        let confirmed = app.visitor().post_form(&mail.confirm_path(), &[]).await;
        assert_eq!(confirmed.status, StatusCode::OK);
        let status = app.mail.next_for(addr, WAIT).await;
        let start = status
            .text
            .find(&format!("{}/track/", app.address))
            .expect("a case link");
        let case_link: String = status.text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        assert_reads_on_a_phone(&status.html, &case_link);
        assert!(status.html.contains(m.t("email.status.button")));
        assert!(status.text.contains(m.t("email.status.track_hint")));
        assert!(
            !status.text.contains(m.t("email.status.button")),
            "the text part is its own"
        );
    }
}
