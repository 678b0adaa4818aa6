//! The officers' dashboard (issue 12 item 4): the caseload by status and overdue, new reports
//! per China day, the merchants, contacts and campaigns with the most reports in 30 days and the
//! fastest-growing chains — read off the page as an officer reads it, after reports filed through
//! the real form.

use crate::helpers::*;
use chrono::{NaiveDate, TimeDelta, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::{case_deadlines, cases};
use reviewwatch::domain::contact::ContactKind;
use reviewwatch::domain::{CampaignId, CaseStatus};

const RECRUITER: &str = "包裹里夹着卡片，让加微信 sd-zhaomu2026 领好评返现，五星晒图返 10 元。";
const PAYMENT: &str = "刷单返佣，垫付款打到支付宝账号13987654321，说完成任务返佣金。";

/// A report about another shop, with a description of its own.
fn about(platform: &str, shop: &str, url: &str, description: &str) -> ReportFields {
    ReportFields::zh_cn()
        .set("platform", platform)
        .set("shop_name", shop)
        .set("shop_url", url)
        .set("description", description)
}

/// The default shop (taobao shop 123456), with `description`.
fn shop_a(description: &str) -> ReportFields {
    ReportFields::zh_cn().set("description", description)
}

fn shop_e() -> ReportFields {
    about(
        "tmall",
        "潮流服饰天猫店",
        "https://chaoliu.tmall.com/",
        "买衣服后客服私信说给五星好评可以返 8 元红包，截图为证。",
    )
}

async fn file(app: &TestApp, form: ReportFields) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(9100);
    let seed = NEXT.fetch_add(1, Ordering::Relaxed);
    app.visitor()
        .file_report(&form, vec![("shot.png", png_screenshot(seed), "image/png")])
        .await
        .number
}

/// Moves a report's filing back by `days` (as if filed then).
fn backdate(app: &TestApp, number: &str, days: i64) {
    let at = Utc::now().naive_utc() - TimeDelta::days(days);
    let changed = diesel::update(cases::table.find(app.case_id(number)))
        .set((
            cases::created_at.eq(at),
            cases::submitted_at.eq(Some(at)),
            cases::last_activity_at.eq(at),
        ))
        .execute(&mut app.db())
        .unwrap();
    assert_eq!(changed, 1);
}

/// A campaign holding `members`, written directly (its workflow is built elsewhere).
fn campaign(app: &TestApp, name: &str, officer: &OfficerBrowser, members: &[&str]) -> CampaignId {
    let mut conn = app.db();
    let id = reviewwatch::db::campaigns::insert(
        &mut conn,
        name,
        officer.account.id,
        Utc::now().naive_utc(),
    )
    .unwrap();
    for number in members {
        diesel::update(cases::table.find(app.case_id(number)))
            .set(cases::campaign_id.eq(Some(id)))
            .execute(&mut conn)
            .unwrap();
    }
    id
}

fn china_today() -> NaiveDate {
    (Utc::now() + TimeDelta::hours(8)).date_naive()
}

fn count(page: &Reply, css: &str) -> Option<i64> {
    page.attr_of(css, "data-count").and_then(|n| n.parse().ok())
}

