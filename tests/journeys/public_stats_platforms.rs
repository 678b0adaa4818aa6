//! Platforms' answers on the public statistics (issue 13 item 4): each platform's notices sent,
//! answered, response rate and median response time, the same on `/stats`, `/stats/data.json`
//! and `/stats/data.csv` once the refresh ran — withdrawn and unsent notices not counted, a
//! platform with 1–4 notices suppressed and not recoverable from the totals.
//!
//! The notices are written straight into the database (cases, their handoffs and notices, as the
//! notice workflow leaves them), so the figures are known to the hour.

use crate::helpers::*;
use crate::public_stats::{cell, first_refresh_done};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::cases::NewCase;
use reviewwatch::db::schema::{handoffs, platform_notices, regulators};
use reviewwatch::domain::lang::Lang;
use reviewwatch::domain::{CaseStatus, Category, Platform};
use serde_json::Value;

/// What becomes of one notice.
#[derive(Clone, Copy)]
enum Fate {
    /// Sent, and answered after this many hours.
    AnsweredAfter(i64),
    /// Sent, no answer yet.
    Waiting,
    /// Sent, then taken back by the portal.
    Withdrawn,
    /// Not sent yet (its five working days are not up).
    Unsent,
}

/// Writes a handed-off case on `platform` with its handoff and a notice that meets `fate`.
fn notice(app: &TestApp, n: usize, platform: Platform, fate: Fate, ctx: (i64, i64)) {
    let (regulator, officer) = ctx;
    let now = chrono::Utc::now().naive_utc();
    let filed = now - Duration::days(30);
    let number = format!("RW-2019-{:06}", 900 + n);
    let receipt = format!("stats-platforms-{n}");
    let mut conn = app.db();
    let case_id = reviewwatch::db::cases::insert(
        &mut conn,
        &NewCase {
            case_number: &number,
            status: CaseStatus::HandedOff,
            platform,
            platform_other: None,
            shop_name: "某某旗舰店",
            shop_ref: "https://shop.example.com/1",
            shop_key: "shop.example.com/1",
            region_code: "330106",
            province_code: "330000",
            city_code: Some("330100"),
            product_url: None,
            order_number: None,
            category: Category::ALL[0],
            seen_on: filed.date(),
            description: "评论全是同一天的五星好评。",
            reporter_email: None,
            language: Lang::ZhCn,
            consent_share_contact: false,
            consent_share_platform: false,
            is_complaint: false,
            receipt_hash: &receipt,
            reporter_ip: None,
            created_at: filed,
            submitted_at: Some(filed),
            last_activity_at: filed,
            merchant_key: None,
        },
    )
    .unwrap();
    let handed_off = filed + Duration::days(2);
    let handoff_id: i64 = diesel::insert_into(handoffs::table)
        .values((
            handoffs::case_id.eq(case_id.get()),
            handoffs::regulator_id.eq(regulator),
            handoffs::seq.eq(1),
            handoffs::folder.eq(format!("{number}-H1")),
            handoffs::package_sha256.eq("0".repeat(64)),
            handoffs::package_size.eq(1024_i64),
            handoffs::created_by.eq(officer),
            handoffs::created_at.eq(handed_off),
        ))
        .returning(handoffs::id)
        .get_result(&mut conn)
        .unwrap();
    let sent: NaiveDateTime = handed_off + Duration::days(7);
    let (sent_at, responded_at, withdrawn_at, not_before) = match fate {
        Fate::AnsweredAfter(h) => (Some(sent), Some(sent + Duration::hours(h)), None, sent),
        Fate::Waiting => (Some(sent), None, None, sent),
        Fate::Withdrawn => (Some(sent), None, Some(sent + Duration::days(1)), sent),
        // Far off, so the background pass does not send it during the test.
        Fate::Unsent => (None, None, None, now + Duration::days(30)),
    };
    diesel::insert_into(platform_notices::table)
        .values((
            platform_notices::case_id.eq(case_id.get()),
            platform_notices::handoff_id.eq(handoff_id),
            platform_notices::created_at.eq(handed_off),
            platform_notices::not_before.eq(not_before),
            platform_notices::sent_at.eq(sent_at),
            platform_notices::answer_due_on.eq(sent_at.map(|_| (now + Duration::days(30)).date())),
            platform_notices::withdrawn_at.eq(withdrawn_at),
            platform_notices::response.eq(responded_at.map(|_| "reviews_removed")),
            platform_notices::reviews_removed_count.eq(responded_at.map(|_| 3)),
            platform_notices::responded_at.eq(responded_at),
        ))
        .execute(&mut conn)
        .unwrap();
}

