//! Handing substantiated cases to regulators: who is proposed, the signed package and its
//! checks (`sha256sum -c`, the signature, `reviewwatch verify`), the reporter's consent, the
//! regulator's signed links, re-sending, a second handoff, and the reminder.

use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::{
    audit_events, case_deadlines, handoffs, instance_secrets, outbox, regulators,
};
use reviewwatch::domain::CaseStatus;
use reviewwatch::handoff::links::{self, LinkAction};
use reviewwatch::handoff::signing;
use reviewwatch::handoff::verify::Finding;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::Path;

pub(crate) const REPORTER: &str = "zhou.xin@example.com";
pub(crate) const PANYU: &str = "广州市番禺区市场监督管理局";
pub(crate) const PANYU_EMAIL: &str = "panyu@amr.example.gov.cn";
const GUANGZHOU: &str = "广州市市场监督管理局";
const GUANGZHOU_EMAIL: &str = "gz@amr.example.gov.cn";

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn status_subject(number: &str, status: CaseStatus) -> String {
    zh().t2("email.status.subject", number, zh().status(status))
}

/// A report about a merchant in the county (区县) `code`, the province and city chosen to match.
pub(crate) fn in_region(form: ReportFields, code: &str) -> ReportFields {
    form.set("region_province", &format!("{}0000", &code[..2]))
        .set("region_city", &format!("{}00", &code[..4]))
        .set("region_code", code)
}

fn regulator_id(app: &TestApp, name: &str) -> i64 {
    regulators::table
        .filter(regulators::name.eq(name))
        .select(regulators::id)
        .first(&mut app.db())
        .unwrap_or_else(|e| panic!("regulator {name}: {e}"))
}

fn regulator_count(app: &TestApp) -> i64 {
    regulators::table.count().get_result(&mut app.db()).unwrap()
}

/// Sends the directory's "add" form as a supervisor would; returns the new regulator's id.
pub async fn add_regulator(
    app: &TestApp,
    supervisor: &OfficerBrowser,
    name: &str,
    kind: &str,
    region: &str,
    email: &str,
) -> i64 {
    let reply = submit_regulator(supervisor, name, kind, region, email).await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "{name} is added: {:?}",
        reply.text_of("#directory-problem")
    );
    assert_eq!(reply.location().as_deref(), Some("/officer/regulators"));
    regulator_id(app, name)
}

async fn submit_regulator(
    supervisor: &OfficerBrowser,
    name: &str,
    kind: &str,
    region: &str,
    email: &str,
) -> Reply {
    let page = supervisor.get("/officer/regulators").await;
    assert_eq!(page.status, StatusCode::OK, "the directory opens");
    let form = page
        .form("add_regulator", "/officer/regulators")
        .expect("the directory's add form");
    supervisor
        .submit(
            &form
                .fill("name", name)
                .fill("kind", kind)
                .fill("region_code", region)
                .fill("email", email),
        )
        .await
}

/// The officer's finding on every substantiated case here: it goes to the regulator.
pub(crate) const FINDING: &str =
    "好评返现卡、客服聊天记录与订单截图相互印证，认定商家以返现诱导五星好评。";

/// Files a report (confirmed from its email when it has an address), and has `officer` take
/// and substantiate it.
pub(crate) async fn substantiated_case(
    app: &TestApp,
    officer: &OfficerBrowser,
    form: &ReportFields,
    files: Vec<File>,
) -> Receipt {
    let receipt = if form.fields.iter().any(|(k, _)| k == "email") {
        app.file_confirmed_report(&app.visitor(), form, files).await
    } else {
        app.visitor().file_report(form, files).await
    };
    let n = &receipt.number;
    let taken = officer.act(n, "take", &[]).await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{n} is taken");
    let decided = officer
        .act(
            n,
            "substantiate",
            &[("note", "截图与订单对应，认定属实。"), ("finding", FINDING)],
        )
        .await;
    assert_eq!(
        decided.status,
        StatusCode::SEE_OTHER,
        "{n} is substantiated"
    );
    assert_eq!(app.case_status(n), "substantiated");
    receipt
}

/// Sends the case page's hand-off form with `regulator` chosen.
pub(crate) async fn hand_off(officer: &OfficerBrowser, number: &str, regulator: i64) {
    let reply = officer
        .act(
            number,
            "hand_off",
            &[("regulator_id", &regulator.to_string())],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "the handoff is accepted: {:?}",
        reply.text_of("#action-problem")
    );
    let case_path = format!("/officer/cases/{number}");
    assert_eq!(reply.location().as_deref(), Some(case_path.as_str()));
}

/// The officer's link to the package of handoff `seq`, from the case page.
fn package_link(page: &Reply, seq: u32) -> String {
    page.attr_of(
        &format!("#handoffs tr[data-handoff=\"{seq}\"] a[href$=\"/package\"]"),
        "href",
    )
    .unwrap_or_else(|| panic!("no package link for handoff {seq}"))
}

/// The path of the regulator's `action` link (`/handoff/{id}/{action}/{expires}/{sig}`) in the
/// email's text, which must hold it as an absolute link.
pub(crate) fn handoff_link(mail: &ParsedMail, base: &str, action: &str) -> String {
    for (i, _) in mail.text.match_indices("/handoff/") {
        let path: String = mail.text[i..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
            .collect();
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() == 6 && parts[3] == action {
            assert!(
                mail.text.contains(&format!("{base}{path}")),
                "an absolute link: {}",
                mail.text
            );
            return path;
        }
    }
    panic!("no {action} link in:\n{}", mail.text)
}

/// The handoff id, expiry and signature of a link path.
fn link_parts(path: &str) -> (i64, i64, String) {
    let parts: Vec<&str> = path.split('/').collect();
    (
        parts[2].parse().expect("a handoff id"),
        parts[4].parse().expect("an expiry"),
        parts[5].to_string(),
    )
}

/// An unpacked package: the folder and every file under it, by path inside the folder.
struct Package {
    folder: String,
    files: BTreeMap<String, Vec<u8>>,
}

impl Package {
    fn open(zip_bytes: &[u8]) -> Self {
        let entries = zip_entries(zip_bytes);
        let folder = entries
            .keys()
            .next()
            .and_then(|k| k.split_once('/'))
            .map(|(f, _)| f.to_string())
            .expect("a folder in the package");
        let files = entries
            .into_iter()
            .map(|(name, bytes)| {
                let rel = name
                    .strip_prefix(&format!("{folder}/"))
                    .unwrap_or_else(|| panic!("{name} lies outside the package folder {folder}"))
                    .to_string();
                (rel, bytes)
            })
            .collect();
        Package { folder, files }
    }

    fn file(&self, path: &str) -> &[u8] {
        self.files
            .get(path)
            .unwrap_or_else(|| panic!("no {path} in the package: {:?}", self.files.keys()))
    }

    fn case_json(&self) -> Value {
        serde_json::from_slice(self.file("case.json")).expect("case.json is JSON")
    }

    fn summary(&self) -> String {
        String::from_utf8(self.file("summary.html").to_vec()).expect("summary.html is UTF-8")
    }

    /// Writes the package out as `unzip` would, under `dir`; returns the folder.
    fn unpack(&self, dir: &Path) -> std::path::PathBuf {
        let root = dir.join(&self.folder);
        for (path, bytes) in &self.files {
            let target = root.join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&target, bytes).unwrap();
        }
        root
    }
}

