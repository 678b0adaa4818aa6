//! Access and secrets: reporter sessions end for every copy of the cookie, case links end with
//! the case, the state machine refuses what it forbids whatever was posted, officers cannot reach
//! an unconfirmed report, package downloads are audited, a report form files once, secrets do not
//! stay in the outbox, the data folder is the service user's only, and tokens stay out of the log.

use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::{audit_events, outbox};
use std::path::Path;

const REPORTER: &str = "wang.fang@example.com";
const REGULATOR: &str = "panyu@amr.example.gov.cn";

/// The session cookie as the browser holds it after `reply`, ready to replay elsewhere.
fn copied_cookie(reply: &Reply) -> String {
    let set = set_cookies(reply, "rw_session");
    let last = set.last().expect("the reply sets the session cookie");
    format!("rw_session={}", cookie_value(last))
}

/// Opens the case in a new browser with its number and code; returns the browser and a copy of
/// its session cookie.
async fn tracker_with_copied_cookie(app: &TestApp, receipt: &Receipt) -> (Visitor, String) {
    let tracker = app.visitor();
    let opened = tracker.track(&receipt.number, &receipt.code).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let cookie = copied_cookie(&opened);
    let page = tracker.get("/track/case").await;
    assert_eq!(page.status, StatusCode::OK);
    (tracker, cookie)
}

/// Withdraws the case open in `tracker`, through the page and its confirmation.
async fn withdraw(tracker: &Visitor) {
    let page = tracker.get("/track/case").await;
    let ask = page
        .form("withdraw", "/track/case")
        .expect("a withdraw form");
    let asked = tracker.submit(&ask).await;
    let really = asked
        .form("withdraw", "/track/case")
        .expect("the confirmation form");
    let done = tracker.submit(&really).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
}

fn assert_opens_nothing(reply: &Reply, what: &str) {
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "{what}: {}",
        reply.body
    );
    assert_eq!(reply.location().as_deref(), Some("/track"), "{what}");
}

#[tokio::test]
async fn a_copied_reporter_cookie_stops_working_once_the_case_is_withdrawn() {
    let app = spawn_app().await;
    let receipt = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn(),
            vec![("a.png", png_screenshot(8001), "image/png")],
        )
        .await;
    let (tracker, cookie) = tracker_with_copied_cookie(&app, &receipt).await;
    let thief = app.visitor();
    let before = thief.get_with_cookie("/track/case", &cookie).await;
    assert_eq!(
        before.status,
        StatusCode::OK,
        "the copy works while it lasts"
    );

    withdraw(&tracker).await;
    assert_eq!(app.case_status(&receipt.number), "withdrawn");
    let after = thief.get_with_cookie("/track/case", &cookie).await;
    assert_opens_nothing(&after, "a copied cookie after withdrawing");
    // The browser that withdrew sees the result, and the receipt code still opens the case.
    let own = tracker.get("/track/case").await;
    assert_eq!(own.case_status().as_deref(), Some("withdrawn"));
    let again = app
        .visitor()
        .open_case(&receipt.number, &receipt.code)
        .await;
    assert_eq!(again.case_status().as_deref(), Some("withdrawn"));
}

#[tokio::test]
async fn a_copied_reporter_cookie_stops_working_once_the_reporter_leaves() {
    let app = spawn_app().await;
    let receipt = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn(),
            vec![("a.png", png_screenshot(8002), "image/png")],
        )
        .await;
    let (tracker, cookie) = tracker_with_copied_cookie(&app, &receipt).await;
    let page = tracker.get("/track/case").await;
    let csrf = page
        .attr_of(
            "form[action=\"/track/leave\"] input[name=csrf_token]",
            "value",
        )
        .expect("a leave form");
    let left = tracker
        .post_form("/track/leave", &[("csrf_token", &csrf)])
        .await;
    assert_eq!(left.status, StatusCode::SEE_OTHER);

    let replayed = app.visitor().get_with_cookie("/track/case", &cookie).await;
    assert_opens_nothing(&replayed, "a copied cookie after leaving");
    assert_opens_nothing(&tracker.get("/track/case").await, "the browser that left");
    assert_eq!(app.case_status(&receipt.number), "submitted");
}

