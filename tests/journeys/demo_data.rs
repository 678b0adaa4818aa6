//! The demo data of `reviewwatch seed-demo` is written through the workflow's own writers, so
//! the portal works it as it works real cases: an officer signs in with a printed password,
//! takes a waiting case and hands the substantiated one off, and every trail still holds; the
//! demo walk's two cases wait for a regulator and a supervisor.

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
    let (pool, _) = reviewwatch::startup::open_database(&settings)
        .await
        .expect("the seeded database");
    let mut seeded = pool.get().expect("a connection");
    // Every screenshot is in the near-identical index already, as a filed one is, before the
    // app's first start (whose housekeeping would index any left out from their thumbnails).
    assert!(
        db::image_index::unindexed(&mut seeded, None, 10)
            .unwrap()
            .is_empty()
    );
    let files: i64 = schema::evidence::table
        .filter(schema::evidence::thumb_sha256.is_not_null())
        .count()
        .get_result(&mut seeded)
        .unwrap();
    let indexed: i64 = schema::image_hashes::table
        .count()
        .get_result(&mut seeded)
        .unwrap();
    let chunks: i64 = schema::image_hash_chunks::table
        .count()
        .get_result(&mut seeded)
        .unwrap();
    assert_eq!(indexed, files);
    assert_eq!(
        chunks,
        files * i64::from(reviewwatch::domain::screenshots::CHUNKS)
    );
    drop(seeded);
    drop(pool);
    let app = spawn_app_on(storage, |_| {}).await;
    let walk = summary.walk.as_ref().expect("the demo walk");
    let walk_cases = [
        app.case_id(&walk.awaiting_acknowledgement.number),
        app.case_id(&walk.penalised.number),
    ];
    assert!(
        app.outbox()
            .iter()
            .all(|m| m.case_id.is_some_and(|c| walk_cases.contains(&c))),
        "demo data mails nobody but the walk's demo addresses"
    );

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
        "the chains' reports are filed beside the 30, and the walk's two"
    );
    assert_eq!(ids.len(), 39);
    let mut conn = app.db();
    for id in ids {
        let trail = audit::for_case(&mut conn, id).unwrap();
        assert_eq!(audit::verify(&trail), Ok(()), "case {id}");
    }
    assert_eq!(db::cases::count(&mut conn).unwrap(), 39);
}