/// Every file entry of a ZIP, by its full name.
pub(crate) fn zip_entries(zip_bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes)).expect("the package is a ZIP");
    let mut out = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("an entry");
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().expect("an entry name").to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("an entry that reads");
        assert!(out.insert(name.clone(), bytes).is_none(), "{name} twice");
    }
    out
}

/// A ZIP holding `entries` (what someone tampering with a package would write).
pub(crate) fn write_zip(entries: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The evidence entries of case.json.
fn evidence_of(json: &Value) -> Vec<Value> {
    json["evidence"]
        .as_array()
        .expect("case.json lists the evidence")
        .clone()
}

/// Redacts the first screenshot of a case as its officer; returns the redacted copy the
/// officers see (`…/redacted/display`).
async fn redact_first(officer: &OfficerBrowser, number: &str) -> Vec<u8> {
    let page = officer.case_page(number).await;
    let redact_path = page
        .attr_of("#evidence a[data-redact]", "href")
        .expect("a link to redact the first screenshot");
    let form = officer
        .get(&redact_path)
        .await
        .form("redact", &redact_path)
        .expect("a redaction form");
    let done = officer.submit(&form.fill("rects", "10,10,60,30")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "the redaction is made");
    let display = redact_path.trim_end_matches("/redact").to_string() + "/redacted/display";
    let copy = officer.download(&display).await;
    assert_eq!(copy.status, StatusCode::OK, "{display}");
    copy.bytes
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_merchants_most_specific_regulator_is_proposed_first_then_the_platforms() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;

    // Only supervisors keep the directory.
    assert_eq!(
        officer.get("/officer/regulators").await.status,
        StatusCode::FORBIDDEN
    );
    let csrf = officer.csrf().await;
    let refused = officer
        .post_form(
            "/officer/regulators",
            &[
                ("csrf_token", &csrf),
                ("name", PANYU),
                ("kind", "market"),
                ("region_code", "440113"),
                ("email", PANYU_EMAIL),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(regulator_count(&app), 0, "nothing was added");

    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let guangzhou = add_regulator(
        &app,
        &supervisor,
        GUANGZHOU,
        "market",
        "440100",
        GUANGZHOU_EMAIL,
    )
    .await;
    let guangdong = add_regulator(
        &app,
        &supervisor,
        "广东省市场监督管理局",
        "market",
        "440000",
        "gd@amr.example.gov.cn",
    )
    .await;
    let nationwide = add_regulator(
        &app,
        &supervisor,
        "国家市场监督管理总局",
        "market",
        "",
        "samr@example.gov.cn",
    )
    .await;
    let consumer = add_regulator(
        &app,
        &supervisor,
        "广州市消费者委员会",
        "consumer",
        "440100",
        "gz@cca.example.org.cn",
    )
    .await;
    let changning = add_regulator(
        &app,
        &supervisor,
        "上海市长宁区市场监督管理局",
        "market",
        "310105",
        "changning@amr.example.gov.cn",
    )
    .await;
    let directory = supervisor.get("/officer/regulators").await;
    assert_eq!(directory.count("#regulators tr[data-regulator]"), 6);

    // A region code that is not in the division table is refused, with a message.
    for bad in ["449999", "44011", "广州"] {
        let reply = submit_regulator(
            &supervisor,
            "某区市场监督管理局",
            "market",
            bad,
            "x@amr.example.gov.cn",
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(
            reply.text_of("#directory-problem").as_deref(),
            Some(zh().t("directory.bad_region")),
            "{bad}"
        );
    }
    assert_eq!(regulator_count(&app), 6, "no bad entry was kept");

    let proposed = |page: &Reply| -> Vec<i64> {
        page.attrs_of("select[name=regulator_id] option[data-proposed]", "value")
            .iter()
            .map(|v| v.parse().unwrap())
            .collect()
    };
    let choosable = |page: &Reply| -> Vec<i64> {
        page.attrs_of("select[name=regulator_id] option", "value")
            .iter()
            .map(|v| v.parse().unwrap())
            .collect()
    };

    // A merchant in 番禺区: the county's bureau, not the city's; the city's consumer association.
    let panyu_case = substantiated_case(
        &app,
        &officer,
        &in_region(ReportFields::zh_cn(), "440113").set("shop_name", "番禺数码专营店"),
        vec![("截图.png", png_screenshot(1100), "image/png")],
    )
    .await;
    let page = officer.case_page(&panyu_case.number).await;
    let ids = proposed(&page);
    assert_eq!(ids.first(), Some(&panyu), "the 番禺 bureau comes first");
    assert!(!ids.contains(&guangzhou), "not the city's bureau: {ids:?}");
    assert!(!ids.contains(&guangdong) && !ids.contains(&nationwide));
    assert!(ids.contains(&consumer), "{ids:?}");
    assert!(
        !ids.contains(&changning),
        "Taobao is not registered in 长宁: {ids:?}"
    );
    let mut all = choosable(&page);
    all.sort();
    assert_eq!(
        all,
        vec![panyu, guangzhou, guangdong, nationwide, consumer, changning],
        "every regulator stays choosable, once"
    );

    // A merchant in 天河区, which has no bureau in the directory: the city's.
    let tianhe_case = substantiated_case(
        &app,
        &officer,
        &in_region(ReportFields::zh_cn(), "440106").set("shop_name", "天河服饰店"),
        vec![("截图.png", png_screenshot(1101), "image/png")],
    )
    .await;
    let ids = proposed(&officer.case_page(&tianhe_case.number).await);
    assert_eq!(ids.first(), Some(&guangzhou), "the city's bureau: {ids:?}");
    assert!(!ids.contains(&panyu) && !ids.contains(&guangdong));

    // A Pinduoduo seller in 番禺区: the merchant's bureau, then the one where the platform's
    // operator is registered (长宁区, Shanghai).
    let pdd_case = substantiated_case(
        &app,
        &officer,
        &in_region(ReportFields::zh_cn(), "440113")
            .set("platform", "pinduoduo")
            .set("shop_name", "番禺拼团小店"),
        vec![("截图.png", png_screenshot(1102), "image/png")],
    )
    .await;
    let page = officer.case_page(&pdd_case.number).await;
    let ids = proposed(&page);
    assert_eq!(ids.first(), Some(&panyu), "{ids:?}");
    let at = |id: i64| ids.iter().position(|x| *x == id);
    assert!(
        at(changning).is_some_and(|c| c > 0 && at(panyu).is_some_and(|p| p < c)),
        "the platform's bureau follows the merchant's: {ids:?}"
    );
    let basis = page
        .texts_of("select[name=regulator_id] option[data-proposed]")
        .pop()
        .unwrap_or_default();
    assert!(
        basis.contains(zh().t("handoff.basis_platform")),
        "the proposal says why: {basis}"
    );
}

#[tokio::test]
async fn a_handoff_sends_one_signed_package_holding_the_case_and_bit_exact_evidence() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let png = png_screenshot(1200);
    let jpeg = jpeg_photo(1201);
    let receipt = substantiated_case(
        &app,
        &officer,
        &in_region(ReportFields::zh_cn(), "440113")
            .email(REPORTER)
            .set("also_complaint", "on"),
        vec![
            ("好评返现卡.png", png.clone(), "image/png"),
            ("聊天记录.jpg", jpeg.clone(), "image/jpeg"),
        ],
    )
    .await;
    let n = receipt.number.clone();

    hand_off(&officer, &n, panyu).await;
    let page = officer.case_page(&n).await;
    assert_eq!(page.case_status().as_deref(), Some("handed_off"));
    assert_eq!(
        page.attrs_of("#handoffs tr[data-handoff]", "data-handoff"),
        vec!["1"]
    );

    // The regulator's email: zh-CN, three signed links, the package attached.
    let received = app.mail.next_with_attachments_for(PANYU_EMAIL, WAIT).await;
    let mail = &received.mail;
    assert_eq!(mail.subject, format!("案件移交：{n}（虚假评价举报平台）"));
    assert!(
        has_cjk(&mail.text) && mail.text.contains(PANYU),
        "{}",
        mail.text
    );
    let package_path = handoff_link(mail, &app.address, "package");
    handoff_link(mail, &app.address, "acknowledge");
    handoff_link(mail, &app.address, "outcome");
    // When the links stop working: China time, with its offset.
    let until = mail
        .text
        .lines()
        .find(|l| l.starts_with("以上链接有效期至"))
        .expect("the links' expiry");
    assert!(until.contains(" +08:00"), "{until}");
    assert_eq!(received.attachments.len(), 1, "the package is attached");
    let (name, attached) = &received.attachments[0];
    assert_eq!(name, &format!("{n}-H1.zip"));

    // The link gives exactly the attached bytes, to anyone holding it; the officer's download
    // gives them again: the package was built once.
    let downloaded = app.visitor().download(&package_path).await;
    assert_eq!(downloaded.status, StatusCode::OK);
    assert_eq!(
        downloaded.header("content-type").as_deref(),
        Some("application/zip")
    );
    assert_eq!(
        &downloaded.bytes, attached,
        "the link gives the attached package"
    );
    let officers_copy = officer.download(&package_link(&page, 1)).await;
    assert_eq!(officers_copy.status, StatusCode::OK);
    assert_eq!(
        &officers_copy.bytes, attached,
        "the officer gets the same bytes"
    );
    let package_sha = sha256(attached);
    let stored = files_under(&app.data_dir.join("packages"));
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(
        stored[0].ends_with(format!("{package_sha}.zip")),
        "{stored:?}"
    );

    // The audit trail records the package's SHA-256.
    let case_id = app.case_id(&n);
    let recorded: Vec<String> = audit_events::table
        .filter(audit_events::case_id.eq(case_id))
        .filter(audit_events::action.eq("hand_off"))
        .select(audit_events::detail)
        .load(&mut app.db())
        .unwrap();
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    let detail: Value = serde_json::from_str(&recorded[0]).expect("the detail is JSON");
    assert_eq!(detail["package_sha256"], package_sha.as_str(), "{detail}");
    assert_eq!(detail["package_bytes"], attached.len(), "{detail}");

    // The package: one folder, named for the case and the handoff.
    let package = Package::open(attached);
    assert_eq!(package.folder, format!("{n}-H1"));
    let json = package.case_json();
    assert_eq!(json["schema"], "reviewwatch.case.v1");
    assert_eq!(json["case"]["number"], n.as_str());
    assert_eq!(json["case"]["kinds"]["report"], true);
    assert_eq!(json["case"]["kinds"]["complaint"], true, "also a complaint");
    assert_eq!(json["case"]["region"]["code"], "440113");
    assert_eq!(json["handoff"]["seq"], 1);
    assert_eq!(json["handoff"]["regulator"]["name"], PANYU);

    // Its evidence: metadata-free copies, each listed with its own SHA-256 and that of the
    // original as received (which stays at the portal).
    let evidence = evidence_of(&json);
    assert_eq!(evidence.len(), 2, "{evidence:?}");
    let mut evidence_paths = Vec::new();
    for (e, (name, upload)) in evidence
        .iter()
        .zip([("好评返现卡.png", &png), ("聊天记录.jpg", &jpeg)])
    {
        let path = e["file"].as_str().expect("a file path");
        assert!(
            path.starts_with("evidence/") && path.contains("-copy."),
            "{path}"
        );
        let copy = package.file(path);
        assert!(
            package.files.values().all(|f| f != upload),
            "{name}: the original is not in the package"
        );
        assert!(image::load_from_memory(copy).is_ok(), "{path} is an image");
        assert_eq!(e["sha256"], sha256(copy).as_str());
        assert_eq!(e["copy"]["sha256"], sha256(copy).as_str());
        assert_eq!(e["copy"]["bytes"], copy.len());
        assert_eq!(e["copy"]["made"], "metadata_removed");
        assert_eq!(e["original"]["sha256"], sha256(upload).as_str());
        assert_eq!(e["original"]["bytes"], upload.len());
        assert_eq!(e["original"]["in_package"], false);
        assert_eq!(e["original_name"], name);
        assert_eq!(e["redacted"], false);
        evidence_paths.push(path.to_string());
    }
    // The officer's finding is there for the regulator; the internal note is not.
    assert_eq!(json["finding"]["text"], FINDING);
    assert!(package.summary().contains(FINDING));
    assert!(!package.summary().contains("截图与订单对应，认定属实。"));
    assert!(package.summary().contains("证据副本"));
    // Its times are China time with their offset, machine-readable in `<time datetime>`.
    assert!(
        package.summary().contains("+08:00\">") && package.summary().contains(" +08:00</time>"),
        "{}",
        package.summary()
    );

    // Its audit trail: every entry before the handoff, as stored, chain intact.
    let trail = json["audit_trail"]["entries"]
        .as_array()
        .expect("the audit trail")
        .clone();
    assert_eq!(json["audit_trail"]["chain_intact"], true);
    let stored_trail: Vec<(i32, String, String)> = audit_events::table
        .filter(audit_events::case_id.eq(case_id))
        .order(audit_events::seq.asc())
        .select((audit_events::seq, audit_events::action, audit_events::hash))
        .load(&mut app.db())
        .unwrap();
    assert!(!trail.is_empty() && trail.len() < stored_trail.len());
    for (entry, (seq, action, hash)) in trail.iter().zip(&stored_trail) {
        assert_eq!(entry["seq"], *seq);
        assert_eq!(entry["action"], action.as_str());
        assert_eq!(entry["hash"], hash.as_str());
    }
    // Each time as the hash covers it (UTC, no offset) and, beside it, with its offset.
    let stored_at: Vec<chrono::NaiveDateTime> = audit_events::table
        .filter(audit_events::case_id.eq(case_id))
        .order(audit_events::seq.asc())
        .select(audit_events::at)
        .load(&mut app.db())
        .unwrap();
    for (entry, at) in trail.iter().zip(&stored_at) {
        assert_eq!(
            entry["at"],
            at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string().as_str()
        );
        let rfc = entry["at_rfc3339"].as_str().expect("at_rfc3339");
        assert!(rfc.ends_with('Z'), "{rfc}");
        assert_eq!(
            chrono::DateTime::parse_from_rfc3339(rfc)
                .unwrap()
                .naive_utc(),
            *at
        );
    }
    assert!(
        json["generated_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{}",
        json["generated_at"]
    );
    let actions: Vec<&str> = trail.iter().filter_map(|e| e["action"].as_str()).collect();
    for a in ["take", "substantiate"] {
        assert!(actions.contains(&a), "{actions:?}");
    }
    assert_eq!(
        stored_trail[trail.len()].1,
        "hand_off",
        "the handoff follows"
    );

    // The summary: Chinese, printable offline (nothing fetched from elsewhere).
    let summary = package.summary();
    assert!(summary.contains("lang=\"zh-CN\"") && has_cjk(&summary));
    assert!(summary.contains(&n) && summary.contains("案件移交摘要"));
    assert!(
        !summary.contains("src=\"http"),
        "nothing loaded from the web"
    );
    assert!(!summary.contains("<link"), "no linked stylesheet");
    for script in summary.match_indices("<script").map(|(i, _)| &summary[i..]) {
        let tag = &script[..script.find('>').unwrap_or(script.len())];
        assert!(!tag.contains("src="), "no external script: {tag}");
    }
    let sources: Vec<&str> = summary
        .match_indices("src=\"")
        .map(|(i, _)| &summary[i + 5..])
        .collect();
    assert_eq!(sources.len(), 2, "one thumbnail per screenshot");
    assert!(
        sources.iter().all(|s| s.starts_with("data:image/")),
        "thumbnails inline"
    );
    for e in &evidence {
        assert!(summary.contains(e["sha256"].as_str().unwrap()));
    }

    // SHA256SUMS lists every file but itself and its signature.
    let sums = String::from_utf8(package.file("SHA256SUMS").to_vec()).unwrap();
    let mut listed: Vec<&str> = sums
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(_, p)| p)
        .collect();
    listed.sort();
    let mut want = vec!["case.json", "summary.html"];
    want.extend(evidence_paths.iter().map(String::as_str));
    want.sort();
    assert_eq!(listed, want);
    let dir = tempfile::tempdir().unwrap();
    let unpacked = package.unpack(dir.path());
    match std::process::Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&unpacked)
        .output()
    {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("sha256sum is not installed: skipping `sha256sum -c SHA256SUMS`");
        }
        Err(e) => panic!("cannot run sha256sum: {e}"),
        Ok(out) => {
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "sha256sum -c: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(
                stdout.lines().filter(|l| l.ends_with(": OK")).count(),
                want.len(),
                "{stdout}"
            );
        }
    }

    // The signature holds against the key the portal publishes.
    let published = app
        .visitor()
        .get("/.well-known/reviewwatch-signing-key")
        .await;
    assert_eq!(published.status, StatusCode::OK);
    let key = signing::parse_public_pem(&published.body).expect("an Ed25519 public key in PEM");
    let sig = package.file("SHA256SUMS.sig");
    assert_eq!(sig.len(), 64, "a raw Ed25519 signature");
    assert!(
        signing::verify(&key, sums.as_bytes(), sig),
        "the signature holds"
    );
    assert!(!signing::verify(&key, format!("{sums}\n").as_bytes(), sig));
    let fingerprint = signing::fingerprint(&key);
    assert!(
        mail.text.contains(&fingerprint),
        "the email gives the key's fingerprint"
    );
    assert_eq!(json["signing_key_sha256"], fingerprint.replace(' ', ""));
}