#[tokio::test]
async fn a_case_link_and_reporter_sessions_end_when_the_case_is_withdrawn_or_dismissed() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    for (seed, ending) in [(8003, "withdraw"), (8004, "dismiss")] {
        let reporter = app.visitor();
        let receipt = reporter
            .file_report(
                &ReportFields::zh_cn().email(REPORTER),
                vec![("a.png", png_screenshot(seed), "image/png")],
            )
            .await;
        let confirm = app.mail.next_for(REPORTER, WAIT).await;
        reporter.post_form(&confirm.confirm_path(), &[]).await;
        let submitted = app.mail.next_for(REPORTER, WAIT).await;
        let link = access_link_path(&submitted);
        let (tracker, cookie) = tracker_with_copied_cookie(&app, &receipt).await;
        assert_eq!(app.visitor().get(&link).await.status, StatusCode::OK);

        if ending == "withdraw" {
            withdraw(&tracker).await;
        } else {
            let n = &receipt.number;
            let dismissed = officer
                .act(
                    n,
                    "dismiss",
                    &[("reason", "spam"), ("message", "无效举报。")],
                )
                .await;
            assert_eq!(
                dismissed.status,
                StatusCode::SEE_OTHER,
                "{}",
                dismissed.body
            );
        }
        let last = app.mail.next_for(REPORTER, WAIT).await;
        assert!(
            !last.text.contains("/track/link/") && !last.html.contains("/track/link/"),
            "the mail of a case that is over carries no case link:\n{}",
            last.text
        );

        let refused = app.visitor().get(&link).await;
        assert_eq!(
            refused.status,
            StatusCode::GONE,
            "the case link after {ending}"
        );
        let replayed = app.visitor().get_with_cookie("/track/case", &cookie).await;
        assert_opens_nothing(&replayed, ending);
    }
}

