//! Sign-in cannot be raced: attempts are counted in the database before they are checked, so a
//! burst of guesses, to one instance or to several, gets no more checks than the lock allows; a
//! browser the officer signed in from keeps its way in; common passwords are refused.

use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::login_attempts;

const OFFICER: &str = "li.ming@amr.example.gov.cn";
const NEW_PASSWORD: &str = "a much longer passphrase 2026";

/// The attempts recorded for `email`, by outcome.
fn attempts(app: &TestApp, email: &str, outcome: &str) -> i64 {
    login_attempts::table
        .filter(login_attempts::email.eq(email))
        .filter(login_attempts::outcome.eq(outcome))
        .count()
        .get_result(&mut app.db())
        .unwrap()
}

fn all_attempts(app: &TestApp) -> i64 {
    login_attempts::table
        .count()
        .get_result(&mut app.db())
        .unwrap()
}

fn retry_after(reply: &Reply) -> Option<u64> {
    reply
        .headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn thirty_guesses_sent_at_once_get_no_more_checks_than_the_lock_allows() {
    // Enough slots for every request at once: only the count in the database holds them back.
    let app = spawn_app_with(|s| s.password_check_slots = 64).await;
    let account = app.create_officer(OFFICER, "李明", "officer").await;

    let guesses = (0..30).map(|i| {
        let browser = app.visitor();
        let email = account.email.clone();
        async move {
            browser
                .log_in(&email, &format!("guess number {i:02}!"))
                .await
        }
    });
    let replies = futures_util::future::join_all(guesses).await;

    let checked = replies
        .iter()
        .filter(|r| r.status == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(checked, 5, "exactly the five the lock allows are checked");
    for reply in replies
        .iter()
        .filter(|r| r.status != StatusCode::UNAUTHORIZED)
    {
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            reply.text_of("#login-problem"),
            Some(zh().t1("login.locked", 15))
        );
        assert!(retry_after(reply).is_some_and(|s| s > 0 && s <= 15 * 60));
    }
    assert_eq!(attempts(&app, OFFICER, "failed"), 5);
    assert_eq!(attempts(&app, OFFICER, "refused"), 25);
    assert_eq!(attempts(&app, OFFICER, "pending"), 0);

    // The burst used up the account's checks: now even the right password waits.
    let reply = app.visitor().log_in(OFFICER, OFFICER_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        reply.text_of("#login-problem"),
        Some(zh().t1("login.locked", 15))
    );
    assert!(set_cookies(&reply, "rw_officer").is_empty());
}

/// Holds the database's write lock (SQLite) or the throttle keys' table (PostgreSQL) from another
/// connection until told to let go, so that a sign-in stays inside its password-check slot.
fn hold_the_database(url: String) -> (std::sync::mpsc::Receiver<()>, std::sync::mpsc::Sender<()>) {
    use diesel::connection::SimpleConnection;
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        type Run = Box<dyn FnMut(&str)>;
        let (begin, mut conn): (&str, Run) = if url.starts_with("postgres") {
            let mut c = diesel::PgConnection::establish(&url).unwrap();
            (
                "BEGIN; LOCK TABLE login_throttle_keys IN ACCESS EXCLUSIVE MODE;",
                Box::new(move |sql| c.batch_execute(sql).unwrap()),
            )
        } else {
            let path = url.trim_start_matches("sqlite://").to_string();
            let mut c = diesel::SqliteConnection::establish(&path).unwrap();
            (
                "PRAGMA busy_timeout = 10000; BEGIN IMMEDIATE;",
                Box::new(move |sql| c.batch_execute(sql).unwrap()),
            )
        };
        conn(begin);
        held_tx.send(()).unwrap();
        let _ = release_rx.recv();
        conn("COMMIT;");
    });
    (held_rx, release_tx)
}

#[tokio::test]
async fn a_sign_in_finding_every_check_slot_busy_is_told_to_retry() {
    let app = spawn_app_with(|s| s.password_check_slots = 1).await;
    app.create_officer(OFFICER, "李明", "officer").await;
    let before = all_attempts(&app);

    let (held, release) = hold_the_database(app.storage_url());
    held.recv().unwrap();
    // Two sign-ins at once with the right password: whichever takes the one slot waits for the
    // database, holding it; the other is answered at once.
    let (a, b) = (app.visitor(), app.visitor());
    let mut first = tokio::spawn(async move { a.log_in(OFFICER, OFFICER_PASSWORD).await });
    let mut second = tokio::spawn(async move { b.log_in(OFFICER, OFFICER_PASSWORD).await });
    let (busy, waiting) = tokio::select! {
        r = &mut first => (r.unwrap(), second),
        r = &mut second => (r.unwrap(), first),
    };
    release.send(()).unwrap();
    assert_eq!(busy.status, StatusCode::TOO_MANY_REQUESTS, "{}", busy.body);
    assert_eq!(retry_after(&busy), Some(1));
    assert!(set_cookies(&busy, "rw_officer").is_empty());

    let waited = waiting.await.unwrap();
    assert_eq!(waited.status, StatusCode::SEE_OTHER, "{}", waited.body);
    assert_eq!(
        all_attempts(&app) - before,
        1,
        "the busy answer counted no attempt"
    );
}