/// The notices of the test, by platform: answered after so many hours, or another fate.
fn notices() -> Vec<(Platform, Fate)> {
    let answered = |hours: &[i64]| {
        hours
            .iter()
            .map(|&h| Fate::AnsweredAfter(h))
            .collect::<Vec<_>>()
    };
    let mut all = Vec::new();
    // Taobao: 8 sent, 6 answered after 1–6 days (median 3.5), and a withdrawn and an unsent one
    // that do not count.
    let mut taobao = answered(&[24, 48, 72, 96, 120, 144]);
    taobao.extend([Fate::Waiting, Fate::Waiting, Fate::Withdrawn, Fate::Unsent]);
    all.extend(taobao.into_iter().map(|f| (Platform::Taobao, f)));
    // JD: 6 sent, 5 answered after half a day, 1, 2, 2 and 10 days (median 2).
    let mut jd = answered(&[12, 24, 48, 48, 240]);
    jd.push(Fate::Waiting);
    all.extend(jd.into_iter().map(|f| (Platform::Jd, f)));
    // Pinduoduo: 3 sent, 1 answered after a day: suppressed.
    let mut pdd = answered(&[24]);
    pdd.extend([Fate::Waiting, Fate::Waiting]);
    all.extend(pdd.into_iter().map(|f| (Platform::Pinduoduo, f)));
    // Douyin: 5 sent, 2 answered after 3 and 4 days: the complement that protects Pinduoduo.
    let mut douyin = answered(&[72, 96]);
    douyin.extend([Fate::Waiting, Fate::Waiting, Fate::Waiting]);
    all.extend(douyin.into_iter().map(|f| (Platform::Douyin, f)));
    all
}

