//! Platform notices (issue 13, items 2, 3 and 7): after a handoff the platform's desk is told,
//! when the regulator acknowledges or 5 working days later, unless the regulator held it; what a
//! notice holds and never holds; the reporter's consent for screenshots; the desk's one answer
//! through its signed link and who hears of it; reminders, overdue flags, a platform without a
//! desk, and a withdrawn notice.

use crate::handoff::{
    FINDING, PANYU, PANYU_EMAIL, REPORTER, add_regulator, hand_off, handoff_context, handoff_link,
    in_region, substantiated_case,
};
use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::schema::{evidence, outbox, platform_notices};
use reviewwatch::domain::ids::PlatformNoticeId;
use reviewwatch::workflow::platform_notices::send_due_and_remind;

const DESK: &str = "淘宝平台规则与治理中心";
const DESK_EMAIL: &str = "governance@taobao-desk.example";
const ORDER: &str = "2026112512345678";

/// Adds the taobao desk as a supervisor does.
async fn add_desk(supervisor: &OfficerBrowser) {
    let page = supervisor.get("/officer/platform-desks").await;
    let form = page
        .form("add_platform_desk", "/officer/platform-desks")
        .expect("the add form")
        .fill("kind", "platform")
        .fill("platform", "taobao")
        .fill("name", DESK)
        .fill("email", DESK_EMAIL);
    assert_eq!(supervisor.submit(&form).await.status, StatusCode::SEE_OTHER);
}

fn mails_to(app: &TestApp, address: &str, kind: &str) -> i64 {
    outbox::table
        .filter(outbox::to_address.eq(address))
        .filter(outbox::kind.eq(kind))
        .count()
        .get_result(&mut app.db())
        .expect("count")
}

fn notice_of(app: &TestApp, number: &str) -> reviewwatch::db::platform_notices::NoticeRow {
    reviewwatch::db::platform_notices::of_case(&mut app.db(), app.case_id(number))
        .expect("read")
        .expect("the case has a platform notice")
}