/// Runs `reviewwatch verify PACKAGE --key KEY`: its exit code and what it printed.
pub(crate) fn run_verify(dir: &Path, name: &str, zip: &[u8], key_pem: &str) -> (i32, String) {
    let zip_path = dir.join(format!("{name}.zip"));
    let key_path = dir.join(format!("{name}.pem"));
    std::fs::write(&zip_path, zip).unwrap();
    std::fs::write(&key_path, key_pem).unwrap();
    run_reviewwatch(
        &[
            "verify".as_ref(),
            zip_path.as_os_str(),
            "--key".as_ref(),
            key_path.as_os_str(),
        ],
        &dir.join("data"),
        None,
    )
}

#[test]
fn reviewwatch_verify_still_accepts_a_package_made_before_audit_times_had_their_offset() {
    let dir = tempfile::tempdir().unwrap();
    let zip = include_bytes!("../fixtures/previous-package/RW-2026-000041-H1.zip");
    let key = include_str!("../fixtures/previous-package/signing-key.pub.pem");
    let old = Package::open(zip);
    let entries = old.case_json()["audit_trail"]["entries"].clone();
    let entries = entries.as_array().expect("the audit trail");
    assert!(
        entries
            .iter()
            .all(|e| e["at"].is_string() && e.get("at_rfc3339").is_none()),
        "made at 78fd6ad: `at` alone"
    );
    let (code, out) = run_verify(dir.path(), "old", zip, key);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("OK: the signature is valid and all 4 files match SHA256SUMS"),
        "{out}"
    );
}

