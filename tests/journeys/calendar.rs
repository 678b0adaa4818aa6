//! The working-day calendar as data: a year without the State Council's notice counts the
//! statutory holidays and says "provisional"; loading the notice (web upload, command, or a file
//! in DATA_DIR) puts it in force at once and moves the deadlines already running, audited; a
//! malformed file changes nothing.

use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::{audit_events, calendar_years, case_deadlines, cases};

/// A stand-in for the 2027 notice (not the real one, which is not out): 元旦 1–3 January,
/// 春节 5–13 February with Saturdays 30 January and 20 February worked, and every other
/// statutory holiday off.
const NOTICE_2027: &str = r#"{
  "year": 2027,
  "source": "国务院办公厅关于2027年部分节假日安排的通知（测试用）",
  "holidays": {
    "元旦 New Year": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "春节 Spring Festival": ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09",
                             "2027-02-10", "2027-02-11", "2027-02-12", "2027-02-13"],
    "清明节 Qingming": ["2027-04-03", "2027-04-04", "2027-04-05"],
    "劳动节 Labour Day": ["2027-05-01", "2027-05-02", "2027-05-03", "2027-05-04", "2027-05-05"],
    "端午节 Dragon Boat": ["2027-06-09"],
    "中秋节 Mid-Autumn": ["2027-09-15"],
    "国庆节 National Day": ["2027-10-01", "2027-10-02", "2027-10-03", "2027-10-04", "2027-10-05",
                           "2027-10-06", "2027-10-07"]
  },
  "adjusted_working_days": ["2027-01-30", "2027-02-20"]
}"#;

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Files a report (no email: it enters the queue at once) as though it had been filed on
/// Sunday 20 December 2026 at 10:00 in China, with the deadlines that day gives on the
/// calendar in force before 2027's notice: 7 working days to accept, 15 to decide.
async fn report_filed_on_20_december(app: &TestApp) -> Receipt {
    let receipt = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn().set("also_complaint", "on"),
            vec![("card.png", png_screenshot(7), "image/png")],
        )
        .await;
    let id = app.case_id(&receipt.number);
    let filed = date("2026-12-20").and_hms_opt(2, 0, 0).unwrap();
    let mut conn = app.db();
    diesel::update(cases::table.find(id))
        .set((
            cases::submitted_at.eq(Some(filed)),
            cases::created_at.eq(filed),
        ))
        .execute(&mut conn)
        .unwrap();
    diesel::update(case_deadlines::table.find(id))
        .set((
            case_deadlines::accept_by.eq(Some(date("2026-12-29"))),
            case_deadlines::decide_by.eq(date("2027-01-11")),
        ))
        .execute(&mut conn)
        .unwrap();
    receipt
}

fn deadlines(app: &TestApp, number: &str) -> (Option<chrono::NaiveDate>, chrono::NaiveDate) {
    case_deadlines::table
        .find(app.case_id(number))
        .select((case_deadlines::accept_by, case_deadlines::decide_by))
        .first(&mut app.db())
        .unwrap()
}

fn calendar_loads(app: &TestApp) -> i64 {
    calendar_years::table
        .count()
        .get_result(&mut app.db())
        .unwrap()
}

fn upload(csrf: &str, bytes: &[u8]) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("csrf_token", csrf.to_string())
        .part(
            "calendar_file",
            reqwest::multipart::Part::bytes(bytes.to_vec())
                .file_name("2027.json")
                .mime_str("application/json")
                .unwrap(),
        )
}

async fn calendar_page_csrf(officer: &OfficerBrowser) -> (Reply, String) {
    let page = officer.get("/officer/calendar").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page
        .attr_of("#import-calendar input[name=csrf_token]", "value")
        .expect("the upload form carries the CSRF token");
    (page, csrf)
}

