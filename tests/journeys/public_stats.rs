//! Public statistics (issue 13 item 4): reports filed through the real form and decided by an
//! officer show on `/stats`, `/stats/data.csv` and `/stats/data.json` once the refresh ran —
//! counted only after entering the queue, small cells and the cells that would give them away
//! suppressed, and nothing about any one case published.

use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::jobs;
use reviewwatch::domain::jobs::JobKind;
use serde_json::Value;

const OFFICER: &str = "wang.fang@amr.example.gov.cn";

fn jd_report() -> ReportFields {
    ReportFields::zh_cn()
        .set("platform", "jd")
        .set("shop_name", "京东某某专营店")
        .set("shop_url", "https://mall.jd.com/index-1000123.html")
        .set("product_url", "https://item.jd.com/100012345.html")
        .set("region_province", "440000")
        .set("region_city", "440100")
        .set("region_code", "440106")
        .set("category", "fake_sales_volume")
        .set(
            "description",
            "商品页显示月销一万件，评论全是同一天的五星好评，疑似刷单。",
        )
}

fn pdd_report() -> ReportFields {
    ReportFields::zh_cn()
        .set("platform", "pinduoduo")
        .set("shop_name", "=HYPERLINK(\"http://evil.example\")拼多多店")
        .set(
            "shop_url",
            "https://mobile.yangkeduo.com/mall_page.html?mall_id=778899",
        )
        .set(
            "product_url",
            "https://mobile.yangkeduo.com/goods.html?goods_id=556677",
        )
}

async fn file(app: &TestApp, form: &ReportFields, seed: u32) -> String {
    app.visitor()
        .file_report(form, vec![("shot.png", png_screenshot(seed), "image/png")])
        .await
        .number
}

/// The published cell of a `/stats` table: its text, and whether it is marked suppressed.
pub(crate) fn cell(page: &Reply, table: &str, row: &str, column: &str) -> (String, bool) {
    let css = format!("#{table} tr[data-row=\"{row}\"] td[data-column=\"{column}\"]");
    let text = page
        .text_of(&css)
        .unwrap_or_else(|| panic!("no cell {css}"));
    let suppressed = page.attr_of(&css, "data-suppressed").is_some();
    (text.trim().to_string(), suppressed)
}