#[tokio::test]
async fn take_and_assign_are_refused_on_a_withdrawn_or_dismissed_case_and_change_nothing() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;

    // Withdrawn before anyone took it.
    let withdrawn = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn(),
            vec![("a.png", png_screenshot(8010), "image/png")],
        )
        .await;
    let (tracker, _) = tracker_with_copied_cookie(&app, &withdrawn).await;
    withdraw(&tracker).await;

    // Dismissed by the officer who took it.
    let dismissed = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn(),
            vec![("b.png", png_screenshot(8011), "image/png")],
        )
        .await;
    let n = &dismissed.number;
    assert_eq!(
        officer.act(n, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let done = officer
        .act(
            n,
            "dismiss",
            &[("reason", "duplicate"), ("message", "重复举报。")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);

    for receipt in [&withdrawn, &dismissed] {
        let n = &receipt.number;
        for (who, action, fields) in [
            (&officer, "take", vec![]),
            (&supervisor, "take", vec![]),
            (
                &supervisor,
                "assign",
                vec![("officer_id", supervisor.account.id.to_string())],
            ),
        ] {
            let before = app.case_state(n);
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let reply = who.forge(n, action, &fields).await;
            assert_eq!(
                reply.status,
                StatusCode::CONFLICT,
                "{action} by {} on a {} case: {}",
                who.account.name,
                before.status,
                reply.body
            );
            assert_eq!(
                reply.text_of("#action-problem").as_deref(),
                Some(zh().t("error.transition_refused")),
                "the clear message of a refused transition"
            );
            assert_eq!(app.case_state(n), before, "{action} on {n} changed nothing");
        }
    }
}

#[tokio::test]
async fn officers_cannot_open_the_evidence_of_an_unconfirmed_report() {
    let app = spawn_app().await;
    let officer = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let receipt = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn().email(REPORTER),
            vec![("a.png", png_screenshot(8020), "image/png")],
        )
        .await;
    let n = &receipt.number;
    assert_eq!(app.case_status(n), "unconfirmed");
    let evidence = app.evidence_rows();
    let id = evidence[0].id;
    let before = app.case_state(n);
    assert_eq!(
        officer.get(&format!("/officer/cases/{n}")).await.status,
        StatusCode::NOT_FOUND,
        "the case page"
    );
    for variant in ["thumb", "display", "original"] {
        let got = officer
            .download(&format!("/officer/cases/{n}/evidence/{id}/{variant}"))
            .await;
        assert_eq!(got.status, StatusCode::NOT_FOUND, "{variant}");
    }
    for path in [
        format!("/officer/cases/{n}/evidence/{id}/redact"),
        format!("/officer/cases/{n}/evidence/{id}/redacted/display"),
    ] {
        assert_eq!(
            officer.download(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(app.case_state(n), before, "nothing was recorded");
}

/// The 番禺区 bureau in the regulator directory, receiving at `REGULATOR`.
fn add_panyu_bureau(app: &TestApp) -> reviewwatch::domain::RegulatorId {
    reviewwatch::db::regulators::insert(
        &mut app.db(),
        &reviewwatch::db::regulators::RegulatorFields {
            name: "广州市番禺区市场监督管理局",
            kind: reviewwatch::domain::regulator::RegulatorKind::Market,
            region_code: Some("440113"),
            email: REGULATOR,
            active: true,
        },
        reviewwatch::db::now(),
    )
    .unwrap()
}

/// Files a report with an address, confirms it, has `officer` take, substantiate and hand it to
/// a regulator added to the directory; returns the receipt and the regulator's email.
async fn handed_off_case(
    app: &TestApp,
    officer: &OfficerBrowser,
    seed: u32,
) -> (Receipt, ParsedMail) {
    let regulator_id = add_panyu_bureau(app);
    let form = ReportFields::zh_cn()
        .set("region_province", "440000")
        .set("region_city", "440100")
        .set("region_code", "440113")
        .email(REPORTER);
    let receipt = app
        .file_confirmed_report(
            &app.visitor(),
            &form,
            vec![("a.png", png_screenshot(seed), "image/png")],
        )
        .await;
    let n = &receipt.number;
    assert_eq!(
        officer.act(n, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let decided = officer
        .act(
            n,
            "substantiate",
            &[
                ("note", "认定属实。"),
                ("finding", "截图与订单相互印证，认定属实。"),
            ],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER);
    let handed = officer
        .act(
            n,
            "hand_off",
            &[("regulator_id", &regulator_id.to_string())],
        )
        .await;
    assert_eq!(
        handed.status,
        StatusCode::SEE_OTHER,
        "{:?}",
        handed.text_of("#action-problem")
    );
    let mail = app.mail.next_for(REGULATOR, WAIT).await;
    (receipt, mail)
}

/// The path of the regulator's `action` link in the handoff email.
fn regulator_link(mail: &ParsedMail, action: &str) -> String {
    mail.text
        .match_indices("/handoff/")
        .map(|(i, _)| {
            mail.text[i..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
                .collect::<String>()
        })
        .find(|p| p.split('/').nth(3) == Some(action))
        .unwrap_or_else(|| panic!("no {action} link in:\n{}", mail.text))
}

fn downloads_recorded(app: &TestApp, number: &str) -> Vec<(String, Option<i64>)> {
    audit_events::table
        .filter(audit_events::case_id.eq(app.case_id(number)))
        .filter(audit_events::action.eq("package_downloaded"))
        .order(audit_events::seq.asc())
        .select((audit_events::actor_kind, audit_events::actor_id))
        .load(&mut app.db())
        .unwrap()
}

#[tokio::test]
async fn each_package_download_by_an_officer_or_a_regulator_link_writes_an_audit_row() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let (receipt, mail) = handed_off_case(&app, &officer, 8030).await;
    let n = &receipt.number;
    assert!(downloads_recorded(&app, n).is_empty());

    let page = officer.case_page(n).await;
    let package = page
        .attr_of(
            "#handoffs tr[data-handoff=\"1\"] a[href$=\"/package\"]",
            "href",
        )
        .expect("the officer's package link");
    let got = officer.download(&package).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(
        downloads_recorded(&app, n),
        vec![("officer".to_string(), Some(officer.account.id.get()))]
    );

    let link = regulator_link(&mail, "package");
    let got = app.visitor().download(&link).await;
    assert_eq!(got.status, StatusCode::OK);
    let recorded = downloads_recorded(&app, n);
    assert_eq!(recorded.len(), 2, "{recorded:?}");
    assert_eq!(recorded[1].0, "regulator");
    // The trail stays whole: every row chains to the one before.
    let page = officer.case_page(n).await;
    assert!(
        page.count("tr[data-audit-action=package_downloaded]") == 2,
        "the officer sees both downloads in the trail"
    );
}

#[tokio::test]
async fn sent_mail_keeps_no_usable_link_in_the_outbox_while_the_mail_itself_works() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let (receipt, regulator_mail) = handed_off_case(&app, &officer, 8040).await;
    let subject = zh().t2(
        "email.status.subject",
        &receipt.number,
        zh().status(reviewwatch::domain::CaseStatus::HandedOff),
    );
    let status_mail = app.mail.next_with_subject(REPORTER, &subject).await;
    let case_link = access_link_path(&status_mail);

    // Every mail is out: the confirmation, the status mails, the handoff.
    let rows = poll_until("every mail sent", WAIT, || {
        let rows = app.outbox();
        rows.iter().all(|m| m.sent_at.is_some()).then_some(rows)
    })
    .await;
    let kinds: Vec<&str> = rows.iter().map(|m| m.kind.as_str()).collect();
    for kind in ["confirm", "status", "handoff"] {
        assert!(kinds.contains(&kind), "a {kind} mail was sent: {kinds:?}");
    }
    let secrets = [
        "/confirm/",
        "/track/link/",
        "/handoff/",
        receipt.code.as_str(),
    ];
    for m in rows
        .iter()
        .filter(|m| ["confirm", "status", "handoff"].contains(&m.kind.as_str()))
    {
        for body in [&m.body_text, &m.body_html] {
            for secret in secrets {
                assert!(
                    !body.contains(secret),
                    "the sent {} mail #{} still holds {secret:?} in the outbox:\n{body}",
                    m.kind,
                    m.id
                );
            }
        }
    }
    // Subject, recipient and kind stay for the record.
    let subjects: Vec<String> = outbox::table
        .select(outbox::subject)
        .load(&mut app.db())
        .unwrap();
    assert!(subjects.iter().all(|s| !s.is_empty()));

    // The mails themselves carry working links.
    let opened = app.visitor().get(&case_link).await;
    assert_eq!(opened.status, StatusCode::OK);
    let package = app
        .visitor()
        .download(&regulator_link(&regulator_mail, "package"))
        .await;
    assert_eq!(package.status, StatusCode::OK);
    let ack = app
        .visitor()
        .get(&regulator_link(&regulator_mail, "acknowledge"))
        .await;
    assert_eq!(ack.status, StatusCode::OK);
}

#[tokio::test]
async fn a_report_form_sent_again_files_nothing_and_shows_the_first_receipt() {
    let app = spawn_app().await;
    let browser = app.visitor();
    let token = browser.form_token().await;
    let form = ReportFields::zh_cn();
    let first = browser
        .submit_report_with_token(
            &form,
            vec![("a.png", png_screenshot(8050), "image/png")],
            Some(&token),
        )
        .await;
    assert_eq!(
        first.status,
        StatusCode::SEE_OTHER,
        "{:?}",
        first.problems()
    );
    let receipt_page = browser.get("/reports/receipt").await;
    let number = receipt_page.text_of("#case-number").unwrap();
    let code = receipt_page.text_of("#receipt-code").unwrap();
    assert_eq!(app.case_count(), 1);

    // The same form again (the back button, a reload): the first receipt, nothing filed.
    let again = browser
        .submit_report_with_token(
            &form,
            vec![("a.png", png_screenshot(8050), "image/png")],
            Some(&token),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(
        again.text_of("#case-number").as_deref(),
        Some(number.as_str())
    );
    assert_eq!(
        again.text_of("#receipt-code").as_deref(),
        Some(code.as_str())
    );
    assert_eq!(again.count("#already-filed"), 1);
    assert_eq!(app.case_count(), 1, "nothing was filed twice");

    // Another browser with the same token learns nothing about the case, and files nothing.
    let other = app
        .visitor()
        .submit_report_with_token(
            &form,
            vec![("b.png", png_screenshot(8051), "image/png")],
            Some(&token),
        )
        .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(other.count("#already-filed"), 1);
    assert!(
        !other.body.contains(&number) && !other.body.contains(&code),
        "the case is not revealed without its receipt code"
    );
    assert_eq!(app.case_count(), 1);

    // A fresh form files a new report.
    app.visitor()
        .file_report(&form, vec![("c.png", png_screenshot(8052), "image/png")])
        .await;
    assert_eq!(app.case_count(), 2);
}

#[cfg(unix)]
fn loose_entries(dir: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut loose = Vec::new();
    let mode = std::fs::metadata(dir).unwrap().permissions().mode();
    if mode & 0o077 != 0 {
        loose.push(format!("{} {:o}", dir.display(), mode & 0o777));
    }
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            loose.extend(loose_entries(&path));
        } else {
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            if mode & 0o077 != 0 {
                loose.push(format!("{} {:o}", path.display(), mode & 0o777));
            }
        }
    }
    loose
}

#[cfg(unix)]
#[tokio::test]
async fn nothing_in_the_data_folder_is_readable_by_group_or_others() {
    // Mail as .eml files in DATA_DIR/mail, the default transport.
    let app = spawn_app_with(|s| s.smtp_url = None).await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let regulator_id = add_panyu_bureau(&app);
    app.visitor()
        .file_report(
            &ReportFields::zh_cn().email(REPORTER),
            vec![("a.png", png_screenshot(8060), "image/png")],
        )
        .await;
    let receipt = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn()
                .set("region_province", "440000")
                .set("region_city", "440100")
                .set("region_code", "440113"),
            vec![("b.png", png_screenshot(8061), "image/png")],
        )
        .await;
    let n = &receipt.number;
    assert_eq!(
        officer.act(n, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    officer
        .act(
            n,
            "substantiate",
            &[
                ("note", "属实。"),
                ("finding", "截图与订单相互印证，认定属实。"),
            ],
        )
        .await;
    let handed = officer
        .act(
            n,
            "hand_off",
            &[("regulator_id", &regulator_id.to_string())],
        )
        .await;
    assert_eq!(handed.status, StatusCode::SEE_OTHER);
    poll_until("every mail written", WAIT, || {
        app.outbox()
            .iter()
            .all(|m| m.sent_at.is_some())
            .then_some(())
    })
    .await;

    let dir = app.data_dir.clone();
    let files = files_under(&dir);
    let has = |what: &str| files.iter().any(|p| p.to_string_lossy().contains(what));
    for what in ["/mail/", "/evidence/", "/packages/", ".eml", ".zip"] {
        assert!(has(what), "the journey left a {what} file: {files:?}");
    }
    if std::env::var("TEST_DATABASE_URL").is_err() {
        assert!(has("reviewwatch.sqlite3"), "{files:?}");
    }
    let loose = loose_entries(&dir);
    assert!(
        loose.is_empty(),
        "readable by group or others:\n{}",
        loose.join("\n")
    );
}

/// A free loopback port (bound, read, released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn link_tokens_never_reach_the_log() {
    let storage = Storage::fresh();
    let port = free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_reviewwatch"))
        .arg("serve")
        .env("DATA_DIR", storage.dir.path())
        .env("DATABASE_URL", &storage.database_url)
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "debug,actix_server=warn,h2=info,hyper=info")
        .env_remove("SMTP_URL")
        .env_remove("BASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the reviewwatch binary starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    poll_until_async(&client, &format!("{base}/healthz")).await;

    let secret_paths = [
        ("GET", "/track/link/SECRETTOKEN123"),
        ("GET", "/confirm/SECRETTOKEN456"),
        ("POST", "/confirm/SECRETTOKEN789"),
        ("GET", "/handoff/1/package/99999999999/SECRETSIGNATURE1"),
        (
            "POST",
            "/handoff/1/acknowledge/99999999999/SECRETSIGNATURE2",
        ),
        ("GET", "/officer/invite/SECRETINVITE3"),
    ];
    for (method, path) in secret_paths {
        let url = format!("{base}{path}");
        let res = match method {
            "GET" => client.get(&url).send().await.unwrap(),
            _ => client.post(&url).send().await.unwrap(),
        };
        assert!(res.status().as_u16() >= 200, "{path} answered");
    }
    // Stop it and read everything it wrote.
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        log.contains("/track/link/{token}"),
        "the log names the route pattern of each request:\n{log}"
    );
    for secret in [
        "SECRETTOKEN123",
        "SECRETTOKEN456",
        "SECRETTOKEN789",
        "SECRETSIGNATURE1",
        "SECRETSIGNATURE2",
        "SECRETINVITE3",
    ] {
        assert!(!log.contains(secret), "{secret} is in the log:\n{log}");
    }
    drop(storage);
}

async fn poll_until_async(client: &reqwest::Client, url: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Ok(res) = client.get(url).send().await
            && res.status().is_success()
        {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server at {url} did not come up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_reporter_session_ends_at_its_absolute_lifetime_however_active() {
    use reviewwatch::db::schema::reporter_sessions;
    let app = spawn_app().await;
    let receipt = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn(),
            vec![("a.png", png_screenshot(8070), "image/png")],
        )
        .await;
    let (tracker, _) = tracker_with_copied_cookie(&app, &receipt).await;
    assert_eq!(tracker.get("/track/case").await.status, StatusCode::OK);

    // The session's record says it began more than 12 hours ago.
    let past = reviewwatch::db::now() - chrono::TimeDelta::minutes(1);
    let changed = diesel::update(
        reporter_sessions::table
            .filter(reporter_sessions::case_id.eq(app.case_id(&receipt.number))),
    )
    .set(reporter_sessions::expires_at.eq(past))
    .execute(&mut app.db())
    .unwrap();
    assert!(changed >= 1);
    assert_opens_nothing(&tracker.get("/track/case").await, "an expired session");

    // Housekeeping forgets ended sessions a day on; the live ones stay.
    let later = reviewwatch::db::now() + chrono::TimeDelta::days(2);
    let removed = reviewwatch::db::reporter_sessions::delete_ended(&mut app.db(), later).unwrap();
    assert_eq!(removed, changed);
}