#[tokio::test]
async fn loading_the_2027_notice_moves_running_deadlines_and_drops_provisional() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;

    // The shipped 2026 notice is in force; 2027 is provisional.
    let (page, _) = calendar_page_csrf(&supervisor).await;
    assert_eq!(
        page.attr_of("tr[data-year='2026']", "data-calendar")
            .as_deref(),
        Some("official")
    );
    assert_eq!(
        page.attr_of("tr[data-year='2027']", "data-calendar")
            .as_deref(),
        Some("provisional")
    );
    // Provisional 2027: 元旦 on 1 January, 春节 from 除夕 (5 February) to 初三 (8 February)
    // with 补假 on 9 and 10 February for the two days that fall on the weekend.
    let row_2027 = page.text_of("tr[data-year='2027']").unwrap();
    assert!(row_2027.contains("元旦 New Year 01-01"), "{row_2027}");
    assert!(
        row_2027.contains("春节 Spring Festival 02-05, 02-06, 02-07, 02-08, 02-09, 02-10"),
        "{row_2027}"
    );

    // A case filed on 20 December is due in January 2027: provisional on every page.
    let late = report_filed_on_20_december(&app).await;
    // A case due within 2026 is not touched by 2027's notice.
    let early = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn(),
            vec![("a.png", png_screenshot(8), "image/png")],
        )
        .await;
    let early_before = deadlines(&app, &early.number);

    let officer_page = supervisor.case_page(&late.number).await;
    assert_eq!(
        officer_page.text_of("#decide-by").as_deref(),
        Some("2027-01-11")
    );

    assert!(
        officer_page
            .text_of(".case-meta")
            .unwrap()
            .contains(zh().t("deadline.provisional"))
    );

    // The officer takes it and extends it once: 15 more working days, past 30 January.
    supervisor.act(&late.number, "take", &[]).await;
    let extended = supervisor
        .act(&late.number, "extend", &[("reason", "需调取平台交易数据")])
        .await;
    assert_eq!(extended.status, StatusCode::SEE_OTHER);
    // Provisional: 12–15, 18–22, 25–29 January (14), Monday 1 February (15).
    assert_eq!(deadlines(&app, &late.number).1, date("2027-02-01"));
    // In the queue too (a case in review is due by its decision date).
    let queue = supervisor.get("/officer/cases").await;
    let row = |q: &Reply, n: &str| {
        q.text_of(&format!("tr[data-case='{n}']"))
            .unwrap_or_default()
    };
    assert!(row(&queue, &late.number).contains(zh().t("deadline.provisional")));
    assert!(!row(&queue, &early.number).contains(zh().t("deadline.provisional")));

    let reporter = app.visitor();
    let tracked = reporter.open_case(&late.number, &late.code).await;
    assert_eq!(
        tracked
            .text_of("#decide-by")
            .as_deref()
            .map(|t| t.starts_with("2027-02-01")),
        Some(true)
    );
    assert!(
        tracked
            .text_of("#decide-by")
            .unwrap()
            .contains(zh().t("deadline.provisional"))
    );

    let audit_before: i64 = audit_events::table
        .filter(audit_events::case_id.eq(app.case_id(&late.number)))
        .count()
        .get_result(&mut app.db())
        .unwrap();

    // The supervisor uploads the notice.
    let (_, csrf) = calendar_page_csrf(&supervisor).await;
    let loaded = supervisor
        .post_multipart("/officer/calendar", upload(&csrf, NOTICE_2027.as_bytes()))
        .await;
    assert_eq!(loaded.status, StatusCode::SEE_OTHER, "{}", loaded.body);
    let page = supervisor.get(loaded.location().as_deref().unwrap()).await;
    assert_eq!(
        page.text_of("#calendar-outcome").unwrap(),
        zh().t2("calendar.loaded", 2027, 1)
    );
    assert_eq!(
        page.attr_of("tr[data-year='2027']", "data-calendar")
            .as_deref(),
        Some("official")
    );
    assert!(page.text_of("#calendar-history").unwrap().contains("陈静"));

    // The Saturday 30 January is worked under the notice: the deadline moves there, at once.
    assert_eq!(
        deadlines(&app, &late.number),
        (Some(date("2026-12-29")), date("2027-01-30"))
    );
    assert_eq!(deadlines(&app, &early.number), early_before);
    let queue = supervisor.get("/officer/cases").await;
    assert!(!row(&queue, &late.number).contains(zh().t("deadline.provisional")));
    assert!(row(&queue, &late.number).contains("2027-01-30"));
    let officer_page = supervisor.case_page(&late.number).await;
    assert_eq!(
        officer_page.text_of("#decide-by").as_deref(),
        Some("2027-01-30")
    );
    assert!(
        !officer_page
            .text_of(".case-meta")
            .unwrap()
            .contains(zh().t("deadline.provisional"))
    );

    // One audit entry on the moved case, in the reporter's timeline too.
    let trail: Vec<(String, String)> = audit_events::table
        .filter(audit_events::case_id.eq(app.case_id(&late.number)))
        .order(audit_events::seq.asc())
        .select((audit_events::action, audit_events::detail))
        .load(&mut app.db())
        .unwrap();
    assert_eq!(trail.len() as i64, audit_before + 1);
    let (action, detail) = trail.last().unwrap();
    assert_eq!(action, "deadlines_recounted");
    let detail: serde_json::Value = serde_json::from_str(detail).unwrap();
    assert_eq!(detail["decide_by"]["from"], "2027-02-01");
    assert_eq!(detail["decide_by"]["to"], "2027-01-30");

    let tracked = reporter.open_case(&late.number, &late.code).await;
    assert_eq!(tracked.text_of("#decide-by").as_deref(), Some("2027-01-30"));
    assert!(tracked.text_of("#timeline").unwrap().contains(&zh().t2(
        "timeline.deadlines_recounted",
        2027,
        "2027-01-30"
    )));

    // The same file again changes nothing.
    let (_, csrf) = calendar_page_csrf(&supervisor).await;
    let again = supervisor
        .post_multipart("/officer/calendar", upload(&csrf, NOTICE_2027.as_bytes()))
        .await;
    assert_eq!(
        again.location().as_deref(),
        Some("/officer/calendar?same=2027")
    );
    assert_eq!(
        calendar_loads(&app),
        2,
        "the shipped 2026 file and the 2027 notice"
    );
}

