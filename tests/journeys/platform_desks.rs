//! The platform desk directory (issue 13, item 1) and the reporter's consent to share
//! screenshots with the platform: supervisors keep the desks, a platform without one is listed,
//! bad entries are refused in words, and the report form's new checkbox is stored, off unless
//! ticked.

use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::platform_desks;

fn desk_count(app: &TestApp) -> i64 {
    platform_desks::table
        .count()
        .get_result(&mut app.db())
        .expect("count")
}

async fn add(supervisor: &OfficerBrowser, fields: &[(&str, &str)]) -> Reply {
    let page = supervisor.get("/officer/platform-desks").await;
    assert_eq!(page.status, StatusCode::OK);
    let mut form = page
        .form("add_platform_desk", "/officer/platform-desks")
        .expect("the add form");
    for (k, v) in fields {
        form = form.fill(k, v);
    }
    supervisor.submit(&form).await
}

#[tokio::test]
async fn supervisors_keep_the_desks_and_a_platform_without_one_is_listed() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("wang.fang@amr.example.gov.cn", "王芳").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    assert_eq!(
        officer.get("/officer/platform-desks").await.status,
        StatusCode::FORBIDDEN,
        "for supervisors only"
    );

    let page = supervisor.get("/officer/platform-desks").await;
    let waiting = page.attrs_of("#platforms-without-desk li", "data-platform");
    assert!(waiting.contains(&"taobao".to_string()) && !waiting.contains(&"other".to_string()));

    let added = add(
        &supervisor,
        &[
            ("kind", "platform"),
            ("platform", "taobao"),
            ("name", "淘宝平台治理"),
            ("email", "Desk@Taobao-Desk.example"),
        ],
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let page = supervisor.get("/officer/platform-desks").await;
    assert!(
        !page
            .attrs_of("#platforms-without-desk li", "data-platform")
            .contains(&"taobao".to_string())
    );
    assert_eq!(page.count("#platform-desks tr[data-kind=platform]"), 1);
    let email: String = platform_desks::table
        .select(platform_desks::email)
        .first(&mut app.db())
        .unwrap();
    assert_eq!(email, "desk@taobao-desk.example", "stored in lower case");

    // A search engine's desk is named by its domain, however it is typed.
    let engine = add(
        &supervisor,
        &[
            ("kind", "search_engine"),
            ("domain", "https://www.Baidu.com/"),
            ("name", "百度投诉"),
            ("email", "complaints@baidu-desk.example"),
        ],
    )
    .await;
    assert_eq!(engine.status, StatusCode::SEE_OTHER);
    let domain: Option<String> = platform_desks::table
        .filter(platform_desks::kind.eq("search_engine"))
        .select(platform_desks::domain)
        .first(&mut app.db())
        .unwrap();
    assert_eq!(domain.as_deref(), Some("baidu.com"));

    // Refused in words, nothing stored: "other" without a domain, a bad address, no name.
    for (fields, key) in [
        (
            vec![
                ("kind", "platform"),
                ("platform", "other"),
                ("name", "x"),
                ("email", "a@b.example"),
            ],
            "desk.bad_scope",
        ),
        (
            vec![
                ("kind", "platform"),
                ("platform", "jd"),
                ("name", "京东"),
                ("email", "not-an-address"),
            ],
            "desk.bad_email",
        ),
        (
            vec![
                ("kind", "platform"),
                ("platform", "jd"),
                ("name", " "),
                ("email", "a@b.example"),
            ],
            "desk.bad_name",
        ),
    ] {
        let refused = add(&supervisor, &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{key}");
        assert_eq!(
            refused.text_of("#desk-problem").as_deref(),
            Some(zh().t(key))
        );
    }
    assert_eq!(desk_count(&app), 2);

    // Turned off, the platform is waiting for a desk again.
    let page = supervisor.get("/officer/platform-desks").await;
    let id = page
        .attr_of("#platform-desks tr[data-kind=platform]", "data-desk")
        .expect("the desk");
    let row_form = page
        .form_in(
            &format!("#platform-desks tr[data-desk=\"{id}\"] form"),
            "/officer/platform-desks",
        )
        .expect("the row's form")
        .without("active");
    assert_eq!(
        supervisor.submit(&row_form).await.status,
        StatusCode::SEE_OTHER
    );
    let page = supervisor.get("/officer/platform-desks").await;
    assert!(
        page.attrs_of("#platforms-without-desk li", "data-platform")
            .contains(&"taobao".to_string())
    );
}

#[tokio::test]
async fn the_consent_to_share_screenshots_with_the_platform_is_off_unless_ticked() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let form = app.visitor().get("/reports/new").await;
    assert_eq!(
        form.count("input[type=checkbox][name=consent_share_platform]"),
        1
    );
    assert_eq!(
        form.count("input[name=consent_share_platform][checked]"),
        0,
        "off by default"
    );
    let plain = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn(),
            vec![("截图.png", png_screenshot(61), "image/png")],
        )
        .await;
    let shared = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn().set("consent_share_platform", "on"),
            vec![("截图.png", png_screenshot(62), "image/png")],
        )
        .await;
    assert!(!app.case_row(&plain.number).consent_share_platform);
    assert!(app.case_row(&shared.number).consent_share_platform);
    let page = officer.case_page(&shared.number).await;
    assert_eq!(
        page.attr_of("#consent-share-platform", "data-consent")
            .as_deref(),
        Some("true")
    );
}
