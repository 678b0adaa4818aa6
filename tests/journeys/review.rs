//! Officers review cases: take, ask the reporter, decide; who may do what; two officers at once;
//! internal notes and the audit trail.

use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::audit_events;
use reviewwatch::domain::CaseStatus;

const REPORTER: &str = "gu.ke@example.com";

fn status_subject(number: &str, status: CaseStatus) -> String {
    zh().t2("email.status.subject", number, zh().status(status))
}

#[tokio::test]
async fn a_case_is_reviewed_with_the_reporter_answering_from_the_email_link() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let receipt = app
        .file_confirmed_report(
            &app.visitor(),
            &ReportFields::zh_cn().email(REPORTER),
            vec![("首张截图.png", png_screenshot(700), "image/png")],
        )
        .await;
    let n = receipt.number.clone();
    let case_path = format!("/officer/cases/{n}");

    // The officer finds the case in the queue and takes it.
    let queue = officer.queue("").await;
    assert_eq!(queue_numbers(&queue), vec![n.clone()]);
    let page = officer
        .get(&queue.attr_of("a.case-link", "href").unwrap())
        .await;
    assert_eq!(page.case_status().as_deref(), Some("submitted"));
    assert_eq!(
        page.text_of("#assignee").as_deref(),
        Some(zh().t("queue.assignee_nobody"))
    );
    let taken = officer.act_from(&page, &n, "take", &[]).await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER);
    assert_eq!(taken.location().as_deref(), Some(case_path.as_str()));
    let page = officer.case_page(&n).await;
    assert_eq!(page.case_status().as_deref(), Some("in_review"));
    assert_eq!(page.text_of("#assignee").as_deref(), Some("李明"));
    assert_eq!(page.count("form[data-action=take]"), 0, "it is taken");
    let mail = app.mail.next_for(REPORTER, WAIT).await;
    assert_eq!(mail.subject, status_subject(&n, CaseStatus::InReview));
    assert_eq!(mail.subject, format!("案件 {n}：审核中"));

    // The officer asks for more.
    let question = "请上传订单详情页截图，显示订单号和下单时间。";
    let asked = officer
        .act_from(&page, &n, "request_info", &[("message", question)])
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert_eq!(app.case_status(&n), "awaiting_reporter");
    let mail = app.mail.next_for(REPORTER, WAIT).await;
    assert_eq!(
        mail.subject,
        status_subject(&n, CaseStatus::AwaitingReporter)
    );
    assert!(
        mail.text.contains(question),
        "the email holds the question:\n{}",
        mail.text
    );
    assert!(!mail.text.contains(&receipt.code));
    let link = access_link_path(&mail);
    assert!(
        mail.text.contains(&format!("{}{link}", app.address)),
        "an absolute link: {}",
        mail.text
    );

    // The reporter opens the link in a browser that never saw the case, and never types the code.
    let reporter = app.visitor();
    assert_eq!(
        reporter.get("/track/case").await.location().as_deref(),
        Some("/track")
    );
    let landing = reporter.get(&link).await;
    assert_eq!(landing.status, StatusCode::OK);
    assert!(landing.body.contains(&n));
    let open = landing
        .attr_of("#open-case", "href")
        .expect("a link to the case");
    let case_page = reporter.get(&open).await;
    assert_eq!(case_page.status, StatusCode::OK);
    assert_eq!(
        case_page.case_status().as_deref(),
        Some("awaiting_reporter")
    );
    assert!(
        case_page
            .texts_of("#messages li p")
            .contains(&question.to_string()),
        "the reporter sees the question"
    );

    // A text file named .png is refused, by name, and nothing of that answer is kept.
    let form = case_page
        .form("reply", "/track/case")
        .expect("a reply form");
    // The CSRF token rides in the action too, so a forged answer is refused before it is read.
    assert_eq!(
        form.action,
        format!(
            "/track/case/reply?csrf_token={}",
            form.value("csrf_token").unwrap()
        )
    );
    let before = app.case_state(&n);
    let files_before = app.evidence_files("").len();
    let refused = reporter
        .submit_multipart(
            &form.clone().fill("message", "这条答复不应保存"),
            vec![(
                "notes.png",
                "这不是图片，只是一段文字。\n".repeat(20).into_bytes(),
                "image/png",
            )],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = refused.texts_of("#reply-problems li");
    assert_eq!(
        problems,
        vec![zh().t2(
            "upload.not_an_image",
            "notes.png",
            zh().t("upload.detected.text")
        )]
    );
    assert_eq!(refused.case_status().as_deref(), Some("awaiting_reporter"));
    assert_eq!(
        app.case_state(&n),
        before,
        "nothing of the refused answer is kept"
    );
    assert_eq!(app.evidence_files("").len(), files_before);
    assert!(app.tmp_files().is_empty(), "{:?}", app.tmp_files());

    // The real answer: text and a screenshot.
    let answer = "订单截图已上传，订单号见图。";
    let screenshot = png_screenshot(701);
    let answered = reporter
        .submit_multipart(
            &form.fill("message", answer),
            vec![("订单.png", screenshot.clone(), "image/png")],
        )
        .await;
    assert_eq!(
        answered.status,
        StatusCode::SEE_OTHER,
        "{:?}",
        answered.texts_of("#reply-problems li")
    );
    assert_eq!(answered.location().as_deref(), Some("/track/case"));
    let case_page = reporter.get("/track/case").await;
    assert_eq!(case_page.case_status().as_deref(), Some("in_review"));
    assert_eq!(case_page.count("form[data-action=reply]"), 0);
    assert!(
        case_page
            .texts_of("#messages li p")
            .contains(&answer.to_string())
    );
    assert_eq!(app.case_status(&n), "in_review");

    let notice = app.mail.next_for(&officer.account.email, WAIT).await;
    assert_eq!(
        notice.subject,
        zh().t1("email.officer.reporter_answered.subject", &n)
    );
    assert_eq!(notice.subject, format!("案件 {n}：举报人已补充材料"));
    assert!(notice.text.contains(&format!("{}{case_path}", app.address)));
    let mail = app.mail.next_for(REPORTER, WAIT).await;
    assert_eq!(mail.subject, status_subject(&n, CaseStatus::InReview));

    // The officer sees the answer and the new screenshot (its thumbnail once the background job
    // made it).
    app.run_due_jobs().await;
    let page = officer.case_page(&n).await;
    assert_eq!(page.case_status().as_deref(), Some("in_review"));
    assert!(
        page.texts_of("#messages li p")
            .contains(&answer.to_string())
    );
    let names = page.texts_of("#evidence .evidence-name");
    assert_eq!(
        names,
        vec!["1. 首张截图.png".to_string(), "2. 订单.png".to_string()]
    );
    let thumbs = page.attrs_of("#evidence img", "src");
    let thumb = officer.get_bytes(&thumbs[1]).await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert_eq!(thumb.content_type, "image/jpeg");
    let originals = page.attrs_of("#evidence a.download[href*=\"/original\"]", "href");
    let original = officer.download(&originals[1]).await;
    assert_eq!(
        original.bytes, screenshot,
        "the answer's screenshot, bit-exact"
    );

    // The officer decides.
    let decided = officer
        .act_from(
            &page,
            &n,
            "substantiate",
            &[
                ("note", "订单与返现卡对应。"),
                ("finding", "返现卡与订单对应，认定存在好评返现。"),
            ],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER);
    assert_eq!(app.case_status(&n), "substantiated");
    let mail = app.mail.next_for(REPORTER, WAIT).await;
    assert_eq!(mail.subject, status_subject(&n, CaseStatus::Substantiated));
    assert_eq!(
        reporter.get("/track/case").await.case_status().as_deref(),
        Some("substantiated")
    );

    assert_eq!(
        app.audit_actions(&n),
        [
            "filed",
            "evidence_added",
            "confirm",
            "assign",
            "take",
            "request_info",
            "evidence_added",
            "reply",
            "evidence_downloaded",
            "substantiate"
        ]
    );
    let page = officer.case_page(&n).await;
    assert_eq!(
        page.attr_of("#chain-status", "data-chain").as_deref(),
        Some("intact")
    );
}

