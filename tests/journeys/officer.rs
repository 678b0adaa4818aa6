//! Officers sign in and out: passwords, locks, sessions, and the CSRF token on every change.

use crate::helpers::*;
use reqwest::StatusCode;

const OFFICER: &str = "li.ming@amr.example.gov.cn";

#[tokio::test]
async fn the_right_password_opens_the_queue_with_a_strict_http_only_cookie() {
    let app = spawn_app().await;
    app.create_officer(OFFICER, "李明", "officer").await;
    let browser = app.visitor();

    let form = browser.get("/officer/login").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.count("form#login-form input[name=email]"), 1);
    assert_eq!(form.count("form#login-form input[name=password]"), 1);

    // The address is found however it is typed.
    let reply = browser
        .log_in(&format!(" {} ", OFFICER.to_uppercase()), OFFICER_PASSWORD)
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location().as_deref(), Some("/officer/desk"));
    let cookies = set_cookies(&reply, "rw_officer");
    assert_eq!(cookies.len(), 1, "one session cookie: {cookies:?}");
    let attributes: Vec<String> = cookies[0]
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    assert!(
        attributes.iter().any(|a| a == "httponly"),
        "HttpOnly: {}",
        cookies[0]
    );
    assert!(
        attributes.iter().any(|a| a == "samesite=strict"),
        "SameSite=Strict: {}",
        cookies[0]
    );
    assert!(
        cookie_value(&cookies[0]).len() >= 32,
        "a long random token: {}",
        cookies[0]
    );

    let queue = browser.get("/officer/cases").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert_eq!(queue.count("form#queue-filters input[name=q]"), 1);
    assert!(
        queue.body.contains("李明"),
        "the queue names who is signed in"
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_one_message_for_every_mistake() {
    let app = spawn_app().await;
    app.create_officer(OFFICER, "李明", "officer").await;
    let browser = app.visitor();

    for (email, password) in [
        (OFFICER, "not the password at all"),
        ("nobody@amr.example.gov.cn", OFFICER_PASSWORD),
        (OFFICER, ""),
    ] {
        let reply = browser.log_in(email, password).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{email} / {password}"
        );
        assert_eq!(
            reply.text_of("#login-problem").as_deref(),
            Some("邮箱或密码不正确。")
        );
        assert_eq!(
            reply.text_of("#login-problem").as_deref(),
            Some(zh().t("login.failed"))
        );
        assert!(set_cookies(&reply, "rw_officer").is_empty(), "no session");
        assert_eq!(
            reply.attr_of("form#login-form input[name=password]", "value"),
            None,
            "the password is never sent back"
        );
    }
    assert_to_login(
        &browser.get("/officer/cases").await,
        "the queue after failed logins",
    );
}

#[tokio::test]
async fn five_failures_lock_an_account_and_an_unknown_address_alike() {
    let app = spawn_app().await;
    let known = app.create_officer(OFFICER, "李明", "officer").await;
    let unknown = "wang.fang@amr.example.gov.cn";

    let mut sixth = Vec::new();
    for email in [known.email.as_str(), unknown] {
        let browser = app.visitor();
        for attempt in 1..=5 {
            let reply = browser.log_in(email, "a wrong password!").await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{email}: attempt {attempt} is only refused"
            );
        }
        let reply = app.visitor().log_in(email, "a wrong password!").await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{email}");
        assert_eq!(
            reply.text_of("#login-problem"),
            Some(zh().t1("login.locked", 15)),
            "{email}: the sixth answer says the account is locked"
        );
        sixth.push(reply.body.replace(email, "EMAIL"));
    }
    assert_eq!(
        sixth[0], sixth[1],
        "the lock page is the same whether the account exists or not"
    );

    // Locked means locked: even the right password does not open it now.
    let reply = app.visitor().log_in(OFFICER, OFFICER_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(set_cookies(&reply, "rw_officer").is_empty());

    // Another officer, from the same address, is not locked out.
    let other = app
        .create_officer("zhao.lei@amr.example.gov.cn", "赵磊", "officer")
        .await;
    app.sign_in(&other).await;
}