/// The desk's link path (`/platform/{id}/{expires}/{sig}`) in the notice email, absolute there.
fn notice_link(mail: &ParsedMail, base: &str) -> String {
    let i = mail
        .text
        .find("/platform/")
        .unwrap_or_else(|| panic!("no desk link in:\n{}", mail.text));
    let path: String = mail.text[i..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
        .collect();
    assert!(mail.text.contains(&format!("{base}{path}")), "absolute");
    path
}

pub(crate) struct Handed {
    pub(crate) app: TestApp,
    pub(crate) officer: OfficerBrowser,
    pub(crate) number: String,
    pub(crate) code: String,
    pub(crate) regulator_mail: ParsedMail,
}

/// A confirmed report with an email, an order number and a screenshot, handed off to Panyu.
pub(crate) async fn handed_off(consent: bool, with_desk: bool) -> Handed {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    if with_desk {
        add_desk(&supervisor).await;
    }
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let mut form = in_region(ReportFields::zh_cn(), "440113").email(REPORTER);
    if consent {
        form = form.set("consent_share_platform", "1");
    }
    let receipt = substantiated_case(
        &app,
        &officer,
        &form,
        vec![("我的订单截图.png", png_screenshot(1500), "image/png")],
    )
    .await;
    let number = receipt.number.clone();
    hand_off(&officer, &number, panyu).await;
    let regulator_mail = app.mail.next_for(PANYU_EMAIL, WAIT).await;
    Handed {
        app,
        officer,
        number,
        code: receipt.code,
        regulator_mail,
    }
}

impl Handed {
    async fn acknowledge(&self, hold: bool) -> Reply {
        let ack = handoff_link(&self.regulator_mail, &self.app.address, "acknowledge");
        let page = self.app.visitor().get(&ack).await;
        let mut form = page
            .form("acknowledge", &ack)
            .expect("the acknowledge form");
        if hold {
            form = form.fill("hold_platform_notice", "1");
        }
        let done = self.app.visitor().submit(&form).await;
        assert_eq!(done.status, StatusCode::OK);
        done
    }

    /// Acknowledges without holding; the desk's notice arrives: its link.
    pub(crate) async fn acknowledged_notice_link(&self) -> String {
        self.acknowledge(false).await;
        let mail = self.app.mail.next_for(DESK_EMAIL, WAIT).await;
        notice_link(&mail, &self.app.address)
    }

    /// Runs the sender's pass `days` later: the notice's clock is moved back by that much (the
    /// outbox is on the real clock, so time cannot be moved forward instead).
    async fn sender_after(&self, days: i64) -> usize {
        let case_id = self.app.case_id(&self.number);
        let row = reviewwatch::db::platform_notices::of_case(&mut self.app.db(), case_id)
            .expect("read")
            .expect("a notice");
        diesel::update(platform_notices::table.find(row.id))
            .set(platform_notices::not_before.eq(row.not_before - chrono::TimeDelta::days(days)))
            .execute(&mut self.app.db())
            .expect("moved");
        let ctx = handoff_context(&self.app);
        send_due_and_remind(&self.app.pool, &ctx, chrono::Utc::now().naive_utc())
            .await
            .expect("the sender's pass")
    }
}

#[tokio::test]
async fn the_notice_goes_when_the_regulator_acknowledges_and_its_answer_reaches_everyone() {
    let h = handed_off(true, true).await;
    let (app, n) = (&h.app, h.number.clone());

    // Handed off, not acknowledged: the notice waits, and says so on the officer's page.
    let page = h.officer.case_page(&n).await;
    assert_eq!(
        page.attr_of("#platform-notice", "data-notice-state")
            .as_deref(),
        Some("scheduled")
    );
    assert_eq!(h.sender_after(0).await, 0, "not before its time");
    assert_eq!(mails_to(app, DESK_EMAIL, "platform_notice"), 0);

    h.acknowledge(false).await;
    let mail = app.mail.next_for(DESK_EMAIL, WAIT).await;
    assert!(mail.subject.contains(&n) && mail.subject.contains("举报线索，非行政认定"));
    let link = notice_link(&mail, &app.address);
    let case = app.case_row(&n);
    let desk = app.visitor();
    let shown = desk.get(&link).await;
    assert_eq!(shown.status, StatusCode::OK);

    // What the notice holds: the shop, the listing, the category, the finding, the statement
    // and the request to preserve the data, in the email and on the page.
    for text in [&mail.text, &shown.body] {
        for held in [
            case.shop_name.as_str(),
            case.shop_ref.as_str(),
            "https://item.taobao.com/item.htm?id=6543210",
            "好评返现",
            FINDING,
            "举报线索，非行政认定",
            "第三十一条",
        ] {
            assert!(text.contains(held), "the notice holds {held}");
        }
        // …and never anything of the reporter.
        let without_links = text.replace(&app.address, "");
        for never in [
            REPORTER,
            ORDER,
            case.description.as_str(),
            h.code.as_str(),
            "我的订单截图",
            "截图与订单对应，认定属实。",
        ] {
            assert!(
                !without_links.contains(never),
                "the notice never holds {never}"
            );
        }
        if let Some(ip) = &case.reporter_ip {
            assert!(
                !without_links.contains(ip.as_str()),
                "nor the reporter's address"
            );
        }
    }

    // The reporter agreed: the checked copy is shown, and served only through the link.
    assert_eq!(shown.count("#notice-screenshots img"), 1);
    let thumb = shown
        .attr_of("#notice-screenshots img", "src")
        .expect("a thumbnail");
    let image = desk.get_bytes(&thumb).await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.content_type, "image/jpeg");

    // The answer, once.
    let form = shown
        .form("platform_response", &link)
        .expect("the answer form")
        .fill("response", "reviews_removed")
        .fill("reviews_removed_count", "37");
    let answered = desk.submit(&form).await;
    assert_eq!(answered.status, StatusCode::OK);
    assert_eq!(
        answered.attr_of("#answer-result", "data-result").as_deref(),
        Some("answered")
    );
    assert!(
        answered
            .text_of("#answer-given")
            .unwrap_or_default()
            .contains("37")
    );
    let again = desk
        .post_form(
            &link,
            &[("response", "no_violation"), ("reviews_removed_count", "")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        again.attr_of("#answer-given", "data-response").as_deref(),
        Some("reviews_removed"),
        "the first answer stands"
    );
    let row = notice_of(app, &n);
    assert_eq!(row.reviews_removed_count, Some(37));
    assert_eq!(
        app.audit_actions(&n)
            .iter()
            .filter(|a| *a == "platform_response")
            .count(),
        1
    );

    // The officer and the reporter hear of it; both pages show it.
    let officer_mail = app.mail.next_for("li.ming@amr.example.gov.cn", WAIT).await;
    assert!(
        officer_mail.subject.contains(&n),
        "{}",
        officer_mail.subject
    );
    let reporter_mail = app
        .mail
        .next_with_subject(
            REPORTER,
            &zh().t2("platform_notice.mail.subject", &n, "淘宝"),
        )
        .await;
    assert!(reporter_mail.text.contains("平台已删除 37 条评价"));
    let page = h.officer.case_page(&n).await;
    assert_eq!(
        page.attr_of("#platform-answer", "data-response").as_deref(),
        Some("reviews_removed")
    );
    let reporter = app.visitor();
    reporter.track(&n, &h.code).await;
    let tracked = reporter.get("/track/case").await;
    assert!(
        tracked
            .text_of("#platform-answer")
            .unwrap_or_default()
            .contains("37"),
        "{}",
        tracked.body
    );
}

#[tokio::test]
async fn without_consent_no_screenshot_goes_and_bad_or_forged_answers_are_refused() {
    let h = handed_off(false, true).await;
    let (app, n) = (&h.app, h.number.clone());
    let link = h.acknowledged_notice_link().await;
    let desk = app.visitor();
    let shown = desk.get(&link).await;
    assert_eq!(shown.count("#notice-screenshots img"), 0);
    assert_eq!(shown.count("#notice-no-screenshots"), 1);
    let evidence_id: i64 = evidence::table
        .filter(evidence::case_id.eq(app.case_id(&n)))
        .select(evidence::id)
        .first(&mut app.db())
        .unwrap();
    let guessed = desk
        .get_bytes(&format!("{link}/screenshots/{evidence_id}/display"))
        .await;
    assert_eq!(guessed.status, StatusCode::NOT_FOUND, "no consent, no copy");

    // Forged and expired links are refused.
    let parts: Vec<&str> = link.split('/').collect();
    let (id, expires, sig) = (parts[2], parts[3], parts[4]);
    let flipped = format!(
        "{}{}",
        &sig[..sig.len() - 1],
        if sig.ends_with('0') { '1' } else { '0' }
    );
    for forged in [
        format!("/platform/{id}/{expires}/{flipped}"),
        format!(
            "/platform/{id}/{}/{sig}",
            expires.parse::<i64>().unwrap() + 1
        ),
        format!(
            "/platform/{}/{expires}/{sig}",
            id.parse::<i64>().unwrap() + 1
        ),
    ] {
        assert_eq!(
            desk.get(&forged).await.status,
            StatusCode::FORBIDDEN,
            "{forged}"
        );
        let posted = desk
            .post_form(&forged, &[("response", "no_violation")])
            .await;
        assert_eq!(posted.status, StatusCode::FORBIDDEN);
    }
    let ctx = handoff_context(app);
    let past = chrono::Utc::now().timestamp() - 60;
    let expired = reviewwatch::handoff::links::notice_path(
        &ctx.link_key,
        PlatformNoticeId(id.parse().unwrap()),
        past,
    );
    assert_eq!(desk.get(&expired).await.status, StatusCode::GONE);

    // Bad answers come back in words, with what was typed, and store nothing.
    for (fields, problem) in [
        (
            vec![
                ("response", "reviews_removed"),
                ("reviews_removed_count", ""),
            ],
            "platform_notice.count_required",
        ),
        (
            vec![
                ("response", "reviews_removed"),
                ("reviews_removed_count", "-4"),
            ],
            "platform_notice.count_required",
        ),
        (
            vec![("response", "disputed"), ("details", "  ")],
            "platform_notice.reasons_required",
        ),
        (
            vec![("response", "maybe")],
            "platform_notice.response_required",
        ),
    ] {
        let refused = desk.post_form(&link, &fields).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}"
        );
        assert_eq!(
            refused.text_of("#answer-problem").as_deref(),
            Some(zh().t(problem))
        );
    }
    assert!(notice_of(app, &n).responded_at.is_none());
    let disputed = desk
        .post_form(
            &link,
            &[
                ("response", "disputed"),
                ("details", "该评价来自真实订单，附物流记录。"),
            ],
        )
        .await;
    assert_eq!(disputed.status, StatusCode::OK);
    assert_eq!(
        notice_of(app, &n).response_details.as_deref(),
        Some("该评价来自真实订单，附物流记录。")
    );
}

