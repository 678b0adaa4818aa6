//! Contacts linking cases (issue 11 item 4): the same WeChat id and phone number written two
//! ways by two shoppers about different shops link their cases on the officer's page; official
//! numbers and hotlines do not; a payment account shows only masked and is stored nowhere in
//! clear; contacts go with a purged report.

use crate::helpers::*;
use diesel::prelude::*;
use diesel::sql_types::{Binary, Nullable, Text};
use reviewwatch::db::schema::{case_contacts, cases};
use reviewwatch::db::{self, DbConnection};
use reviewwatch::domain::contact::ContactKind;
use reviewwatch::domain::links::TextSource;
use reviewwatch::evidence::EvidenceStore;
use reviewwatch::workflow;

const ISSUE_ONE: &str =
    "收到包裹里有张卡片，说加V信：sd-zhaomu2026，电话１３８ ００１３ ８０００，好评返现10元。";
const ISSUE_TWO: &str =
    "买完东西被拉进群刷好评。对方微信 sd-zhaomu2026 手机13800138000，说五星晒图返现。";

/// A report about another shop on another platform.
fn on(platform: &str, shop: &str, url: &str, description: &str) -> ReportFields {
    ReportFields::zh_cn()
        .set("platform", platform)
        .set("shop_name", shop)
        .set("shop_url", url)
        .set("description", description)
}

/// A screenshot of its own: no two reports here share a picture.
fn shot() -> Vec<File> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(7200);
    let seed = NEXT.fetch_add(1, Ordering::Relaxed);
    vec![("shot.png", png_screenshot(seed), "image/png")]
}

async fn file(app: &TestApp, form: ReportFields) -> String {
    app.visitor().file_report(&form, shot()).await.number
}

/// The `data-reason="same_contact"` lines under case `other` on `number`'s officer page.
async fn contact_lines(officer: &OfficerBrowser, number: &str, other: &str) -> Vec<String> {
    officer.case_page(number).await.texts_of(&format!(
        "#related-cases li.related-case[data-case=\"{other}\"] li[data-reason=\"same_contact\"]"
    ))
}

async fn linked_by_contact(officer: &OfficerBrowser, number: &str) -> Vec<String> {
    let page = officer.case_page(number).await;
    page.attrs_of("#related-cases li.related-case", "data-case")
        .into_iter()
        .filter(|n| {
            page.count(&format!(
                "#related-cases li.related-case[data-case=\"{n}\"] li[data-reason=\"same_contact\"]"
            )) > 0
        })
        .collect()
}

#[tokio::test]
async fn two_shoppers_writing_one_recruiters_contacts_two_ways_see_each_others_case() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let one = file(
        &app,
        on(
            "taobao",
            "某某数码旗舰店",
            "https://shop123456.taobao.com/",
            ISSUE_ONE,
        ),
    )
    .await;
    let two = file(
        &app,
        on(
            "jd",
            "优品家居京东自营",
            "https://mall.jd.com/index-1000123.html",
            ISSUE_TWO,
        ),
    )
    .await;
    // Two reports naming only official numbers and hotlines, about other shops.
    let hotline = file(
        &app,
        on(
            "tmall",
            "潮流服饰天猫店",
            "https://chaoliu.tmall.com/",
            "商家诱导好评，我已拨打12315投诉，天猫客服400-860-8608说会处理，支付宝客服95188也打过。",
        ),
    )
    .await;
    let hotline_too = file(
        &app,
        on(
            "pinduoduo",
            "拼拼乐水果店",
            "https://mobile.yangkeduo.com/mall_page.html?mall_id=778899",
            "水果烂了给好评才退款。打了12315，还有天猫客服４００８６０８６０８，没用。",
        ),
    )
    .await;

    for (number, other) in [(&one, &two), (&two, &one)] {
        let lines = contact_lines(&officer, number, other).await;
        assert_eq!(
            lines.len(),
            2,
            "{number} lists {other} by two contacts: {lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("sd-zhaomu2026")),
            "the WeChat id is shown: {lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("13800138000")),
            "the mobile number is shown: {lines:?}"
        );
        assert_eq!(
            linked_by_contact(&officer, number).await,
            vec![other.clone()],
            "only the other recruit report is linked by a contact"
        );
    }
    for number in [&hotline, &hotline_too] {
        assert!(
            linked_by_contact(&officer, number).await.is_empty(),
            "official numbers and 12315 link no one"
        );
    }
    // The links come from the index: what it holds for the first report.
    let stored: Vec<(ContactKind, String)> = case_contacts::table
        .filter(case_contacts::case_id.eq(app.case_id(&one)))
        .select((case_contacts::kind, case_contacts::contact_key))
        .order(case_contacts::id.asc())
        .load(&mut app.db())
        .unwrap();
    assert_eq!(
        stored,
        vec![
            (ContactKind::Wechat, "sd-zhaomu2026".to_string()),
            (ContactKind::Mobile, "13800138000".to_string()),
        ]
    );
}

