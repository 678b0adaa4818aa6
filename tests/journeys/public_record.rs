//! The public record (信用惩戒): a regulator's published penalty, reported through its outcome
//! link, shows on `/record`, in the Atom feed and the JSON only once a supervisor approves it;
//! nothing else shows, never anything of the reporter; a withdrawal takes the decision off with
//! a note; a merchant's correction request is kept and mailed to the supervisors.

use crate::handoff::{
    PANYU, PANYU_EMAIL, REPORTER, add_regulator, hand_off, handoff_link, in_region,
    substantiated_case,
};
use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::record_corrections;

const SUPERVISOR: &str = "chen.jing@amr.example.gov.cn";
const SHOP: &str = "诚信数码旗舰店";
const DOC: &str = "番市监处罚〔2026〕88号";
const DECISION: &str = "虚构交易、组织虚假好评，罚款五万元。";
const ORDER: &str = "2026119988776655";
const DESCRIPTION: &str = "客服私信承诺五星好评返现八元，要求晒图并写满三十字，随附聊天截图。";

/// Hands a substantiated case for shop `shop` to Panyu and records `fields` through the
/// regulator's outcome link.
async fn decided_case(
    app: &TestApp,
    officer: &OfficerBrowser,
    panyu: i64,
    form: ReportFields,
    fields: &[(&str, &str)],
) -> String {
    let receipt = substantiated_case(
        app,
        officer,
        &form,
        vec![("截图.png", png_screenshot(2100), "image/png")],
    )
    .await;
    let n = receipt.number;
    hand_off(officer, &n, panyu).await;
    let mail = app.mail.next_for(PANYU_EMAIL, WAIT).await;
    let link = handoff_link(&mail, &app.address, "outcome");
    let regulator = app.visitor();
    let page = regulator.get(&link).await;
    let mut form = page.form("outcome", &link).expect("an outcome form");
    assert!(
        form.value("document_number").is_some(),
        "a document number field"
    );
    for (k, v) in fields {
        form = form.fill(k, v);
    }
    let done = regulator.submit(&form).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(
        done.attr_of("#regulator-result", "data-result").as_deref(),
        Some("recorded")
    );
    n
}

fn assert_no_reporter_data(what: &str, body: &str) {
    for secret in [REPORTER, ORDER, DESCRIPTION, "收到的包裹里有一张好评返现卡"] {
        assert!(!body.contains(secret), "{what} holds {secret:?}");
    }
}