/// The growing list as (kind of chain, last week, week before, increase), in order.
fn growing(page: &Reply) -> Vec<(String, i64, i64, i64)> {
    let attrs = |a: &str| page.attrs_of("#dash-growing tbody tr", a);
    let num = |v: &String| v.parse::<i64>().unwrap();
    let (kinds, last, before, up) = (
        attrs("data-chain"),
        attrs("data-last-week"),
        attrs("data-week-before"),
        attrs("data-increase"),
    );
    (0..kinds.len())
        .map(|i| {
            (
                kinds[i].clone(),
                num(&last[i]),
                num(&before[i]),
                num(&up[i]),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_dashboard_counts_reports_by_status_day_and_chain_as_the_queue_and_cases_show_them() {
    let app = spawn_app_with(|s| s.rate_limit_reports_per_hour = 0).await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;

    // Shop A (taobao shop 123456): three reports today naming the recruiter's WeChat id.
    let m1 = file(&app, shop_a(RECRUITER)).await;
    let m2 = file(&app, shop_a(RECRUITER)).await;
    let m3 = file(&app, shop_a(RECRUITER)).await;
    // Two other shops share a payment account; one of them also names the recruiter.
    let p1 = file(
        &app,
        about(
            "jd",
            "优品家居京东自营",
            "https://mall.jd.com/index-1000123.html",
            &format!("{RECRUITER}{PAYMENT}"),
        ),
    )
    .await;
    let p2 = file(
        &app,
        about(
            "douyin",
            "抖音好物小店",
            "https://haohao.jinritemai.com/",
            PAYMENT,
        ),
    )
    .await;
    // A contact only one case names links nothing.
    let _lone = file(
        &app,
        about(
            "pinduoduo",
            "拼拼乐水果店",
            "https://mobile.yangkeduo.com/mall_page.html?mall_id=778899",
            "水果烂了，商家让加微信 lonely-wx99 说给五星好评才退款。",
        ),
    )
    .await;
    // Shop E: one report today, two nine days ago (fewer now than the week before).
    let e1 = file(&app, shop_e()).await;
    let e2 = file(&app, shop_e()).await;
    let e3 = file(&app, shop_e()).await;
    backdate(&app, &e2, 9);
    backdate(&app, &e3, 9);
    // Shop A the week before, and long before the 30 days.
    let old = file(&app, shop_a(RECRUITER)).await;
    backdate(&app, &old, 10);
    let ancient = file(&app, shop_a(RECRUITER)).await;
    backdate(&app, &ancient, 40);
    // A report whose link was never opened is not counted anywhere.
    let unconfirmed = app
        .visitor()
        .file_report(
            &shop_a(RECRUITER).email("zhao.lei@example.com"),
            vec![("shot.png", png_screenshot(9099), "image/png")],
        )
        .await
        .number;
    assert_eq!(app.case_status(&unconfirmed), "unconfirmed");

    // One case taken, one overdue.
    assert_eq!(
        officer.act(&m1, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let yesterday = china_today() - TimeDelta::days(1);
    diesel::update(case_deadlines::table.find(app.case_id(&m2)))
        .set(case_deadlines::decide_by.eq(yesterday))
        .execute(&mut app.db())
        .unwrap();
    // A campaign of two of today's shop-A cases and last week's; another of the old one only.
    let busy = campaign(&app, "淘宝返现卡专案", &officer, &[&m1, &m2, &old]);
    let stale = campaign(&app, "旧专案", &officer, &[&ancient]);

    let page = officer.get("/officer/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    let today = china_today();
    assert_eq!(
        page.attr_of("#dash-today", "data-today"),
        Some(today.to_string())
    );

    // Status: every status but unconfirmed, each linking to the queue filtered that way.
    assert_eq!(
        page.attrs_of("#dash-status tr[data-status]", "data-status"),
        CaseStatus::ALL
            .iter()
            .filter(|s| **s != CaseStatus::Unconfirmed)
            .map(|s| s.as_str().to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        count(&page, "#dash-status tr[data-status=submitted]"),
        Some(10)
    );
    assert_eq!(
        count(&page, "#dash-status tr[data-status=in_review]"),
        Some(1)
    );
    assert_eq!(count(&page, "#dash-status tr[data-status=closed]"), Some(0));
    assert_eq!(
        page.text_of("#dash-status tr[data-status=in_review] th")
            .as_deref(),
        Some(zh().status(CaseStatus::InReview))
    );
    let submitted_href = page
        .attr_of("#dash-status tr[data-status=submitted] a", "href")
        .unwrap();
    assert_eq!(submitted_href, "/officer/cases?status=submitted");
    assert_eq!(queue_numbers(&officer.get(&submitted_href).await).len(), 10);
    assert_eq!(count(&page, "#dash-overdue"), Some(1));
    let overdue_href = page.attr_of("#dash-overdue a", "href").unwrap();
    assert_eq!(
        queue_numbers(&officer.get(&overdue_href).await),
        vec![m2.clone()]
    );

    // New reports per day: seven today, one ten days ago, two nine days ago; 40 days ago is out.
    let day = |back: i64| (today - TimeDelta::days(back)).to_string();
    assert_eq!(page.count("#dash-daily-table tbody tr"), 30);
    assert_eq!(
        count(
            &page,
            &format!("#dash-daily-table tr[data-day=\"{}\"]", day(0))
        ),
        Some(7)
    );
    assert_eq!(
        count(
            &page,
            &format!("#dash-daily-table tr[data-day=\"{}\"]", day(9))
        ),
        Some(2)
    );
    assert_eq!(
        count(
            &page,
            &format!("#dash-daily-table tr[data-day=\"{}\"]", day(10))
        ),
        Some(1)
    );
    assert_eq!(page.text_of("#dash-daily-total").as_deref(), Some("10"));
    // The chart draws the same numbers, today's bar the tallest.
    assert_eq!(
        page.count("#dash-daily svg[role=img][aria-label] > title"),
        1
    );
    assert_eq!(
        page.text_of(&format!(
            "#dash-daily svg g[data-day=\"{}\"] rect title",
            day(0)
        ))
        .as_deref(),
        Some(format!("{}: 7", day(0)).as_str())
    );
    assert_eq!(
        page.attr_of(
            &format!("#dash-daily svg g[data-day=\"{}\"] rect", day(0)),
            "height"
        )
        .as_deref(),
        Some("100")
    );

    // Merchants in 30 days: shop A four (not the one 40 days ago, nor the unconfirmed), E three.
    let merchants = page.attrs_of("#dash-merchants tbody tr", "data-merchant");
    assert_eq!(merchants.len(), 5, "{merchants:?}");
    assert_eq!(merchants[0], "taobao:shop:123456");
    assert_eq!(
        count(&page, "#dash-merchants tbody tr:first-child"),
        Some(4)
    );
    assert_eq!(
        count(&page, "#dash-merchants tbody tr:nth-child(2)"),
        Some(3)
    );
    let merchant_href = page
        .attr_of("#dash-merchants tbody tr:first-child a", "href")
        .unwrap();
    let merchant = officer.get(&merchant_href).await;
    assert_eq!(merchant.status, StatusCode::OK);
    assert_eq!(merchant.text_of("#merchant-key").as_deref(), Some("123456"));

    // Contacts named by at least two cases, masked as the case page shows them.
    assert_eq!(
        page.attrs_of("#dash-contacts tbody tr", "data-kind"),
        vec![
            ContactKind::Wechat.as_str().to_string(),
            ContactKind::PaymentAccount.as_str().to_string()
        ]
    );
    assert_eq!(count(&page, "#dash-contacts tr[data-kind=wechat]"), Some(5));
    assert_eq!(
        page.text_of("#dash-contacts tr[data-kind=wechat] code.contact")
            .as_deref(),
        Some("sd-zhaomu2026")
    );
    assert_eq!(
        count(&page, "#dash-contacts tr[data-kind=payment_account]"),
        Some(2)
    );
    let shown = page
        .text_of("#dash-contacts tr[data-kind=payment_account] th")
        .unwrap();
    let on_case = officer.case_page(&p2).await.text_of(&format!(
        "#related-cases li.related-case[data-case=\"{p1}\"] li[data-reason=\"same_contact\"] code.contact"
    ));
    assert_eq!(
        page.text_of("#dash-contacts tr[data-kind=payment_account] code.contact"),
        on_case,
        "masked as #related-cases shows it"
    );
    assert_eq!(
        shown,
        format!(
            "{} 支付宝 139****4321",
            zh().contact_kind(ContactKind::PaymentAccount)
        )
    );
    assert!(!page.body.contains("13987654321"), "no account in clear");
    assert!(!page.body.contains("lonely-wx99"), "one case links nothing");

    // Campaigns: the member cases filed in 30 days.
    assert_eq!(
        page.attrs_of("#dash-campaigns tbody tr", "data-campaign"),
        vec![busy.to_string()]
    );
    assert_eq!(count(&page, "#dash-campaigns tbody tr"), Some(3));
    assert_eq!(
        page.attr_of("#dash-campaigns tbody tr a", "href"),
        Some(format!("/officer/campaigns/{busy}"))
    );
    assert_eq!(
        page.text_of("#dash-campaigns tbody tr a").as_deref(),
        Some("淘宝返现卡专案")
    );
    assert!(!page.body.contains(&format!("/officer/campaigns/{stale}\"")));

    // Growing: the last 7 days against the 7 before, at least 2 in the last 7, largest first.
    assert_eq!(
        growing(&page),
        vec![
            ("contact".to_string(), 4, 1, 3),
            ("merchant".to_string(), 3, 1, 2),
            ("contact".to_string(), 2, 0, 2),
            ("campaign".to_string(), 2, 1, 1),
        ]
    );
    assert_eq!(
        page.text_of("#dash-growing tbody tr:nth-child(2) th a")
            .as_deref(),
        Some("某某数码旗舰店")
    );
    let _ = (m3, e1);
}

#[tokio::test]
async fn a_fresh_portals_dashboard_shows_zeros_in_english_and_only_to_officers() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    let refused = visitor.get("/officer/dashboard").await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(
        refused
            .location()
            .is_some_and(|l| l.starts_with("/officer/login")),
        "{:?}",
        refused.location()
    );

    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    // The dashboard follows the officer's own desk in the officers' navigation.
    let queue = officer.queue("").await;
    assert_eq!(
        queue
            .attrs_of("nav.site-nav a", "href")
            .iter()
            .take(2)
            .map(String::as_str)
            .collect::<Vec<_>>(),
        vec!["/officer/desk", "/officer/dashboard"]
    );
    assert_eq!(
        queue.text_of("#nav-dashboard").as_deref(),
        Some(zh().t("dashboard.nav"))
    );

    officer.get("/lang/en?next=/officer/dashboard").await;
    let page = officer.get("/officer/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.html_lang().as_deref(), Some("en"));
    assert_eq!(
        page.text_of("h1").as_deref(),
        Some(en().t("dashboard.title"))
    );
    assert!(
        page.attrs_of("#dash-status tr[data-status]", "data-count")
            .iter()
            .all(|n| n == "0")
    );
    assert_eq!(count(&page, "#dash-overdue"), Some(0));
    assert_eq!(page.count("#dash-daily-table tbody tr"), 30);
    assert_eq!(page.text_of("#dash-daily-total").as_deref(), Some("0"));
    for section in ["merchants", "contacts", "campaigns", "growing"] {
        assert_eq!(page.count(&format!("#dash-{section} tbody tr")), 0);
        assert!(
            page.text_of(&format!("#dash-{section}"))
                .is_some_and(|t| t.contains(en().t("dashboard.none"))),
            "{section} says there is nothing yet"
        );
    }
}
