//! Supervisors run the team from the web: invitations, deactivation and reactivation, roles,
//! password reset by a one-time emailed link, and the account trail.

use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::{account_events, officer_links, officers, outbox};

const NEW_PASSWORD: &str = "plum blossoms in the snow";

/// The path of the first link under `prefix` in an email's text.
fn link_path(mail: &ParsedMail, prefix: &str) -> String {
    let start = mail
        .text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in:\n{}", mail.text));
    mail.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
        .collect()
}

impl TestApp {
    fn officer_count(&self) -> i64 {
        officers::table.count().get_result(&mut self.db()).unwrap()
    }

    fn mail_count(&self) -> i64 {
        outbox::table.count().get_result(&mut self.db()).unwrap()
    }

    fn account_actions(&self) -> Vec<String> {
        account_events::table
            .order(account_events::id.asc())
            .select(account_events::action)
            .load(&mut self.db())
            .unwrap()
    }

    /// Moves every link's expiry into the past (no sleeping).
    fn expire_links(&self) {
        let past = chrono::Utc::now().naive_utc() - chrono::TimeDelta::minutes(1);
        diesel::update(officer_links::table)
            .set(officer_links::expires_at.eq(past))
            .execute(&mut self.db())
            .unwrap();
    }
}

impl OfficerBrowser {
    async fn team_page(&self) -> Reply {
        let page = self.get("/officer/team").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page
    }

    /// Posts a per-officer form of the team page (`deactivate`, `reactivate`, `role`, `reset`),
    /// after checking that the page shows it in that officer's row.
    async fn on_member(
        &self,
        action: &str,
        data_action: &str,
        id: i64,
        extra: &[(&str, &str)],
    ) -> Reply {
        let page = self.team_page().await;
        assert_eq!(
            page.count(&format!(
                "tr[data-officer=\"{id}\"] form[data-action={data_action}]"
            )),
            1,
            "the team page offers {data_action} for officer {id}"
        );
        let csrf = self.csrf().await;
        let id = id.to_string();
        let mut fields = vec![("csrf_token", csrf.as_str()), ("officer_id", id.as_str())];
        fields.extend_from_slice(extra);
        self.post_form(&format!("/officer/team/{action}"), &fields)
            .await
    }

    async fn invite(&self, email: &str, name: &str, role: &str) -> Reply {
        let form = self
            .team_page()
            .await
            .form("invite_officer", "/officer/team")
            .expect("the team page has the invitation form")
            .fill("email", email)
            .fill("name", name)
            .fill("role", role);
        self.submit(&form).await
    }
}

fn row_status(page: &Reply, id: i64) -> Option<String> {
    page.attr_of(&format!("tr[data-officer=\"{id}\"]"), "data-status")
}

fn officer_id(app: &TestApp, email: &str) -> i64 {
    officers::table
        .filter(officers::email.eq(email))
        .select(officers::id)
        .first(&mut app.db())
        .unwrap()
}

