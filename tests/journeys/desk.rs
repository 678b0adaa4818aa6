//! The officer's desk (issue 17): the queue says how many cases a view holds, sorts by
//! deadline with the overdue first, and says what its deadline means once a case is handed off.

use crate::handoff::{PANYU, PANYU_EMAIL, add_regulator, in_region};
use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::case_deadlines;

#[tokio::test]
async fn the_queue_counts_its_view_sorts_overdue_first_and_names_each_deadline() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let form = in_region(ReportFields::zh_cn(), "440113");
    let mut numbers = Vec::new();
    for seed in 0..4 {
        let r = app
            .visitor()
            .file_report(
                &form,
                vec![("s.png", png_screenshot(5200 + seed), "image/png")],
            )
            .await;
        numbers.push(r.number);
    }
    let jd = app
        .visitor()
        .file_report(
            &form.clone().set("platform", "jd"),
            vec![("s.png", png_screenshot(5300), "image/png")],
        )
        .await;

    // The count is the view's, exact, in the reader's language.
    let queue = officer.queue("").await;
    assert_eq!(
        queue.attr_of("#queue-count", "data-count").as_deref(),
        Some("5")
    );
    assert_eq!(
        queue.text_of("#queue-count"),
        Some(zh().t1("queue.count_many", 5))
    );
    let only_jd = officer.queue("platform=jd").await;
    assert_eq!(
        only_jd.attr_of("#queue-count", "data-count").as_deref(),
        Some("1")
    );
    assert_eq!(
        only_jd.text_of("#queue-count").as_deref(),
        Some(zh().t("queue.count_one"))
    );
    assert_eq!(queue_numbers(&only_jd), vec![jd.number.clone()]);
    let none = officer.queue("platform=douyin").await;
    assert_eq!(
        none.attr_of("#queue-count", "data-count").as_deref(),
        Some("0")
    );

    // One case is handed off: its deadline is now the regulator's acknowledgement, and says so.
    let handed = &numbers[0];
    let ok = |r: Reply| {
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{:?}",
            r.text_of("#action-problem")
        )
    };
    ok(officer.act(handed, "take", &[]).await);
    ok(officer
        .act(
            handed,
            "substantiate",
            &[("note", "属实"), ("finding", "返现卡与订单截图一致")],
        )
        .await);
    let page = officer.case_page(handed).await;
    assert_eq!(
        page.attr_of("#deadline-meaning", "data-due").as_deref(),
        Some("decide")
    );
    ok(officer
        .act(handed, "hand_off", &[("regulator_id", &panyu.to_string())])
        .await);
    let page = officer.case_page(handed).await;
    assert_eq!(
        page.attr_of("#deadline-meaning", "data-due").as_deref(),
        Some("acknowledge")
    );
    assert_eq!(
        page.text_of("#deadline-meaning").as_deref(),
        Some(zh().t("ocase.acknowledge_by"))
    );
    let row = officer.queue("status=handed_off").await;
    assert_eq!(
        row.attr_of(
            &format!("tr[data-case=\"{handed}\"] .due-meaning"),
            "data-due"
        )
        .as_deref(),
        Some("acknowledge")
    );
    let waiting = officer.queue("").await;
    assert_eq!(
        waiting
            .attr_of(
                &format!("tr[data-case=\"{}\"] .due-meaning", numbers[1]),
                "data-due"
            )
            .as_deref(),
        Some("decide"),
        "a report that is not a complaint is decided by its date"
    );

    // By deadline: an overdue case comes first, flagged, and the page says what is listed.
    let late = numbers[3].clone();
    let past = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    diesel::update(case_deadlines::table.filter(case_deadlines::case_id.eq(app.case_id(&late))))
        .set((
            case_deadlines::decide_by.eq(past),
            case_deadlines::accept_by.eq(None::<chrono::NaiveDate>),
        ))
        .execute(&mut app.db())
        .unwrap();
    let by_deadline = officer.queue("sort=deadline").await;
    let listed = queue_numbers(&by_deadline);
    assert_eq!(
        listed.first(),
        Some(&late),
        "the overdue case leads: {listed:?}"
    );
    assert_eq!(
        by_deadline
            .attr_of(&format!("tr[data-case=\"{late}\"]"), "class")
            .as_deref(),
        Some("overdue")
    );
    assert!(by_deadline.text_of("#deadline-sort-note").is_some());
    assert_eq!(
        by_deadline.attr_of("#queue-count", "data-count").as_deref(),
        Some(&*listed.len().to_string())
    );
    assert!(
        officer
            .queue("")
            .await
            .text_of("#deadline-sort-note")
            .is_none()
    );
}