#[tokio::test]
async fn reviewwatch_verify_accepts_the_package_and_names_each_kind_of_tampering() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let receipt = substantiated_case(
        &app,
        &supervisor,
        &in_region(ReportFields::zh_cn(), "440113"),
        vec![
            ("截图.png", png_screenshot(1300), "image/png"),
            ("照片.jpg", jpeg_photo(1301), "image/jpeg"),
        ],
    )
    .await;
    let n = receipt.number;
    hand_off(&supervisor, &n, panyu).await;
    let page = supervisor.case_page(&n).await;
    let zip = supervisor.download(&package_link(&page, 1)).await.bytes;
    let pem = app
        .visitor()
        .get("/.well-known/reviewwatch-signing-key")
        .await
        .body;
    let folder = format!("{n}-H1");
    let dir = tempfile::tempdir().unwrap();

    let (code, out) = run_verify(dir.path(), "good", &zip, &pem);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!(
            "OK: the signature is valid and all 4 files match SHA256SUMS ({folder})."
        )),
        "{out}"
    );
    let key = signing::parse_public_pem(&pem).unwrap();
    assert!(out.contains(&signing::fingerprint(&key)), "{out}");

    let entries = zip_entries(&zip);
    let json: Value = serde_json::from_slice(&entries[&format!("{folder}/case.json")]).unwrap();
    let image = evidence_of(&json)[1]["file"].as_str().unwrap().to_string();
    let image_entry = format!("{folder}/{image}");
    let flip = |bytes: &mut Vec<u8>| {
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x01;
    };

    let mut changed = entries.clone();
    flip(changed.get_mut(&image_entry).unwrap());
    let mut removed = entries.clone();
    removed.remove(&image_entry);
    let mut added = entries.clone();
    added.insert(
        format!("{folder}/evidence/03-extra.png"),
        png_screenshot(1302),
    );
    // The image changed and its line in SHA256SUMS made to match: only the signature tells.
    let mut resummed = entries.clone();
    let old_sha = sha256(&resummed[&image_entry]);
    flip(resummed.get_mut(&image_entry).unwrap());
    let new_sha = sha256(&resummed[&image_entry]);
    let sums_entry = format!("{folder}/SHA256SUMS");
    let sums = String::from_utf8(resummed[&sums_entry].clone()).unwrap();
    assert!(sums.contains(&old_sha));
    resummed.insert(sums_entry, sums.replace(&old_sha, &new_sha).into_bytes());
    let other_key_dir = tempfile::tempdir().unwrap();
    let other_pem = signing::PortalKey::load_or_create(&other_key_dir.path().join("k.pem"))
        .unwrap()
        .public_pem();

    let bad_signature = Finding::BadSignature;
    for (name, bytes, key_pem, finding, words) in [
        (
            "changed",
            write_zip(&changed),
            pem.as_str(),
            Finding::Changed {
                path: image.clone(),
            },
            "was changed",
        ),
        (
            "removed",
            write_zip(&removed),
            pem.as_str(),
            Finding::Missing {
                path: image.clone(),
            },
            "missing from the package",
        ),
        (
            "added",
            write_zip(&added),
            pem.as_str(),
            Finding::Added {
                path: "evidence/03-extra.png".into(),
            },
            "it was added",
        ),
        (
            "resummed",
            write_zip(&resummed),
            pem.as_str(),
            bad_signature.clone(),
            "the signature does not match",
        ),
        (
            "other-key",
            zip.clone(),
            other_pem.as_str(),
            bad_signature.clone(),
            "the signature does not match",
        ),
    ] {
        let (code, out) = run_verify(dir.path(), name, &bytes, key_pem);
        assert_eq!(code, 1, "{name}: {out}");
        let failed: Vec<&str> = out.lines().filter(|l| l.starts_with("FAILED: ")).collect();
        assert_eq!(failed, vec![format!("FAILED: {finding}")], "{name}: {out}");
        assert!(failed[0].contains(words), "{name}: {out}");
        assert!(
            out.contains("The package does NOT verify (1 problem(s))."),
            "{name}: {out}"
        );
        assert!(!out.contains("OK:"), "{name}: {out}");
    }
}

