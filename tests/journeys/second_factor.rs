//! The second factor as officers meet it: turning TOTP on from the QR page, the sign-in's second
//! step (codes once each, recovery codes once each, wrong codes counted, a known browser asked
//! all the same), and supervisors requiring it of everyone. The app's clock is fixed and moved
//! by hand, so TOTP steps change when the test says so.

use crate::helpers::*;
use chrono::TimeDelta;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::config::Clock;
use reviewwatch::db::schema::login_attempts;
use reviewwatch::domain::second_factor::TotpSecret;

const SETUP: &str = "/officer/account/second-factor";
const SECOND_STEP: &str = "/officer/login/second-factor";

async fn app_with_clock() -> (TestApp, Clock) {
    let clock = Clock::fixed(reviewwatch::db::now());
    let c = clock.clone();
    let app = spawn_app_with(move |s| s.clock = c).await;
    (app, clock)
}

/// Turns TOTP on from the setup page as a person would: start, read the secret shown beside the
/// QR code, type the app's code. Returns the secret and the recovery codes shown.
async fn turn_on(officer: &Visitor, clock: &Clock) -> (TotpSecret, Vec<String>) {
    let page = officer.get(SETUP).await;
    assert_eq!(page.status, StatusCode::OK);
    let start = page
        .form("start_second_factor", SETUP)
        .expect("a turn-on form");
    let started = officer.submit(&start).await;
    assert_eq!(started.location().as_deref(), Some(SETUP));
    let page = officer.get(SETUP).await;
    assert_eq!(
        page.count("svg#totp-qr path"),
        1,
        "the QR code is drawn inline"
    );
    let shown = page.text_of("#totp-secret").expect("the secret as text");
    let secret = TotpSecret::from_base32(&shown).expect("a base-32 secret");
    let form = page
        .form("enable_second_factor", SETUP)
        .expect("a confirm form")
        .fill("code", &secret.code_at(clock.now()));
    let done = officer.submit(&form).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let codes = done.texts_of("#recovery-codes code");
    assert_eq!(codes.len(), 10, "ten recovery codes are shown once");
    assert_eq!(
        officer
            .get(SETUP)
            .await
            .attr_of("#second-factor", "data-state")
            .as_deref(),
        Some("on")
    );
    (secret, codes)
}

async fn sign_out(officer: &Visitor, page_path: &str) {
    let page = officer.get(page_path).await;
    let form = page.form("logout", page_path).expect("a sign-out form");
    let out = officer.submit(&form).await;
    assert_eq!(out.location().as_deref(), Some("/officer/login"));
}

/// Sends the password; the answer must ask for the second step, with no session yet.
async fn password_asks_for_code(visitor: &Visitor, email: &str) {
    let reply = visitor.log_in(email, OFFICER_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location().as_deref(), Some(SECOND_STEP));
    assert!(
        set_cookies(&reply, "rw_officer").is_empty(),
        "no session yet"
    );
    assert_to_login(&visitor.get("/officer/cases").await, "before the code");
}

async fn send_code(visitor: &Visitor, code: &str) -> Reply {
    let page = visitor.get(SECOND_STEP).await;
    assert_eq!(page.status, StatusCode::OK, "the second step is asked");
    let form = page
        .form("second_factor_login", SECOND_STEP)
        .expect("a code form")
        .fill("code", code);
    visitor.submit(&form).await
}

fn failed_checks(app: &TestApp, email: &str) -> i64 {
    login_attempts::table
        .filter(login_attempts::email.eq(email))
        .filter(login_attempts::outcome.eq("failed"))
        .count()
        .get_result(&mut app.db())
        .unwrap()
}