#[tokio::test]
async fn a_browser_that_signed_in_before_keeps_its_way_in_while_guesses_lock_the_account() {
    let app = spawn_app().await;
    app.create_officer(OFFICER, "李明", "officer").await;

    // The officer's own browser signs in once and is given a device cookie.
    let own = app.visitor();
    let first = own.log_in(OFFICER, OFFICER_PASSWORD).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let device = set_cookies(&first, "rw_device");
    assert_eq!(device.len(), 1, "one device cookie: {device:?}");
    let attributes: Vec<String> = device[0]
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    for wanted in ["httponly", "samesite=strict", "path=/officer"] {
        assert!(
            attributes.iter().any(|a| a == wanted),
            "{wanted}: {device:?}"
        );
    }
    assert!(
        attributes.iter().any(|a| a == "max-age=15552000"),
        "kept 180 days: {device:?}"
    );
    assert!(cookie_value(&device[0]).len() >= 32);
    let csrf = own
        .get("/officer/cases")
        .await
        .attr_of("form[data-action=logout] input[name=csrf_token]", "value")
        .expect("the officer pages carry the CSRF token");
    let out = own
        .post_form("/officer/logout", &[("csrf_token", &csrf)])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);

    // Someone who knows the address guesses from another browser until the account locks.
    let attacker = app.visitor();
    for _ in 0..5 {
        let reply = attacker.log_in(OFFICER, "is it this one?").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    for password in ["or this one?", OFFICER_PASSWORD] {
        let reply = attacker.log_in(OFFICER, password).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    }

    // The officer's browser still gets in, and is given no second device cookie.
    let back = own.log_in(OFFICER, OFFICER_PASSWORD).await;
    assert_eq!(
        back.status,
        StatusCode::SEE_OTHER,
        "{}",
        back.text_of("#login-problem").unwrap_or_default()
    );
    assert!(set_cookies(&back, "rw_device").is_empty());
    assert_eq!(own.get("/officer/cases").await.status, StatusCode::OK);
    // The attacker is still locked out.
    let reply = attacker.log_in(OFFICER, OFFICER_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);

    // The device cookie is no skeleton key: it has a small budget of guesses of its own, and is
    // locked too once that is spent.
    for _ in 0..5 {
        let reply = own.log_in(OFFICER, "typo, typo, typo").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let reply = own.log_in(OFFICER, OFFICER_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        reply.text_of("#login-problem"),
        Some(zh().t1("login.locked", 15))
    );

    // A device cookie of one officer does nothing for another account.
    let other = app
        .create_officer("zhao.lei@amr.example.gov.cn", "赵磊", "officer")
        .await;
    for _ in 0..5 {
        app.visitor()
            .log_in(&other.email, "a wrong password!")
            .await;
    }
    let reply = own.log_in(&other.email, OFFICER_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn two_instances_on_one_database_count_the_same_failures() {
    let storage = Storage::fresh();
    let a = spawn_app_on(storage.clone(), |_| {}).await;
    let b = spawn_app_on(storage, |_| {}).await;
    a.create_officer(OFFICER, "李明", "officer").await;

    for i in 0..5 {
        // Alternate between the instances, as a load balancer would.
        let app = if i % 2 == 0 { &a } else { &b };
        let reply = app.visitor().log_in(OFFICER, "a wrong password!").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    for app in [&a, &b] {
        let reply = app.visitor().log_in(OFFICER, OFFICER_PASSWORD).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            reply.text_of("#login-problem"),
            Some(zh().t1("login.locked", 15))
        );
    }
}

#[tokio::test]
async fn failures_per_address_are_shared_by_the_instances() {
    let storage = Storage::fresh();
    let a = spawn_app_on(storage.clone(), |s| s.rate_limit_logins_per_hour = 3).await;
    let b = spawn_app_on(storage, |s| s.rate_limit_logins_per_hour = 3).await;
    let account = a.create_officer(OFFICER, "李明", "officer").await;
    for email in ["a@example.com", "b@example.com", "c@example.com"] {
        let reply = a.visitor().log_in(email, "guess number one").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let reply = b.visitor().log_in(&account.email, OFFICER_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        reply.text_of("#login-problem"),
        Some(zh().t1("login.too_many", 60))
    );
}

#[tokio::test]
async fn the_password_page_throttles_wrong_current_passwords() {
    let app = spawn_app().await;
    let account = app.create_officer(OFFICER, "李明", "officer").await;
    let laptop = app.sign_in(&account).await;
    let form = laptop
        .get("/officer/password")
        .await
        .form("change_password", "/officer/password")
        .expect("a password form");
    let change = |current: &str| {
        form.clone()
            .fill("current", current)
            .fill("new_password", NEW_PASSWORD)
            .fill("repeat", NEW_PASSWORD)
    };

    for i in 0..5 {
        let reply = laptop.submit(&change(&format!("guess {i} at it!"))).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            reply.text_of("#password-problem").as_deref(),
            Some(zh().t("password.wrong_current"))
        );
    }
    // The sixth is not checked, even with the right current password.
    let reply = laptop.submit(&change(OFFICER_PASSWORD)).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        reply.text_of("#password-problem"),
        Some(zh().t1("login.locked", 15))
    );
    assert!(retry_after(&reply).is_some());
    // Nothing changed: the old password still opens the account, the new one does not.
    assert_eq!(
        app.visitor().log_in(OFFICER, NEW_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.sign_in(&account).await;
}

#[tokio::test]
async fn common_passwords_are_refused_when_an_officer_sets_one() {
    let app = spawn_app().await;
    let account = app.create_officer(OFFICER, "李明", "officer").await;
    let laptop = app.sign_in(&account).await;
    let form = laptop
        .get("/officer/password")
        .await
        .form("change_password", "/officer/password")
        .expect("a password form");
    for common in [
        "123456",
        "5201314",
        "woaini1314",
        "qq123456",
        "Password1",
        "1qaz2wsx3edc",
    ] {
        let reply = laptop
            .submit(
                &form
                    .clone()
                    .fill("current", OFFICER_PASSWORD)
                    .fill("new_password", common)
                    .fill("repeat", common),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{common}");
        assert_eq!(
            reply.text_of("#password-problem").as_deref(),
            Some(zh().t("login_security.common_password")),
            "{common}"
        );
    }
    // In English too.
    let english = app.visitor_speaking("en");
    english.log_in(OFFICER, OFFICER_PASSWORD).await;
    let form = english
        .get("/officer/password")
        .await
        .form("change_password", "/officer/password")
        .expect("a password form");
    let reply = english
        .submit(
            &form
                .fill("current", OFFICER_PASSWORD)
                .fill("new_password", "WOAINI1314")
                .fill("repeat", "WOAINI1314"),
        )
        .await;
    assert_eq!(
        reply.text_of("#password-problem").as_deref(),
        Some(en().t("login_security.common_password"))
    );
    assert_eq!(
        app.visitor().log_in(OFFICER, "1qaz2wsx3edc").await.status,
        StatusCode::UNAUTHORIZED,
        "nothing was changed"
    );

    // `reviewwatch officer add` uses the same rule.
    let refused = reviewwatch::workflow::accounts::add_officer(
        &app.pool,
        "wang.fang@amr.example.gov.cn",
        "王芳",
        "officer",
        "1qaz2wsx3edc",
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(reviewwatch::workflow::accounts::AccountError::Password(
                reviewwatch::domain::officer::PasswordError::Common
            ))
        ),
        "{refused:?}"
    );
}

#[tokio::test]
async fn over_long_login_fields_are_refused_without_a_password_check() {
    let app = spawn_app().await;
    app.create_officer(OFFICER, "李明", "officer").await;
    let long_email = format!("{}@amr.example.gov.cn", "a".repeat(300));
    let long_password = "长".repeat(201);
    for (email, password) in [
        (long_email.as_str(), OFFICER_PASSWORD),
        (OFFICER, long_password.as_str()),
    ] {
        let reply = app.visitor().log_in(email, password).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            reply.text_of("#login-problem").as_deref(),
            Some(zh().t("login_security.too_long"))
        );
        let shown = reply
            .attr_of("form#login-form input[name=email]", "value")
            .unwrap_or_default();
        assert!(shown.len() <= 254, "the page echoes no more than 254 bytes");
    }
    // A body far beyond any sign-in form is not even read.
    let huge = "x".repeat(64 * 1024);
    let reply = app.visitor().log_in(OFFICER, &huge).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(all_attempts(&app), 0, "nothing was counted or checked");
}