#[tokio::test]
async fn packages_hold_the_redacted_copy_always_and_contact_details_only_with_consent() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let private = "si.mi@example.com";
    let sharing = "gong.kai@example.com";

    for (reporter, consent, seed) in [(private, false, 1400), (sharing, true, 1410)] {
        let png = png_screenshot(seed);
        let jpeg = jpeg_photo(seed + 1);
        let mut form = in_region(ReportFields::zh_cn(), "440113")
            .email(reporter)
            .set("shop_name", &format!("番禺店铺{seed}"));
        if consent {
            form = form.set("consent_share_contact", "on");
        }
        let receipt = substantiated_case(
            &app,
            &officer,
            &form,
            vec![
                ("带手机号的截图.png", png.clone(), "image/png"),
                ("照片.jpg", jpeg.clone(), "image/jpeg"),
            ],
        )
        .await;
        let n = receipt.number;
        let redacted = redact_first(&officer, &n).await;
        assert_ne!(redacted, png);
        hand_off(&officer, &n, panyu).await;
        let page = officer.case_page(&n).await;
        let zip = officer.download(&package_link(&page, 1)).await.bytes;
        let package = Package::open(&zip);
        let json = package.case_json();
        let case_json = String::from_utf8(package.file("case.json").to_vec()).unwrap();
        let summary = package.summary();
        let evidence = evidence_of(&json);
        assert_eq!(evidence.len(), 2);
        let first = &evidence[0];
        let first_path = first["file"].as_str().unwrap();
        let second_path = evidence[1]["file"].as_str().unwrap();
        assert_ne!(
            package.file(second_path),
            jpeg.as_slice(),
            "the unredacted photo goes as a copy, never as it was received"
        );
        assert_eq!(evidence[1]["original"]["sha256"], sha256(&jpeg).as_str());
        assert_eq!(evidence[1]["copy"]["made"], "metadata_removed");
        let mail = app.mail.next_for(PANYU_EMAIL, WAIT).await;

        if consent {
            assert_eq!(json["reporter"]["contact_shared"], true);
            assert_eq!(json["reporter"]["email"], reporter);
            assert!(summary.contains(reporter), "the summary gives the contact");
        } else {
            assert_eq!(json["reporter"]["contact_shared"], false);
            assert!(json["reporter"]["email"].is_null());
            assert!(!case_json.contains(reporter), "case.json holds no email");
            assert!(!summary.contains(reporter), "summary.html holds no email");
            assert!(!mail.text.contains(reporter) && !mail.html.contains(reporter));
        }
        // With consent or without, what the officer blacked out never leaves the portal.
        {
            assert_eq!(first["redacted"], true);
            assert_eq!(first["copy"]["made"], "redacted");
            assert!(first_path.contains("-redacted"), "{first_path}");
            assert_eq!(
                package.file(first_path),
                redacted.as_slice(),
                "the redacted copy in place of the original"
            );
            assert_eq!(first["sha256"], sha256(&redacted).as_str());
            assert_eq!(first["bytes"], redacted.len());
            assert_eq!(first["original"]["sha256"], sha256(&png).as_str());
            assert_eq!(first["original"]["bytes"], png.len());
            assert!(
                package.files.values().all(|f| f != &png),
                "the original is nowhere in the package"
            );
        }
    }
}