#[tokio::test]
async fn a_dismissed_case_tells_the_reporter_why() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let receipt = app
        .file_confirmed_report(
            &app.visitor(),
            &ReportFields::zh_cn().email(REPORTER),
            vec![("a.png", png_screenshot(710), "image/png")],
        )
        .await;
    let n = &receipt.number;
    let before = app.case_state(n);

    // A reason and a message are both needed.
    let no_reason = officer
        .act(n, "dismiss", &[("message", "重复举报。")])
        .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    assert!(no_reason.body.contains(zh().t("review.reason_required")));
    let no_message = officer
        .act(n, "dismiss", &[("reason", "duplicate"), ("message", "  ")])
        .await;
    assert_eq!(no_message.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        no_message.text_of("#action-problem").as_deref(),
        Some(zh().t("review.text_required"))
    );
    assert_eq!(app.case_state(n), before, "nothing changed");

    let message = "经核查，该商家已于上月被处理，您的举报与案件 RW-2025-000123 重复。";
    let page = officer.case_page(n).await;
    let dismissed = officer
        .act_from(
            &page,
            n,
            "dismiss",
            &[("reason", "duplicate"), ("message", message)],
        )
        .await;
    assert_eq!(dismissed.status, StatusCode::SEE_OTHER);
    assert_eq!(app.case_status(n), "dismissed");
    assert_eq!(
        app.case_row(n).closed_reason.map(|r| r.as_str()),
        Some("duplicate")
    );

    let mail = app.mail.next_for(REPORTER, WAIT).await;
    assert_eq!(mail.subject, status_subject(n, CaseStatus::Dismissed));
    assert!(
        mail.text.contains(message),
        "the reason is told:\n{}",
        mail.text
    );
    assert!(mail.html.contains(message));

    let page = app.visitor().open_case(n, &receipt.code).await;
    assert_eq!(page.case_status().as_deref(), Some("dismissed"));
    assert!(
        page.texts_of("#messages li p")
            .contains(&message.to_string())
    );
    assert_eq!(page.count("form[data-action=reply]"), 0);
    assert_eq!(page.count("form[data-action=withdraw]"), 0);

    let officer_page = officer.case_page(n).await;
    assert_eq!(officer_page.case_status().as_deref(), Some("dismissed"));
    for action in ["take", "assign", "request_info", "dismiss", "substantiate"] {
        assert_eq!(
            officer_page.count(&format!("form[data-action={action}]")),
            0,
            "no {action} on a dismissed case"
        );
    }
}

