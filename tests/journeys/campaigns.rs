//! Campaigns, as officers work them: linked cases grouped into one from a case page, cases
//! added and removed (each change audited), the members substantiated with one finding, and the
//! campaign handed to a regulator as one signed package that `reviewwatch verify` and
//! `sha256sum -c` accept and that fails after tampering; the regulator acknowledges it whole.

use crate::handoff::{FINDING, add_regulator, handoff_context, run_verify, write_zip, zip_entries};
use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::{campaigns, cases, outbox};
use serde_json::Value;

/// The recruiter's WeChat id every report of the chain names.
const RECRUITER: &str = "sd-zhaomu2026";

/// Files three reports of one chain (the recruiter's WeChat id, three platforms, three shops)
/// with reporters' addresses, confirmed; and one unrelated report.
async fn chain(app: &TestApp) -> (Vec<Receipt>, Receipt) {
    let mut chain = Vec::new();
    for (i, (platform, shop, url, addr)) in [
        (
            "taobao",
            "优品家居旗舰店",
            "https://shop700001.taobao.com/",
            "a@example.com",
        ),
        (
            "douyin",
            "美妆小铺",
            "https://haohuo.jinritemai.com/views/shop/index?id=AbCdEf",
            "b@example.com",
        ),
        (
            "jd",
            "数码专营店",
            "https://mall.jd.com/index-700003.html",
            "c@example.com",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let form = ReportFields::zh_cn()
            .set("platform", platform)
            .set("shop_name", shop)
            .set("shop_url", url)
            .set(
                "description",
                &format!(
                    "包裹里有好评返现卡：五星好评截图发给客服返现 {}元，加V信：{RECRUITER} 领取。",
                    5 + i
                ),
            )
            .email(addr);
        let files = vec![("截图.png", png_screenshot(500 + i as u32), "image/png")];
        chain.push(
            app.file_confirmed_report(&app.visitor(), &form, files)
                .await,
        );
    }
    let other = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn()
                .set("shop_name", "无关小店")
                .set("shop_url", "https://shop999999.taobao.com/"),
            vec![("截图.png", png_screenshot(900), "image/png")],
        )
        .await;
    (chain, other)
}

fn campaign_of(app: &TestApp, number: &str) -> Option<i64> {
    cases::table
        .filter(cases::case_number.eq(number))
        .select(cases::campaign_id)
        .first::<Option<i64>>(&mut app.db())
        .expect("the case")
}

fn campaign_count(app: &TestApp) -> i64 {
    campaigns::table
        .count()
        .get_result(&mut app.db())
        .expect("count")
}

fn members(page: &Reply) -> Vec<String> {
    let mut m = page.attrs_of("#campaign-members tr.campaign-member", "data-case");
    m.sort();
    m
}

fn sorted(receipts: &[Receipt]) -> Vec<String> {
    let mut n: Vec<String> = receipts.iter().map(|r| r.number.clone()).collect();
    n.sort();
    n
}

/// Groups the chain into a new campaign from the first case's page, with the suggested cases
/// ticked as the page offers them. Returns the campaign page's path.
async fn link_chain(officer: &OfficerBrowser, first: &str, name: &str) -> String {
    let page = officer.case_page(first).await;
    let form = page
        .form("link_campaign", &format!("/officer/cases/{first}"))
        .expect("the link_campaign form");
    let reply = officer.submit(&form.fill("campaign_name", name)).await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "{:?}",
        reply.text_of("#action-problem")
    );
    reply.location().expect("to the campaign page")
}

