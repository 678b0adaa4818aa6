//! Following a report: the number and code open it, nothing else does or tells anything.

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn a_wrong_code_and_an_unknown_number_get_the_same_answer() {
    let app = spawn_app().await;
    let receipt = app
        .file_report(
            &ReportFields::zh_cn(),
            vec![("good.png", png_screenshot(40), "image/png")],
        )
        .await;

    // A well-formed code that is not this case's.
    let wrong_code = if receipt.code.starts_with('0') {
        receipt.code.replacen('0', "1", 1)
    } else {
        format!("0{}", &receipt.code[1..])
    };
    assert_ne!(wrong_code, receipt.code);
    let year = &receipt.number[3..7];
    let unknown_number = format!("RW-{year}-999999");

    let visitor = app.visitor();
    let wrong = visitor.track(&receipt.number, &wrong_code).await;
    let unknown = visitor.track(&unknown_number, &wrong_code).await;
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert_eq!(
        wrong.text_of("#track-problem").as_deref(),
        Some(zh().t("track.no_match"))
    );
    assert_eq!(
        wrong.body.replace(&receipt.number, "NUMBER"),
        unknown.body.replace(&unknown_number, "NUMBER"),
        "the page does not tell whether the number exists"
    );
    assert_eq!(wrong.location(), None);
    // Neither opened anything.
    let after = visitor.get("/track/case").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location().as_deref(), Some("/track"));
}

#[tokio::test]
async fn tracking_attempts_are_limited_per_hour() {
    let app = spawn_app_with(|s| s.rate_limit_track_per_hour = 3).await;
    let visitor = app.visitor();
    for attempt in 1..=3 {
        let reply = visitor
            .track("RW-2026-000001", "0000-0000-0000-0000-0000")
            .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "attempt {attempt} is answered"
        );
    }
    // The fourth from the same address, even from another browser, is refused.
    let reply = app
        .visitor()
        .track("RW-2026-000001", "0000-0000-0000-0000-0000")
        .await;
    assert_too_many_requests_page(&reply);
}

#[tokio::test]
async fn reports_are_limited_per_hour() {
    let app = spawn_app_with(|s| s.rate_limit_reports_per_hour = 2).await;
    app.file_report(
        &ReportFields::zh_cn(),
        vec![("a.png", png_screenshot(41), "image/png")],
    )
    .await;
    app.visitor()
        .file_report(
            &ReportFields::zh_cn(),
            vec![("b.png", png_screenshot(42), "image/png")],
        )
        .await;
    // The screenshots' copies are made (by this pass, or the app's runner): the count is final.
    app.run_due_jobs().await;
    let evidence_before = app.evidence_files("").len();

    let reply = app
        .visitor()
        .submit_report(
            &ReportFields::zh_cn(),
            vec![("c.png", png_screenshot(43), "image/png")],
        )
        .await;
    assert_too_many_requests_page(&reply);

    assert_eq!(app.case_count(), 2, "the refused report is not stored");
    assert_eq!(
        app.evidence_files("").len(),
        evidence_before,
        "nor its file"
    );
    assert!(app.tmp_files().is_empty());
}

#[tokio::test]
async fn the_case_page_without_a_session_goes_to_the_tracking_form() {
    let app = spawn_app().await;
    let reply = app.visitor().get("/track/case").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location().as_deref(), Some("/track"));
    let form = app.visitor().get("/track").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.count("form#track-form input[name=case_number]"), 1);
    assert_eq!(form.count("form#track-form input[name=receipt_code]"), 1);
}

#[tokio::test]
async fn evidence_of_a_case_is_not_served_to_another_client() {
    let app = spawn_app().await;
    let owner = app.visitor();
    let receipt = owner
        .file_report(
            &ReportFields::zh_cn(),
            vec![("mine.png", png_screenshot(44), "image/png")],
        )
        .await;
    app.run_due_jobs().await;
    let page = owner.open_case(&receipt.number, &receipt.code).await;
    let thumb = page.attr_of("#evidence img", "src").expect("a thumbnail");
    let display = page.attr_of("#evidence a", "href").expect("a display copy");
    for url in [&thumb, &display] {
        assert_eq!(
            owner.get_bytes(url).await.status,
            StatusCode::OK,
            "the owner sees {url}"
        );
    }

    // A stranger with no case open.
    let stranger = app.visitor();
    for url in [&thumb, &display] {
        let reply = stranger.get_bytes(url).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{url}");
        assert!(!reply.content_type.starts_with("image/"));
    }

    // A reporter of another case, whose session is valid for that case only.
    let other = app.visitor();
    let theirs = other
        .file_report(
            &ReportFields::zh_cn(),
            vec![("theirs.png", png_screenshot(45), "image/png")],
        )
        .await;
    other.open_case(&theirs.number, &theirs.code).await;
    for url in [&thumb, &display] {
        assert_eq!(
            other.get_bytes(url).await.status,
            StatusCode::NOT_FOUND,
            "{url}"
        );
    }
}