#[tokio::test]
async fn without_an_acknowledgement_the_notice_goes_after_five_working_days_and_is_reminded_once() {
    let h = handed_off(true, true).await;
    let (app, n) = (&h.app, h.number.clone());
    assert_eq!(
        h.sender_after(3).await,
        0,
        "three days are fewer than five working days"
    );
    assert_eq!(h.sender_after(14).await, 1, "two weeks later it goes");
    let mail = app.mail.next_for(DESK_EMAIL, WAIT).await;
    assert!(mail.subject.starts_with("平台通知"));
    assert!(
        app.audit_actions(&n)
            .contains(&"platform_notice_sent".to_string())
    );
    assert_eq!(h.sender_after(14).await, 0, "once");

    // Unanswered past its deadline: flagged, and reminded once.
    let row = notice_of(app, &n);
    let due = row.answer_due_on.expect("a deadline");
    assert!(due > reviewwatch::domain::china_time::today());
    assert_eq!(h.sender_after(0).await, 0, "not before the deadline");
    diesel::update(platform_notices::table.find(row.id))
        .set(
            platform_notices::answer_due_on
                .eq(reviewwatch::domain::china_time::today() - chrono::TimeDelta::days(1)),
        )
        .execute(&mut app.db())
        .unwrap();
    let page = h.officer.case_page(&n).await;
    assert_eq!(
        page.attr_of("#platform-notice", "data-notice-state")
            .as_deref(),
        Some("overdue")
    );
    assert_eq!(h.sender_after(0).await, 1);
    let reminder = app.mail.next_for(DESK_EMAIL, WAIT).await;
    assert!(
        reminder.subject.starts_with("【提醒】"),
        "{}",
        reminder.subject
    );
    assert_eq!(h.sender_after(0).await, 0);
    assert_eq!(mails_to(app, DESK_EMAIL, "platform_notice_reminder"), 1);
    assert_eq!(mails_to(app, DESK_EMAIL, "platform_notice"), 1);
}

