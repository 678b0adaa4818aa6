//! The officer's own page (issue 17, item 6): where an officer lands after signing in — their
//! open cases by the date due, overdue first; the cases waiting on reporters, regulators and
//! platforms; and what others did on their cases since they last looked, each change once.

use crate::helpers::*;
use crate::platform_notices::handed_off;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::case_deadlines;

fn ok(r: Reply, what: &str) {
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{what}: {:?}",
        r.text_of("#action-problem")
    );
}

/// The case numbers of one list of the desk, in order.
fn listed(page: &Reply, list: &str) -> Vec<String> {
    page.attrs_of(&format!("#{list} tbody tr"), "data-case")
}

/// The changes the desk lists as (case, action).
fn news(page: &Reply) -> Vec<(String, String)> {
    page.attrs_of("#desk-news li", "data-case")
        .into_iter()
        .zip(page.attrs_of("#desk-news li", "data-action"))
        .collect()
}

#[tokio::test]
async fn an_officer_lands_on_their_desk_and_hears_of_a_reporters_answer_once() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let li = app
        .create_officer("li.ming@amr.example.gov.cn", "李明", "officer")
        .await;
    let wang = app.officer("wang.fang@amr.example.gov.cn", "王芳").await;
    let mut receipts = Vec::new();
    for seed in 0..5 {
        receipts.push(
            app.visitor()
                .file_report(
                    &ReportFields::zh_cn(),
                    vec![("s.png", png_screenshot(6100 + seed), "image/png")],
                )
                .await,
        );
    }
    let Ok([soon, late, asked, assigned, theirs]) = <[(String, String); 5]>::try_from(
        receipts
            .into_iter()
            .map(|r| (r.number, r.code))
            .collect::<Vec<_>>(),
    ) else {
        panic!("five reports");
    };

    // Signing in leads to the desk.
    let browser = app.visitor();
    let signed_in = browser.log_in(&li.email, OFFICER_PASSWORD).await;
    assert_eq!(signed_in.location().as_deref(), Some("/officer/desk"));
    let officer = OfficerBrowser {
        visitor: browser,
        account: li.clone(),
    };
    for (n, _) in [&soon, &late, &asked] {
        ok(officer.act(n, "take", &[]).await, "take");
    }
    ok(
        officer
            .act(&asked.0, "request_info", &[("message", "请补充订单页截图")])
            .await,
        "request_info",
    );
    ok(wang.act(&theirs.0, "take", &[]).await, "take");
    ok(
        supervisor
            .act(
                &assigned.0,
                "assign",
                &[("officer_id", &li.id.0.to_string())],
            )
            .await,
        "assign",
    );
    // One of the officer's cases is past its date.
    let past = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    diesel::update(case_deadlines::table.filter(case_deadlines::case_id.eq(app.case_id(&late.0))))
        .set((
            case_deadlines::decide_by.eq(past),
            case_deadlines::accept_by.eq(None::<chrono::NaiveDate>),
        ))
        .execute(&mut app.db())
        .unwrap();

    // The first look: the open cases by date due, the overdue first and flagged, each date
    // saying what it is for; the case waiting on its reporter; nobody else's case.
    let desk = officer.get("/officer/desk").await;
    assert_eq!(desk.status, StatusCode::OK);
    assert_eq!(desk.html_lang().as_deref(), Some("zh-CN"));
    assert_eq!(
        desk.text_of("h1"),
        Some(zh().t("my_desk.title").to_string())
    );
    assert_eq!(
        desk.attr_of("#nav-desk", "href").as_deref(),
        Some("/officer/desk")
    );
    let open = listed(&desk, "desk-open");
    assert_eq!(
        open.first(),
        Some(&late.0),
        "the overdue case leads: {open:?}"
    );
    let mut rest = open[1..].to_vec();
    rest.sort();
    let mut expected = vec![soon.0.clone(), assigned.0.clone()];
    expected.sort();
    assert_eq!(rest, expected);
    let late_row = format!("#desk-open tr[data-case=\"{}\"]", late.0);
    assert_eq!(desk.attr_of(&late_row, "class").as_deref(), Some("overdue"));
    assert_eq!(
        desk.text_of(&format!("{late_row} .overdue-tag")),
        Some(zh().t("queue.overdue").to_string())
    );
    assert_eq!(
        desk.attr_of(&format!("{late_row} .due-meaning"), "data-due")
            .as_deref(),
        Some("decide")
    );
    assert_eq!(listed(&desk, "desk-reporters"), vec![asked.0.clone()]);
    assert!(desk.text_of("#desk-regulators-empty").is_some());
    assert!(desk.text_of("#desk-platforms-empty").is_some());
    assert!(!desk.body.contains(&theirs.0), "another officer's case");
    assert_eq!(
        desk.text_of("#desk-since"),
        Some(zh().t1("my_desk.since_first", 7))
    );
    // The supervisor's assignment is news; the officer's own steps are not.
    assert_eq!(
        news(&desk),
        vec![(assigned.0.clone(), "assign".to_string())]
    );
    let assign_line = desk.text_of("#desk-news li").unwrap_or_default();
    assert!(assign_line.contains("陈静"), "{assign_line}");
    assert!(!assign_line.contains('{'), "{assign_line}");

    // The reporter answers: the next look lists the answer (and its screenshot), since the
    // last look, in China time.
    let reporter = app.visitor();
    let tracked = reporter.open_case(&asked.0, &asked.1).await;
    let form = tracked.form("reply", "/track/case").expect("a reply form");
    let answered = reporter
        .submit_multipart(
            &form.fill("message", "订单页截图已补充"),
            vec![("order.png", png_screenshot(6120), "image/png")],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER);
    let again = officer.get("/officer/desk").await;
    let since = again.text_of("#desk-since").unwrap_or_default();
    assert!(since.contains("北京时间"), "{since}");
    assert_eq!(news(&again), vec![(asked.0.clone(), "reply".to_string())]);
    let answer_line = again.text_of("#desk-news li").unwrap_or_default();
    assert!(
        answer_line.contains(zh().t("trail.actor.reporter")),
        "{answer_line}"
    );
    assert!(
        !news(&again).iter().any(|(_, a)| a == "assign"),
        "the assignment was seen already"
    );
    assert!(listed(&again, "desk-reporters").is_empty());
    assert!(listed(&again, "desk-open").contains(&asked.0));

    // Looked at once, it is not news again.
    let third = officer.get("/officer/desk").await;
    assert!(news(&third).is_empty(), "{:?}", news(&third));
    assert!(third.text_of("#desk-news-empty").is_some());

    // Another officer sees only their own case, in English too.
    let theirs_desk = wang.get("/officer/desk").await;
    assert_eq!(listed(&theirs_desk, "desk-open"), vec![theirs.0.clone()]);
    for n in [&soon.0, &late.0, &asked.0, &assigned.0] {
        assert!(!theirs_desk.body.contains(n.as_str()), "{n} is not theirs");
    }
    wang.get("/lang/en?next=/officer/desk").await;
    let english = wang.get("/officer/desk").await;
    assert_eq!(english.html_lang().as_deref(), Some("en"));
    assert_eq!(
        english.text_of("h1"),
        Some(en().t("my_desk.title").to_string())
    );
    assert!(!has_cjk(
        &english.text_of("#desk-since").unwrap_or_default()
    ));
}