/// PostgreSQL: the server closes the portal's pooled connections (a restart, a fail-over, an
/// administrator): the reporter's case page still answers, read again on a new connection, and
/// so does the next. Skipped on SQLite, whose connections nothing outside can close.
#[tokio::test]
async fn the_case_page_answers_after_the_server_closed_the_pooled_connections() {
    use diesel::prelude::*;
    let app = spawn_app().await;
    if !matches!(&*app.db(), reviewwatch::db::DbConnection::Postgres(_)) {
        eprintln!("skipped on SQLite: only a database server closes connections");
        return;
    }
    let receipt = app
        .file_report(
            &ReportFields::zh_cn(),
            vec![("a.png", png_screenshot(12), "image/png")],
        )
        .await;
    let reporter = app.visitor();
    let first = reporter.open_case(&receipt.number, &receipt.code).await;

    #[derive(QueryableByName)]
    struct Closed {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        closed: bool,
    }
    let closed: Vec<Closed> = diesel::sql_query(
        "SELECT pg_terminate_backend(pid) AS closed FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .load(&mut app.db())
    .expect("the portal's connections closed");
    assert!(
        closed.iter().filter(|c| c.closed).count() >= 1,
        "the portal had connections open"
    );

    for _ in 0..3 {
        let again = reporter.get("/track/case").await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.text_of("h1"), Some(receipt.number.clone()));
        assert_eq!(again.text_of("#case-status"), first.text_of("#case-status"));
    }
}

/// The reporter's case page: on PostgreSQL each statement is a round trip to the server, and the
/// page is read in one (the case, its deadlines and notice, its trail, files and messages as
/// arrays); SQLite, in the process, reads the same in four. Both give what the separate reads
/// give, in the same order.
#[tokio::test]
async fn the_case_page_is_read_in_one_statement_on_postgresql() {
    use diesel::connection::{Connection, InstrumentationEvent};
    use reviewwatch::db::{self, DbConnection, audit, case_page, evidence, notes};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let receipt = app
        .file_report(
            &ReportFields::zh_cn(),
            vec![
                ("第一张.png", png_screenshot(41), "image/png"),
                ("第二张.jpg", jpeg_photo(42), "image/jpeg"),
            ],
        )
        .await;
    let n = &receipt.number;
    assert_eq!(
        officer.act(n, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let asked = officer
        .act(n, "request_info", &[("message", "请补充订单页截图")])
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    // The reporter answers with a third screenshot.
    let reporter = app.visitor();
    let form = reporter
        .open_case(n, &receipt.code)
        .await
        .form("reply", "/track/case")
        .expect("a reply form");
    let answered = reporter
        .submit_multipart(
            &form.fill("message", "订单页截图已补充"),
            vec![("订单页.png", png_screenshot(43), "image/png")],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER);
    let case_id = app.case_id(n);
    let mut conn = app.db();
    let token =
        db::reporter_sessions::create(&mut conn, case_id, db::now(), chrono::TimeDelta::minutes(5))
            .unwrap();

    let statements = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&statements);
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            counted.fetch_add(1, Ordering::Relaxed);
        }
    });
    let page = case_page::live_case_page(&mut conn, &token, db::now())
        .unwrap()
        .expect("the live session's case");
    let read_in = statements.load(Ordering::Relaxed);
    conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
    let expected = match &*conn {
        DbConnection::Postgres(_) => 1,
        DbConnection::Sqlite(_) => 4,
    };
    assert_eq!(read_in, expected, "statements for the case page");

    assert_eq!(page.live.0.case_number, *n);
    let trail = audit::for_case(&mut conn, case_id).unwrap();
    assert!(trail.len() >= 4, "{trail:?}");
    let seqs = |rows: &[audit::AuditRow]| {
        rows.iter()
            .map(|r| (r.seq, r.hash.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(seqs(&page.trail), seqs(&trail));
    assert!(
        audit::verify(&page.trail).is_ok(),
        "the chain read back is intact"
    );
    let files = evidence::for_case_with_redacted_thumbs(&mut conn, case_id).unwrap();
    let names = |rows: &[(evidence::EvidenceRow, Option<String>)]| {
        rows.iter()
            .map(|(f, t)| {
                (
                    f.id,
                    f.position,
                    f.original_name.clone(),
                    f.sha256.clone(),
                    t.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&page.files), names(&files));
    assert_eq!(
        page.files
            .iter()
            .map(|(f, _)| f.original_name.as_str())
            .collect::<Vec<_>>(),
        ["第一张.png", "第二张.jpg", "订单页.png"]
    );
    let messages = notes::messages_for(&mut conn, case_id).unwrap();
    let bodies = |rows: &[notes::MessageView]| {
        rows.iter()
            .map(|m| (m.id, m.body.clone(), m.officer_name.clone(), m.created_at))
            .collect::<Vec<_>>()
    };
    assert_eq!(bodies(&page.messages), bodies(&messages));
    assert_eq!(
        page.messages
            .iter()
            .map(|m| m.body.as_str())
            .collect::<Vec<_>>(),
        ["请补充订单页截图", "订单页截图已补充"]
    );
    assert_eq!(page.messages[0].officer_name.as_deref(), Some("李明"));
    assert!(page.messages[1].from_reporter && page.messages[1].officer_name.is_none());
}