#[tokio::test]
async fn the_regulator_acknowledges_and_records_the_outcome_once_through_signed_links() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let receipt = substantiated_case(
        &app,
        &officer,
        &in_region(ReportFields::zh_cn(), "440113").email(REPORTER),
        vec![("截图.png", png_screenshot(1500), "image/png")],
    )
    .await;
    let n = receipt.number.clone();
    hand_off(&officer, &n, panyu).await;
    app.mail
        .next_with_subject(REPORTER, &status_subject(&n, CaseStatus::HandedOff))
        .await;
    let mail = app.mail.next_for(PANYU_EMAIL, WAIT).await;
    let ack = handoff_link(&mail, &app.address, "acknowledge");
    let outcome = handoff_link(&mail, &app.address, "outcome");
    let (handoff_id, expires, sig) = link_parts(&ack);
    let regulator = app.visitor();

    // Opening the link shows a button and changes nothing.
    let before = app.case_state(&n);
    let shown = regulator.get(&ack).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains(&n) && shown.body.contains(PANYU));
    let form = shown
        .form("acknowledge", &ack)
        .expect("an acknowledge form");
    assert_eq!(app.case_state(&n), before, "a GET changes nothing");

    // A changed signature or expiry is refused; so is an expired link, however well signed.
    let other_sig = format!(
        "{}{}",
        &sig[..sig.len() - 1],
        if sig.ends_with('0') { '1' } else { '0' }
    );
    let forged = format!("/handoff/{handoff_id}/acknowledge/{expires}/{other_sig}");
    let stretched = format!(
        "/handoff/{handoff_id}/acknowledge/{}/{sig}",
        expires + 86_400
    );
    let other_handoff = format!("/handoff/{}/acknowledge/{expires}/{sig}", handoff_id + 1);
    // The acknowledgement's signature does not open the outcome page either.
    let other_action = format!("/handoff/{handoff_id}/outcome/{expires}/{sig}");
    for path in [&forged, &stretched, &other_handoff, &other_action] {
        let reply = regulator.get(path).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            reply.text_of("#error-message").as_deref(),
            Some(zh().t("handoff.link_forged"))
        );
        let posted = regulator.post_form(path, &[]).await;
        assert_eq!(posted.status, StatusCode::FORBIDDEN, "{path}");
    }
    let link_key: String = instance_secrets::table
        .filter(instance_secrets::name.eq("handoff_links"))
        .select(instance_secrets::value)
        .first(&mut app.db())
        .unwrap();
    let link_key = hex::decode(link_key).unwrap();
    let past = chrono::Utc::now().timestamp() - 60;
    let expired = links::path(
        &link_key,
        reviewwatch::domain::HandoffId(handoff_id),
        LinkAction::Acknowledge,
        past,
    );
    assert_eq!(
        links::path(
            &link_key,
            reviewwatch::domain::HandoffId(handoff_id),
            LinkAction::Acknowledge,
            expires
        ),
        ack,
        "the link is made with the instance key"
    );
    let reply = regulator.get(&expired).await;
    assert_eq!(reply.status, StatusCode::GONE);
    assert_eq!(
        reply.text_of("#error-message").as_deref(),
        Some(zh().t("handoff.link_expired"))
    );
    assert_eq!(
        regulator.post_form(&expired, &[]).await.status,
        StatusCode::GONE
    );
    assert_eq!(app.case_state(&n), before, "refused links change nothing");

    // Acknowledging: the case moves on, the reporter sees it and is told.
    let done = regulator.submit(&form).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(
        done.attr_of("#regulator-result", "data-result").as_deref(),
        Some("acknowledged")
    );
    assert_eq!(app.case_status(&n), "acknowledged");
    let tracked = app.visitor().open_case(&n, &receipt.code).await;
    assert_eq!(tracked.case_status().as_deref(), Some("acknowledged"));
    assert_eq!(
        tracked.text_of("#case-status").as_deref(),
        Some("监管部门已接收")
    );
    app.mail
        .next_with_subject(REPORTER, &status_subject(&n, CaseStatus::Acknowledged))
        .await;
    let acknowledged_at: Option<chrono::NaiveDateTime> = handoffs::table
        .find(handoff_id)
        .select(handoffs::acknowledged_at)
        .first(&mut app.db())
        .unwrap();
    assert!(acknowledged_at.is_some());

    // A second time: said to be done already, and nothing changes.
    let after = app.case_state(&n);
    let again = regulator.submit(&form).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        again.attr_of("#regulator-result", "data-result").as_deref(),
        Some("already")
    );
    assert_eq!(app.case_state(&n), after);
    let reopened = regulator.get(&ack).await;
    assert_eq!(
        reopened
            .attr_of("#regulator-result", "data-result")
            .as_deref(),
        Some("already")
    );
    assert_eq!(reopened.count("form[data-action=acknowledge]"), 0);

    // The outcome: a penalty, with its details; the case is closed and the reporter told.
    let details = "穗番市监处罚〔2026〕88号：责令停止违法行为，罚款人民币五万元。";
    let page = regulator.get(&outcome).await;
    assert_eq!(page.status, StatusCode::OK);
    let form = page
        .form("outcome", &outcome)
        .expect("an outcome form")
        .fill("outcome", "penalty")
        .fill("details", details);
    assert_eq!(app.case_state(&n), after, "a GET changes nothing");
    let recorded = regulator.submit(&form).await;
    assert_eq!(recorded.status, StatusCode::OK);
    assert_eq!(
        recorded
            .attr_of("#regulator-result", "data-result")
            .as_deref(),
        Some("recorded")
    );
    assert_eq!(app.case_status(&n), "closed");
    assert_eq!(
        app.case_row(&n).closed_reason.map(|r| r.as_str()),
        Some("penalty")
    );
    let tracked = app.visitor().open_case(&n, &receipt.code).await;
    assert_eq!(tracked.case_status().as_deref(), Some("closed"));
    let closed = app
        .mail
        .next_with_subject(REPORTER, &status_subject(&n, CaseStatus::Closed))
        .await;
    assert!(
        closed.text.contains(zh().t("outcome.penalty")) && closed.text.contains(details),
        "the reporter is told the outcome:\n{}",
        closed.text
    );
    let officer_page = officer.case_page(&n).await;
    let row = officer_page
        .text_of("#handoffs tr[data-handoff=\"1\"]")
        .unwrap_or_default();
    assert!(
        row.contains(zh().t("outcome.penalty")) && row.contains(details),
        "{row}"
    );

    let closed_state = app.case_state(&n);
    let again = regulator
        .submit(&form.clone().fill("outcome", "no_violation"))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        again.attr_of("#regulator-result", "data-result").as_deref(),
        Some("already")
    );
    assert_eq!(
        app.case_state(&n),
        closed_state,
        "the outcome is recorded once"
    );
    let stored: (Option<String>, Option<String>) = handoffs::table
        .find(handoff_id)
        .select((handoffs::outcome, handoffs::outcome_details))
        .first(&mut app.db())
        .unwrap();
    assert_eq!(stored, (Some("penalty".into()), Some(details.into())));
}

fn outbox_to(app: &TestApp, address: &str, kind: &str) -> i64 {
    outbox::table
        .filter(outbox::to_address.eq(address))
        .filter(outbox::kind.eq(kind))
        .count()
        .get_result(&mut app.db())
        .unwrap()
}

#[tokio::test]
async fn a_handoff_is_resent_and_a_second_regulator_gets_a_package_of_its_own() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let guangzhou = add_regulator(
        &app,
        &supervisor,
        GUANGZHOU,
        "market",
        "440100",
        GUANGZHOU_EMAIL,
    )
    .await;
    let receipt = substantiated_case(
        &app,
        &officer,
        &in_region(ReportFields::zh_cn(), "440113"),
        vec![("截图.png", png_screenshot(1600), "image/png")],
    )
    .await;
    let n = receipt.number;
    hand_off(&officer, &n, panyu).await;
    let first = app.mail.next_with_attachments_for(PANYU_EMAIL, WAIT).await;
    assert_eq!(outbox_to(&app, PANYU_EMAIL, "handoff"), 1);

    // Re-sending: a new mail to the same regulator, with the same package.
    let page = officer.case_page(&n).await;
    let case_path = format!("/officer/cases/{n}");
    let form = page
        .form("resend_handoff", &case_path)
        .expect("a resend form");
    let resent = officer.submit(&form).await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER);
    assert_eq!(resent.location().as_deref(), Some(case_path.as_str()));
    assert_eq!(outbox_to(&app, PANYU_EMAIL, "handoff"), 2, "a new mail");
    let second = app.mail.next_with_attachments_for(PANYU_EMAIL, WAIT).await;
    assert_eq!(second.mail.subject, first.mail.subject);
    assert_eq!(second.attachments, first.attachments, "the same package");
    assert!(
        app.audit_actions(&n)
            .contains(&"handoff_resent".to_string())
    );
    assert_eq!(app.case_status(&n), "handed_off");

    // A second handoff, to the city's bureau: a second row, a package of its own.
    hand_off(&officer, &n, guangzhou).await;
    let page = officer.case_page(&n).await;
    assert_eq!(page.case_status().as_deref(), Some("handed_off"));
    assert_eq!(
        page.attrs_of("#handoffs tr[data-handoff]", "data-handoff"),
        vec!["1", "2"]
    );
    let to_city = app
        .mail
        .next_with_attachments_for(GUANGZHOU_EMAIL, WAIT)
        .await;
    assert_eq!(to_city.attachments.len(), 1);
    assert_eq!(to_city.attachments[0].0, format!("{n}-H2.zip"));
    let one = officer.download(&package_link(&page, 1)).await.bytes;
    let two = officer.download(&package_link(&page, 2)).await.bytes;
    assert_eq!(
        one, first.attachments[0].1,
        "the first package is unchanged"
    );
    assert_eq!(two, to_city.attachments[0].1);
    assert_ne!(sha256(&one), sha256(&two));
    let package = Package::open(&two);
    assert_eq!(package.folder, format!("{n}-H2"));
    let json = package.case_json();
    assert_eq!(json["handoff"]["seq"], 2);
    assert_eq!(json["handoff"]["regulator"]["name"], GUANGZHOU);
    assert_eq!(files_under(&app.data_dir.join("packages")).len(), 2);
    let rows: Vec<(i32, String)> = handoffs::table
        .filter(handoffs::case_id.eq(app.case_id(&n)))
        .order(handoffs::seq.asc())
        .select((handoffs::seq, handoffs::package_sha256))
        .load(&mut app.db())
        .unwrap();
    assert_eq!(rows, vec![(1, sha256(&one)), (2, sha256(&two))]);
}