#[tokio::test]
async fn only_supervisors_assign_and_nobody_takes_a_case_another_officer_holds() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let first = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let second = app.officer("wang.fang@amr.example.gov.cn", "王芳").await;
    let receipt = app
        .file_confirmed_report(
            &app.visitor(),
            &ReportFields::zh_cn().email(REPORTER),
            vec![("a.png", png_screenshot(720), "image/png")],
        )
        .await;
    let n = &receipt.number;

    // An officer has no assign form, and a forged one is refused.
    assert_eq!(
        first.case_page(n).await.count("form[data-action=assign]"),
        0
    );
    let before = app.case_state(n);
    let other_id = second.account.id.to_string();
    let refused = first.forge(n, "assign", &[("officer_id", &other_id)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.text_of("#action-problem").as_deref(),
        Some(zh().t("review.supervisors_only"))
    );
    assert_eq!(app.case_state(n), before);

    // Nobody can be given a case but an active officer.
    let refused = supervisor
        .forge(n, "assign", &[("officer_id", "999999")])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.text_of("#action-problem").as_deref(),
        Some(zh().t("review.unknown_officer"))
    );
    assert_eq!(app.case_state(n), before);

    // The supervisor assigns the case to the first officer, who is told by email.
    let page = supervisor.case_page(n).await;
    let options = page.attrs_of(
        "form[data-action=assign] select[name=officer_id] option",
        "value",
    );
    assert!(
        options.contains(&first.account.id.to_string()),
        "{options:?}"
    );
    let first_id = first.account.id.to_string();
    let assigned = supervisor
        .act_from(&page, n, "assign", &[("officer_id", &first_id)])
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER);
    assert_eq!(app.case_status(n), "in_review");
    assert_eq!(app.case_row(n).assigned_officer_id, Some(first.account.id));
    assert_eq!(
        first.case_page(n).await.text_of("#assignee").as_deref(),
        Some("李明")
    );
    let notice = app.mail.next_for(&first.account.email, WAIT).await;
    assert_eq!(notice.subject, zh().t1("email.officer.assigned.subject", n));
    assert_eq!(notice.subject, format!("案件 {n} 已分配给您"));
    assert!(
        notice
            .text
            .contains(&format!("{}/officer/cases/{n}", app.address))
    );
    let mail = app.mail.next_for(REPORTER, WAIT).await;
    assert_eq!(mail.subject, status_subject(n, CaseStatus::InReview));
    let queue = first.queue("assignee=me").await;
    assert_eq!(queue_numbers(&queue), vec![n.clone()]);

    // The second officer sees no take button; taking anyway is refused, and so is working it.
    let page = second.case_page(n).await;
    assert_eq!(page.count("form[data-action=take]"), 0);
    assert_eq!(page.count("form[data-action=request_info]"), 0);
    let before = app.case_state(n);
    let refused = second.forge(n, "take", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.text_of("#action-problem").as_deref(),
        Some(zh().t("review.taken_by_other"))
    );
    assert_eq!(refused.case_status().as_deref(), Some("in_review"));
    for (action, fields) in [
        ("request_info", vec![("message", "我也想问问")]),
        ("substantiate", vec![("note", "")]),
        ("dismiss", vec![("reason", "spam"), ("message", "垃圾信息")]),
    ] {
        let refused = second.forge(n, action, &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{action}");
        assert_eq!(
            refused.text_of("#action-problem").as_deref(),
            Some(zh().t("review.not_yours")),
            "{action}"
        );
    }
    assert_eq!(app.case_state(n), before, "nothing changed");
    assert_eq!(app.case_row(n).assigned_officer_id, Some(first.account.id));
    assert!(
        app.outbox()
            .iter()
            .all(|m| m.to_address != second.account.email),
        "the second officer was never told anything"
    );
}

