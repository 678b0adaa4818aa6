//! The demo data of `reviewwatch seed-demo` is written through the workflow's own writers, so
//! the portal works it as it works real cases: an officer signs in with a printed password,
//! takes a waiting case and hands the substantiated one off, and every trail still holds.

use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::{self, audit, schema};
use reviewwatch::handoff::signing::PortalKey;
use reviewwatch::handoff::verify;
use reviewwatch::seed::{self, Options};

#[tokio::test]
async fn demo_cases_are_worked_like_real_ones_and_their_trails_hold() {
    let storage = Storage::fresh();
    let settings = storage.settings();
    let summary = seed::seed_demo(
        &settings,
        Options {
            cases: 30,
            seed: seed::DEFAULT_SEED,
            images: 4,
        },
        |_, _, _| {},
    )
    .await
    .expect("the demo data is written");
    let app = spawn_app_on(storage, |_| {}).await;
    assert!(app.outbox().is_empty(), "demo data mails nobody");

    // 李明 signs in with the password the command printed.
    let li = summary
        .logins
        .iter()
        .find(|l| l.name == "李明")
        .expect("李明's login");
    let visitor = app.visitor();
    let reply = visitor
        .log_in(&li.email, li.password.as_deref().expect("a new password"))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let officer = OfficerBrowser {
        visitor,
        account: OfficerAccount {
            id: li.id,
            email: li.email.clone(),
            name: li.name.clone(),
        },
    };

    // A newcomer's case, waiting in the queue, is taken.
    let waiting = &summary.newcomer_cases[0];
    let taken = officer.act(waiting, "take", &[]).await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER);
    assert_eq!(app.case_status(waiting), "in_review");

    // The 番禺区 case, substantiated by 李明, is handed off: its package is built from the demo
    // screenshots and verifies.
    let panyu = summary.panyu_case.as_deref().expect("the 番禺区 case");
    let regulator: i64 = schema::regulators::table
        .filter(schema::regulators::region_code.eq("440113"))
        .select(schema::regulators::id)
        .first(&mut app.db())
        .expect("the demo directory has 番禺区");
    let handed = officer
        .act(
            panyu,
            "hand_off",
            &[("regulator_id", &regulator.to_string())],
        )
        .await;
    assert_eq!(
        handed.status,
        StatusCode::SEE_OTHER,
        "{:?}",
        handed.text_of("#action-problem")
    );
    assert_eq!(app.case_status(panyu), "handed_off");
    let sha: String = schema::handoffs::table
        .filter(schema::handoffs::case_id.eq(app.case_id(panyu)))
        .select(schema::handoffs::package_sha256)
        .first(&mut app.db())
        .unwrap();
    let zip = std::fs::read(app.data_dir.join("packages").join(format!("{sha}.zip"))).unwrap();
    let key = PortalKey::load_or_create(&settings.signing_key_path()).unwrap();
    let report = verify::verify_bytes(&zip, &key.verifying_key());
    assert!(report.is_valid(), "{:?}", report.findings);
    assert_eq!(
        report.files_checked, 4,
        "case.json, summary and two screenshots"
    );

    // The chains in the demo data show on their cases: the recruiter's contacts, the card photo's
    // variants, the templated review.
    let chain = &summary.chain_cases;
    let reasons = |page: &Reply, other: &str| {
        page.attrs_of(
            &format!("#related-cases li.related-case[data-case=\"{other}\"] li[data-reason]"),
            "data-reason",
        )
    };
    let first = officer.case_page(&chain[0]).await;
    assert!(reasons(&first, &chain[1]).contains(&"same_contact".to_string()));
    assert!(reasons(&first, &chain[2]).contains(&"same_contact".to_string()));
    for variant in &chain[1..4] {
        let r = reasons(&first, variant);
        assert!(
            r.contains(&"similar_screenshot".to_string()),
            "{variant}: {r:?}"
        );
    }
    let templated = officer.case_page(&chain[4]).await;
    for other in &chain[5..7] {
        let r = reasons(&templated, other);
        assert!(r.contains(&"similar_text".to_string()), "{other}: {r:?}");
    }
    // The templated reviews are a campaign already; the recruiter's reports wait to be linked.
    let campaign = templated
        .attr_of("#campaign-membership", "data-campaign")
        .expect("the templated reviews are a campaign");
    let page = officer.get(&format!("/officer/campaigns/{campaign}")).await;
    let mut members = page.attrs_of("#campaign-members tr.campaign-member", "data-case");
    members.sort();
    assert_eq!(members, chain[4..7].to_vec());
    let first = officer.case_page(&chain[0]).await;
    assert_eq!(first.count("#campaign-membership"), 0);
    assert_eq!(
        first.count("#case-campaign form[data-action=link_campaign]"),
        1
    );

    // Every trail, demo steps and real ones after them, is one unbroken chain.
    let ids: Vec<reviewwatch::domain::CaseId> = schema::cases::table
        .select(schema::cases::id)
        .load(&mut app.db())
        .unwrap();
    assert_eq!(
        summary.chain_cases.len(),
        7,
        "the chains' reports are filed beside the 30"
    );
    assert_eq!(ids.len(), 37);
    let mut conn = app.db();
    for id in ids {
        let trail = audit::for_case(&mut conn, id).unwrap();
        assert_eq!(audit::verify(&trail), Ok(()), "case {id}");
    }
    assert_eq!(db::cases::count(&mut conn).unwrap(), 37);
}