#[tokio::test]
async fn contacts_read_from_a_screenshot_link_cases_and_are_replaced_when_read_again() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let one = app
        .visitor()
        .file_report(
            &on(
                "douyin",
                "抖音好物小店",
                "https://haohao.jinritemai.com/",
                "包裹里有返现卡，见截图。",
            ),
            vec![("card.png", png_screenshot(7101), "image/png")],
        )
        .await
        .number;
    let two = file(
        &app,
        on(
            "kuaishou",
            "快手源头工厂",
            "https://kuaishou.example.com/shop/1",
            "对方QQ群：765432198，进群领返现任务。",
        ),
    )
    .await;
    assert!(linked_by_contact(&officer, &one).await.is_empty());
    // What OCR read from the first report's screenshot, indexed as the OCR job does.
    let evidence = app
        .evidence_rows()
        .into_iter()
        .find(|e| e.case_id == app.case_id(&one))
        .unwrap();
    let index = |text: &'static str| {
        let mut conn = app.db();
        db::write_transaction(&mut conn, |conn| {
            workflow::chains::index_text(
                conn,
                evidence.case_id,
                TextSource::Screenshot(evidence.id),
                text,
                db::now(),
            )
        })
        .unwrap();
    };
    index("好 评 返 现\n加 Q 群 : 765432198\n五星好评截图发客服");
    let lines = contact_lines(&officer, &one, &two).await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("765432198"), "{lines:?}");
    assert_eq!(linked_by_contact(&officer, &two).await, vec![one.clone()]);
    // Read again (a better OCR pass) without the group: the link goes.
    index("好评返现 请联系客服");
    assert!(linked_by_contact(&officer, &one).await.is_empty());
    assert!(linked_by_contact(&officer, &two).await.is_empty());
}

/// Every value of every column of every table, as text, but the reporter's own description.
fn every_stored_text(conn: &mut DbConnection) -> Vec<(String, String, String)> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    #[derive(QueryableByName)]
    struct Value {
        #[diesel(sql_type = Nullable<Text>)]
        v: Option<String>,
    }
    // SQLite: as bytes, read leniently (the full-text index's own tables hold binary pages).
    #[derive(QueryableByName)]
    struct Bytes {
        #[diesel(sql_type = Nullable<Binary>)]
        v: Option<Vec<u8>>,
    }
    let columns: Vec<(String, String)> = match conn {
        DbConnection::Sqlite(c) => {
            let tables: Vec<Name> = diesel::sql_query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .load(c)
            .unwrap();
            tables
                .into_iter()
                .flat_map(|t| {
                    let cols: Vec<Name> = diesel::sql_query(format!(
                        "SELECT name FROM pragma_table_info('{}')",
                        t.name
                    ))
                    .load(c)
                    .unwrap();
                    cols.into_iter().map(move |col| (t.name.clone(), col.name))
                })
                .collect()
        }
        DbConnection::Postgres(c) => {
            #[derive(QueryableByName)]
            struct Column {
                #[diesel(sql_type = Text)]
                table_name: String,
                #[diesel(sql_type = Text)]
                column_name: String,
            }
            let cols: Vec<Column> = diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name \
                 FROM information_schema.columns WHERE table_schema = 'public'",
            )
            .load(c)
            .unwrap();
            cols.into_iter()
                .map(|c| (c.table_name, c.column_name))
                .collect()
        }
    };
    assert!(columns.len() > 50, "every table is read: {}", columns.len());
    let mut out = Vec::new();
    for (table, column) in columns {
        if table == "cases" && column == "description" {
            continue;
        }
        let values: Vec<String> = match conn {
            DbConnection::Sqlite(c) => {
                let query = format!("SELECT CAST(\"{column}\" AS BLOB) AS v FROM \"{table}\"");
                let rows: Vec<Bytes> = diesel::sql_query(query).load(c).unwrap();
                rows.into_iter()
                    .filter_map(|r| r.v)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .collect()
            }
            DbConnection::Postgres(c) => {
                let query = format!("SELECT CAST(\"{column}\" AS TEXT) AS v FROM \"{table}\"");
                let rows: Vec<Value> = diesel::sql_query(query).load(c).unwrap();
                rows.into_iter().filter_map(|r| r.v).collect()
            }
        };
        out.extend(
            values
                .into_iter()
                .map(|v| (table.clone(), column.clone(), v)),
        );
    }
    out
}

