//! Personal data only as long as needed: client addresses and reporters' emails go when their
//! retention period ends, a reporter (or an officer on their request) erases the email at any
//! time, and the audit trail, which refers to messages and contacts by id, still verifies.

use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::{audit_events, cases, outbox};
use reviewwatch::workflow::retention::{RetentionPeriods, apply};

const REPORTER: &str = "wang.xiaomei@example.com";
const QUESTION: &str = "请补充订单截图，并写明收到返现卡的日期。";

fn trail_text(app: &TestApp, number: &str) -> String {
    audit_events::table
        .filter(audit_events::case_id.eq(app.case_id(number)))
        .select(audit_events::detail)
        .load::<String>(&mut app.db())
        .unwrap()
        .join("\n")
}

fn outbox_to(app: &TestApp, number: &str) -> Vec<String> {
    outbox::table
        .filter(outbox::case_id.eq(app.case_id(number)))
        .select(outbox::to_address)
        .load(&mut app.db())
        .unwrap()
}

#[tokio::test]
async fn a_reporter_erases_their_contact_and_the_trail_still_verifies() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let reporter = app.visitor();
    let receipt = app
        .file_confirmed_report(
            &reporter,
            &ReportFields::zh_cn().email(REPORTER),
            vec![("张三的订单.png", png_screenshot(2100), "image/png")],
        )
        .await;
    let n = receipt.number.clone();
    supervisor.act(&n, "take", &[]).await;
    app.mail.next_for(REPORTER, WAIT).await;
    let asked = supervisor
        .act(&n, "request_info", &[("message", QUESTION)])
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let mail = app.mail.next_for(REPORTER, WAIT).await;
    let link = access_link_path(&mail);

    // The trail refers to the question and the file by id and position, never by their text.
    let trail = trail_text(&app, &n);
    assert!(!trail.contains(QUESTION), "{trail}");
    assert!(!trail.contains("张三的订单"), "{trail}");
    assert!(trail.contains("message_id"), "{trail}");
    assert!(outbox_to(&app, &n).contains(&REPORTER.to_string()));

    // The reporter erases their address from the case page.
    let page = reporter.open_case(&n, &receipt.code).await;
    let form = page
        .form("erase_contact", "/track/case")
        .expect("an erase form for a reporter with an email");
    assert_eq!(reporter.submit(&form).await.status, StatusCode::SEE_OTHER);
    let row = app.case_row(&n);
    assert_eq!(row.reporter_email, None);
    assert_eq!(row.reporter_ip, None);
    assert!(!row.consent_share_contact);
    let to = outbox_to(&app, &n);
    assert!(!to.contains(&REPORTER.to_string()), "{to:?}");
    assert!(
        to.iter().all(|t| t == reviewwatch::db::retention::ERASED),
        "{to:?}"
    );
    let bodies: Vec<String> = outbox::table
        .filter(outbox::case_id.eq(app.case_id(&n)))
        .select(outbox::body_text)
        .load(&mut app.db())
        .unwrap();
    assert!(
        bodies.iter().all(|b| !b.contains(&receipt.code)),
        "no receipt code left"
    );
    // The links mailed to the address stop working; the receipt code still opens the case.
    assert_ne!(app.visitor().get(&link).await.status, StatusCode::OK);
    let page = reporter.open_case(&n, &receipt.code).await;
    assert_eq!(page.count("form[data-action=erase_contact]"), 0);
    assert!(
        page.text_of("#timeline")
            .unwrap()
            .contains(zh().t("timeline.contact_erased"))
    );
    assert!(page.body.contains(QUESTION), "the conversation stays");
    // No more mail goes to them.
    supervisor.act(&n, "resume", &[]).await;
    assert!(!outbox_to(&app, &n).contains(&REPORTER.to_string()));

    // The chain still verifies, and the erasure is in it.
    let officer_page = supervisor.case_page(&n).await;
    assert_eq!(
        officer_page
            .attr_of("#chain-status", "data-chain")
            .as_deref(),
        Some("intact")
    );
    assert!(!officer_page.body.contains(REPORTER));
    assert!(trail_text(&app, &n).contains("reporter_request"));
}

#[tokio::test]
async fn an_officer_erases_a_contact_on_the_reporters_request() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let receipt = app
        .file_confirmed_report(
            &app.visitor(),
            &ReportFields::zh_cn().email(REPORTER),
            vec![("a.png", png_screenshot(2110), "image/png")],
        )
        .await;
    let n = receipt.number.clone();
    let page = supervisor.case_page(&n).await;
    let form = page
        .form("erase_contact", &format!("/officer/cases/{n}"))
        .expect("an erase form");
    assert_eq!(supervisor.submit(&form).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.case_row(&n).reporter_email, None);
    assert!(trail_text(&app, &n).contains("officer_on_request"));
    let forged = supervisor
        .post_form(
            &format!("/officer/cases/{n}/erase-contact"),
            &[("csrf_token", "forged")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn retention_forgets_addresses_after_30_days_and_contacts_3_years_after_the_case_ended() {
    let app = spawn_app().await;
    let file = |seed| {
        let app = &app;
        async move {
            app.file_confirmed_report(
                &app.visitor(),
                &ReportFields::zh_cn().email(&format!("r{seed}@example.com")),
                vec![("a.png", png_screenshot(seed), "image/png")],
            )
            .await
            .number
        }
    };
    let (recent, old, ended_long_ago, ended_lately) = (
        file(2120).await,
        file(2121).await,
        file(2122).await,
        file(2123).await,
    );
    assert!(app.case_row(&recent).reporter_ip.is_some());
    let now = reviewwatch::db::now();
    let mut conn = app.db();
    for (n, age_days, status) in [
        (&old, 31, "in_review"),
        (&ended_long_ago, 3 * 365 + 10, "dismissed"),
        (&ended_lately, 3 * 365 - 10, "withdrawn"),
    ] {
        let at = now - chrono::TimeDelta::days(age_days);
        diesel::update(cases::table.find(app.case_id(n)))
            .set((
                cases::created_at.eq(at),
                cases::last_activity_at.eq(at),
                cases::status.eq(status),
            ))
            .execute(&mut conn)
            .unwrap();
    }
    drop(conn);

    // What the hourly job runs, with the default periods.
    let defaults = reviewwatch::config::Settings::for_data_dir(app.data_dir.clone());
    let periods = RetentionPeriods {
        reporter_ip_days: defaults.retain_reporter_ip_days,
        contact_days: defaults.retain_contact_days,
    };
    assert_eq!((periods.reporter_ip_days, periods.contact_days), (30, 1095));
    let (ips, erased) = apply(&app.pool, periods).await.unwrap();
    assert_eq!((ips, erased), (3, 1));
    assert!(app.case_row(&recent).reporter_ip.is_some());
    assert_eq!(app.case_row(&old).reporter_ip, None);
    assert!(
        app.case_row(&old).reporter_email.is_some(),
        "an open case keeps its contact"
    );
    assert_eq!(app.case_row(&ended_long_ago).reporter_email, None);
    assert!(app.case_row(&ended_lately).reporter_email.is_some());
    assert!(trail_text(&app, &ended_long_ago).contains("\"retention\""));
    // A second pass finds nothing left to do.
    assert_eq!(apply(&app.pool, periods).await.unwrap(), (0, 0));
}