#[tokio::test]
async fn linked_cases_become_one_campaign_and_each_change_is_audited() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let (chain, other) = chain(&app).await;

    // The first case offers the others as ticked boxes: the shared WeChat id is a strong link.
    let page = officer.case_page(&chain[0].number).await;
    let offered = page.attrs_of("#case-campaign input[name=also]", "value");
    for r in &chain[1..] {
        assert!(
            offered.contains(&r.number),
            "{} offered: {offered:?}",
            r.number
        );
    }
    assert!(
        !offered.contains(&other.number),
        "an unrelated case is not offered"
    );
    assert_eq!(
        page.count("#case-campaign input[name=also][checked]"),
        2,
        "strong links come ticked"
    );

    let path = link_chain(&officer, &chain[0].number, "体验官招募 sd-zhaomu2026").await;
    assert!(path.starts_with("/officer/campaigns/"), "{path}");
    let campaign = officer.get(&path).await;
    assert_eq!(campaign.status, StatusCode::OK);
    assert_eq!(members(&campaign), sorted(&chain));
    assert!(
        campaign
            .text_of("#campaign-name")
            .is_some_and(|t| t.contains("体验官招募 sd-zhaomu2026"))
    );
    // The shared contact, in all three, and the three platforms.
    assert_eq!(
        campaign.attrs_of(
            "#campaign-contacts tr[data-contact-kind]",
            "data-contact-kind"
        ),
        vec!["wechat".to_string()]
    );
    assert!(
        campaign
            .text_of("#campaign-contacts tr[data-contact-kind=wechat]")
            .is_some_and(|t| t.contains(RECRUITER) && t.contains('3'))
    );
    assert_eq!(campaign.count("#campaign-platforms tr"), 3);
    // The graph, drawn on the server, and the same facts in a table.
    assert_eq!(campaign.count("#campaign-graph svg.graph-canvas"), 1);
    assert_eq!(campaign.count("#campaign-graph-table tbody tr"), 3);
    assert_eq!(
        campaign.count("#campaign-evidence .campaign-evidence-case"),
        3
    );
    for r in &chain {
        assert!(
            app.audit_actions(&r.number)
                .contains(&"campaign_joined".to_string()),
            "{} audited",
            r.number
        );
        let case = officer.case_page(&r.number).await;
        assert!(
            case.attr_of("#campaign-membership", "data-campaign")
                .is_some()
        );
    }
    let id = campaign_of(&app, &chain[0].number).expect("in a campaign");

    // A case in a campaign cannot join another: the whole step is refused, nothing stored.
    let other_page = officer.case_page(&other.number).await;
    let form = other_page
        .form("link_campaign", &format!("/officer/cases/{}", other.number))
        .expect("the form")
        .fill("campaign_name", "另一个")
        .fill("also", &chain[1].number);
    let refused = officer.submit(&form).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.text_of("#action-problem").as_deref(),
        Some(zh().t("campaign.in_another"))
    );
    assert_eq!(campaign_of(&app, &other.number), None);
    assert_eq!(campaign_count(&app), 1, "no half-made campaign");

    // Neither a name nor a campaign: told so.
    let form = other_page
        .form("link_campaign", &format!("/officer/cases/{}", other.number))
        .expect("the form");
    let refused = officer.submit(&form).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.text_of("#action-problem").as_deref(),
        Some(zh().t("campaign.name_or_choice"))
    );

    // Removed from the campaign page, then added back by its number; each change audited.
    let removed = officer
        .submit(
            &campaign
                .form("unlink_campaign", &path)
                .expect("a remove form")
                .fill("case", &chain[2].number),
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(campaign_of(&app, &chain[2].number), None);
    assert!(
        app.audit_actions(&chain[2].number)
            .contains(&"campaign_left".to_string())
    );
    let page = officer.get(&path).await;
    assert_eq!(members(&page), sorted(&chain[..2]));
    assert_eq!(
        page.count("#campaign-timeline li[data-event=case_removed]"),
        1
    );

    let added = officer
        .submit(
            &page
                .form("add_to_campaign", &path)
                .expect("the add form")
                .fill("case", &chain[2].number),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert_eq!(campaign_of(&app, &chain[2].number), Some(id));
    let page = officer.get(&path).await;
    assert_eq!(members(&page), sorted(&chain));
    assert_eq!(
        page.count("#campaign-timeline li[data-event=case_added]"),
        4
    );

    // An unknown number is named as such; the campaign is as it was.
    let unknown = officer
        .submit(
            &page
                .form("add_to_campaign", &path)
                .expect("the add form")
                .fill("case", "RW-2026-999999"),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        unknown.text_of("#action-problem").as_deref(),
        Some(zh().t("campaign.unknown_case"))
    );
    assert_eq!(members(&officer.get(&path).await), sorted(&chain));

    // Joining an existing campaign from another case page, by its id.
    let page = officer.case_page(&other.number).await;
    let form = page
        .form("link_campaign", &format!("/officer/cases/{}", other.number))
        .expect("the form")
        .fill("campaign_id", &id.to_string());
    assert_eq!(officer.submit(&form).await.status, StatusCode::SEE_OTHER);
    assert_eq!(campaign_of(&app, &other.number), Some(id));
    assert_eq!(
        officer.get("/officer/campaigns/999999").await.status,
        StatusCode::NOT_FOUND
    );
    let list = officer.get("/officer/campaigns").await;
    assert_eq!(list.count("#campaign-list tr[data-campaign]"), 1);
}

fn outbox_kinds(app: &TestApp, kind: &str) -> i64 {
    outbox::table
        .filter(outbox::kind.eq(kind))
        .count()
        .get_result(&mut app.db())
        .expect("count")
}

/// The regulator's campaign link of `action` in the email (`/handoff/campaign/{id}/{action}/…`).
fn campaign_link(mail: &ParsedMail, action: &str) -> String {
    for (i, _) in mail.text.match_indices("/handoff/campaign/") {
        let path: String = mail.text[i..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        if path.split('/').nth(4) == Some(action) {
            return path;
        }
    }
    panic!("no {action} link in:\n{}", mail.text)
}

/// A supervisor, who has added the 杭州 market regulator (the chain's merchants are in 杭州)
/// to the directory; the regulator's id.
async fn supervisor_and_regulator(app: &TestApp) -> (OfficerBrowser, i64) {
    let supervisor = app.supervisor("wang.fang@amr.example.gov.cn", "王芳").await;
    let regulator = add_regulator(
        app,
        &supervisor,
        "杭州市市场监督管理局",
        "market",
        "330100",
        "hz@amr.example.gov.cn",
    )
    .await;
    (supervisor, regulator)
}

#[tokio::test]
async fn a_campaign_is_substantiated_with_one_finding_and_handed_off_as_one_verified_package() {
    let app = spawn_app().await;
    let (_, regulator) = supervisor_and_regulator(&app).await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let (chain, _) = chain(&app).await;
    // One case is already substantiated on its own; the others are still submitted.
    let first = &chain[0].number;
    assert_eq!(
        officer.act(first, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let done = officer
        .act(first, "substantiate", &[("finding", FINDING), ("note", "")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let path = link_chain(&officer, first, "体验官招募").await;

    // Not all substantiated: the page lists the others and offers no handoff yet.
    let page = officer.get(&path).await;
    let mut waiting = page.attrs_of("#campaign-not-substantiated li", "data-case");
    waiting.sort();
    assert_eq!(waiting, sorted(&chain[1..]));
    assert!(page.form("hand_off_campaign", &path).is_none());
    let early = officer
        .post_form(
            &format!("{path}/handoff"),
            &[
                (
                    "csrf_token",
                    page.form("substantiate_campaign", &path)
                        .unwrap()
                        .value("csrf_token")
                        .unwrap(),
                ),
                ("regulator_id", &regulator.to_string()),
            ],
        )
        .await;
    assert_eq!(early.status, StatusCode::FORBIDDEN);
    assert_eq!(
        early.text_of("#action-problem").as_deref(),
        Some(zh().t("campaign.not_all_substantiated"))
    );

    // An empty finding is refused; then one finding substantiates both, each step audited.
    let form = page.form("substantiate_campaign", &path).expect("the form");
    let refused = officer.submit(&form.clone().fill("finding", "  ")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.case_status(&chain[1].number), "submitted");
    let finding =
        "三家店铺的好评返现卡均留同一微信号 sd-zhaomu2026，话术一致，认定为同一刷单组织者招募。";
    let ok = officer.submit(&form.fill("finding", finding)).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    for r in &chain[1..] {
        assert_eq!(app.case_status(&r.number), "substantiated");
        let actions = app.audit_actions(&r.number);
        assert!(
            actions.contains(&"take".to_string()) && actions.contains(&"substantiate".to_string()),
            "{actions:?}"
        );
        assert_eq!(
            app.case_row(&r.number).assigned_officer_id,
            Some(officer.account.id)
        );
    }

    // Handed off as one.
    let page = officer.get(&path).await;
    assert_eq!(page.count("#campaign-all-substantiated"), 1);
    let form = page
        .form("hand_off_campaign", &path)
        .expect("the handoff form");
    assert!(
        page.count("#campaign-handoffs option[data-proposed]") >= 1,
        "a regulator is proposed"
    );
    let sent = officer
        .submit(&form.fill("regulator_id", &regulator.to_string()))
        .await;
    assert_eq!(
        sent.status,
        StatusCode::SEE_OTHER,
        "{:?}",
        sent.text_of("#action-problem")
    );
    for r in &chain {
        assert_eq!(app.case_status(&r.number), "handed_off");
    }
    // Each reporter is told; the regulator gets one email for the campaign, none per case.
    for addr in ["a@example.com", "b@example.com", "c@example.com"] {
        let subject = |n: &str| {
            zh().t2(
                "email.status.subject",
                n,
                zh().status(reviewwatch::domain::CaseStatus::HandedOff),
            )
        };
        let number = &chain[["a@example.com", "b@example.com", "c@example.com"]
            .iter()
            .position(|a| *a == addr)
            .unwrap()]
        .number;
        app.mail.next_with_subject(addr, &subject(number)).await;
    }
    let mail = app.mail.next_for("hz@amr.example.gov.cn", WAIT).await;
    assert!(mail.subject.contains("体验官招募"), "{}", mail.subject);
    assert!(mail.text.contains(finding));
    for r in &chain {
        assert!(mail.text.contains(&r.number));
    }
    assert_eq!(outbox_kinds(&app, "handoff"), 0);
    assert_eq!(outbox_kinds(&app, "campaign_handoff"), 1);

    // The package, from the officer's link and from the regulator's: the same bytes.
    let page = officer.get(&path).await;
    let link = page
        .attr_of("#campaign-handoffs a.campaign-package", "href")
        .expect("a package link");
    let zip = officer.get_bytes(&link).await;
    assert_eq!(zip.status, StatusCode::OK);
    assert_eq!(zip.content_type, "application/zip");
    let regulator_zip = app
        .visitor()
        .get_bytes(&campaign_link(&mail, "package"))
        .await;
    assert_eq!(regulator_zip.bytes, zip.bytes);
    let id = campaign_of(&app, first).expect("a campaign");
    let folder = format!("CAMPAIGN-{id}-H1");
    let entries = zip_entries(&zip.bytes);
    let json: Value =
        serde_json::from_slice(&entries[&format!("{folder}/campaign.json")]).expect("JSON");
    assert_eq!(json["schema"], "reviewwatch.campaign.v1");
    assert_eq!(json["campaign"]["finding"], finding);
    assert_eq!(json["cases"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["contacts"][0]["kind"], "wechat");
    let summary = String::from_utf8(entries[&format!("{folder}/summary.html")].clone()).unwrap();
    assert!(summary.contains("<svg") && summary.contains(finding));
    for r in &chain {
        let case: Value =
            serde_json::from_slice(&entries[&format!("{folder}/{}/case.json", r.number)])
                .expect("each case in its folder");
        assert_eq!(case["case"]["number"], r.number.as_str());
        assert!(
            entries
                .keys()
                .any(|k| k.starts_with(&format!("{folder}/{}/evidence/", r.number)))
        );
    }
    assert!(
        !summary.contains("a@example.com"),
        "no reporter address without consent"
    );

    // `reviewwatch verify` and `sha256sum -c` accept it; a changed screenshot is named.
    let key = app
        .visitor()
        .get("/.well-known/reviewwatch-signing-key")
        .await
        .body;
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = run_verify(dir.path(), "campaign", &zip.bytes, &key);
    assert_eq!(code, 0, "{out}");
    let unpacked = dir.path().join("unpacked");
    for (name, bytes) in &entries {
        let target = unpacked.join(name);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(&target, bytes).unwrap();
    }
    match std::process::Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(unpacked.join(&folder))
        .output()
    {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("sha256sum is not installed: skipping `sha256sum -c SHA256SUMS`");
        }
        Err(e) => panic!("cannot run sha256sum: {e}"),
        Ok(o) => assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout)),
    }
    let mut tampered = entries.clone();
    let evidence = tampered
        .keys()
        .find(|k| k.contains("/evidence/"))
        .cloned()
        .expect("an evidence file");
    tampered.get_mut(&evidence).unwrap()[40] ^= 1;
    let (code, out) = run_verify(dir.path(), "tampered", &write_zip(&tampered), &key);
    assert_ne!(code, 0, "{out}");
    let inside = evidence.strip_prefix(&format!("{folder}/")).unwrap();
    assert!(out.contains(inside), "names {inside}: {out}");

    // The regulator acknowledges the whole campaign once; every case moves on, each reporter told.
    let ack = campaign_link(&mail, "acknowledge");
    let page = app.visitor().get(&ack).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.count("#campaign-cases tr[data-case] a.outcome-link"),
        3
    );
    let done = app.visitor().post_form(&ack, &[]).await;
    assert_eq!(
        done.attr_of("#regulator-result", "data-result").as_deref(),
        Some("acknowledged")
    );
    for r in &chain {
        assert_eq!(app.case_status(&r.number), "acknowledged");
        // Each case's platform notice may go from the campaign's acknowledgement (here no desk
        // covers the platform yet: it waits for one, listed for supervisors).
        let notice =
            reviewwatch::db::platform_notices::of_case(&mut app.db(), app.case_id(&r.number))
                .expect("read")
                .expect("every member has a platform notice");
        assert!(notice.not_before <= chrono::Utc::now().naive_utc());
    }
    let again = app.visitor().post_form(&ack, &[]).await;
    assert_eq!(
        again.attr_of("#regulator-result", "data-result").as_deref(),
        Some("already")
    );
    // A forged link opens nothing.
    let last = if ack.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &ack[..ack.len() - 1]);
    assert_eq!(
        app.visitor().get(&forged).await.status,
        StatusCode::FORBIDDEN
    );
    // One case's outcome, through its own link.
    let outcome = page
        .attr_of("#campaign-cases tr[data-case] a.outcome-link", "href")
        .expect("an outcome link");
    assert_eq!(app.visitor().get(&outcome).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_unacknowledged_campaign_is_reminded_of_once_as_a_whole() {
    use reviewwatch::db::schema::{campaign_handoffs, handoffs};
    let app = spawn_app().await;
    let (supervisor, regulator) = supervisor_and_regulator(&app).await;
    let (chain, _) = chain(&app).await;
    let path = link_chain(&supervisor, &chain[0].number, "体验官招募").await;
    let page = supervisor.get(&path).await;
    let form = page.form("substantiate_campaign", &path).expect("the form");
    let done = supervisor.submit(&form.fill("finding", FINDING)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = supervisor.get(&path).await;
    let form = page
        .form("hand_off_campaign", &path)
        .expect("the handoff form");
    let sent = supervisor
        .submit(&form.fill("regulator_id", &regulator.to_string()))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    app.mail.next_for("hz@amr.example.gov.cn", WAIT).await;

    let ctx = handoff_context(&app);
    let remind = || reviewwatch::workflow::handoff::send_reminders(&app.pool, &ctx);
    assert_eq!(remind().await.unwrap(), 0, "not due yet");
    let month_ago = chrono::Utc::now().naive_utc() - chrono::TimeDelta::days(30);
    diesel::update(campaign_handoffs::table)
        .set(campaign_handoffs::created_at.eq(month_ago))
        .execute(&mut app.db())
        .unwrap();
    diesel::update(handoffs::table)
        .set(handoffs::created_at.eq(month_ago))
        .execute(&mut app.db())
        .unwrap();
    // One reminder for the campaign, none for its three cases alone.
    assert_eq!(remind().await.unwrap(), 1);
    let reminder = app.mail.next_for("hz@amr.example.gov.cn", WAIT).await;
    assert!(
        reminder.subject.starts_with("【提醒】") && reminder.subject.contains("体验官招募"),
        "{}",
        reminder.subject
    );
    assert!(reminder.text.contains("/handoff/campaign/"));
    assert_eq!(remind().await.unwrap(), 0, "once only");
    assert_eq!(outbox_kinds(&app, "campaign_handoff_reminder"), 1);
    assert_eq!(outbox_kinds(&app, "handoff_reminder"), 0);
}