#[tokio::test]
async fn a_held_notice_waits_for_the_regulator_to_release_it_or_record_the_outcome() {
    // Held with the acknowledgement, released by the regulator.
    let h = handed_off(true, true).await;
    let (app, n) = (&h.app, h.number.clone());
    let acked = h.acknowledge(true).await;
    assert_eq!(
        acked
            .attr_of("#platform-notice", "data-notice-state")
            .as_deref(),
        Some("held")
    );
    assert_eq!(h.sender_after(30).await, 0, "held: not even a month later");
    assert_eq!(mails_to(app, DESK_EMAIL, "platform_notice"), 0);
    assert_eq!(
        h.officer
            .case_page(&n)
            .await
            .attr_of("#platform-notice", "data-notice-state")
            .as_deref(),
        Some("held")
    );
    let outcome_link = handoff_link(&h.regulator_mail, &app.address, "outcome");
    let page = app.visitor().get(&outcome_link).await;
    let release = page
        .form(
            "release_platform_notice",
            &format!("{outcome_link}/platform-notice"),
        )
        .expect("the release form");
    let released = app.visitor().submit(&release).await;
    assert_eq!(
        released.attr_of("#notice-result", "data-result").as_deref(),
        Some("released")
    );
    app.mail.next_for(DESK_EMAIL, WAIT).await;
    assert_eq!(mails_to(app, DESK_EMAIL, "platform_notice"), 1);

    // Held before any acknowledgement, then the outcome recorded: it goes with the outcome.
    let h = handed_off(true, true).await;
    let (app, n) = (&h.app, h.number.clone());
    let ack = handoff_link(&h.regulator_mail, &app.address, "acknowledge");
    let page = app.visitor().get(&ack).await;
    let hold = page
        .form("hold_platform_notice", &format!("{ack}/platform-notice"))
        .expect("the hold form");
    assert_eq!(
        app.visitor()
            .submit(&hold)
            .await
            .attr_of("#notice-result", "data-result")
            .as_deref(),
        Some("held")
    );
    assert!(
        app.audit_actions(&n)
            .contains(&"platform_notice_held".to_string())
    );
    h.acknowledge(false).await;
    assert_eq!(
        h.sender_after(30).await,
        0,
        "acknowledging does not release a held notice"
    );
    let outcome_link = handoff_link(&h.regulator_mail, &app.address, "outcome");
    let page = app.visitor().get(&outcome_link).await;
    let form = page
        .form("outcome", &outcome_link)
        .expect("the outcome form")
        .fill("outcome", "warning")
        .fill("details", "责令改正");
    assert_eq!(app.visitor().submit(&form).await.status, StatusCode::OK);
    app.mail.next_for(DESK_EMAIL, WAIT).await;
    assert_eq!(mails_to(app, DESK_EMAIL, "platform_notice"), 1);
}