#[tokio::test]
async fn with_totp_on_a_sign_in_needs_a_code_that_works_once_and_wrong_ones_are_counted() {
    let (app, clock) = app_with_clock().await;
    let li = app.officer("li.ming@amr.example", "李明").await;
    let (secret, _) = turn_on(&li, &clock).await;
    sign_out(&li, "/officer/cases").await;

    password_asks_for_code(&li, &li.account.email).await;
    let before = failed_checks(&app, &li.account.email);
    // The code used to turn it on is of this step: a replay.
    let replayed = send_code(&li, &secret.code_at(clock.now())).await;
    assert_eq!(replayed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        replayed.text_of("#second-factor-problem").as_deref(),
        Some(zh().t("second_factor.wrong_code"))
    );
    let wrong = send_code(&li, "000000").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        failed_checks(&app, &li.account.email),
        before + 2,
        "both counted"
    );
    assert_to_login(&li.get("/officer/cases").await, "after wrong codes");

    clock.advance(TimeDelta::seconds(30));
    let code = secret.code_at(clock.now());
    let signed_in = send_code(&li, &code).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location().as_deref(), Some("/officer/desk"));
    assert_eq!(li.get("/officer/cases").await.status, StatusCode::OK);

    // The same code again, in the same step, from another sign-in: refused.
    sign_out(&li, "/officer/cases").await;
    password_asks_for_code(&li, &li.account.email).await;
    let again = send_code(&li, &code).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The next step's code works.
    clock.advance(TimeDelta::seconds(30));
    let next = send_code(&li, &secret.code_at(clock.now())).await;
    assert_eq!(next.status, StatusCode::SEE_OTHER);
    assert_eq!(li.get("/officer/cases").await.status, StatusCode::OK);
}