/// Waits for the portal's own first refresh (a housekeeping job due at start), so that the
/// snapshot changes only when this test refreshes it.
pub(crate) async fn first_refresh_done(app: &TestApp) {
    let kind = JobKind::RefreshPublicStats.as_str();
    poll_until("the first statistics refresh", WAIT, || {
        let done: i64 = jobs::table
            .filter(jobs::kind.eq(kind))
            .filter(jobs::state.eq("done"))
            .count()
            .get_result(&mut app.db())
            .ok()?;
        (done > 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn stats_match_the_cases_with_small_cells_and_their_complements_hidden() {
    let app = spawn_app_with(|s| s.rate_limit_reports_per_hour = 0).await;
    first_refresh_done(&app).await;
    let empty = app.get("/stats").await;
    assert_eq!(empty.status, StatusCode::OK);
    let t = "stats-platform-category";
    assert_eq!(cell(&empty, t, "total", "total"), ("0".into(), false));
    assert!(empty.count("#footer-stats[href=\"/stats\"]") == 1);
    assert_eq!(empty.count("svg[role=\"img\"][aria-label] > title"), 5);

    // 7 Taobao (Zhejiang), 6 JD (Guangdong), 2 Pinduoduo (Zhejiang), one never confirmed.
    let mut taobao = Vec::new();
    for seed in 0..7 {
        taobao.push(file(&app, &ReportFields::zh_cn(), 9300 + seed).await);
    }
    let mut jd = Vec::new();
    for seed in 0..6 {
        jd.push(file(&app, &jd_report(), 9310 + seed).await);
    }
    for seed in 0..2 {
        file(&app, &pdd_report(), 9320 + seed).await;
    }
    let unconfirmed = ReportFields::zh_cn().email("someone@example.com");
    app.visitor()
        .file_report(
            &unconfirmed,
            vec![("u.png", png_screenshot(9330), "image/png")],
        )
        .await;

    // 5 Taobao substantiated, 5 JD dismissed.
    let officer = app.officer(OFFICER, "王芳").await;
    for n in &taobao[..5] {
        assert_eq!(
            officer.act(n, "take", &[]).await.status,
            StatusCode::SEE_OTHER
        );
        let finding = [("note", ""), ("finding", "截图显示好评返现卡，认定属实。")];
        let done = officer.act(n, "substantiate", &finding).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }
    for n in &jd[..5] {
        let reason = [
            ("reason", "insufficient_evidence"),
            ("message", "证据不足。"),
        ];
        let done = officer.act(n, "dismiss", &reason).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }

    // Served from the snapshot: nothing changes until the refresh.
    let stale = app.get("/stats").await;
    assert_eq!(cell(&stale, t, "total", "total"), ("0".into(), false));
    let now = chrono::Utc::now().naive_utc();
    reviewwatch::workflow::public_stats::refresh(&app.pool, now)
        .await
        .unwrap();

    let page = app.get("/stats").await;
    assert_eq!(cell(&page, t, "total", "total"), ("15".into(), false));
    assert_eq!(
        cell(&page, t, "jd", "fake_sales_volume"),
        ("6".into(), false)
    );
    assert_eq!(cell(&page, t, "jd", "total"), ("6".into(), false));
    assert_eq!(
        cell(&page, t, "total", "fake_sales_volume"),
        ("6".into(), false)
    );
    assert_eq!(
        cell(&page, t, "total", "cashback_for_review"),
        ("9".into(), false)
    );
    // Pinduoduo's 2 are suppressed, and so is Taobao's 7 beside them in the column (else 9 - 7
    // gives 2 away), and Taobao's total with it (else it gives the 7 back).
    assert_eq!(
        cell(&page, t, "pinduoduo", "cashback_for_review"),
        ("<5".into(), true)
    );
    assert_eq!(cell(&page, t, "pinduoduo", "total"), ("<5".into(), true));
    assert!(cell(&page, t, "taobao", "cashback_for_review").1);
    assert!(cell(&page, t, "taobao", "total").1);
    assert_eq!(cell(&page, t, "douyin", "total"), ("0".into(), false));
    // Zhejiang 9 this month (7 + 2), Guangdong 6.
    let month = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m")
        .to_string();
    let pm = "stats-province-month";
    assert_eq!(cell(&page, pm, "330000", &month), ("9".into(), false));
    assert_eq!(cell(&page, pm, "440000", &month), ("6".into(), false));
    let d = "stats-decisions-table";
    assert_eq!(
        cell(&page, d, "taobao", "substantiated"),
        ("5".into(), false)
    );
    assert_eq!(cell(&page, d, "jd", "dismissed"), ("5".into(), false));
    assert_eq!(cell(&page, d, "taobao", "share"), ("100%".into(), false));
    assert_eq!(page.text_of("#stats-share").as_deref(), Some("50%"));
    assert!(
        page.text_of("#stats-to-decision")
            .is_some_and(|t| t.contains('0'))
    );
    assert_eq!(
        page.text_of("#stats-to-handoff").as_deref(),
        Some(zh().t("stats.not_published"))
    );
    assert!(
        page.text_of("#stats-computed")
            .is_some_and(|t| t.contains("+08:00"))
    );

    let english = app.visitor_speaking("en");
    let in_english = english.get("/stats").await;
    assert_eq!(
        in_english.text_of("h1").as_deref(),
        Some(en().t("stats.title"))
    );
    // A shopper reads the time the figures were computed as China time, in either language.
    assert!(
        in_english
            .text_of("#stats-computed")
            .is_some_and(|t| t.contains("(China time, UTC+8)")),
        "{:?}",
        in_english.text_of("#stats-computed")
    );
    assert!(
        page.text_of("#stats-computed")
            .is_some_and(|t| t.contains("北京时间"))
    );
    let csv = english.get("/stats/data.csv").await.body;
    assert!(
        csv.contains(",pinduoduo,Pinduoduo,"),
        "English labels in the CSV"
    );

    check_json(&app, &month).await;
    check_csv(&app, &taobao[0]).await;
}

async fn check_json(app: &TestApp, month: &str) {
    let reply = app.get("/stats/data.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.content_type().starts_with("application/json"));
    let json: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(json["schema_version"], 1);
    let pc = &json["platform_category"];
    let row = |key: &str| {
        pc["rows"]
            .as_array()
            .unwrap()
            .iter()
            .position(|r| r == key)
            .unwrap()
    };
    let col = |key: &str| {
        pc["columns"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c == key)
            .unwrap()
    };
    let cashback = col("cashback_for_review");
    assert_eq!(pc["cells"][row("pinduoduo")][cashback], Value::Null);
    assert_eq!(pc["cells"][row("taobao")][cashback], Value::Null);
    assert_eq!(pc["cells"][row("jd")][col("fake_sales_volume")], 6);
    assert_eq!(pc["row_totals"][row("pinduoduo")], Value::Null);
    assert_eq!(pc["total"], 15);
    let pm = &json["province_month"];
    let m = pm["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == month)
        .unwrap();
    assert_eq!(pm["column_totals"][m], 15);
    assert_eq!(json["decided_cases"], 10);
    assert_eq!(json["share_substantiated_percent"], 50.0);
    assert_eq!(json["median_days_to_handoff"], Value::Null);
    // No notice went to a platform: every platform's row is there, with nothing sent.
    assert_eq!(json["platforms"][0]["notices_sent"], 0);
    assert_eq!(json["platforms_total"]["response_rate"], Value::Null);
}

async fn check_csv(app: &TestApp, a_case: &str) {
    let reply = app.get_bytes("/stats/data.csv").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.content_type.starts_with("text/csv"));
    let bytes = &reply.bytes;
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(
        text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'),
        "CRLF lines"
    );
    for private in [
        a_case,
        "某某数码旗舰店",
        "HYPERLINK",
        "someone@example.com",
        "好评返现卡",
    ] {
        assert!(!text.contains(private), "{private} in the CSV");
        assert!(
            !app.get("/stats/data.json").await.body.contains(private),
            "{private}"
        );
    }
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, reviewwatch::web::open_data::CSV_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let find = |table: &str, row: &str, column: &str| {
        rows.iter()
            .find(|r| &r[0] == table && &r[1] == row && &r[3] == column)
            .unwrap_or_else(|| panic!("no CSV line {table} {row} {column}"))
    };
    let pdd = find("platform_category", "pinduoduo", "cashback_for_review");
    assert_eq!((&pdd[5], &pdd[6]), ("", "1"));
    assert_eq!(&pdd[2], "拼多多");
    let tb = find("platform_category", "taobao", "cashback_for_review");
    assert_eq!((&tb[5], &tb[6]), ("", "1"));
    let jd = find("platform_category", "jd", "fake_sales_volume");
    assert_eq!((&jd[5], &jd[6]), ("6", "0"));
    assert_eq!(&find("platform_category", "total", "total")[5], "15");
    assert_eq!(
        &find("summary", "share_substantiated_percent", "all")[5],
        "50"
    );
    for r in &rows {
        for c in r {
            assert!(
                !c.starts_with(['=', '+', '-', '@']),
                "a formula-looking cell: {r:?}"
            );
        }
    }
}