#[tokio::test]
async fn a_malformed_year_file_is_refused_with_every_problem_and_changes_nothing() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let late = report_filed_on_20_december(&app).await;
    let before = (calendar_loads(&app), deadlines(&app, &late.number));

    let bad = r#"{"year": 2027,
        "holidays": {"春节": ["2027-02-06", "2028-02-07"], "国庆节": []},
        "adjusted_working_days": ["2027-02-06", "2027-02-03"]}"#;
    let (_, csrf) = calendar_page_csrf(&supervisor).await;
    let refused = supervisor
        .post_multipart("/officer/calendar", upload(&csrf, bad.as_bytes()))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = refused.texts_of("#calendar-problems li");
    for expected in [
        zh().t1("calendar.error.outside_year", "2028-02-07 (春节)"),
        zh().t1("calendar.error.empty_holiday", "国庆节"),
        zh().t1("calendar.error.off_and_working", "2027-02-06"),
        zh().t1("calendar.error.not_weekend", "2027-02-03"),
    ] {
        assert!(problems.contains(&expected), "{expected} in {problems:?}");
    }
    for junk in [&b"not json at all"[..], b"{\"year\": 2027}", b""] {
        let reply = supervisor
            .post_multipart("/officer/calendar", upload(&csrf, junk))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.text_of("#calendar-problems").is_some());
    }
    let huge = vec![b' '; 200 * 1024];
    let reply = supervisor
        .post_multipart("/officer/calendar", upload(&csrf, &huge))
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);

    // Without the session's CSRF token, or from an officer who is not a supervisor: refused.
    let forged = supervisor
        .post_multipart(
            "/officer/calendar",
            upload("forged", NOTICE_2027.as_bytes()),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    assert_eq!(
        officer.get("/officer/calendar").await.status,
        StatusCode::FORBIDDEN
    );
    let queue = officer.get("/officer/cases").await;
    assert_eq!(
        queue.count("[id^=calendar-missing]"),
        0,
        "only supervisors are warned"
    );

    assert_eq!(
        (calendar_loads(&app), deadlines(&app, &late.number)),
        before
    );
}

/// Runs `reviewwatch calendar …` on the app's storage: exit code and output.
fn run_calendar(app: &TestApp, storage_url: &str, args: &[&str]) -> (i32, String) {
    let args: Vec<&std::ffi::OsStr> = std::iter::once("calendar")
        .chain(args.iter().copied())
        .map(std::ffi::OsStr::new)
        .collect();
    run_reviewwatch(&args, &app.data_dir, Some(storage_url))
}

