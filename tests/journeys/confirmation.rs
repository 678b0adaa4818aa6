//! Confirmation links that cannot confirm: expired, and made up.

use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::email_tokens;

#[tokio::test]
async fn an_expired_link_is_gone_and_confirms_nothing() {
    let app = spawn_app().await;
    let receipt = app
        .file_report(
            &ReportFields::zh_cn().email(SHOPPER),
            vec![("a.png", png_screenshot(50), "image/png")],
        )
        .await;
    let mail = app.mail.next_for(SHOPPER, WAIT).await;
    let path = mail
        .confirm_link(&app.address)
        .strip_prefix(&app.address)
        .unwrap()
        .to_string();

    let case_id = app.case_id(&receipt.number);
    let past = reviewwatch::db::now() - chrono::TimeDelta::hours(1);
    let changed = diesel::update(email_tokens::table.filter(email_tokens::case_id.eq(case_id)))
        .set(email_tokens::expires_at.eq(past))
        .execute(&mut app.db())
        .unwrap();
    assert_eq!(changed, 1, "the case has one confirmation token");

    let shown = app.get(&path).await;
    assert_eq!(shown.status, StatusCode::GONE);
    assert_eq!(
        shown.attr_of("#confirm-result", "data-result").as_deref(),
        Some("expired")
    );
    assert_eq!(
        shown.text_of("#confirm-result").as_deref(),
        Some(zh().t("confirm.expired_title"))
    );
    assert_eq!(
        shown.count("form[data-action=confirm]"),
        0,
        "no button to press"
    );

    let pressed = app.post_form(&path, &[]).await;
    assert_eq!(pressed.status, StatusCode::GONE);
    assert_eq!(
        pressed.attr_of("#confirm-result", "data-result").as_deref(),
        Some("expired")
    );

    assert_eq!(app.case_status(&receipt.number), "unconfirmed");
    let page = app
        .visitor()
        .open_case(&receipt.number, &receipt.code)
        .await;
    assert_eq!(page.case_status().as_deref(), Some("unconfirmed"));
    let kinds: Vec<String> = app
        .outbox()
        .into_iter()
        .map(|m| m.kind.to_string())
        .collect();
    assert_eq!(
        kinds,
        vec!["confirm".to_string()],
        "no status mail was queued"
    );
}

#[tokio::test]
async fn a_made_up_link_is_unknown() {
    let app = spawn_app().await;
    let receipt = app
        .file_report(
            &ReportFields::zh_cn().email(SHOPPER),
            vec![("a.png", png_screenshot(51), "image/png")],
        )
        .await;

    // The shape of a real token (43 URL-safe characters), and things of other shapes.
    let plausible = "Zm9yZ2VkLXRva2VuLXRoYXQtbm9ib2R5LWV2ZXItc2V";
    assert_eq!(plausible.len(), 43);
    for token in [plausible, "abc", &"A".repeat(200)] {
        let path = format!("/confirm/{token}");
        let shown = app.get(&path).await;
        assert_eq!(shown.status, StatusCode::NOT_FOUND, "{token}");
        assert_eq!(
            shown.attr_of("#confirm-result", "data-result").as_deref(),
            Some("unknown"),
            "{token}"
        );
        assert_eq!(shown.count("form[data-action=confirm]"), 0);
        let pressed = app.post_form(&path, &[]).await;
        assert_eq!(pressed.status, StatusCode::NOT_FOUND, "{token}");
        assert_eq!(
            pressed.attr_of("#confirm-result", "data-result").as_deref(),
            Some("unknown"),
            "{token}"
        );
    }
    assert_eq!(app.case_status(&receipt.number), "unconfirmed");
}