#[tokio::test]
async fn a_payment_account_links_cases_shows_masked_and_is_stored_nowhere_in_clear() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let reporter = "wang.fang@example.com";
    let paid = on(
        "pinduoduo",
        "拼拼乐水果店",
        "https://mobile.yangkeduo.com/mall_page.html?mall_id=778899",
        "对方让我先垫付刷单，转到支付宝：１３９ ８７６５ ４３２１，又让我转账到银行卡 6222 0212 3456 7890 128，说完成任务返佣金，结果钱没了。",
    )
    .email(reporter)
    .set("consent_share_contact", "on");
    let one = app
        .file_confirmed_report(&app.visitor(), &paid, shot())
        .await
        .number;
    let two = file(
        &app,
        on(
            "douyin",
            "抖音好物小店",
            "https://haohao.jinritemai.com/",
            "刷单返佣，垫付款打到支付宝账号13987654321，卡号6222021234567890128。",
        ),
    )
    .await;
    let lines = contact_lines(&officer, &one, &two).await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("支付宝 139****4321")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("卡 6222 **** **** 0128")),
        "{lines:?}"
    );
    let related = officer.case_page(&two).await;
    let section = related.text_of("#related-cases").unwrap();
    assert!(!section.contains("13987654321") && !section.contains("6222021234567890128"));
    // The queue's search index holds the description with the account masked.
    let search = |q: &str| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        s.append_pair("q", q);
        s.finish()
    };
    let found = officer.queue(&search("刷单返佣")).await;
    assert_eq!(
        found.attrs_of("tr[data-case]", "data-case"),
        vec![two.clone()]
    );
    let found = officer.queue(&search("13987654321")).await;
    assert_eq!(
        found.count("tr[data-case]"),
        0,
        "the account is not searchable"
    );

    let mut conn = app.db();
    let stored = every_stored_text(&mut conn);
    assert!(
        stored
            .iter()
            .any(|(t, _, v)| t == "case_contacts" && v.contains("139****4321"))
    );
    for account in ["13987654321", "6222021234567890128"] {
        let clear: Vec<_> = stored
            .iter()
            .filter(|(_, _, v)| {
                let digits: String = v.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
                v.contains(account) || digits.contains(account)
            })
            .map(|(t, c, _)| format!("{t}.{c}"))
            .collect();
        assert!(clear.is_empty(), "{account} stored in clear in {clear:?}");
    }
    // The reporter's own address is no contact of the chain.
    let kinds: Vec<ContactKind> = case_contacts::table
        .filter(case_contacts::case_id.eq(app.case_id(&one)))
        .select(case_contacts::kind)
        .load(&mut conn)
        .unwrap();
    assert_eq!(kinds, vec![ContactKind::PaymentAccount; 2]);
}

#[tokio::test]
async fn the_contacts_of_a_purged_report_go_with_it() {
    let app = spawn_app().await;
    let stale = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn()
                .email("never.confirmed@example.com")
                .set("description", "加微信 purge_me_2026 返现"),
            shot(),
        )
        .await
        .number;
    let id = app.case_id(&stale);
    let count = |app: &TestApp| -> i64 {
        case_contacts::table
            .filter(case_contacts::case_id.eq(id))
            .count()
            .get_result(&mut app.db())
            .unwrap()
    };
    assert_eq!(count(&app), 1);
    diesel::update(cases::table.filter(cases::id.eq(id)))
        .set(cases::created_at.eq(db::now() - chrono::TimeDelta::days(8)))
        .execute(&mut app.db())
        .unwrap();
    let store = EvidenceStore::new(app.data_dir.join("evidence"));
    let purged = workflow::purge::purge_unconfirmed(&app.pool, &store)
        .await
        .unwrap();
    assert_eq!(purged, 1);
    assert_eq!(count(&app), 0);
}