#[tokio::test]
async fn a_platform_without_a_desk_waits_listed_until_a_desk_is_added() {
    let h = handed_off(true, false).await;
    let (app, n) = (&h.app, h.number.clone());
    h.acknowledge(false).await;
    assert_eq!(
        h.sender_after(0).await,
        0,
        "no desk: nothing goes, nothing fails"
    );
    assert_eq!(app.case_status(&n), "acknowledged", "the case goes on");
    let supervisor = app.supervisor("wang.fang@amr.example.gov.cn", "王芳").await;
    let page = supervisor.get("/officer/platform-desks").await;
    assert_eq!(
        page.attrs_of("#notices-waiting-for-desk li", "data-case"),
        vec![n.clone()]
    );
    assert_eq!(
        h.officer
            .case_page(&n)
            .await
            .attr_of("#platform-notice", "data-notice-state")
            .as_deref(),
        Some("waiting_for_desk")
    );
    add_desk(&supervisor).await;
    let mail = app.mail.next_for(DESK_EMAIL, WAIT).await;
    assert!(mail.subject.contains(&n));
    let page = supervisor.get("/officer/platform-desks").await;
    assert_eq!(page.count("#notices-waiting-for-desk li"), 0);
}

#[tokio::test]
async fn a_withdrawn_notice_says_so_on_its_link_and_takes_no_answer() {
    let h = handed_off(true, true).await;
    let (app, n) = (&h.app, h.number.clone());
    let link = h.acknowledged_notice_link().await;

    let page = h.officer.case_page(&n).await;
    let form = page
        .form(
            "withdraw_platform_notice",
            &format!("/officer/cases/{n}/platform-notice/withdraw"),
        )
        .expect("the withdraw form");
    let empty = h.officer.submit(&form.clone().fill("reason", " ")).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    let done = h
        .officer
        .submit(&form.fill("reason", "监管部门要求撤回：商家已整改。"))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);

    let shown = app.visitor().get(&link).await;
    assert_eq!(
        shown
            .attr_of("#platform-notice", "data-notice-state")
            .as_deref(),
        Some("withdrawn")
    );
    assert_eq!(shown.count("form[data-action=platform_response]"), 0);
    assert!(
        !shown.body.contains(&app.case_row(&n).shop_name),
        "its contents are gone"
    );
    let answered = app
        .visitor()
        .post_form(&link, &[("response", "no_violation")])
        .await;
    assert_eq!(answered.status, StatusCode::GONE);
    assert!(notice_of(app, &n).responded_at.is_none());
    assert!(
        app.audit_actions(&n)
            .contains(&"platform_notice_withdrawn".to_string())
    );
}