#[tokio::test]
async fn wrong_codes_lock_the_second_step_and_a_right_password_does_not_unlock_it() {
    let (app, clock) = app_with_clock().await;
    let account = app
        .create_officer("zhang.hua@amr.example", "张华", "officer")
        .await;
    let browser = app.sign_in(&account).await;
    let (secret, _) = turn_on(&browser, &clock).await;
    sign_out(&browser, "/officer/cases").await;

    password_asks_for_code(&browser, &account.email).await;
    for _ in 0..3 {
        let r = send_code(&browser, "111111").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The password again (right) forgives nothing while a code is still owed.
    password_asks_for_code(&browser, &account.email).await;
    for _ in 0..2 {
        let r = send_code(&browser, "222222").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    clock.advance(TimeDelta::seconds(30));
    let locked = send_code(&browser, &secret.code_at(clock.now())).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    assert!(locked.headers.contains_key("retry-after"));
    assert_to_login(&browser.get("/officer/cases").await, "while locked");
}

#[tokio::test]
async fn a_recovery_code_signs_in_once() {
    let (app, clock) = app_with_clock().await;
    let li = app.officer("li.ming@amr.example", "李明").await;
    let (_, codes) = turn_on(&li, &clock).await;
    sign_out(&li, "/officer/cases").await;

    password_asks_for_code(&li, &li.account.email).await;
    // Typed in lower case with spaces: read all the same.
    let typed = codes[3].to_lowercase().replace('-', " ");
    let used = send_code(&li, &typed).await;
    assert_eq!(used.status, StatusCode::SEE_OTHER, "{}", used.body);
    let page = li.get(SETUP).await;
    assert_eq!(
        page.text_of("#recovery-codes-left"),
        Some(zh().t1("second_factor.recovery_left", 9))
    );
    sign_out(&li, SETUP).await;

    password_asks_for_code(&li, &li.account.email).await;
    let again = send_code(&li, &codes[3]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let other = send_code(&li, &codes[4]).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_browser_with_a_device_cookie_is_still_asked_for_the_code() {
    let (app, clock) = app_with_clock().await;
    let account = app
        .create_officer("wang@amr.example", "王主管", "supervisor")
        .await;
    let browser = app.visitor();
    let first = browser.log_in(&account.email, OFFICER_PASSWORD).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(
        set_cookies(&first, "rw_device").len(),
        1,
        "the browser is known"
    );
    let (secret, _) = turn_on(&browser, &clock).await;
    sign_out(&browser, SETUP).await;

    password_asks_for_code(&browser, &account.email).await;
    clock.advance(TimeDelta::seconds(30));
    let done = send_code(&browser, &secret.code_at(clock.now())).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(
        set_cookies(&done, "rw_device").is_empty(),
        "the known browser keeps its device cookie"
    );
}

#[tokio::test]
async fn malformed_codes_are_refused_in_the_readers_language_and_nothing_is_stored() {
    let (app, _clock) = app_with_clock().await;
    let li = app.officer("li.ming@amr.example", "李明").await;
    let page = li.get(SETUP).await;
    li.submit(&page.form("start_second_factor", SETUP).unwrap())
        .await;
    let page = li.get(SETUP).await;
    let bad = li
        .submit(
            &page
                .form("enable_second_factor", SETUP)
                .unwrap()
                .fill("code", "12a456"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.text_of("#second-factor-problem").as_deref(),
        Some(zh().t("second_factor.malformed_totp"))
    );
    let wrong = li
        .submit(
            &page
                .form("enable_second_factor", SETUP)
                .unwrap()
                .fill("code", "000000"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        li.get(SETUP)
            .await
            .attr_of("#second-factor", "data-state")
            .as_deref(),
        Some("pending"),
        "not on until a right code"
    );
    let set: i64 = reviewwatch::db::schema::officer_recovery_codes::table
        .count()
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(set, 0, "no recovery codes before it is on");

    // In English for an English reader.
    let en_reader = app.visitor_speaking("en");
    let account = app
        .create_officer("ann@amr.example", "Ann", "officer")
        .await;
    en_reader.log_in(&account.email, OFFICER_PASSWORD).await;
    let page = en_reader.get(SETUP).await;
    en_reader
        .submit(&page.form("start_second_factor", SETUP).unwrap())
        .await;
    let page = en_reader.get(SETUP).await;
    let bad = en_reader
        .submit(
            &page
                .form("enable_second_factor", SETUP)
                .unwrap()
                .fill("code", "abc"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.text_of("#second-factor-problem").as_deref(),
        Some(en().t("second_factor.malformed_totp"))
    );
}

#[tokio::test]
async fn when_required_for_everyone_an_officer_without_totp_can_only_set_it_up() {
    let (app, clock) = app_with_clock().await;
    let boss = app.supervisor("wang@amr.example", "王主管").await;
    let li = app.officer("li.ming@amr.example", "李明").await;
    let zhang = app
        .create_officer("zhang.hua@amr.example", "张华", "officer")
        .await;

    // An officer may not set the requirement.
    let csrf = li.csrf().await;
    let refused = li
        .post_form(
            "/officer/account/second-factor/requirement",
            &[("csrf_token", &csrf), ("required", "yes")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let page = boss.get(SETUP).await;
    let require = page
        .form("set_requirement", SETUP)
        .expect("the supervisors' form");
    assert_eq!(require.value("required"), Some("yes"));
    assert_eq!(boss.submit(&require).await.status, StatusCode::SEE_OTHER);

    // An open session is sent to set up, whatever page it asks for.
    for path in ["/officer/cases", "/officer/password", "/officer/regulators"] {
        let r = li.get(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.location().as_deref(), Some(SETUP), "{path}");
    }
    // A new sign-in goes straight to the setup page.
    let browser = app.visitor();
    let reply = browser.log_in(&zhang.email, OFFICER_PASSWORD).await;
    assert_eq!(reply.location().as_deref(), Some(SETUP));
    let page = browser.get(SETUP).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.text_of("#second-factor-notice").as_deref(),
        Some(zh().t("second_factor.required_notice"))
    );
    assert_eq!(
        browser.get("/officer/cases").await.location().as_deref(),
        Some(SETUP)
    );
    // Once on, every page opens again; turning it off is refused while it is required.
    let (secret, _) = turn_on(&browser, &clock).await;
    assert_eq!(browser.get("/officer/cases").await.status, StatusCode::OK);
    let page = browser.get(SETUP).await;
    assert!(page.form("disable_second_factor", SETUP).is_none());
    let csrf = browser
        .get("/officer/cases")
        .await
        .attr_of("form[data-action=logout] input[name=csrf_token]", "value")
        .expect("the CSRF token");
    clock.advance(TimeDelta::seconds(30));
    let off = browser
        .post_form(
            "/officer/account/second-factor/disable",
            &[
                ("csrf_token", &csrf),
                ("code", &secret.code_at(clock.now())),
            ],
        )
        .await;
    assert_eq!(off.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        browser
            .get(SETUP)
            .await
            .attr_of("#second-factor", "data-state")
            .as_deref(),
        Some("on")
    );
}

#[tokio::test]
async fn an_officer_turns_it_off_with_the_password_and_signs_in_with_it_alone() {
    let (app, clock) = app_with_clock().await;
    let li = app.officer("li.ming@amr.example", "李明").await;
    turn_on(&li, &clock).await;
    let page = li.get(SETUP).await;
    let wrong = li
        .submit(
            &page
                .form("disable_second_factor", SETUP)
                .unwrap()
                .fill("password", "not the password at all"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let off = li
        .submit(
            &page
                .form("disable_second_factor", SETUP)
                .unwrap()
                .fill("password", OFFICER_PASSWORD),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(
        off.attr_of("#second-factor", "data-state").as_deref(),
        Some("off")
    );
    sign_out(&li, "/officer/cases").await;
    let reply = li.log_in(&li.account.email, OFFICER_PASSWORD).await;
    assert_eq!(reply.location().as_deref(), Some("/officer/desk"));
}
