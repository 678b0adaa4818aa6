//! Mail goes through the outbox: a down SMTP server delays it, a restart does not lose it, and
//! secrets do not stay in the outbox once the mail is out.

use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::outbox;

#[tokio::test]
async fn mail_is_delayed_not_lost_when_the_smtp_server_is_down() {
    let (dead, _reserved) = closed_port();
    let app = spawn_app_with(|s| s.smtp_url = Some(format!("smtp://127.0.0.1:{dead}"))).await;
    let receipt = app
        .file_report(
            &ReportFields::zh_cn().email(SHOPPER),
            vec![("a.png", png_screenshot(60), "image/png")],
        )
        .await;

    let failed = poll_until("a failed attempt to send the confirmation", WAIT, || {
        app.outbox()
            .into_iter()
            .find(|m| m.kind.as_str() == "confirm" && m.attempts >= 1)
    })
    .await;
    assert!(
        failed.sent_at.is_none(),
        "a mail the server never took is not marked sent"
    );
    assert!(failed.last_error.is_some(), "the failure is recorded");
    assert!(
        failed.next_attempt_at > reviewwatch::db::now(),
        "the retry is scheduled later"
    );
    assert!(
        failed.body_text.contains(&receipt.code),
        "the unsent mail still holds what it must say"
    );
    assert_eq!(failed.to_address, SHOPPER);
    assert_eq!(failed.case_id, Some(app.case_id(&receipt.number)));

    // The portal restarts, this time with a mail server that answers.
    let storage = app.stop();
    let app = spawn_app_on(storage, |_| {}).await;
    // Rather than wait for the backoff, bring the retry forward.
    let changed = diesel::update(outbox::table.filter(outbox::id.eq(failed.id)))
        .set(outbox::next_attempt_at.eq(reviewwatch::db::now()))
        .execute(&mut app.db())
        .unwrap();
    assert_eq!(changed, 1);

    let mail = app.mail.next_for(SHOPPER, WAIT).await;
    assert_eq!(
        mail.subject,
        zh().t1("email.confirm.subject", &receipt.number)
    );
    assert!(mail.text.contains(&receipt.code));
    let sent = poll_until("the outbox row marked sent", WAIT, || {
        app.outbox()
            .into_iter()
            .find(|m| m.id == failed.id && m.sent_at.is_some())
    })
    .await;
    assert!(sent.attempts >= 1);

    // The link, made before the restart (for the address the portal had then: no BASE_URL is
    // set here), still confirms the report.
    let path = mail.confirm_path();
    let confirmed = app.post_form(&path, &[]).await;
    assert_eq!(confirmed.status, StatusCode::OK);
    assert_eq!(
        confirmed
            .attr_of("#confirm-result", "data-result")
            .as_deref(),
        Some("confirmed")
    );
    let status_mail = app.mail.next_for(SHOPPER, WAIT).await;
    assert!(status_mail.subject.contains(&receipt.number));
    assert_eq!(app.case_status(&receipt.number), "submitted");
}

#[tokio::test]
async fn a_sent_confirmation_no_longer_holds_the_receipt_code_in_the_outbox() {
    let app = spawn_app().await;
    let receipt = app
        .file_report(
            &ReportFields::zh_cn().email(SHOPPER),
            vec![("a.png", png_screenshot(61), "image/png")],
        )
        .await;
    let mail = app.mail.next_for(SHOPPER, WAIT).await;
    assert!(
        mail.text.contains(&receipt.code),
        "the email itself carries the code"
    );
    let link = mail.confirm_link(&app.address);
    let token = link.rsplit('/').next().unwrap().to_string();

    let sent = poll_until("the confirmation marked sent", WAIT, || {
        app.outbox()
            .into_iter()
            .find(|m| m.kind.as_str() == "confirm" && m.sent_at.is_some())
    })
    .await;
    let bare_code = receipt.code.replace('-', "");
    for body in [&sent.body_text, &sent.body_html] {
        assert!(
            !body.contains(&receipt.code) && !body.contains(&bare_code),
            "the receipt code is gone from the outbox: {body}"
        );
        assert!(
            !body.contains(&token),
            "the confirmation token is gone from the outbox"
        );
    }
}