#[tokio::test]
async fn when_two_officers_act_on_the_same_page_the_second_is_told_to_reload() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let first = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let second = app.officer("wang.fang@amr.example.gov.cn", "王芳").await;
    let receipt = app
        .file_confirmed_report(
            &app.visitor(),
            &ReportFields::zh_cn().email(REPORTER),
            vec![("a.png", png_screenshot(730), "image/png")],
        )
        .await;
    let n = &receipt.number;

    // All three open the case as it is now.
    let first_page = first.case_page(n).await;
    let second_page = second.case_page(n).await;
    let supervisor_page = supervisor.case_page(n).await;

    assert_eq!(
        first.act_from(&first_page, n, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let after_take = app.case_state(n);

    let late = second.act_from(&second_page, n, "take", &[]).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(
        late.text_of("#action-problem").as_deref(),
        Some("案件刚刚被更新，请刷新页面后重试。")
    );
    assert_eq!(
        late.case_status().as_deref(),
        Some("in_review"),
        "the answer shows the case as it is now"
    );
    assert_eq!(late.text_of("#assignee").as_deref(), Some("李明"));

    let late = supervisor
        .act_from(
            &supervisor_page,
            n,
            "dismiss",
            &[("reason", "spam"), ("message", "这条不应发出。")],
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(
        late.text_of("#action-problem").as_deref(),
        Some(zh().t("error.case_changed"))
    );
    let late = supervisor
        .act_from(&supervisor_page, n, "note", &[("body", "过时页面上的备注")])
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);

    assert_eq!(
        app.case_state(n),
        after_take,
        "nothing of the late actions is applied"
    );
    let outbox = app.outbox();
    assert!(
        outbox.iter().all(|m| !m.body_text.contains("这条不应发出")),
        "no dismissal email"
    );
    let mail = app.mail.next_for(REPORTER, WAIT).await;
    assert_eq!(mail.subject, status_subject(n, CaseStatus::InReview));

    // Reloading gives a form that works.
    let fresh = supervisor.act(n, "note", &[("body", "刷新后的备注")]).await;
    assert_eq!(fresh.status, StatusCode::SEE_OTHER);
    let page = second.case_page(n).await;
    assert_eq!(
        page.texts_of("#notes li p"),
        vec!["刷新后的备注".to_string()]
    );
}

#[tokio::test]
async fn an_action_the_status_does_not_allow_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let receipt = app
        .file_report(
            &ReportFields::zh_cn(),
            vec![("a.png", png_screenshot(740), "image/png")],
        )
        .await;
    let n = &receipt.number;
    let page = supervisor.case_page(n).await;
    assert_eq!(page.count("form[data-action=substantiate]"), 0);
    assert_eq!(page.count("form[data-action=request_info]"), 0);
    let before = app.case_state(n);

    for (action, fields) in [
        ("substantiate", vec![("note", "直接认定")]),
        ("request_info", vec![("message", "不应保存的提问")]),
        ("resume", vec![]),
        ("close", vec![("note", "不应保存的办结说明")]),
    ] {
        let refused = supervisor.forge(n, action, &fields).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{action}");
        assert_eq!(
            refused.text_of("#action-problem").as_deref(),
            Some(zh().t("error.transition_refused")),
            "{action}"
        );
        assert_eq!(refused.case_status().as_deref(), Some("submitted"));
    }
    assert_eq!(
        app.case_state(n),
        before,
        "nothing was half-applied (no message, note, audit entry or email)"
    );
    // An unknown action is not found.
    assert_eq!(
        supervisor.forge(n, "delete", &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn internal_notes_are_seen_by_officers_only_and_the_trail_shows_tampering() {
    let app = spawn_app().await;
    let first = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let second = app.officer("wang.fang@amr.example.gov.cn", "王芳").await;
    let reporter = app.visitor();
    let receipt = app
        .file_confirmed_report(
            &reporter,
            &ReportFields::zh_cn().email(REPORTER),
            vec![("a.png", png_screenshot(750), "image/png")],
        )
        .await;
    let n = &receipt.number;
    let note = "内部备注：该店与另案商家疑似同一实际控制人。";
    let reason = "内部认定理由：返现卡与订单吻合。";

    assert_eq!(
        first.act(n, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        first.act(n, "note", &[("body", note)]).await.status,
        StatusCode::SEE_OTHER
    );

    // Another officer sees the note, with who wrote it.
    let page = second.case_page(n).await;
    assert_eq!(page.texts_of("#notes li p"), vec![note.to_string()]);
    assert!(page.text_of("#notes li small").unwrap().contains("李明"));
    assert!(!page.texts_of("#messages li p").contains(&note.to_string()));

    // The case goes on, with emails to the reporter.
    assert_eq!(
        first
            .act(n, "request_info", &[("message", "请补充聊天记录。")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        first.act(n, "resume", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        first
            .act(
                n,
                "substantiate",
                &[
                    ("note", reason),
                    ("finding", "返现卡与订单对应，认定属实。")
                ]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        second.case_page(n).await.texts_of("#notes li p"),
        vec![note.to_string(), reason.to_string()]
    );

    // Never to the reporter: not on the tracking page, not in any email.
    let tracked = reporter.open_case(n, &receipt.code).await;
    assert_eq!(tracked.case_status().as_deref(), Some("substantiated"));
    for text in [note, reason] {
        assert!(
            !tracked.body.contains(text),
            "the reporter's page shows no note"
        );
    }
    for status in [
        CaseStatus::InReview,
        CaseStatus::AwaitingReporter,
        CaseStatus::InReview,
        CaseStatus::Substantiated,
    ] {
        let mail = app.mail.next_for(REPORTER, WAIT).await;
        assert_eq!(mail.subject, status_subject(n, status));
    }
    let mut bodies: Vec<String> = app
        .mail
        .received_so_far()
        .await
        .iter()
        .map(|m| String::from_utf8_lossy(&m.raw).into_owned())
        .collect();
    for m in app.outbox() {
        bodies.extend([m.body_text, m.body_html]);
    }
    for body in &bodies {
        for text in [note, reason] {
            assert!(!body.contains(text), "an email holds a note:\n{body}");
        }
    }

    // The trail is intact, records the note without its words, and shows tampering.
    assert!(app.audit_actions(n).contains(&"note".to_string()));
    let page = second.case_page(n).await;
    assert_eq!(
        page.attr_of("#chain-status", "data-chain").as_deref(),
        Some("intact")
    );
    assert_eq!(
        page.text_of("#chain-status").as_deref(),
        Some(zh().t("ocase.chain_ok"))
    );
    let changed = diesel::update(
        audit_events::table
            .filter(audit_events::case_id.eq(app.case_id(n)))
            .filter(audit_events::action.eq("assign")),
    )
    .set(audit_events::detail.eq(format!("{{\"officer_id\":{}}}", second.account.id)))
    .execute(&mut app.db())
    .unwrap();
    assert_eq!(changed, 1);
    let page = second.case_page(n).await;
    assert_eq!(
        page.attr_of("#chain-status", "data-chain").as_deref(),
        Some("broken")
    );
    assert!(
        page.text_of("#chain-status")
            .unwrap()
            .starts_with(zh().t("ocase.chain_broken"))
    );
}

#[tokio::test]
async fn an_answer_sent_after_the_officer_resumed_is_refused_and_keeps_nothing() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let reporter = app.visitor();
    let first_shot = png_screenshot(760);
    let receipt = reporter
        .file_report(
            &ReportFields::zh_cn(),
            vec![("first.png", first_shot.clone(), "image/png")],
        )
        .await;
    let n = &receipt.number;
    assert_eq!(
        officer.act(n, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        officer
            .act(n, "request_info", &[("message", "请补充截图。")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    // The reporter opens the answer form; meanwhile the officer resumes without waiting.
    let page = reporter.open_case(n, &receipt.code).await;
    let form = page.form("reply", "/track/case").expect("a reply form");
    assert_eq!(
        officer.act(n, "resume", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let before = app.case_state(n);
    let files_before = sorted_files(&app);

    // The late answer carries the case's own screenshot again and a new one.
    let late = reporter
        .submit_multipart(
            &form.fill("message", "迟到的答复"),
            vec![
                ("again.png", first_shot.clone(), "image/png"),
                ("new.png", png_screenshot(761), "image/png"),
            ],
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(late.case_status().as_deref(), Some("in_review"));
    assert_eq!(
        app.case_state(n),
        before,
        "nothing of the late answer is kept"
    );
    assert_eq!(
        sorted_files(&app),
        files_before,
        "no file added, none removed"
    );
    assert!(app.tmp_files().is_empty());

    // The case's own screenshot is still there, bit-exact.
    let page = officer.case_page(n).await;
    let original = page
        .attr_of("#evidence a.download[href*=\"/original\"]", "href")
        .unwrap();
    let download = officer.download(&original).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.bytes, first_shot);

    // And the reporter is told why the answer was not taken.
    assert!(
        late.body.contains(zh().t("error.transition_refused"))
            || late.body.contains(zh().t("error.case_changed")),
        "the reporter is told why the answer was not taken (DESIGN.md: an illegal transition \
         is refused with a clear message); the page's alerts: {:?}",
        late.texts_of(".alert")
    );
}

fn sorted_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    let mut files = app.evidence_files("");
    files.sort();
    files
}