/// What the application's maintenance loop uses for handoffs, made from the same data.
pub(crate) fn handoff_context(app: &TestApp) -> reviewwatch::workflow::handoff::HandoffContext {
    let settings = reviewwatch::config::Settings::for_data_dir(app.data_dir.clone());
    let storage = reviewwatch::storage::Storage::local(app.data_dir.clone());
    let link_key: String = instance_secrets::table
        .filter(instance_secrets::name.eq("handoff_links"))
        .select(instance_secrets::value)
        .first(&mut app.db())
        .unwrap();
    reviewwatch::workflow::handoff::HandoffContext {
        key: std::sync::Arc::new(
            signing::PortalKey::load_or_create(&settings.signing_key_path()).unwrap(),
        ),
        link_key: hex::decode(link_key).unwrap(),
        packages: reviewwatch::storage::PackageStore::on(&storage),
        store: reviewwatch::evidence::EvidenceStore::on(&storage),
        scratch_dir: settings.tmp_dir(),
        links: reviewwatch::workflow::Links {
            base_url: app.address.clone(),
        },
        platform_answer_working_days: settings.platform_answer_working_days,
    }
}

#[tokio::test]
async fn a_handoff_unacknowledged_for_five_working_days_is_flagged_and_reminded_once() {
    use reviewwatch::workflow::handoff::send_reminders;
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let receipt = substantiated_case(
        &app,
        &officer,
        &in_region(ReportFields::zh_cn(), "440113"),
        vec![("截图.png", png_screenshot(1700), "image/png")],
    )
    .await;
    let n = receipt.number;
    hand_off(&officer, &n, panyu).await;
    app.mail.next_for(PANYU_EMAIL, WAIT).await;

    let ctx = handoff_context(&app);

    // Not yet due: not flagged, not reminded.
    assert!(!queue_numbers(&officer.queue("overdue=1").await).contains(&n));
    assert_eq!(send_reminders(&app.pool, &ctx).await.unwrap(), 0);

    // Handed off a month ago, the acknowledgement due three days ago.
    let case_id = app.case_id(&n);
    let month_ago = chrono::Utc::now().naive_utc() - chrono::TimeDelta::days(30);
    diesel::update(handoffs::table.filter(handoffs::case_id.eq(case_id)))
        .set(handoffs::created_at.eq(month_ago))
        .execute(&mut app.db())
        .unwrap();
    let due = (chrono::Utc::now() + chrono::TimeDelta::hours(8)).date_naive()
        - chrono::TimeDelta::days(3);
    diesel::update(case_deadlines::table.find(case_id))
        .set(case_deadlines::decide_by.eq(due))
        .execute(&mut app.db())
        .unwrap();

    assert_eq!(
        queue_numbers(&officer.queue("overdue=1").await),
        vec![n.clone()]
    );
    assert_eq!(officer.case_page(&n).await.count("#overdue"), 1);

    assert_eq!(send_reminders(&app.pool, &ctx).await.unwrap(), 1);
    let reminder = app.mail.next_for(PANYU_EMAIL, WAIT).await;
    assert!(
        reminder.subject.starts_with("【提醒】") && reminder.subject.contains(&n),
        "{}",
        reminder.subject
    );
    handoff_link(&reminder, &app.address, "acknowledge");
    assert!(
        app.audit_actions(&n)
            .contains(&"handoff_reminder".to_string())
    );

    // Once only.
    assert_eq!(send_reminders(&app.pool, &ctx).await.unwrap(), 0);
    assert_eq!(outbox_to(&app, PANYU_EMAIL, "handoff_reminder"), 1);
    assert_eq!(outbox_to(&app, PANYU_EMAIL, "handoff"), 1);
    let reminded: Option<chrono::NaiveDateTime> = handoffs::table
        .filter(handoffs::case_id.eq(case_id))
        .select(handoffs::reminder_sent_at)
        .first(&mut app.db())
        .unwrap();
    assert!(reminded.is_some());
}

/// A JPEG whose EXIF block carries a location, as a phone camera writes it.
fn jpeg_with_gps(seed: u32) -> Vec<u8> {
    let secret = b"GPS 23.0048N 113.3843E PANYU-HOME\0";
    let mut tiff = b"MM\0*".to_vec();
    tiff.extend_from_slice(&8u32.to_be_bytes());
    tiff.extend_from_slice(&1u16.to_be_bytes());
    // ImageDescription (ASCII), its text past the one-entry IFD.
    tiff.extend_from_slice(&0x010Eu16.to_be_bytes());
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&(secret.len() as u32).to_be_bytes());
    tiff.extend_from_slice(&26u32.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(secret);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let plain = jpeg_photo(seed);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_photo_with_a_location_leaves_only_as_a_copy_without_it_even_with_consent() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let photo = jpeg_with_gps(1500);
    assert!(contains(&photo, b"PANYU-HOME") && contains(&photo, b"Exif"));
    let form = in_region(ReportFields::zh_cn(), "440113")
        .email("gps@example.com")
        .set("consent_share_contact", "on");
    let receipt = substantiated_case(
        &app,
        &supervisor,
        &form,
        vec![("包裹照片.jpg", photo.clone(), "image/jpeg")],
    )
    .await;
    hand_off(&supervisor, &receipt.number, panyu).await;
    let received = app.mail.next_with_attachments_for(PANYU_EMAIL, WAIT).await;
    let (_, zip) = received
        .attachments
        .iter()
        .find(|(name, _)| name.ends_with(".zip"))
        .expect("the package is attached");
    let package = Package::open(zip);
    for (name, bytes) in &package.files {
        assert!(
            !contains(bytes, b"PANYU-HOME"),
            "{name} carries the location"
        );
        assert!(!contains(bytes, b"Exif"), "{name} carries EXIF");
    }
    let json = package.case_json();
    let e = &evidence_of(&json)[0];
    assert_eq!(e["original"]["sha256"], sha256(&photo).as_str());
    assert_ne!(e["copy"]["sha256"], sha256(&photo).as_str());
    assert!(
        e["copy"]["how"]
            .as_str()
            .unwrap()
            .contains("without metadata")
    );
    assert!(received.mail.text.contains("副本"), "the email says copies");
}

/// The path of the single-use original link in the regulator's decision email.
fn original_link(mail: &ParsedMail, base: &str) -> String {
    let start = mail
        .text
        .find(&format!("{base}/originals/"))
        .expect("the email holds an /originals/ link");
    let url: String = mail.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    url.trim_start_matches(base).to_string()
}