/// The signed path `/handoff/{id}/{action}/{expires}/{sig}` in an email's text, whatever address
/// it was made for (the seed makes links for `BASE_URL`, not the test's port).
fn link_path(text: &str, action: &str) -> String {
    for (i, _) in text.match_indices("/handoff/") {
        let path: String = text[i..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
            .collect();
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() == 6 && parts[3] == action {
            return path;
        }
    }
    panic!("no {action} link in:\n{text}")
}

/// The demo walk of issue 13: one case handed off and waiting for its regulator (its handoff
/// email in the outbox, its platform notice waiting with a desk), one closed with a published
/// penalty waiting for a supervisor's approval; seeding again adds neither twice. The walk
/// itself then works: the reporter tracks A with the printed code, the regulator acknowledges
/// through the emailed link and the desk hears of it; the supervisor publishes B's record.
#[tokio::test]
async fn the_demo_walk_waits_for_a_regulator_and_a_supervisor_and_is_seeded_once() {
    use reviewwatch::domain::outcome::Outcome;
    let storage = Storage::fresh();
    let settings = storage.settings();
    let options = Options {
        cases: 5,
        seed: seed::DEFAULT_SEED,
        images: 2,
    };
    let first = seed::seed_demo(&settings, options, |_, _, _| {})
        .await
        .expect("the demo data is written");
    let walk = first.walk.clone().expect("the demo walk");
    let (a, b) = (&walk.awaiting_acknowledgement, &walk.penalised);
    assert!(a.filed_now && b.filed_now);
    assert_ne!(a.number, b.number);
    let code = a.receipt.clone().expect("A's receipt code, printed");
    let printed = first.render("http://portal.test");
    let block = &printed[printed.find("Demo walk").expect("the walk is printed")..];
    for shown in [&a.number, &b.number, &code] {
        assert!(block.contains(shown.as_str()), "{shown} in:\n{block}");
    }
    assert!(
        printed.contains("Officer logins:"),
        "the rest is still printed"
    );

    // Seeding again on the same folder works and leaves the walk as it was.
    let second = seed::seed_demo(&settings, options, |_, _, _| {})
        .await
        .expect("seeding again works");
    let again = second.walk.clone().expect("the demo walk");
    assert_eq!(again.awaiting_acknowledgement.number, a.number);
    assert_eq!(again.penalised.number, b.number);
    assert!(!again.awaiting_acknowledgement.filed_now && !again.penalised.filed_now);
    assert!(second.render("http://portal.test").contains(&a.number));

    // What the walk starts from, before the portal runs.
    let (pool, _) = reviewwatch::startup::open_database(&settings)
        .await
        .expect("the database");
    let mut conn = pool.get().unwrap();
    let case_of = |conn: &mut reviewwatch::db::DbConnection, number: &str| {
        let n = reviewwatch::domain::CaseNumber::parse(number).unwrap();
        db::cases::find_by_number(conn, &n).unwrap().unwrap()
    };
    let case_a = case_of(&mut conn, &a.number);
    let case_b = case_of(&mut conn, &b.number);
    for (case, number) in [(&case_a, &a.number), (&case_b, &b.number)] {
        let filed: i64 = schema::cases::table
            .filter(schema::cases::merchant_key.eq(case.merchant_key.clone().unwrap()))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(filed, 1, "{number} is seeded once");
        assert!(case.reporter_email.is_some() && case.consent_share_platform);
        assert!(db::findings::of_case(&mut conn, case.id).unwrap().is_some());
        assert!(db::evidence::for_case(&mut conn, case.id).unwrap().len() >= 2);
        let trail = audit::for_case(&mut conn, case.id).unwrap();
        assert_eq!(audit::verify(&trail), Ok(()), "{number}");
    }

    // A: handed off once, not acknowledged, its handoff email waiting with the acknowledge link;
    // its platform notice not sent, with the platform's desk.
    assert_eq!(case_a.status.as_str(), "handed_off");
    let handoffs_a = db::handoffs::for_case(&mut conn, case_a.id).unwrap();
    assert_eq!(handoffs_a.len(), 1);
    let h = &handoffs_a[0].0;
    assert!(h.acknowledged_at.is_none() && h.outcome.is_none());
    let regulator = db::regulators::get(&mut conn, h.regulator_id).unwrap();
    assert_eq!(
        regulator.region_code.as_deref(),
        Some("440106"),
        "the proposed bureau"
    );
    let (to, body, sent): (String, String, Option<chrono::NaiveDateTime>) = schema::outbox::table
        .find(h.outbox_id.expect("the handoff's email"))
        .select((
            schema::outbox::to_address,
            schema::outbox::body_text,
            schema::outbox::sent_at,
        ))
        .first(&mut conn)
        .unwrap();
    assert_eq!(to, regulator.email);
    assert!(sent.is_none(), "it waits for the portal to start");
    let ack = link_path(&body, "acknowledge");
    let notice = db::platform_notices::of_case(&mut conn, case_a.id)
        .unwrap()
        .expect("A's platform notice");
    assert!(notice.sent_at.is_none() && notice.responded_at.is_none());
    let desk = db::platform_desks::get(&mut conn, notice.desk_id.expect("a desk")).unwrap();
    assert!(desk.email.ends_with(".example"));

    // B: closed by a published penalty with its document number: a record candidate.
    assert_eq!(case_b.status.as_str(), "closed");
    let handoffs_b = db::handoffs::for_case(&mut conn, case_b.id).unwrap();
    assert_eq!(handoffs_b.len(), 1);
    let hb = &handoffs_b[0].0;
    assert_eq!(hb.outcome, Some(Outcome::Penalty));
    assert!(hb.outcome_published);
    let document = hb
        .outcome_document_number
        .clone()
        .expect("a document number");
    assert!(document.starts_with("杭余市监罚〔"), "{document}");
    let entries: Vec<(i64, String, Option<chrono::NaiveDateTime>)> = schema::record_entries::table
        .filter(schema::record_entries::case_id.eq(case_b.id))
        .select((
            schema::record_entries::id,
            schema::record_entries::status,
            schema::record_entries::approved_at,
        ))
        .load(&mut conn)
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].1, "candidate");
    assert!(entries[0].2.is_none(), "not approved by the seed");

    // Only the walk's cases queued mail.
    let mailed: Vec<Option<reviewwatch::domain::CaseId>> = schema::outbox::table
        .select(schema::outbox::case_id)
        .load(&mut conn)
        .unwrap();
    assert!(
        mailed
            .iter()
            .all(|c| *c == Some(case_a.id) || *c == Some(case_b.id))
    );
    drop(conn);
    drop(pool);

    // The walk: the reporter tracks A with the printed code.
    let app = spawn_app_on(storage, |_| {}).await;
    let tracked = app.visitor().open_case(&a.number, &code).await;
    assert_eq!(tracked.case_status().as_deref(), Some("handed_off"));

    // The regulator acknowledges through the emailed link; the notice goes to the desk.
    app.mail.next_for(&to, WAIT).await;
    let regulator_browser = app.visitor();
    let shown = regulator_browser.get(&ack).await;
    assert_eq!(shown.status, StatusCode::OK);
    let form = shown
        .form("acknowledge", &ack)
        .expect("an acknowledge form");
    regulator_browser.submit(&form).await;
    assert_eq!(app.case_status(&a.number), "acknowledged");
    let notice_mail = app.mail.next_for(&desk.email, WAIT).await;
    assert!(
        notice_mail.subject.contains(&a.number),
        "{}",
        notice_mail.subject
    );
    assert!(notice_mail.text.contains("/platform/"), "the desk's link");

    // The supervisor publishes B's record.
    let boss = first
        .logins
        .iter()
        .find(|l| l.name == "王主管")
        .expect("the supervisor's printed password");
    let supervisor = app.visitor();
    let signed_in = supervisor
        .log_in(&boss.email, boss.password.as_deref().unwrap())
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    let desk_page = supervisor.get("/officer/record").await;
    assert!(desk_page.body.contains(&document));
    let approve = desk_page
        .form("approve_record", "/officer/record")
        .expect("approve_record");
    assert_eq!(
        supervisor.submit(&approve).await.status,
        StatusCode::SEE_OTHER
    );
    let public = app.visitor().get("/record").await;
    assert_eq!(
        public
            .attr_of("article.record-entry", "data-document")
            .as_deref(),
        Some(document.as_str())
    );
}