/// Adds cases `from..to` (copies of case `model`), each with five contacts, keys chosen so that
/// each is shared by about four cases.
fn grow(conn: &mut DbConnection, model: i64, from: i64, to: i64) {
    const COLUMNS: &str = "status, platform, platform_other, shop_name, shop_ref, shop_key, \
        region_code, province_code, city_code, product_url, order_number, category, seen_on, \
        description, reporter_email, language, consent_share_contact, is_complaint, receipt_hash, \
        reporter_ip, created_at, submitted_at, last_activity_at, closed_reason, version, \
        assigned_officer_id";
    let select = format!(
        "INSERT INTO cases (case_number, {COLUMNS}) SELECT 'M-' || n.i, {} FROM numbers n \
         CROSS JOIN cases c WHERE c.id = {model}",
        COLUMNS.replace("receipt_hash", "c.receipt_hash || n.i")
    );
    let cases = match conn {
        DbConnection::Sqlite(_) => format!(
            "WITH RECURSIVE numbers(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM numbers \
             WHERE i < {to} - 1) {select}"
        ),
        DbConnection::Postgres(_) => {
            format!("WITH numbers(i) AS (SELECT generate_series({from}, {to} - 1)) {select}")
        }
    };
    let shared = to / 4;
    let contacts = format!(
        "INSERT INTO case_contacts (case_id, kind, contact_key, shown, evidence_id, found_at) \
         SELECT c.id, k.kind, k.kind || (c.id % {shared}), 'x', NULL, c.created_at FROM cases c \
         CROSS JOIN (SELECT 'wechat' AS kind UNION ALL SELECT 'mobile' UNION ALL SELECT 'qq' \
         UNION ALL SELECT 'qq_group' UNION ALL SELECT 'short_link') k \
         WHERE c.case_number >= 'M-' AND c.case_number < 'M.' \
         AND c.id > (SELECT COALESCE(MAX(case_id), 0) FROM case_contacts)"
    );
    for sql in [cases, contacts] {
        match conn {
            DbConnection::Sqlite(c) => diesel::sql_query(sql).execute(c),
            DbConnection::Postgres(c) => diesel::sql_query(sql).execute(c),
        }
        .unwrap();
    }
}

/// How long `shared_contacts` takes for one case as the index grows (docs/PERFORMANCE.md):
/// `cargo test --release --test journeys contacts_lookup -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "a measurement, run on request"]
async fn contacts_lookup_time_as_the_index_grows() {
    let app = spawn_app().await;
    let model = file(
        &app,
        on(
            "jd",
            "测量店",
            "https://mall.jd.com/index-1.html",
            "测量用。",
        ),
    )
    .await;
    let model = app.case_id(&model).0;
    let mut conn = app.db();
    let mut cases = 1;
    for rows in [100_000_i64, 1_000_000] {
        let target = rows / 5;
        grow(&mut conn, model, cases, target);
        cases = target;
        let total: i64 = case_contacts::table.count().get_result(&mut conn).unwrap();
        let ids: Vec<i64> = cases::table
            .select(cases::id)
            .order(cases::id.desc())
            .limit(200)
            .load(&mut conn)
            .unwrap();
        let mut times = Vec::new();
        let mut links = 0;
        for id in ids {
            let start = std::time::Instant::now();
            let found =
                db::contacts::shared_contacts(&mut conn, reviewwatch::domain::CaseId(id), 50)
                    .unwrap();
            times.push(start.elapsed());
            links += found.len();
        }
        times.sort();
        println!(
            "contacts lookup: {total} indexed contacts, {links} links over 200 cases, median {:?}, p95 {:?}",
            times[100], times[190]
        );
        assert!(links > 0, "the measured cases share contacts");
    }
}
