//! The officers' queue: filters, Chinese search, keyset pages, status counts and deadlines.

use crate::helpers::*;
use chrono::TimeDelta;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::case_deadlines;

/// An anonymous report (submitted at once) about a shop in `region` (a county code).
fn report(
    platform: &str,
    category: &str,
    region: &str,
    shop: &str,
    description: &str,
) -> ReportFields {
    ReportFields::zh_cn()
        .set("platform", platform)
        .set("category", category)
        .set("region_province", &format!("{}0000", &region[..2]))
        .set("region_city", &format!("{}00", &region[..4]))
        .set("region_code", region)
        .set("shop_name", shop)
        .set("description", description)
}

fn query(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// The queue for `pairs` lists exactly the cases `want` (in any order).
async fn expect_queue(officer: &OfficerBrowser, pairs: &[(&str, &str)], want: &[&String]) -> Reply {
    let page = officer.queue(&query(pairs)).await;
    let got = sorted(queue_numbers(&page));
    let want = sorted(want.iter().map(|n| n.to_string()).collect());
    assert_eq!(got, want, "the queue for {pairs:?}");
    page
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn filters_and_chinese_search_find_exactly_the_right_cases() {
    let app = spawn_app_with(|s| s.rate_limit_reports_per_hour = 0).await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;

    let mut numbers = Vec::new();
    for (i, fields) in [
        // A: Hangzhou, cashback cards.
        report(
            "taobao",
            "cashback_for_review",
            "330110",
            "杭州某数码店",
            "包裹里有好评返现卡，五星晒图返现五元。",
        ),
        // B: Shenzhen (Nanshan), fake orders.
        report(
            "jd",
            "fake_sales_volume",
            "440305",
            "深圳南山电子",
            "店铺雇人刷单，月销量虚高。",
        ),
        // C: Guangzhou, a literal percent sign.
        report(
            "pinduoduo",
            "fake_positive_reviews",
            "440104",
            "广州越秀服饰",
            "商品页写着满100%好评，其实评价全是小号写的。",
        ),
        // D: Shenzhen (Futian), "100" without the percent sign.
        report(
            "douyin",
            "fake_positive_reviews",
            "440304",
            "福田美妆",
            "直播间说满100元送礼，要求写五星评价。",
        ),
        // E: Beijing, a literal underscore; it will be dismissed.
        report(
            "jd",
            "experience_officer",
            "110105",
            "朝阳家电",
            "招募体验官，用户_名单里都是小号。",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let receipt = app
            .visitor()
            .file_report(
                &fields,
                vec![("shot.png", png_screenshot(400 + i as u32), "image/png")],
            )
            .await;
        numbers.push(receipt.number);
    }
    let [a, b, c, d, e] = <[String; 5]>::try_from(numbers).unwrap();
    // B in review and C awaiting the reporter, both the officer's; E dismissed by the supervisor.
    assert_eq!(
        officer.act(&b, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        officer.act(&c, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        officer
            .act(&c, "request_info", &[("message", "请补充订单截图。")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        supervisor
            .act(
                &e,
                "dismiss",
                &[
                    ("reason", "out_of_scope"),
                    ("message", "不属于本平台受理范围。")
                ]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.case_status(&c), "awaiting_reporter");
    assert_eq!(app.case_status(&e), "dismissed");

    // The default queue: every case someone must act on.
    let open = expect_queue(&officer, &[], &[&a, &b, &c, &d]).await;
    for n in [&a, &b, &c, &d] {
        assert_eq!(
            open.attr_of(&format!("#queue tr[data-case=\"{n}\"] a.case-link"), "href"),
            Some(format!("/officer/cases/{n}")),
            "each case is linked by its number"
        );
    }
    expect_queue(&officer, &[("status", "submitted")], &[&a, &d]).await;
    expect_queue(&officer, &[("status", "in_review")], &[&b]).await;
    expect_queue(&officer, &[("status", "awaiting_reporter")], &[&c]).await;
    expect_queue(&officer, &[("status", "dismissed")], &[&e]).await;
    expect_queue(&officer, &[("status", "all")], &[&a, &b, &c, &d, &e]).await;
    expect_queue(&officer, &[("platform", "jd")], &[&b]).await;
    expect_queue(
        &officer,
        &[("platform", "jd"), ("status", "all")],
        &[&b, &e],
    )
    .await;
    expect_queue(
        &officer,
        &[("category", "fake_positive_reviews")],
        &[&c, &d],
    )
    .await;
    expect_queue(&officer, &[("province", "440000")], &[&b, &c, &d]).await;
    expect_queue(&officer, &[("city", "440300")], &[&b, &d]).await;
    expect_queue(&officer, &[("city", "440100")], &[&c]).await;
    expect_queue(
        &officer,
        &[
            ("province", "440000"),
            ("category", "fake_positive_reviews"),
        ],
        &[&c, &d],
    )
    .await;
    expect_queue(&officer, &[("assignee", "me")], &[&b, &c]).await;
    expect_queue(&officer, &[("assignee", "nobody")], &[&a, &d]).await;
    expect_queue(
        &officer,
        &[("assignee", "nobody"), ("status", "all")],
        &[&a, &d, &e],
    )
    .await;

    // Search, in Chinese, on both databases alike.
    let found = expect_queue(&officer, &[("q", "好评返现")], &[&a]).await;
    assert_eq!(
        found
            .attr_of("form#queue-filters input[name=q]", "value")
            .as_deref(),
        Some("好评返现"),
        "the search box keeps what was typed"
    );
    expect_queue(&officer, &[("q", "刷单")], &[&b]).await;
    expect_queue(&officer, &[("q", "好评")], &[&a, &c]).await;
    expect_queue(&officer, &[("q", "  刷单  ")], &[&b]).await;
    expect_queue(&officer, &[("q", "杭州某数码店")], &[&a]).await;
    expect_queue(&officer, &[("q", "福田")], &[&d]).await;
    expect_queue(&officer, &[("q", "没有这样的内容")], &[]).await;
    // % and _ typed by a person are the characters themselves, not wildcards.
    expect_queue(&officer, &[("q", "100%")], &[&c]).await;
    expect_queue(&officer, &[("q", "满100%好评")], &[&c]).await;
    expect_queue(&officer, &[("q", "用户_名"), ("status", "all")], &[&e]).await;
    expect_queue(&officer, &[("q", "100"), ("province", "440000")], &[&c, &d]).await;
    expect_queue(&officer, &[("q", "\\%好"), ("status", "all")], &[]).await;
    expect_queue(&officer, &[("q", "'好评"), ("status", "all")], &[]).await;
    // One character (or two that are not letters or digits) is too short to search: no index
    // serves it and it would match nearly everything. The page says so and lists the queue.
    for short in ["%", "_", "\\", "'", "\\%", "好"] {
        let page = officer
            .queue(&query(&[("q", short), ("status", "all")]))
            .await;
        assert!(
            page.text_of("#search-too-short").is_some(),
            "{short:?} is refused in words"
        );
        assert_eq!(queue_numbers(&page).len(), 5, "{short:?} filters nothing");
    }
    expect_queue(&officer, &[("q", "用户_名")], &[]).await;
    let empty = officer.queue(&query(&[("q", "没有这样的内容")])).await;
    assert_eq!(queue_numbers(&empty), Vec::<String>::new());
    assert_eq!(empty.count("#queue-empty"), 1, "an empty queue says so");

    // A case number finds its case, however it is typed.
    for typed in [d.clone(), d.to_lowercase(), format!(" {d} ")] {
        let page = officer.queue(&query(&[("q", &typed)])).await;
        assert_eq!(queue_numbers(&page), vec![d.clone()], "{typed:?}");
    }
    let page = officer.queue(&query(&[("q", &e), ("status", "all")])).await;
    assert_eq!(queue_numbers(&page), vec![e.clone()]);
    // The sidebar counts the cases of each status.
    let count_of = |page: &Reply, status: &str| -> String {
        page.text_of(&format!("#status-counts li[data-status={status}] span"))
            .unwrap_or_else(|| panic!("a count for {status}"))
    };
    for (status, n) in [
        ("submitted", "2"),
        ("in_review", "1"),
        ("awaiting_reporter", "1"),
        ("substantiated", "0"),
        ("dismissed", "1"),
        ("withdrawn", "0"),
    ] {
        assert_eq!(count_of(&open, status), n, "{status}");
    }
    assert_eq!(
        open.text_of("#status-counts li:first-child span")
            .as_deref(),
        Some("4"),
        "the open count is the default queue's length"
    );
    // The counts do not depend on the filters of the page.
    let filtered = officer.queue(&query(&[("platform", "jd")])).await;
    assert_eq!(count_of(&filtered, "submitted"), "2");
}

#[tokio::test]
async fn an_unconfirmed_report_is_in_no_view_of_the_queue() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let confirmed = app
        .file_confirmed_report(
            &app.visitor(),
            &ReportFields::zh_cn().email("confirmed@example.com"),
            vec![("a.png", png_screenshot(410), "image/png")],
        )
        .await
        .number;
    // Filed with an address that may not be the reporter's, and never confirmed.
    let unconfirmed = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn()
                .set("description", "未确认的举报：好评返现。")
                .email(SHOPPER),
            vec![("f.png", png_screenshot(411), "image/png")],
        )
        .await
        .number;
    assert_eq!(app.case_status(&unconfirmed), "unconfirmed");

    let open = expect_queue(&officer, &[], &[&confirmed]).await;
    assert_eq!(open.count("#status-counts li[data-status=unconfirmed]"), 0);
    assert_eq!(
        open.text_of("#status-counts li:first-child span")
            .as_deref(),
        Some("1")
    );
    expect_queue(&officer, &[("q", "好评返现")], &[&confirmed]).await;
    // It enters the queue only once confirmed (DESIGN.md, "Case lifecycle"): not under "all",
    // not by asking for its status, not by searching for its number.
    let mut shown_in = Vec::new();
    for pairs in [
        vec![("status", "all")],
        vec![("status", "unconfirmed")],
        vec![("q", unconfirmed.as_str()), ("status", "all")],
    ] {
        let page = officer.queue(&query(&pairs)).await;
        if queue_numbers(&page).contains(&unconfirmed) {
            shown_in.push(query(&pairs));
        }
    }
    assert!(
        shown_in.is_empty(),
        "the unconfirmed report {unconfirmed} is listed by /officer/cases?{shown_in:?}"
    );
    expect_queue(&officer, &[("status", "submitted")], &[&confirmed]).await;
}

#[tokio::test]
async fn keyset_pages_give_every_case_once() {
    let app = spawn_app_with(|s| s.rate_limit_reports_per_hour = 0).await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    // 55 reports through the real form, by one reporter (one browser), the same screenshot.
    let reporter = app.visitor();
    let shot = png_screenshot(500);
    let mut filed = Vec::new();
    for i in 0..55 {
        let fields = ReportFields::zh_cn()
            .set("shop_name", &format!("第{i}号店"))
            .set("description", &format!("第{i}份举报：好评返现卡。"));
        filed.push(
            reporter
                .file_report(&fields, vec![("shot.png", shot.clone(), "image/png")])
                .await
                .number,
        );
    }

    for sort in ["", "newest", "oldest"] {
        let first_query = if sort.is_empty() {
            String::new()
        } else {
            query(&[("sort", sort)])
        };
        let first = officer.queue(&first_query).await;
        let page1 = queue_numbers(&first);
        assert_eq!(page1.len(), 50, "sort {sort:?}: a page holds 50 cases");
        let next = first
            .attr_of("a[rel=next]", "href")
            .unwrap_or_else(|| panic!("sort {sort:?}: a link to the next page"));
        assert!(next.starts_with("/officer/cases?"), "{next}");
        if !sort.is_empty() {
            assert!(
                next.contains(&format!("sort={sort}")),
                "the next page keeps the sort: {next}"
            );
        }
        let second = officer.get(&next).await;
        assert_eq!(second.status, StatusCode::OK);
        let page2 = queue_numbers(&second);
        assert_eq!(page2.len(), 5, "sort {sort:?}: the rest");
        assert_eq!(
            second.count("a[rel=next]"),
            0,
            "the last page links no further"
        );

        let mut all: Vec<String> = page1.iter().chain(&page2).cloned().collect();
        let in_order = all.clone();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 55, "sort {sort:?}: no case twice");
        assert_eq!(all, sorted(filed.clone()), "sort {sort:?}: none missing");

        let mut want = filed.clone();
        if sort != "oldest" {
            want.reverse();
        }
        assert_eq!(in_order, want, "sort {sort:?}: in the order asked for");
    }

    // The next page keeps the filters too.
    let first = officer
        .queue(&query(&[("q", "好评返现"), ("platform", "taobao")]))
        .await;
    assert_eq!(queue_numbers(&first).len(), 50);
    let next = first.attr_of("a[rel=next]", "href").expect("a next page");
    assert!(next.contains("platform=taobao"), "{next}");
    assert_eq!(queue_numbers(&officer.get(&next).await).len(), 5);

    assert_eq!(
        first
            .text_of("#status-counts li[data-status=submitted] span")
            .as_deref(),
        Some("55")
    );
}

/// Files an anonymous report (submitted at once) from a browser of its own.
async fn file(app: &TestApp, fields: ReportFields, seed: u32) -> String {
    app.visitor()
        .file_report(
            &fields,
            vec![("shot.png", png_screenshot(seed), "image/png")],
        )
        .await
        .number
}

fn set_deadline(app: &TestApp, number: &str, accept_by: Option<i64>, decide_by: i64) {
    let today = (chrono::Utc::now() + TimeDelta::hours(8)).date_naive();
    let changed = diesel::update(case_deadlines::table.find(app.case_id(number)))
        .set((
            case_deadlines::accept_by.eq(accept_by.map(|d| today + TimeDelta::days(d))),
            case_deadlines::decide_by.eq(today + TimeDelta::days(decide_by)),
        ))
        .execute(&mut app.db())
        .unwrap();
    assert_eq!(changed, 1, "the case has its deadlines row");
}

#[tokio::test]
async fn deadlines_show_and_the_overdue_filter_finds_late_cases_only() {
    let app = spawn_app_with(|s| s.rate_limit_reports_per_hour = 0).await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let complaint = file(&app, ReportFields::zh_cn().set("also_complaint", "on"), 600).await;
    let late = file(
        &app,
        ReportFields::zh_cn().set("shop_name", "迟到的店"),
        601,
    )
    .await;
    let on_time = file(
        &app,
        ReportFields::zh_cn().set("shop_name", "准时的店"),
        602,
    )
    .await;
    let waiting = file(
        &app,
        ReportFields::zh_cn().set("shop_name", "等待的店"),
        603,
    )
    .await;

    // A complaint carries the acceptance deadline; a plain report does not.
    let row = |n: &str| {
        case_deadlines::table
            .find(app.case_id(n))
            .select((case_deadlines::accept_by, case_deadlines::decide_by))
            .first::<(Option<chrono::NaiveDate>, chrono::NaiveDate)>(&mut app.db())
            .unwrap()
    };
    let (accept_by, decide_by) = row(&complaint);
    let accept_by = accept_by.expect("a complaint has an acceptance deadline");
    assert!(accept_by < decide_by, "{accept_by} before {decide_by}");
    let page = officer.case_page(&complaint).await;
    assert!(
        page.body.contains(zh().t("ocase.accept_by")) && page.body.contains(&accept_by.to_string()),
        "the complaint's page shows its acceptance deadline {accept_by}"
    );
    assert!(page.body.contains(&decide_by.to_string()));
    assert_eq!(row(&late).0, None);
    let plain = officer.case_page(&late).await;
    assert!(
        !plain.body.contains(zh().t("ocase.accept_by")),
        "a plain report has no acceptance deadline"
    );
    let queue = officer.queue("").await;
    assert_eq!(
        queue
            .text_of(&format!("#queue tr[data-case=\"{complaint}\"] .tag"))
            .as_deref(),
        Some(zh().t("queue.complaint"))
    );
    assert_eq!(
        queue
            .text_of(&format!(
                "#queue tr[data-case=\"{complaint}\"] td.due small"
            ))
            .as_deref(),
        Some(accept_by.to_string().as_str()),
        "a submitted complaint is due by its acceptance deadline"
    );

    // Nothing is overdue yet.
    let overdue = query(&[("overdue", "1")]);
    assert_eq!(
        queue_numbers(&officer.queue(&overdue).await),
        Vec::<String>::new()
    );

    // One decision deadline passed yesterday, one is tomorrow; the waiting case's passed too.
    assert_eq!(
        officer.act(&waiting, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        officer
            .act(&waiting, "request_info", &[("message", "请补充付款记录。")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    set_deadline(&app, &late, None, -1);
    set_deadline(&app, &on_time, None, 1);
    set_deadline(&app, &waiting, None, -1);
    // The complaint's acceptance deadline passed, its decision is still ahead.
    set_deadline(&app, &complaint, Some(-1), 10);

    let page = officer.queue(&overdue).await;
    assert_eq!(
        sorted(queue_numbers(&page)),
        sorted(vec![late.clone(), complaint.clone()])
    );
    assert_eq!(page.count("#queue tr.overdue"), 2);
    let all = officer.queue(&query(&[("status", "all")])).await;
    assert_eq!(
        all.count(&format!("#queue tr.overdue[data-case=\"{late}\"]")),
        1
    );
    assert_eq!(
        all.count(&format!("#queue tr.overdue[data-case=\"{on_time}\"]")),
        0
    );
    assert_eq!(
        all.count(&format!("#queue tr.overdue[data-case=\"{waiting}\"]")),
        0,
        "a case waiting for the reporter is never overdue"
    );
    assert_eq!(officer.case_page(&late).await.count("#overdue"), 1);
    assert_eq!(officer.case_page(&on_time).await.count("#overdue"), 0);
    assert_eq!(officer.case_page(&waiting).await.count("#overdue"), 0);
    let waiting_only = officer
        .queue(&query(&[("overdue", "1"), ("status", "awaiting_reporter")]))
        .await;
    assert_eq!(queue_numbers(&waiting_only), Vec::<String>::new());

    // Once taken, a complaint's acceptance deadline no longer applies.
    assert_eq!(
        officer.act(&complaint, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let page = officer.queue(&overdue).await;
    assert_eq!(queue_numbers(&page), vec![late.clone()]);
    // An in-review case past its decision deadline is overdue.
    assert_eq!(
        officer.act(&on_time, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    set_deadline(&app, &on_time, None, -2);
    let page = officer.queue(&overdue).await;
    assert_eq!(sorted(queue_numbers(&page)), sorted(vec![late, on_time]));
}

/// The overdue rule is written twice, once in the domain (`Deadlines::is_overdue`, which marks
/// rows) and once in SQL (the `overdue=1` filter, which must run on an index): on every
/// combination of status and deadlines they must agree, on both backends.
#[tokio::test]
async fn the_overdue_filter_and_the_overdue_rule_agree_on_every_status_and_deadline() {
    use diesel::prelude::*;
    use reviewwatch::db::queue::{Assignee, QueueFilter, Sort, page};
    use reviewwatch::db::schema::{case_deadlines, cases};
    use reviewwatch::domain::CaseStatus;
    use reviewwatch::domain::deadlines::Deadlines;

    let app = spawn_app_with(|s| s.rate_limit_reports_per_hour = 0).await;
    let today = reviewwatch::domain::china_time::today();
    let day = |n: i64| today + chrono::TimeDelta::days(n);
    let statuses = [
        CaseStatus::Submitted,
        CaseStatus::InReview,
        CaseStatus::AwaitingReporter,
        CaseStatus::Substantiated,
        CaseStatus::HandedOff,
        CaseStatus::Closed,
    ];
    let mut expected = Vec::new();
    let mut all = Vec::new();
    let mut seed = 3000;
    for status in statuses {
        for accept_by in [None, Some(day(-1)), Some(day(0)), Some(day(1))] {
            for decide_by in [day(-1), day(0), day(1)] {
                seed += 1;
                let n = app
                    .visitor()
                    .file_report(
                        &ReportFields::zh_cn(),
                        vec![("a.png", png_screenshot(seed), "image/png")],
                    )
                    .await
                    .number;
                let id = app.case_id(&n);
                let mut conn = app.db();
                diesel::update(cases::table.find(id))
                    .set(cases::status.eq(status.as_str()))
                    .execute(&mut conn)
                    .unwrap();
                diesel::update(case_deadlines::table.find(id))
                    .set((
                        case_deadlines::accept_by.eq(accept_by),
                        case_deadlines::decide_by.eq(decide_by),
                    ))
                    .execute(&mut conn)
                    .unwrap();
                if (Deadlines {
                    accept_by,
                    decide_by,
                })
                .is_overdue(status, today)
                {
                    expected.push(n.clone());
                }
                all.push(n);
            }
        }
    }
    let filter = QueueFilter {
        statuses: statuses.to_vec(),
        platform: None,
        category: None,
        province_code: None,
        city_code: None,
        assignee: Assignee::Anyone,
        overdue_on: Some(today),
        filed_from: None,
        filed_until: None,
        search: None,
        sort: Sort::Oldest,
        after: None,
    };
    let mut found: Vec<String> = page(&mut app.db(), &filter, 1000)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.case_number)
        .collect();
    found.sort();
    expected.sort();
    assert_eq!(all.len(), 72);
    assert!(!expected.is_empty() && expected.len() < all.len());
    assert_eq!(
        found, expected,
        "SQL and domain disagree on what is overdue"
    );
}