#[tokio::test]
async fn an_invitation_link_works_once_and_the_invited_officer_signs_in() {
    let app = spawn_app().await;
    let boss = app.supervisor("zhang.wei@amr.example.gov.cn", "张伟").await;
    assert_eq!(boss.team_page().await.count("#nav-team"), 1);

    let sent = boss
        .invite("Wang.Fang@amr.example.gov.cn", "王芳", "officer")
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let id = officer_id(&app, "wang.fang@amr.example.gov.cn");
    let page = boss.team_page().await;
    assert_eq!(row_status(&page, id).as_deref(), Some("invited"));
    // A new officer has no second factor yet, and the column says so.
    assert_eq!(
        page.attr_of(
            &format!("tr[data-officer=\"{id}\"] td.second-factor"),
            "data-second-factor"
        )
        .as_deref(),
        Some("off")
    );

    let mail = app
        .mail
        .next_for("wang.fang@amr.example.gov.cn", WAIT)
        .await;
    assert!(
        mail.subject.contains(zh().t("team.mail.invite.subject")),
        "{}",
        mail.subject
    );
    assert!(
        mail.text.contains(en().t("team.mail.once")),
        "the email is in English too"
    );
    let path = link_path(&mail, "/officer/invite/");
    // The token is kept only as its hash.
    let token = path.trim_start_matches("/officer/invite/");
    let stored: Vec<String> = officer_links::table
        .select(officer_links::token_hash)
        .load(&mut app.db())
        .unwrap();
    assert!(!stored.iter().any(|h| h == token));

    // Not signed in before the password is set.
    let newcomer = app.visitor();
    assert_eq!(
        newcomer
            .log_in("wang.fang@amr.example.gov.cn", "")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let shown = newcomer.get(&path).await;
    assert_eq!(shown.status, StatusCode::OK);
    let form = shown
        .form("set_password", &path)
        .expect("the set-password form");
    // A common password is refused like everywhere.
    let weak = newcomer
        .submit(
            &form
                .clone()
                .fill("new_password", "1qaz2wsx3edc")
                .fill("repeat", "1qaz2wsx3edc"),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = newcomer
        .submit(
            &form
                .clone()
                .fill("new_password", NEW_PASSWORD)
                .fill("repeat", NEW_PASSWORD),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.count("#password-set"), 1);

    // Once only.
    let again = newcomer
        .submit(
            &form
                .fill("new_password", "another long passphrase")
                .fill("repeat", "another long passphrase"),
        )
        .await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(
        again.attr_of("#link-problem", "data-problem").as_deref(),
        Some("used")
    );
    assert_eq!(newcomer.get(&path).await.status, StatusCode::GONE);

    let signed_in = newcomer
        .log_in("wang.fang@amr.example.gov.cn", NEW_PASSWORD)
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(newcomer.get("/officer/cases").await.status, StatusCode::OK);

    let page = boss.team_page().await;
    assert_eq!(row_status(&page, id).as_deref(), Some("active"));
    let last = page
        .text_of(&format!("tr[data-officer=\"{id}\"] td.last-sign-in"))
        .unwrap();
    assert_ne!(last, zh().t("team.never"));
    // Newest first.
    let actions = page.texts_of("#account-trail td.event-action");
    assert_eq!(
        actions[..2],
        [
            zh().t("team.action.activated"),
            zh().t("team.action.invited")
        ]
    );

    // The address has an account now: no second invitation.
    let mails = app.mail_count();
    let refused = boss
        .invite("wang.fang@amr.example.gov.cn", "王芳", "officer")
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.text_of("#team-problem").as_deref(),
        Some(zh().t("team.exists"))
    );
    assert_eq!(app.mail_count(), mails);
}

#[tokio::test]
async fn an_invitation_link_expires_and_an_unknown_one_is_not_found() {
    let app = spawn_app().await;
    let boss = app.supervisor("zhang.wei@amr.example.gov.cn", "张伟").await;
    boss.invite("liu.yang@amr.example.gov.cn", "刘洋", "supervisor")
        .await;
    let mail = app.mail.next_for("liu.yang@amr.example.gov.cn", WAIT).await;
    let path = link_path(&mail, "/officer/invite/");
    app.expire_links();

    let visitor = app.visitor();
    let expired = visitor.get(&path).await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert_eq!(
        expired.attr_of("#link-problem", "data-problem").as_deref(),
        Some("expired")
    );
    let late = visitor
        .post_form(
            &path,
            &[("new_password", NEW_PASSWORD), ("repeat", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(late.status, StatusCode::GONE);
    assert_eq!(
        visitor
            .log_in("liu.yang@amr.example.gov.cn", NEW_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let unknown = visitor.get("/officer/invite/not-a-real-token").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        unknown.attr_of("#link-problem", "data-problem").as_deref(),
        Some("unknown")
    );

    // Invited again (never activated), a new link works.
    assert_eq!(
        boss.invite("liu.yang@amr.example.gov.cn", "刘洋", "officer")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let fresh = link_path(
        &app.mail.next_for("liu.yang@amr.example.gov.cn", WAIT).await,
        "/officer/invite/",
    );
    assert_eq!(visitor.get(&fresh).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_deactivated_officers_open_session_is_refused_and_their_cases_go_back_to_the_queue() {
    let app = spawn_app().await;
    let boss = app.supervisor("zhang.wei@amr.example.gov.cn", "张伟").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let receipt = app
        .file_confirmed_report(
            &app.visitor(),
            &ReportFields::zh_cn().email(SHOPPER),
            vec![("截图.png", png_screenshot(11), "image/png")],
        )
        .await;
    let n = receipt.number.clone();
    assert_eq!(
        officer.act(&n, "take", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let before = app.case_state(&n);
    assert_eq!(before.assignee, Some(officer.account.id));
    let page = boss.team_page().await;
    let id = officer.account.id.get();
    assert_eq!(
        page.text_of(&format!("tr[data-officer=\"{id}\"] td.open-cases"))
            .as_deref(),
        Some("1")
    );

    let done = boss
        .on_member("deactivate", "deactivate_officer", id, &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    // The officer's open tab: refused at the next click.
    assert_to_login(
        &officer.get("/officer/cases").await,
        "a deactivated officer's session",
    );
    assert_eq!(
        officer
            .log_in(&officer.account.email, OFFICER_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // The case keeps its status, loses its assignee, and says why in its trail.
    let after = app.case_state(&n);
    assert_eq!(after.status, before.status);
    assert_eq!(after.assignee, None);
    assert_eq!(after.version, before.version + 1);
    assert_eq!(
        app.audit_actions(&n).last().map(String::as_str),
        Some("unassigned")
    );
    assert_eq!(
        queue_numbers(&boss.queue("assignee=nobody").await),
        vec![n.clone()]
    );
    let case = boss.case_page(&n).await;
    // The trail says it in a sentence naming the officer, not in stored JSON.
    let said = case
        .text_of("tr[data-audit-action=unassigned] td.trail-sentence")
        .expect("the unassignment in the trail");
    assert_eq!(
        said,
        zh().t("trail.say.unassigned").replace("{officer}", "李明")
    );
    assert!(!case.body.contains("\"deactivated\""));

    let page = boss.team_page().await;
    assert_eq!(row_status(&page, id).as_deref(), Some("deactivated"));
    assert_eq!(
        page.text_of(&format!("tr[data-officer=\"{id}\"] td.open-cases"))
            .as_deref(),
        Some("0")
    );

    // Reactivated, they sign in again (the case stays in the queue).
    let back = boss
        .on_member("reactivate", "reactivate_officer", id, &[])
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    app.sign_in(&officer.account).await;
    assert_eq!(app.case_state(&n).assignee, None);
    assert_eq!(
        app.account_actions(),
        ["deactivated", "reactivated"],
        "the account trail records both"
    );
}

#[tokio::test]
async fn an_inactive_officers_remaining_session_is_refused() {
    let app = spawn_app().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    // Switched off behind the sessions' back: the session row is still there.
    diesel::update(officers::table.find(officer.account.id.get()))
        .set(officers::active.eq(false))
        .execute(&mut app.db())
        .unwrap();
    assert_to_login(
        &officer.get("/officer/cases").await,
        "an inactive officer's session",
    );
}

#[tokio::test]
async fn the_last_supervisor_cannot_be_deactivated_or_demoted() {
    let app = spawn_app().await;
    let boss = app.supervisor("zhang.wei@amr.example.gov.cn", "张伟").await;
    let id = boss.account.id.get();
    let refused = boss
        .on_member("deactivate", "deactivate_officer", id, &[])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.text_of("#team-problem").as_deref(),
        Some(zh().t("team.last_supervisor"))
    );
    let demoted = boss
        .on_member("role", "change_role", id, &[("role", "officer")])
        .await;
    assert_eq!(demoted.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = boss.team_page().await;
    assert_eq!(
        page.attr_of(&format!("tr[data-officer=\"{id}\"]"), "data-role")
            .as_deref(),
        Some("supervisor")
    );
    assert_eq!(row_status(&page, id).as_deref(), Some("active"));
    assert!(app.account_actions().is_empty());

    // With a second supervisor, the first may step down.
    let other = app
        .create_officer("chen.jing@amr.example.gov.cn", "陈静", "officer")
        .await;
    let promoted = boss
        .on_member(
            "role",
            "change_role",
            other.id.get(),
            &[("role", "supervisor")],
        )
        .await;
    assert_eq!(promoted.status, StatusCode::SEE_OTHER);
    let stepped_down = boss
        .on_member("role", "change_role", id, &[("role", "officer")])
        .await;
    assert_eq!(stepped_down.status, StatusCode::SEE_OTHER);
    // Now an officer: the team page is closed to them at their next request.
    assert_eq!(
        boss.get("/officer/team").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.account_actions(), ["role_changed", "role_changed"]);
}

#[tokio::test]
async fn a_reset_link_works_once_and_the_old_password_stops_working() {
    let app = spawn_app().await;
    let boss = app.supervisor("zhang.wei@amr.example.gov.cn", "张伟").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;

    // "Forgot password" from the login page: the same answer for an unknown address.
    let visitor = app.visitor();
    let login = visitor.get("/officer/login").await;
    assert_eq!(
        login.attr_of("#forgot-password", "href").as_deref(),
        Some("/officer/password/forgot")
    );
    let unknown = visitor
        .post_form(
            "/officer/password/forgot",
            &[("email", "nobody@amr.example.gov.cn")],
        )
        .await;
    let known = visitor
        .post_form(
            "/officer/password/forgot",
            &[("email", "Li.Ming@amr.example.gov.cn")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(
        unknown.text_of("#reset-requested"),
        known.text_of("#reset-requested")
    );
    let mail = app.mail.next_for("li.ming@amr.example.gov.cn", WAIT).await;
    let path = link_path(&mail, "/officer/password/reset/");
    assert!(
        !app.mail
            .received_so_far()
            .await
            .iter()
            .any(|m| m.to.contains(&"nobody@amr.example.gov.cn".to_string())),
        "no mail for an address without an account"
    );

    let form = visitor
        .get(&path)
        .await
        .form("set_password", &path)
        .expect("the reset form");
    let mismatch = visitor
        .submit(
            &form
                .clone()
                .fill("new_password", NEW_PASSWORD)
                .fill("repeat", "something else entirely"),
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reset = visitor
        .submit(
            &form
                .clone()
                .fill("new_password", NEW_PASSWORD)
                .fill("repeat", NEW_PASSWORD),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert_eq!(reset.count("#password-set"), 1);
    assert_eq!(
        visitor
            .submit(
                &form
                    .fill("new_password", NEW_PASSWORD)
                    .fill("repeat", NEW_PASSWORD)
            )
            .await
            .status,
        StatusCode::GONE
    );

    // The officer's other session ended; the old password opens nothing; the new one does.
    assert_to_login(
        &officer.get("/officer/cases").await,
        "a session from before the reset",
    );
    assert_eq!(
        app.visitor()
            .log_in("li.ming@amr.example.gov.cn", OFFICER_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.visitor()
            .log_in("li.ming@amr.example.gov.cn", NEW_PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    // A supervisor's button sends a link too; a reset link lives one hour.
    let id = officer.account.id.get();
    assert_eq!(
        boss.on_member("reset", "send_reset_link", id, &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let sent = app.mail.next_for("li.ming@amr.example.gov.cn", WAIT).await;
    let second = link_path(&sent, "/officer/password/reset/");
    app.expire_links();
    assert_eq!(app.visitor().get(&second).await.status, StatusCode::GONE);
    assert_eq!(
        app.account_actions(),
        ["reset_link_sent", "password_reset", "reset_link_sent"]
    );
    let trail = boss
        .team_page()
        .await
        .texts_of("#account-trail td.event-actor");
    assert_eq!(trail[0], "张伟");
    assert_eq!(trail[1], "李明");
    assert_eq!(trail[2], zh().t("team.by_link"));
}

#[tokio::test]
async fn non_supervisors_cannot_reach_any_of_the_team_steps() {
    let app = spawn_app().await;
    app.create_officer("zhang.wei@amr.example.gov.cn", "张伟", "supervisor")
        .await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let page = officer.queue("").await;
    assert_eq!(page.count("#nav-team"), 0);
    assert_eq!(
        officer.get("/officer/team").await.status,
        StatusCode::FORBIDDEN
    );
    let csrf = officer.csrf().await;
    let (officers_before, mail_before) = (app.officer_count(), app.mail_count());
    let invite = officer
        .post_form(
            "/officer/team/invite",
            &[
                ("csrf_token", &csrf),
                ("email", "x@amr.example.gov.cn"),
                ("name", "X"),
                ("role", "supervisor"),
            ],
        )
        .await;
    assert_eq!(invite.status, StatusCode::FORBIDDEN);
    let me = officer.account.id.to_string();
    for action in ["deactivate", "reactivate", "reset"] {
        let r = officer
            .post_form(
                &format!("/officer/team/{action}"),
                &[("csrf_token", &csrf), ("officer_id", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{action}");
    }
    let promote = officer
        .post_form(
            "/officer/team/role",
            &[
                ("csrf_token", &csrf),
                ("officer_id", &me),
                ("role", "supervisor"),
            ],
        )
        .await;
    assert_eq!(promote.status, StatusCode::FORBIDDEN);
    assert_eq!(
        (app.officer_count(), app.mail_count()),
        (officers_before, mail_before)
    );
    assert!(app.account_actions().is_empty());
    // Not signed in at all: to the login page.
    assert_to_login(
        &app.visitor().get("/officer/team").await,
        "the team page without a session",
    );
}

#[tokio::test]
async fn bad_team_input_gets_the_422_page_in_the_readers_language_and_stores_nothing() {
    let app = spawn_app().await;
    let account = app
        .create_officer("zhang.wei@amr.example.gov.cn", "Zhang Wei", "supervisor")
        .await;
    let boss = OfficerBrowser {
        visitor: app.visitor_speaking("en"),
        account,
    };
    assert_eq!(
        boss.log_in(&boss.account.email, OFFICER_PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let (officers_before, mail_before) = (app.officer_count(), app.mail_count());
    let csrf = boss.csrf().await;

    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[
                ("email", "not-an-address"),
                ("name", "Wang"),
                ("role", "officer"),
            ],
            "team.bad_email",
        ),
        (
            &[
                ("email", "wang@amr.example.gov.cn"),
                ("name", "Wang"),
                ("role", "admin"),
            ],
            "team.bad_role",
        ),
        (
            &[
                ("email", "wang@amr.example.gov.cn"),
                ("name", "  "),
                ("role", "officer"),
            ],
            "team.bad_name",
        ),
        (&[("name", "Wang"), ("role", "officer")], "team.bad_email"),
        (
            &[("email", "wang@amr.example.gov.cn"), ("name", "Wang")],
            "team.bad_role",
        ),
    ];
    for (fields, key) in cases {
        let mut form = vec![("csrf_token", csrf.as_str())];
        form.extend_from_slice(fields);
        let r = boss.post_form("/officer/team/invite", &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert_eq!(r.html_lang().as_deref(), Some("en"));
        assert_eq!(
            r.text_of("#team-problem").as_deref(),
            Some(en().t(key)),
            "{fields:?}"
        );
    }
    let unknown = boss
        .post_form(
            "/officer/team/deactivate",
            &[("csrf_token", csrf.as_str()), ("officer_id", "999999")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unknown.text_of("#team-problem").as_deref(),
        Some(en().t("team.unknown_officer"))
    );
    let missing = boss
        .post_form("/officer/team/role", &[("csrf_token", csrf.as_str())])
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad_role = boss
        .post_form(
            "/officer/team/role",
            &[
                ("csrf_token", csrf.as_str()),
                ("officer_id", &boss.account.id.to_string()),
                ("role", "root"),
            ],
        )
        .await;
    assert_eq!(bad_role.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad_role.text_of("#team-problem").as_deref(),
        Some(en().t("team.bad_role"))
    );
    let forgot = boss
        .post_form("/officer/password/forgot", &[("email", "")])
        .await;
    assert_eq!(forgot.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(forgot.html_lang().as_deref(), Some("en"));

    // Without the CSRF token: refused before anything is read.
    let forged = boss
        .post_form(
            "/officer/team/invite",
            &[
                ("email", "wang@amr.example.gov.cn"),
                ("name", "Wang"),
                ("role", "officer"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        (app.officer_count(), app.mail_count()),
        (officers_before, mail_before)
    );
    assert!(app.account_actions().is_empty());
}