#[tokio::test]
async fn failed_logins_are_limited_per_address() {
    let app = spawn_app_with(|s| s.rate_limit_logins_per_hour = 3).await;
    let account = app.create_officer(OFFICER, "李明", "officer").await;
    for (i, email) in ["a@example.com", "b@example.com", "c@example.com"]
        .iter()
        .enumerate()
    {
        let reply = app.visitor().log_in(email, "guess number one").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "failure {}", i + 1);
    }
    // Three different accounts failed; the address is now blocked, for any account, even with
    // the right password.
    let reply = app.visitor().log_in(&account.email, OFFICER_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        reply.text_of("#login-problem"),
        Some(zh().t1("login.too_many", 60))
    );
    assert!(set_cookies(&reply, "rw_officer").is_empty());
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_signs_out_other_sessions() {
    let app = spawn_app().await;
    let account = app.create_officer(OFFICER, "李明", "officer").await;
    let laptop = app.sign_in(&account).await;
    let phone = app.sign_in(&account).await;
    let new_password = "a much longer passphrase 2026";

    let page = laptop.get("/officer/password").await;
    assert_eq!(page.status, StatusCode::OK);
    let form = page
        .form("change_password", "/officer/password")
        .expect("a password form");

    // The wrong current password changes nothing.
    let refused = laptop
        .submit(
            &form
                .clone()
                .fill("current", "not my password!")
                .fill("new_password", new_password)
                .fill("repeat", new_password),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.text_of("#password-problem").as_deref(),
        Some(zh().t("password.wrong_current"))
    );
    assert_eq!(phone.get("/officer/cases").await.status, StatusCode::OK);
    assert_eq!(
        app.visitor().log_in(OFFICER, new_password).await.status,
        StatusCode::UNAUTHORIZED
    );

    // A new password must be typed twice alike, and be long enough.
    for (new, repeat, problem) in [
        (
            new_password,
            "something else entirely",
            zh().t("password.mismatch").to_string(),
        ),
        ("short", "short", zh().t1("password.too_short", 12)),
    ] {
        let reply = laptop
            .submit(
                &form
                    .clone()
                    .fill("current", OFFICER_PASSWORD)
                    .fill("new_password", new)
                    .fill("repeat", repeat),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        assert_eq!(reply.text_of("#password-problem"), Some(problem));
    }
    assert_eq!(phone.get("/officer/cases").await.status, StatusCode::OK);

    // The right one changes it, and signs out the phone but not the laptop.
    let done = laptop
        .submit(
            &form
                .fill("current", OFFICER_PASSWORD)
                .fill("new_password", new_password)
                .fill("repeat", new_password),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(
        done.text_of("#password-changed").as_deref(),
        Some(zh().t("password.done"))
    );
    assert_to_login(
        &phone.get("/officer/cases").await,
        "the other session after the change",
    );
    assert_eq!(laptop.get("/officer/cases").await.status, StatusCode::OK);

    assert_eq!(
        app.visitor().log_in(OFFICER, OFFICER_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED,
        "the old password no longer works"
    );
    assert_eq!(
        app.visitor().log_in(OFFICER, new_password).await.status,
        StatusCode::SEE_OTHER,
        "the new one does"
    );
}

#[tokio::test]
async fn after_logout_a_copied_session_cookie_opens_nothing() {
    let app = spawn_app().await;
    let account = app.create_officer(OFFICER, "李明", "officer").await;
    let browser = app.visitor();
    let login = browser.log_in(OFFICER, OFFICER_PASSWORD).await;
    let token = cookie_value(&set_cookies(&login, "rw_officer")[0]);
    let copied = format!("rw_officer={token}");

    // The copy works while the session lives.
    let thief = app.visitor();
    assert_eq!(
        thief
            .get_with_cookie("/officer/cases", &copied)
            .await
            .status,
        StatusCode::OK
    );

    // Logging out needs the CSRF token.
    let forged = browser.post_form("/officer/logout", &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(browser.get("/officer/cases").await.status, StatusCode::OK);

    let csrf = OfficerBrowser {
        visitor: browser.clone(),
        account,
    }
    .csrf()
    .await;
    let out = browser
        .post_form("/officer/logout", &[("csrf_token", &csrf)])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location().as_deref(), Some("/officer/login"));
    let removal = set_cookies(&out, "rw_officer");
    assert_eq!(removal.len(), 1, "the cookie is removed: {removal:?}");
    assert_eq!(cookie_value(&removal[0]), "");

    assert_to_login(
        &browser.get("/officer/cases").await,
        "the logged-out browser",
    );
    assert_to_login(
        &app.visitor()
            .get_with_cookie("/officer/cases", &copied)
            .await,
        "the copied cookie after logout",
    );
}

#[tokio::test]
async fn the_session_token_changes_at_each_login() {
    let app = spawn_app().await;
    app.create_officer(OFFICER, "李明", "officer").await;
    let browser = app.visitor();

    // A token planted before login (session fixation) is not adopted.
    let planted = "rw_officer=planted-by-someone-else-0123456789abcdef";
    assert_to_login(
        &browser.get_with_cookie("/officer/cases", planted).await,
        "a made-up token",
    );

    let mut tokens = Vec::new();
    for _ in 0..3 {
        let reply = browser.log_in(OFFICER, OFFICER_PASSWORD).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let token = cookie_value(&set_cookies(&reply, "rw_officer")[0]);
        assert!(!planted.contains(&token));
        tokens.push(token);
    }
    let mut distinct = tokens.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "a new token at every login: {tokens:?}");
    for token in &tokens {
        assert_eq!(
            app.visitor()
                .get_with_cookie("/officer/cases", &format!("rw_officer={token}"))
                .await
                .status,
            StatusCode::OK,
            "each login is a session of its own"
        );
    }
}

#[tokio::test]
async fn a_reporter_is_sent_to_the_officer_login_from_every_officer_url() {
    let app = spawn_app().await;
    let reporter = app.visitor();
    let receipt = reporter
        .file_report(
            &ReportFields::zh_cn(),
            vec![("shot.png", png_screenshot(300), "image/png")],
        )
        .await;
    let page = reporter.open_case(&receipt.number, &receipt.code).await;
    let csrf = page
        .attr_of("form[data-action=withdraw] input[name=csrf_token]", "value")
        .expect("the reporter's own CSRF token");
    let evidence_id = app.evidence_rows()[0].id;
    let before = app.case_state(&receipt.number);

    let n = &receipt.number;
    let case_path = format!("/officer/cases/{n}");
    for path in [
        "/officer".to_string(),
        "/officer/cases".to_string(),
        "/officer/cases?status=all".to_string(),
        case_path.clone(),
        format!("{case_path}/evidence/{evidence_id}/thumb"),
        format!("{case_path}/evidence/{evidence_id}/display"),
        format!("{case_path}/evidence/{evidence_id}/original"),
        format!("{case_path}/evidence/{evidence_id}/redact"),
        format!("{case_path}/evidence/{evidence_id}/redacted/display"),
        "/officer/password".to_string(),
    ] {
        let reply = reporter.get(&path).await;
        if path == "/officer" {
            // A plain redirect to the desk, which then asks for a login.
            assert_eq!(reply.location().as_deref(), Some("/officer/desk"));
            continue;
        }
        assert_to_login(&reply, &path);
    }
    let officer_id = "1";
    for action in [
        "take",
        "assign",
        "request_info",
        "resume",
        "dismiss",
        "substantiate",
        "note",
        "extend",
        "close",
    ] {
        let reply = reporter
            .post_form(
                &format!("{case_path}/actions/{action}"),
                &[
                    ("csrf_token", csrf.as_str()),
                    ("version", "1"),
                    ("officer_id", officer_id),
                    ("message", "我是举报人"),
                    ("reason", "spam"),
                    ("note", "内部"),
                    ("body", "内部"),
                ],
            )
            .await;
        assert_to_login(&reply, action);
    }
    for (path, fields) in [
        (
            format!("{case_path}/evidence/{evidence_id}/redact"),
            vec![("csrf_token", csrf.as_str()), ("rects", "0,0,10,10")],
        ),
        (
            "/officer/password".to_string(),
            vec![
                ("csrf_token", csrf.as_str()),
                ("current", "x"),
                ("new_password", "long enough password"),
                ("repeat", "long enough password"),
            ],
        ),
        (
            "/officer/logout".to_string(),
            vec![("csrf_token", csrf.as_str())],
        ),
    ] {
        assert_to_login(&reporter.post_form(&path, &fields).await, &path);
    }
    assert_eq!(
        app.case_state(n),
        before,
        "the reporter changed nothing as an officer"
    );
    assert!(
        !app.audit_actions(n)
            .contains(&"evidence_downloaded".to_string()),
        "nothing was downloaded"
    );
}

#[tokio::test]
async fn an_action_without_the_right_csrf_token_is_forbidden_and_changes_nothing() {
    let app = spawn_app().await;
    let officer = app.officer(OFFICER, "李明").await;
    let receipt = app
        .file_report(
            &ReportFields::zh_cn(),
            vec![("shot.png", png_screenshot(301), "image/png")],
        )
        .await;
    let n = &receipt.number;
    let page = officer.case_page(n).await;
    let take = page
        .form("take", &format!("/officer/cases/{n}"))
        .expect("a take button");
    let before = app.case_state(n);

    for (what, form) in [
        ("no token", take.clone().without("csrf_token")),
        ("an empty token", take.clone().fill("csrf_token", "")),
        (
            "a wrong token",
            take.clone().fill("csrf_token", "0".repeat(48).as_str()),
        ),
    ] {
        let reply = officer.submit(&form).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{what}");
        assert_eq!(
            reply.text_of("#error-message").as_deref(),
            Some(zh().t("error.csrf")),
            "{what}"
        );
    }
    // A note and a redaction are refused alike.
    let note = page
        .form("note", &format!("/officer/cases/{n}"))
        .expect("a note form")
        .fill("body", "伪造的备注")
        .fill("csrf_token", "forged");
    assert_eq!(officer.submit(&note).await.status, StatusCode::FORBIDDEN);
    let evidence_id = app.evidence_rows()[0].id;
    let redact = officer
        .post_form(
            &format!("/officer/cases/{n}/evidence/{evidence_id}/redact"),
            &[("rects", "0,0,10,10")],
        )
        .await;
    assert_eq!(redact.status, StatusCode::FORBIDDEN);

    assert_eq!(app.case_state(n), before, "nothing changed");
    assert_eq!(app.case_status(n), "submitted");

    // The form as the page gave it works.
    let taken = officer.submit(&take).await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER);
    assert_eq!(app.case_status(n), "in_review");
}

#[tokio::test]
async fn signing_in_returns_to_the_page_that_asked_and_never_to_another_site() {
    let app = spawn_app().await;
    app.create_officer(OFFICER, "李明", "officer").await;
    let browser = app.visitor();

    // A bookmarked queue view asks for a login, then comes back to it.
    let asked = browser
        .get("/officer/cases?status=all&q=%E5%88%B7%E5%8D%95")
        .await;
    assert_to_login(&asked, "the bookmarked queue");
    let login_page = browser.get(&asked.location().unwrap()).await;
    assert_eq!(login_page.status, StatusCode::OK);
    let next = login_page
        .attr_of("form#login-form input[name=next]", "value")
        .expect("the login form remembers where to go");
    assert_eq!(next, "/officer/cases?status=all&q=%E5%88%B7%E5%8D%95");
    let reply = browser
        .post_form(
            "/officer/login",
            &[
                ("email", OFFICER),
                ("password", OFFICER_PASSWORD),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location().as_deref(), Some(next.as_str()));

    // Wherever a forged `next` points, the browser stays on this site.
    let base = url::Url::parse(&app.address).unwrap();
    let mut elsewhere = Vec::new();
    for next in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "/\t/evil.example/",
        "/ /evil.example/",
        "javascript:alert(1)",
    ] {
        let reply = app
            .visitor()
            .post_form(
                "/officer/login",
                &[
                    ("email", OFFICER),
                    ("password", OFFICER_PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{next:?}");
        let location = reply.location().unwrap_or_default();
        // Resolved as a browser resolves a Location header (WHATWG URL rules).
        let target = base.join(&location).unwrap();
        if (target.scheme(), target.host_str(), target.port())
            != (base.scheme(), base.host_str(), base.port())
        {
            elsewhere.push(format!("next={next:?} → Location {location:?} → {target}"));
        }
    }
    assert!(
        elsewhere.is_empty(),
        "signing in sent the officer to another site: {elsewhere:#?}"
    );
}

#[tokio::test]
async fn an_idle_session_or_a_deactivated_officer_is_signed_out() {
    use diesel::prelude::*;
    use reviewwatch::db::schema::{officer_sessions, officers};
    let app = spawn_app().await;
    let idle = app.officer(OFFICER, "李明").await;
    let leaver = app.officer("zhao.lei@amr.example.gov.cn", "赵磊").await;
    let old = app.officer("wang.fang@amr.example.gov.cn", "王芳").await;
    for browser in [&idle, &leaver, &old] {
        assert_eq!(browser.get("/officer/cases").await.status, StatusCode::OK);
    }

    // Thirty minutes without a request end a session; so do twelve hours in all.
    let now = reviewwatch::db::now();
    diesel::update(
        officer_sessions::table.filter(officer_sessions::officer_id.eq(idle.account.id)),
    )
    .set(officer_sessions::last_seen_at.eq(now - chrono::TimeDelta::minutes(31)))
    .execute(&mut app.db())
    .unwrap();
    diesel::update(officer_sessions::table.filter(officer_sessions::officer_id.eq(old.account.id)))
        .set(officer_sessions::created_at.eq(now - chrono::TimeDelta::hours(13)))
        .execute(&mut app.db())
        .unwrap();
    // An officer who leaves is deactivated.
    diesel::update(officers::table.find(leaver.account.id))
        .set(officers::active.eq(false))
        .execute(&mut app.db())
        .unwrap();

    for browser in [&idle, &leaver, &old] {
        assert_to_login(
            &browser.get("/officer/cases").await,
            &format!("{}'s session", browser.account.name),
        );
    }
    // A deactivated account cannot sign in again, and is told no more than for a wrong password.
    let reply = app
        .visitor()
        .log_in(&leaver.account.email, OFFICER_PASSWORD)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.text_of("#login-problem").as_deref(),
        Some(zh().t("login.failed"))
    );
    // The others can.
    app.sign_in(&idle.account).await;
    app.sign_in(&old.account).await;
}