#[tokio::test]
async fn a_published_penalty_shows_on_the_record_only_once_approved_and_comes_off_with_a_note() {
    let app = spawn_app().await;
    let supervisor = app.supervisor(SUPERVISOR, "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let public = in_region(ReportFields::zh_cn(), "440113")
        .set("shop_name", SHOP)
        .set("order_number", ORDER)
        .set("description", DESCRIPTION)
        .email(REPORTER);
    let n = app_case(&app, &officer, panyu, public).await;
    // No violation, though "public" with a number; a penalty not made public: neither shows.
    decided_case(
        &app,
        &officer,
        panyu,
        in_region(ReportFields::zh_cn(), "440113").set("shop_name", "无违法小铺"),
        &[
            ("outcome", "no_violation"),
            ("document_number", "X-1"),
            ("published", "1"),
        ],
    )
    .await;
    decided_case(
        &app,
        &officer,
        panyu,
        in_region(ReportFields::zh_cn(), "440113").set("shop_name", "未公开小铺"),
        &[
            ("outcome", "penalty"),
            ("document_number", "X-2"),
            ("details", "罚款"),
        ],
    )
    .await;

    // Nothing is public before a supervisor approves.
    let visitor = app.visitor();
    let before = visitor.get("/record").await;
    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(before.count("article.record-entry"), 0);
    assert!(!before.body.contains(SHOP));
    let feed = visitor.get("/record/feed.atom").await;
    assert_eq!(atom_entries(&feed.body).len(), 0);
    let json: serde_json::Value =
        serde_json::from_str(&visitor.get("/record/data.json").await.body).unwrap();
    assert_eq!(json["entries"].as_array().map(Vec::len), Some(0));
    // The desk is for supervisors alone.
    assert_eq!(
        officer.get("/officer/record").await.status,
        StatusCode::FORBIDDEN
    );

    // The supervisor sees exactly one candidate, and approves it.
    let desk = supervisor.get("/officer/record").await;
    assert_eq!(desk.status, StatusCode::OK);
    assert_eq!(desk.count("article[data-status=\"candidate\"]"), 1);
    assert!(desk.body.contains(SHOP) && desk.body.contains(DOC));
    let approve = desk
        .form("approve_record", "/officer/record")
        .expect("approve_record");
    let approved = supervisor.submit(&approve).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    assert!(
        app.audit_actions(&n)
            .contains(&"record_approved".to_string())
    );

    // Now it shows, and only it.
    let page = visitor.get("/record").await;
    assert_eq!(page.count("article.record-entry"), 1);
    assert_eq!(
        page.attr_of("article.record-entry", "data-document")
            .as_deref(),
        Some(DOC)
    );
    assert!(page.body.contains(SHOP) && page.body.contains(DECISION) && page.body.contains(PANYU));
    assert!(page.body.contains("https://www.gsxt.gov.cn/"));
    assert!(!page.body.contains("无违法小铺") && !page.body.contains("未公开小铺"));
    assert!(page.body.contains("id=\"footer-record\""));
    for (q, found) in [
        ("诚信数码", 1),
        ("番市监处罚", 1),
        ("番禺区", 1),
        ("淘宝", 1),
        ("taobao", 1),
        ("京东", 0),
        ("100%", 0),
    ] {
        let path = format!("/record?q={}", urlencode(q));
        assert_eq!(
            visitor.get(&path).await.count("article.record-entry"),
            found,
            "q={q}"
        );
    }
    let feed = visitor.get("/record/feed.atom").await;
    assert!(feed.content_type().starts_with("application/atom+xml"));
    let entries = atom_entries(&feed.body);
    assert_eq!(entries.len(), 1);
    assert!(entries[0].contains(DOC) && entries[0].contains(SHOP) && entries[0].contains(DECISION));
    let data = visitor.get("/record/data.json").await;
    let json: serde_json::Value = serde_json::from_str(&data.body).unwrap();
    let e = &json["entries"][0];
    assert_eq!(e["document_number"], DOC);
    assert_eq!(e["shop_name"], SHOP);
    assert_eq!(e["decision_kind"], "penalty");
    assert_eq!(e["platform"], "taobao");
    assert_eq!(json["entries"].as_array().map(Vec::len), Some(1));
    for (what, body) in [
        ("the page", &page.body),
        ("the feed", &feed.body),
        ("the JSON", &data.body),
    ] {
        assert_no_reporter_data(what, body);
    }

    // A merchant asks for a correction: kept, mailed to the supervisor, flagged on the desk.
    let id = e["id"].as_i64().unwrap();
    let shown = visitor.get(&format!("/record/{id}/correction")).await;
    let form = shown
        .form("record_correction", "")
        .expect("a correction form")
        .fill("enterprise_name", "广州诚信数码科技有限公司")
        .fill("contact_email", "legal@chengxin.example.com")
        .fill("what_is_wrong", "该处罚决定已于复议中撤销。")
        .fill("document_number", "番府复决〔2026〕5号");
    let bad = visitor
        .submit(&form.clone().fill("contact_email", "not-an-email"))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sent = visitor.submit(&form).await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.text_of("#correction-sent").is_some());
    let kept: Vec<(String, String)> = record_corrections::table
        .select((
            record_corrections::enterprise_name,
            record_corrections::contact_email,
        ))
        .load(&mut app.db())
        .unwrap();
    assert_eq!(
        kept,
        vec![(
            "广州诚信数码科技有限公司".to_string(),
            "legal@chengxin.example.com".to_string()
        )]
    );
    let mail = app.mail.next_for(SUPERVISOR, WAIT).await;
    assert!(mail.subject.contains(SHOP), "{}", mail.subject);
    assert!(
        mail.text.contains("该处罚决定已于复议中撤销。")
            && mail.text.contains("番府复决〔2026〕5号")
    );
    let desk = supervisor.get("/officer/record").await;
    assert_eq!(desk.count("[data-flag=\"withdrawal_pending\"]"), 1);
    // A candidate nobody approved takes no correction request.
    assert_eq!(
        visitor
            .get(&format!("/record/{}/correction", id + 99))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The decision is revoked: taken off, with a public note.
    let withdraw = desk
        .form("record_withdrawal", "/officer/record")
        .expect("record_withdrawal")
        .fill("reason", "该决定已被复议机关撤销。")
        .fill("document_number", "番府复决〔2026〕5号");
    let refused = supervisor
        .submit(&withdraw.clone().fill("reason", " "))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        supervisor.submit(&withdraw).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(
        app.audit_actions(&n)
            .contains(&"record_withdrawn".to_string())
    );
    let after = visitor.get("/record").await;
    assert_eq!(after.count("article[data-status=\"withdrawn\"]"), 1);
    assert!(after.body.contains("该决定已被复议机关撤销。"));
    assert!(!after.body.contains(DECISION), "the decision text is off");
    let feed = visitor.get("/record/feed.atom").await;
    let entries = atom_entries(&feed.body);
    assert!(entries[0].contains("该决定已被复议机关撤销。") && !entries[0].contains(DECISION));
    let json: serde_json::Value =
        serde_json::from_str(&visitor.get("/record/data.json").await.body).unwrap();
    assert_eq!(json["entries"][0]["status"], "withdrawn");
    assert!(json["entries"][0]["decision_text"].is_null());
    assert_eq!(
        supervisor
            .get("/officer/record")
            .await
            .count("[data-flag=\"withdrawal_pending\"]"),
        0
    );
}

/// The published penalty of the case the record is about.
async fn app_case(
    app: &TestApp,
    officer: &OfficerBrowser,
    panyu: i64,
    form: ReportFields,
) -> String {
    let fields = [
        ("outcome", "penalty"),
        ("details", DECISION),
        ("document_number", DOC),
        ("published", "1"),
    ];
    decided_case(app, officer, panyu, form, &fields).await
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

const ATOM: &str = "http://www.w3.org/2005/Atom";

/// The Atom child element `name` of `n`.
fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children()
        .find(|c| c.tag_name().name() == name && c.tag_name().namespace() == Some(ATOM))
}

/// Parses an Atom 1.0 feed strictly and returns each entry's text; checks the feed's and each
/// entry's required elements.
fn atom_entries(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not XML: {e}\n{xml}"));
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().namespace(), Some(ATOM));
    assert_eq!(feed.tag_name().name(), "feed");
    for name in ["id", "title", "updated", "author"] {
        assert!(child(feed, name).is_some(), "the feed has {name}");
    }
    let updated = child(feed, "updated")
        .and_then(|u| u.text())
        .unwrap_or_default();
    assert!(
        chrono::DateTime::parse_from_rfc3339(updated).is_ok(),
        "{updated}"
    );
    feed.children()
        .filter(|c| c.tag_name().name() == "entry")
        .map(|e| {
            for name in ["id", "title", "updated", "link", "content"] {
                assert!(child(e, name).is_some(), "an entry has {name}");
            }
            let u = child(e, "updated")
                .and_then(|u| u.text())
                .unwrap_or_default();
            assert!(chrono::DateTime::parse_from_rfc3339(u).is_ok(), "{u}");
            e.descendants()
                .filter_map(|d| d.text())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}