#[tokio::test]
async fn three_duplicates_are_dismissed_in_one_step_each_audited_and_each_reporter_told() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let mut cases = Vec::new();
    for (i, addr) in [
        "a.dup@example.com",
        "b.dup@example.com",
        "c.dup@example.com",
    ]
    .iter()
    .enumerate()
    {
        let r = app
            .file_confirmed_report(
                &app.visitor(),
                &ReportFields::zh_cn().email(addr),
                vec![("s.png", png_screenshot(5400 + i as u32), "image/png")],
            )
            .await;
        cases.push((r.number, *addr));
    }
    let stale = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn(),
            vec![("s.png", png_screenshot(5410), "image/png")],
        )
        .await;

    // The officer ticks four cases on the queue; the fourth changes before the step is done.
    let queue = officer.queue("").await;
    let form = queue.form("bulk", "/officer/cases").expect("the bulk form");
    let ticked: Vec<String> = queue
        .attrs_of("#queue input[name=case]", "value")
        .into_iter()
        .filter(|v| {
            cases.iter().any(|(n, _)| v.starts_with(n.as_str())) || v.starts_with(&stale.number)
        })
        .collect();
    assert_eq!(ticked.len(), 4);
    let mut fields: Vec<(&str, &str)> = vec![
        ("csrf_token", form.value("csrf_token").unwrap()),
        ("bulk_action", "dismiss_duplicate"),
    ];
    fields.extend(ticked.iter().map(|v| ("case", v.as_str())));
    let confirm = officer.post_form("/officer/queue/bulk", &fields).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert_eq!(confirm.count("#bulk-confirm input[name=case]"), 4);
    assert!(
        app.audit_actions(&cases[0].0)
            .iter()
            .all(|a| a != "dismiss"),
        "nothing done before confirming"
    );
    ok_note(&officer, &stale.number).await;

    let message = "您的举报与此前一件举报内容相同，已并入该案一并处理。";
    let mut done_fields = fields.clone();
    done_fields.extend([("confirm", "1"), ("message", message)]);
    let done = officer.post_form("/officer/queue/bulk", &done_fields).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(
        done.attr_of("#bulk-summary", "data-done").as_deref(),
        Some("3")
    );
    assert_eq!(
        done.attr_of("#bulk-summary", "data-of").as_deref(),
        Some("4")
    );
    assert_eq!(
        done.attr_of(
            &format!("#bulk-results tr[data-case=\"{}\"]", stale.number),
            "data-done"
        )
        .as_deref(),
        Some("false")
    );
    let refused = done
        .text_of(&format!("#bulk-results tr[data-case=\"{}\"]", stale.number))
        .unwrap();
    assert!(refused.contains(zh().t("error.case_changed")), "{refused}");
    assert_eq!(
        app.case_status(&stale.number),
        "submitted",
        "the changed case is left as it is"
    );

    for (n, addr) in &cases {
        assert_eq!(app.case_status(n), "dismissed");
        let dismissals = app
            .audit_actions(n)
            .iter()
            .filter(|a| *a == "dismiss")
            .count();
        assert_eq!(dismissals, 1, "{n} has one dismissal in its trail");
        let mail = app.mail.next_for(addr, WAIT).await;
        assert!(mail.subject.contains(n.as_str()), "{}", mail.subject);
        assert!(
            mail.text.contains(message),
            "{addr} gets the message:\n{}",
            mail.text
        );
    }

    // Nothing ticked: said so, nothing done.
    let csrf = officer.csrf().await;
    let none = officer
        .post_form(
            "/officer/queue/bulk",
            &[
                ("csrf_token", &csrf),
                ("bulk_action", "dismiss_duplicate"),
                ("confirm", "1"),
                ("message", "x"),
            ],
        )
        .await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        none.text_of("#bulk-problem").as_deref(),
        Some(zh().t("bulk.none_chosen"))
    );
    // A forged request without the session's token changes nothing.
    let forged = officer
        .post_form(
            "/officer/queue/bulk",
            &[
                ("csrf_token", "nope"),
                ("bulk_action", "dismiss_duplicate"),
                ("confirm", "1"),
                ("case", &ticked[3]),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

/// Changes the case (a note) so the version the queue showed is stale.
async fn ok_note(officer: &OfficerBrowser, number: &str) {
    let r = officer.act(number, "note", &[("body", "先看一下")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_queue_view_exports_as_csv_and_xlsx_without_contacts_neutralised_and_audited() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let reporter = "secret.reporter@example.com";
    let risky = app
        .file_confirmed_report(
            &app.visitor(),
            &ReportFields::zh_cn()
                .email(reporter)
                .set("shop_name", "=1+2 旗舰店"),
            vec![("s.png", png_screenshot(5500), "image/png")],
        )
        .await;
    let other = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn()
                .set("platform", "jd")
                .set("shop_name", "@京东小店"),
            vec![("s.png", png_screenshot(5501), "image/png")],
        )
        .await;

    // The page offers the current view's files, filters kept.
    let queue = officer.queue("platform=taobao").await;
    let csv_link = queue.attr_of("#export-csv", "href").expect("a CSV link");
    assert!(csv_link.contains("platform=taobao"), "{csv_link}");
    let csv = officer.download(&csv_link).await;
    assert_eq!(csv.status, StatusCode::OK);
    let content_type = csv.header("content-type").unwrap_or_default();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], zh().t("track.case_number"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 1, "only the view's cases: {text}");
    assert_eq!(&rows[0][0], risky.number.as_str());
    assert_eq!(
        &rows[0][3], "'=1+2 旗舰店",
        "the formula-looking shop name is neutralised"
    );
    assert!(
        !text.contains(reporter) && !text.contains("example.com"),
        "no contact: {text}"
    );
    assert!(!text.contains(&other.number));

    // XLSX of the whole queue: both cases, strings only, no contact.
    let xlsx = officer
        .download(
            &queue
                .attr_of("#export-xlsx", "href")
                .unwrap()
                .replace("platform=taobao", ""),
        )
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(
        xlsx.header("content-disposition")
            .unwrap_or_default()
            .contains(".xlsx")
    );
    let files = crate::handoff::zip_entries(&xlsx.bytes);
    let strings = String::from_utf8(files["xl/sharedStrings.xml"].clone()).unwrap();
    assert!(
        strings.contains(&risky.number) && strings.contains(&other.number),
        "{strings}"
    );
    assert!(
        strings.contains("&apos;@京东小店") || strings.contains("'@京东小店"),
        "{strings}"
    );
    assert!(!strings.contains(reporter));
    let sheet = String::from_utf8(files["xl/worksheets/sheet1.xml"].clone()).unwrap();
    assert!(!sheet.contains("<f>"), "no formulas");

    // Each export is in the officer's account trail, as a sentence on the team page.
    let team = supervisor.get("/officer/team").await;
    let said = team.texts_of("#account-trail td.event-detail");
    let exported: Vec<&String> = said
        .iter()
        .filter(|s| s.contains("CSV") || s.contains("XLSX"))
        .collect();
    assert_eq!(exported.len(), 2, "{said:#?}");
    // An unknown format is not a file.
    assert_eq!(
        officer.get("/officer/queue/export.pdf").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn shortcuts_are_listed_and_each_officer_can_turn_them_off_and_saves_views_of_their_own() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let other = app.officer("zhang.hua@amr.example.gov.cn", "张华").await;
    let case = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn(),
            vec![("s.png", png_screenshot(5600), "image/png")],
        )
        .await;

    // On by default, listed on the queue and the case page, with the script that runs them.
    for path in [
        "/officer/cases".to_string(),
        format!("/officer/cases/{}", case.number),
    ] {
        let page = officer.get(&path).await;
        assert_eq!(
            page.attr_of("#shortcuts", "data-on").as_deref(),
            Some("1"),
            "{path}"
        );
        assert_eq!(
            page.count("#shortcuts-help kbd"),
            6,
            "{path}: j k Enter a / ?"
        );
        assert_eq!(page.count("script[src^=\"/static/desk.js\"]"), 1, "{path}");
    }
    let js = officer.get("/static/desk.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.body.contains("data-on") && js.body.contains("\"j\""));

    // Turned off by one officer, from a case page: back to that page, no script, keys still listed.
    let back = format!("/officer/cases/{}", case.number);
    let page = officer.get(&back).await;
    let form = page.form("shortcuts", &back).expect("the on/off form");
    assert_eq!(form.value("on"), Some("0"));
    let off = officer.submit(&form).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert_eq!(off.location().as_deref(), Some(back.as_str()));
    let page = officer.get("/officer/cases").await;
    assert_eq!(page.attr_of("#shortcuts", "data-on").as_deref(), Some("0"));
    assert_eq!(page.count("script[src^=\"/static/desk.js\"]"), 0);
    assert_eq!(
        page.form("shortcuts", "/officer/cases")
            .unwrap()
            .value("on"),
        Some("1")
    );
    // The other officer's are still on.
    let theirs = other.get("/officer/cases").await;
    assert_eq!(
        theirs.attr_of("#shortcuts", "data-on").as_deref(),
        Some("1")
    );
    // A forged "next" never leads off the portal.
    let csrf = officer.csrf().await;
    let away = officer
        .post_form(
            "/officer/account/shortcuts",
            &[
                ("csrf_token", &csrf),
                ("on", "1"),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(away.location().as_deref(), Some("/officer/cases"));

    // A saved view: the queue's filters under a name, for this officer only.
    let view = officer
        .queue("platform=taobao&category=cashback_for_review&sort=deadline")
        .await;
    let form = view
        .form("save_filter", "/officer/cases")
        .expect("the save form");
    let saved = officer
        .submit(&form.clone().fill("name", "淘宝返现 · 按期限"))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = officer.queue("").await;
    let link = page
        .attr_of("#saved-filters a", "href")
        .expect("the saved view");
    assert!(
        link.contains("platform=taobao")
            && link.contains("category=cashback_for_review")
            && link.contains("sort=deadline"),
        "{link}"
    );
    assert_eq!(
        page.text_of("#saved-filters a").as_deref(),
        Some("淘宝返现 · 按期限")
    );
    let opened = officer.get(&link).await;
    assert_eq!(queue_numbers(&opened), vec![case.number.clone()]);
    assert_eq!(
        other.queue("").await.count("#saved-filters a"),
        0,
        "not the other officer's"
    );
    // A nameless view is refused in words; another officer cannot delete this one.
    let nameless = officer.submit(&form.clone().fill("name", "  ")).await;
    assert_eq!(nameless.status, StatusCode::BAD_REQUEST);
    let id = page
        .attr_of("#saved-filters li", "data-saved-filter")
        .unwrap();
    let other_csrf = other.csrf().await;
    let not_theirs = other
        .post_form(
            &format!("/officer/queue/filters/{id}/delete"),
            &[("csrf_token", &other_csrf)],
        )
        .await;
    assert_eq!(not_theirs.status, StatusCode::NOT_FOUND);
    let delete = page
        .form("delete_filter", "/officer/cases")
        .expect("a delete form");
    assert_eq!(officer.submit(&delete).await.status, StatusCode::SEE_OTHER);
    assert_eq!(officer.queue("").await.count("#saved-filters a"), 0);
}

#[tokio::test]
async fn a_supervisor_assigns_ticked_cases_and_an_officer_takes_them() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let mut numbers = Vec::new();
    for seed in 0..3 {
        let r = app
            .visitor()
            .file_report(
                &ReportFields::zh_cn(),
                vec![("s.png", png_screenshot(5700 + seed), "image/png")],
            )
            .await;
        numbers.push(r.number);
    }
    let seen = |page: &Reply, n: &str| {
        page.attrs_of("#queue input[name=case]", "value")
            .into_iter()
            .find(|v| v.starts_with(n))
            .expect("a checkbox for the case")
    };
    // The supervisor gives two cases to 李明: a confirmation asks to whom, then both are his.
    let queue = supervisor.queue("").await;
    let csrf = supervisor.csrf().await;
    let (a, b) = (seen(&queue, &numbers[0]), seen(&queue, &numbers[1]));
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("bulk_action", "assign"),
        ("case", a.as_str()),
        ("case", b.as_str()),
    ];
    let confirm = supervisor.post_form("/officer/queue/bulk", &fields).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(
        confirm.count("#bulk-officer option") >= 3,
        "the officers to choose from"
    );
    let id = officer.account.id.to_string();
    let mut done_fields = fields.to_vec();
    done_fields.extend([("confirm", "1"), ("officer_id", id.as_str())]);
    let done = supervisor
        .post_form("/officer/queue/bulk", &done_fields)
        .await;
    assert_eq!(
        done.attr_of("#bulk-summary", "data-done").as_deref(),
        Some("2")
    );
    for n in &numbers[..2] {
        assert_eq!(app.case_status(n), "in_review");
        assert_eq!(
            app.case_row(n).assigned_officer_id,
            Some(officer.account.id)
        );
        assert!(app.audit_actions(n).contains(&"assign".to_string()));
    }
    // An officer "assigns" by taking: no one to choose, the case becomes theirs.
    let queue = officer.queue("").await;
    let c = seen(&queue, &numbers[2]);
    let csrf = officer.csrf().await;
    let confirm = officer
        .post_form(
            "/officer/queue/bulk",
            &[
                ("csrf_token", &csrf),
                ("bulk_action", "assign"),
                ("case", &c),
            ],
        )
        .await;
    assert_eq!(confirm.count("#bulk-officer"), 0);
    assert_eq!(
        confirm.text_of("#bulk-confirm p:nth-of-type(2)").as_deref(),
        Some(zh().t("bulk.take_yourself"))
    );
    let done = officer
        .post_form(
            "/officer/queue/bulk",
            &[
                ("csrf_token", &csrf),
                ("bulk_action", "assign"),
                ("case", &c),
                ("confirm", "1"),
            ],
        )
        .await;
    assert_eq!(
        done.attr_of("#bulk-summary", "data-done").as_deref(),
        Some("1")
    );
    assert_eq!(
        app.case_row(&numbers[2]).assigned_officer_id,
        Some(officer.account.id)
    );
}

#[tokio::test]
async fn without_javascript_the_redaction_page_says_to_type_the_areas() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let case = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn(),
            vec![("s.png", png_screenshot(5800), "image/png")],
        )
        .await;
    let page = officer.case_page(&case.number).await;
    let path = page.attr_of("#evidence a[data-redact]", "href").unwrap();
    let redact = officer.get(&path).await;
    assert_eq!(
        redact.text_of("#redact-intro").as_deref(),
        Some(zh().t("redact.intro_typed"))
    );
    assert_eq!(
        redact.attr_of("#redact-intro", "data-drag").as_deref(),
        Some(zh().t("redact.intro")),
        "the script swaps in the mouse's instructions"
    );
}