/// A regulator and an officer for the handoffs to name.
async fn handoff_parties(app: &TestApp) -> (i64, i64) {
    let officer = app
        .create_officer("li.na@amr.example.gov.cn", "李娜", "officer")
        .await;
    let regulator: i64 = diesel::insert_into(regulators::table)
        .values((
            regulators::name.eq("杭州市西湖区市场监督管理局"),
            regulators::kind.eq("market"),
            regulators::region_code.eq(Some("330106")),
            regulators::email.eq("xihu@amr.example.gov.cn"),
            regulators::active.eq(true),
            regulators::created_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .returning(regulators::id)
        .get_result(&mut app.db())
        .unwrap();
    (regulator, officer.id.get())
}

const TABLE: &str = "stats-answers-table";

#[tokio::test]
async fn platforms_answers_show_rates_and_medians_with_small_platforms_hidden() {
    let app = spawn_app().await;
    first_refresh_done(&app).await;
    let parties = handoff_parties(&app).await;
    for (n, (platform, fate)) in notices().into_iter().enumerate() {
        notice(&app, n, platform, fate, parties);
    }
    let now = chrono::Utc::now().naive_utc();
    reviewwatch::workflow::public_stats::refresh(&app.pool, now)
        .await
        .unwrap();

    let page = app.get("/stats").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.text_of("#stats-answers-title").as_deref(),
        Some("平台反馈")
    );
    let row = |platform: &str| {
        [
            "notices_sent",
            "answered",
            "response_rate",
            "median_response_days",
        ]
        .map(|c| cell(&page, TABLE, platform, c).0)
    };
    assert_eq!(row("taobao"), ["8", "6", "75%", "3.5 天"]);
    assert_eq!(row("jd"), ["6", "5", "83.3%", "2 天"]);
    assert_eq!(row("total"), ["22", "14", "63.6%", "2.5 天"]);
    // Pinduoduo's 3 are hidden, and Douyin's row with them: else 22 − 8 − 6 gives 3 away.
    assert_eq!(row("pinduoduo"), ["<5", "<5", "不公布", "不公布"]);
    assert!(cell(&page, TABLE, "pinduoduo", "notices_sent").1);
    assert!(cell(&page, TABLE, "douyin", "notices_sent").1);
    assert!(cell(&page, TABLE, "douyin", "answered").1);
    assert_eq!(row("kuaishou"), ["0", "0", "不公布", "不公布"]);
    assert!(
        page.text_of("#stats-answers-chart g[data-key=\"taobao\"]")
            .is_some_and(|t| t.contains("75%"))
    );
    assert!(
        page.text_of("#stats-answers-chart g[data-key=\"pinduoduo\"]")
            .is_some_and(|t| t.contains("不公布"))
    );

    let english = app.visitor_speaking("en").get("/stats").await;
    assert_eq!(
        english.text_of("#stats-answers-title").as_deref(),
        Some("Platforms' answers")
    );
    assert_eq!(
        cell(&english, TABLE, "taobao", "median_response_days").0,
        "3.5 days"
    );

    check_json(&app).await;
    check_csv(&app).await;
}

async fn check_json(app: &TestApp) {
    let reply = app.get("/stats/data.json").await;
    let json: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(json["schema_version"], 1);
    let rows = json["platforms"].as_array().unwrap();
    assert_eq!(rows.len(), Platform::ALL.len());
    let of = |key: &str| {
        rows.iter()
            .find(|r| r["platform"] == key)
            .unwrap_or_else(|| panic!("no platform {key}"))
    };
    let taobao = of("taobao");
    assert_eq!(taobao["notices_sent"], 8);
    assert_eq!(taobao["answered"], 6);
    assert_eq!(taobao["response_rate"], 0.75);
    assert_eq!(taobao["median_response_days"], 3.5);
    assert_eq!(of("jd")["response_rate"], 0.833);
    assert_eq!(of("jd")["median_response_days"], 2.0);
    for hidden in ["pinduoduo", "douyin"] {
        for field in [
            "notices_sent",
            "answered",
            "response_rate",
            "median_response_days",
        ] {
            assert_eq!(of(hidden)[field], Value::Null, "{hidden} {field}");
        }
    }
    let total = &json["platforms_total"];
    assert_eq!(total["platform"], "total");
    assert_eq!(total["notices_sent"], 22);
    assert_eq!(total["answered"], 14);
    assert_eq!(total["response_rate"], 0.636);
    assert_eq!(total["median_response_days"], 2.5);
    // The attack: a column's total less its published entries is the sum of two unknowns or more,
    // which gives none of them away.
    for field in ["notices_sent", "answered"] {
        let unknown = rows.iter().filter(|r| r[field].is_null()).count();
        assert!(
            unknown >= 2,
            "{field}: one unknown is given away by the total"
        );
    }
}

async fn check_csv(app: &TestApp) {
    let reply = app.get_bytes("/stats/data.csv").await;
    assert_eq!(reply.status, StatusCode::OK);
    let text = std::str::from_utf8(&reply.bytes[3..]).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let find = |row: &str, column: &str| {
        let line = rows
            .iter()
            .find(|r| &r[0] == "platforms" && &r[1] == row && &r[3] == column)
            .unwrap_or_else(|| panic!("no CSV line platforms {row} {column}"));
        (line[5].to_string(), line[6].to_string())
    };
    assert_eq!(find("taobao", "notices_sent"), ("8".into(), "0".into()));
    assert_eq!(find("taobao", "answered"), ("6".into(), "0".into()));
    assert_eq!(find("taobao", "response_rate"), ("0.75".into(), "0".into()));
    assert_eq!(
        find("taobao", "median_response_days"),
        ("3.5".into(), "0".into())
    );
    assert_eq!(find("jd", "response_rate"), ("0.833".into(), "0".into()));
    assert_eq!(find("pinduoduo", "notices_sent"), ("".into(), "1".into()));
    assert_eq!(find("douyin", "answered"), ("".into(), "1".into()));
    assert_eq!(find("total", "notices_sent"), ("22".into(), "0".into()));
    assert_eq!(find("total", "response_rate"), ("0.636".into(), "0".into()));
    assert_eq!(
        find("total", "median_response_days"),
        ("2.5".into(), "0".into())
    );
    let lines = rows.iter().filter(|r| &r[0] == "platforms").count();
    assert_eq!(lines, (Platform::ALL.len() + 1) * 4);
    let label = rows
        .iter()
        .find(|r| &r[0] == "platforms" && &r[1] == "taobao")
        .map(|r| r[2].to_string());
    assert_eq!(label.as_deref(), Some("淘宝"));
}