#[tokio::test]
async fn the_command_and_a_file_in_the_data_folder_load_a_year_too() {
    let app = spawn_app().await;
    let url = app.storage_url();
    let late = report_filed_on_20_december(&app).await;
    let dir = tempfile::tempdir().unwrap();

    // A malformed file: refused with its problems, exit 1, nothing changed.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"year": 2027, "holidays": {"": ["2027-01-01"]}, "adjusted_working_days": ["2027-01-05"]}"#).unwrap();
    let (code, out) = run_calendar(&app, &url, &["import", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("a holiday has no name"), "{out}");
    assert!(
        out.contains(
            "2027-01-05 is listed as an adjusted working day but is not a Saturday or Sunday"
        ),
        "{out}"
    );
    assert_eq!(calendar_loads(&app), 1);

    let (code, out) = run_calendar(&app, &url, &["list"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2026  official"), "{out}");
    // When it was loaded: RFC 3339, in UTC (`Z`).
    let line = out
        .lines()
        .find(|l| l.starts_with("2026  official"))
        .unwrap();
    assert!(line.ends_with("Z)"), "{line}");

    // The running portal sees the year the command loads, at once (the calendar lives in the
    // shared database).
    let good = dir.path().join("2027.json");
    std::fs::write(&good, NOTICE_2027).unwrap();
    let (code, out) = run_calendar(&app, &url, &["import", good.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "2027: loaded as the official calendar, in force now; 0 open deadline(s) moved"
        ),
        "{out}"
    );
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let page = supervisor.get("/officer/calendar").await;
    assert_eq!(
        page.attr_of("tr[data-year='2027']", "data-calendar")
            .as_deref(),
        Some("official")
    );
    // Decided by 11 January either way (2–3 January are a weekend anyway).
    assert_eq!(deadlines(&app, &late.number).1, date("2027-01-11"));

    // A corrected notice dropped into DATA_DIR/calendar is loaded at the next start.
    let corrected = NOTICE_2027
        .replace(
            "\"2027-01-01\", \"2027-01-02\", \"2027-01-03\"",
            "\"2027-01-01\", \"2027-01-02\", \"2027-01-03\", \"2027-01-04\"",
        )
        .replace("（测试用）", "（测试用，更正）");
    let storage = app.stop();
    std::fs::create_dir_all(storage.dir.path().join("calendar")).unwrap();
    std::fs::write(storage.dir.path().join("calendar/2027.json"), &corrected).unwrap();
    let app = spawn_app_on(storage, |_| {}).await;
    assert_eq!(calendar_loads(&app), 3);
    // 4 January is now off: the 15th working day is 12 January.
    assert_eq!(deadlines(&app, &late.number).1, date("2027-01-12"));
    let supervisor = app.supervisor("wang.fang@amr.example.gov.cn", "王芳").await;
    let page = supervisor.get("/officer/calendar").await;
    assert!(
        page.text_of("tr[data-year='2027']")
            .unwrap()
            .contains("（测试用，更正）")
    );
    assert!(
        page.text_of("tr[data-year='2027']")
            .unwrap()
            .contains(zh().t("calendar.origin.data_dir"))
    );

    // The same file at the next start is not loaded twice.
    let storage = app.stop();
    let app = spawn_app_on(storage, |_| {}).await;
    assert_eq!(calendar_loads(&app), 3);
}

/// On PostgreSQL a step that counts days while a year is being loaded waits for the load and
/// counts on the new year (SQLite has one writer at a time, so the race cannot happen there).
#[tokio::test]
async fn a_step_counting_days_during_a_load_waits_for_it_and_sees_the_new_year() {
    use reviewwatch::db::{self, calendar};
    use reviewwatch::domain::workdays::YearStatus;
    let app = spawn_app().await;
    if !matches!(&*app.db(), db::DbConnection::Postgres(_)) {
        eprintln!("SQLite: writers are serialised by the database, nothing to race here");
        return;
    }
    let file = reviewwatch::domain::calendar_file::parse(NOTICE_2027.as_bytes()).unwrap();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel::<()>();
    let (commit_tx, commit_rx) = std::sync::mpsc::channel::<()>();
    let mut loader = app.db();
    let loading = std::thread::spawn(move || {
        db::write_transaction(&mut loader, |conn| {
            calendar::lock_for_loading(conn)?;
            calendar::insert(
                conn,
                &calendar::NewCalendarYear {
                    file: &file,
                    origin: calendar::Origin::Command,
                    imported_by: None,
                    imported_at: db::now(),
                },
            )?;
            locked_tx.send(()).unwrap();
            commit_rx.recv().unwrap();
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
    });
    locked_rx.recv().unwrap();
    let mut counter = app.db();
    let counting = std::thread::spawn(move || {
        db::write_transaction(&mut counter, |conn| {
            calendar::current(conn).map_err(|_| diesel::result::Error::RollbackTransaction)
        })
        .unwrap()
        .year_status(2027)
    });
    // The counting step is waiting on the load's lock before the load commits.
    poll_until("the counting step waits for the load", WAIT, || {
        let waiting: i64 = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        )
        .get_result::<Count>(&mut app.db())
        .map(|c| c.n)
        .unwrap_or(0);
        (waiting > 0).then_some(())
    })
    .await;
    commit_tx.send(()).unwrap();
    loading.join().unwrap();
    assert_eq!(counting.join().unwrap(), YearStatus::Official);
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}