#[tokio::test]
async fn a_handed_off_case_waits_on_its_regulator_then_its_platform_and_their_answers_are_news() {
    let h = handed_off(true, true).await;
    let (app, n) = (&h.app, h.number.clone());
    let desk = h.officer.get("/officer/desk").await;
    assert_eq!(listed(&desk, "desk-regulators"), vec![n.clone()]);
    assert_eq!(
        desk.attr_of(
            &format!("#desk-regulators tr[data-case=\"{n}\"] .due-meaning"),
            "data-due"
        )
        .as_deref(),
        Some("acknowledge")
    );
    assert!(listed(&desk, "desk-open").is_empty());
    assert!(desk.text_of("#desk-platforms-empty").is_some());

    // The regulator acknowledges; the platform's notice goes: the case waits on both.
    let link = h.acknowledged_notice_link().await;
    let desk = h.officer.get("/officer/desk").await;
    assert_eq!(listed(&desk, "desk-regulators"), vec![n.clone()]);
    assert_eq!(listed(&desk, "desk-platforms"), vec![n.clone()]);
    assert!(
        news(&desk).contains(&(n.clone(), "acknowledge".to_string())),
        "{:?}",
        news(&desk)
    );

    // The platform answers: news once, and the case no longer waits on it.
    let platform = app.visitor();
    let shown = platform.get(&link).await;
    let form = shown
        .form("platform_response", &link)
        .expect("the answer form")
        .fill("response", "reviews_removed")
        .fill("reviews_removed_count", "12");
    assert_eq!(platform.submit(&form).await.status, StatusCode::OK);
    let desk = h.officer.get("/officer/desk").await;
    assert_eq!(
        news(&desk),
        vec![(n.clone(), "platform_response".to_string())]
    );
    let line = desk.text_of("#desk-news li").unwrap_or_default();
    assert!(line.contains("12"), "{line}");
    assert!(desk.text_of("#desk-platforms-empty").is_some());
    assert!(news(&h.officer.get("/officer/desk").await).is_empty());
}