async fn post_for_bytes(visitor: &Visitor, path: &str) -> (StatusCode, Vec<u8>) {
    let res = visitor
        .client
        .post(visitor.url(path))
        .send()
        .await
        .expect("POST is answered");
    (res.status(), res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_regulator_gets_an_original_only_by_request_approval_and_a_single_use_link() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let photo = jpeg_with_gps(1600);
    let card = png_screenshot(1601);
    let receipt = substantiated_case(
        &app,
        &officer,
        &in_region(ReportFields::zh_cn(), "440113"),
        vec![
            ("好评返现卡.png", card.clone(), "image/png"),
            ("包裹照片.jpg", photo.clone(), "image/jpeg"),
        ],
    )
    .await;
    let n = receipt.number.clone();
    hand_off(&officer, &n, panyu).await;
    let mail = app.mail.next_for(PANYU_EMAIL, WAIT).await;
    let ack = handoff_link(&mail, &app.address, "acknowledge");
    let regulator = app.visitor();

    // The regulator's page offers each file; asking needs a file and a reason.
    let page = regulator.get(&ack).await;
    let ids = page.attrs_of(
        "form[data-action=request_original] input[name=evidence_id]",
        "value",
    );
    assert_eq!(ids.len(), 2, "{}", page.body);
    let path = format!("{ack}/originals");
    let no_reason = regulator
        .post_form(&path, &[("evidence_id", &ids[1])])
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        no_reason.text_of("#originals-problem").as_deref(),
        Some(zh().t("originals.reason_required"))
    );
    let forged = regulator
        .post_form(
            &format!("{}x/originals", ack),
            &[("evidence_id", &ids[1]), ("reason", "需核对拍摄时间")],
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "a forged link asks for nothing"
    );
    let asked = regulator
        .post_form(
            &path,
            &[
                ("evidence_id", &ids[1]),
                ("reason", "需核对照片拍摄时间和地点"),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert_eq!(
        asked.text_of("#originals-result").as_deref(),
        Some(zh().t1("originals.asked", 1).as_str())
    );
    // The officer is told, and sees the request on the case page.
    let notice = app.mail.next_for("li.ming@amr.example.gov.cn", WAIT).await;
    assert_eq!(
        notice.subject,
        zh().t1("email.officer.original_requested.subject", &n)
    );
    let page = officer.case_page(&n).await;
    assert_eq!(
        page.attr_of("#original-requests tr[data-original-request]", "data-state")
            .as_deref(),
        Some("requested")
    );
    let approve = page
        .form("approve_original", &format!("/officer/cases/{n}"))
        .expect("an approve form");
    assert_eq!(officer.submit(&approve).await.status, StatusCode::SEE_OTHER);

    // The regulator gets a single-use link: a page first, then the original, bit-exact, once.
    let decision = app.mail.next_for(PANYU_EMAIL, WAIT).await;
    assert!(decision.subject.contains("已同意"), "{}", decision.subject);
    let link = original_link(&decision, &app.address);
    let shown = regulator.get(&link).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains(&sha256(&photo)));
    // The link's end, in the email and on the page: China time with its offset.
    assert!(decision.text.contains(" +08:00"), "{}", decision.text);
    assert!(shown.body.contains(" +08:00</time>"), "{}", shown.body);
    let (status, bytes) = post_for_bytes(&regulator, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, photo, "the original as received");
    let (again, _) = post_for_bytes(&regulator, &link).await;
    assert_eq!(again, StatusCode::GONE, "the link works once");
    assert_eq!(regulator.get(&link).await.status, StatusCode::GONE);
    assert_eq!(
        regulator.get("/originals/not-a-real-token").await.status,
        StatusCode::NOT_FOUND
    );

    // Every step is in the audit trail.
    let actions: Vec<String> = audit_events::table
        .filter(audit_events::case_id.eq(app.case_id(&n)))
        .select(audit_events::action)
        .load(&mut app.db())
        .unwrap();
    for a in [
        "original_requested",
        "original_approved",
        "original_downloaded",
    ] {
        assert_eq!(
            actions.iter().filter(|x| *x == a).count(),
            1,
            "{a} in {actions:?}"
        );
    }

    // A refused request: the regulator is told, and no link exists.
    let asked = regulator
        .post_form(
            &path,
            &[("evidence_id", &ids[0]), ("reason", "需核对卡片原图")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    app.mail.next_for("li.ming@amr.example.gov.cn", WAIT).await;
    let page = officer.case_page(&n).await;
    let refuse = page
        .form("refuse_original", &format!("/officer/cases/{n}"))
        .expect("a refuse form");
    assert_eq!(officer.submit(&refuse).await.status, StatusCode::SEE_OTHER);
    let refusal = app.mail.next_for(PANYU_EMAIL, WAIT).await;
    assert!(refusal.subject.contains("未获同意"), "{}", refusal.subject);
    assert!(!refusal.text.contains("/originals/"));
}

/// Contacts are found for officers only (issue 11): a package carries the reporter's own
/// description as filed, and no contact anywhere else — none read from a screenshot at all.
#[tokio::test]
async fn a_package_holds_contacts_only_inside_the_reporters_own_description() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let description =
        "包裹里的返现卡写着：加V信 sd-zhaomu2026，电话138 0013 8000，五星好评返现10元。";
    let form = in_region(ReportFields::zh_cn(), "440113").set("description", description);
    let receipt = substantiated_case(
        &app,
        &officer,
        &form,
        vec![("card.png", png_screenshot(1601), "image/png")],
    )
    .await;
    let n = &receipt.number;
    // What OCR read from the screenshot, indexed as the OCR job does.
    let shot = app
        .evidence_rows()
        .into_iter()
        .find(|e| e.case_id == app.case_id(n))
        .unwrap();
    reviewwatch::db::write_transaction(&mut app.db(), |conn| {
        reviewwatch::workflow::chains::index_text(
            conn,
            shot.case_id,
            reviewwatch::domain::links::TextSource::Screenshot(shot.id),
            "扫码进群 QQ群：765432198 客服薇信 ocr_only_recruiter",
            reviewwatch::db::now(),
        )
    })
    .unwrap();
    let found: Vec<String> = reviewwatch::db::contacts::for_case(&mut app.db(), app.case_id(n))
        .unwrap()
        .into_iter()
        .map(|c| c.shown)
        .collect();
    assert_eq!(
        found,
        [
            "sd-zhaomu2026",
            "13800138000",
            "ocr_only_recruiter",
            "765432198"
        ],
        "the contacts are indexed"
    );
    hand_off(&officer, n, panyu).await;
    let page = officer.case_page(n).await;
    let zip = officer.download(&package_link(&page, 1)).await.bytes;
    let package = Package::open(&zip);
    let mut json = package.case_json();
    assert_eq!(
        json["case"]["description"], description,
        "the description as filed"
    );
    json["case"]["description"] = Value::Null;
    let summary = package.summary();
    assert_eq!(
        summary.matches(description).count(),
        1,
        "the summary quotes it once"
    );
    let mail = app.mail.next_for(PANYU_EMAIL, WAIT).await;
    let outside_description = [
        ("case.json".to_string(), json.to_string()),
        ("summary.html".to_string(), summary.replace(description, "")),
        ("mail.txt".to_string(), mail.text.clone()),
        ("mail.html".to_string(), mail.html.clone()),
    ]
    .into_iter()
    .chain(
        package
            .files
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "case.json" | "summary.html"))
            .map(|(name, bytes)| (name.clone(), String::from_utf8_lossy(bytes).into_owned())),
    );
    for (name, text) in outside_description {
        for contact in [
            "sd-zhaomu2026",
            "13800138000",
            "138 0013 8000",
            "765432198",
            "ocr_only_recruiter",
        ] {
            assert!(!text.contains(contact), "{contact} in {name}");
        }
    }
}
