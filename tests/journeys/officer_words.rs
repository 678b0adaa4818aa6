//! Officer pages speak in sentences: after a case has been through many steps, every officer
//! page, in both languages, shows statuses, audit entries and links between cases in words,
//! never a message key, a machine keyword or stored JSON; English pages use English punctuation.

use crate::handoff::{PANYU, PANYU_EMAIL, add_regulator, handoff_link, in_region};
use crate::helpers::*;
use reqwest::StatusCode;
use scraper::{ElementRef, Node};

const REPORTER: &str = "wu.fang@example.com";
const SHOP: &str = "Bright Star Digital";
const SHOP_URL: &str = "https://shop778899.taobao.com/";

/// The text a person reads on the page: every text node of the body outside scripts and styles,
/// and the attributes read aloud or shown (labels, placeholders, tooltips, image texts).
fn visible_text(page: &Reply) -> String {
    fn walk(el: ElementRef<'_>, out: &mut String) {
        let name = el.value().name();
        if matches!(name, "script" | "style" | "template") {
            return;
        }
        for attr in ["aria-label", "placeholder", "title", "alt"] {
            if let Some(v) = el.value().attr(attr) {
                out.push_str(v);
                out.push('\n');
            }
        }
        for child in el.children() {
            match child.value() {
                Node::Text(t) => {
                    out.push_str(t);
                    out.push(' ');
                }
                Node::Element(_) => {
                    if let Some(e) = ElementRef::wrap(child) {
                        walk(e, out);
                    }
                }
                _ => {}
            }
        }
    }
    let doc = page.doc();
    let mut out = String::new();
    for sel in ["title", "body"] {
        let sel = scraper::Selector::parse(sel).unwrap();
        for el in doc.select(&sel) {
            walk(el, &mut out);
        }
    }
    out
}

/// What on a page reads like code: a message key, a snake_case keyword, or stored JSON.
fn code_words(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(i) = text.find("{\"") {
        found.push(text[i..].chars().take(60).collect());
    }
    for word in
        text.split(|c: char| c.is_whitespace() || "()（）,，:：;；、\"“”'<>[]|·".contains(c))
    {
        let word = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_');
        let looks_like_address = word.contains('@')
            || word.contains('/')
            || word.contains("www.")
            || [
                ".com", ".cn", ".net", ".org", ".gov", ".example", ".png", ".jpg", ".webp", ".zip",
                ".json", ".csv", ".pem", ".atom",
            ]
            .iter()
            .any(|end| word.contains(end));
        if looks_like_address || word.is_empty() || !word.is_ascii() {
            continue;
        }
        let snake = word.contains('_')
            && word.split('_').all(|p| !p.is_empty())
            && word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        let key = word.contains('.')
            && word.split('.').count() >= 2
            && word.split('.').all(|p| {
                p.len() >= 2
                    && p.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
            });
        if snake || key {
            found.push(word.to_string());
        }
    }
    found
}

/// The machine keywords of statuses, categories, platforms, reasons and audit actions: on a
/// Chinese page any of them in Latin letters is a keyword shown raw.
fn keywords() -> Vec<&'static str> {
    use reviewwatch::domain::audit::AuditAction;
    use reviewwatch::domain::{CaseStatus, Category, DismissReason, Platform};
    let mut k: Vec<&'static str> = CaseStatus::ALL.iter().map(|s| s.as_str()).collect();
    k.extend(Category::ALL.iter().map(|c| c.as_str()));
    k.extend(Platform::ALL.iter().map(|p| p.as_str()));
    k.extend(DismissReason::ALL.iter().map(|r| r.as_str()));
    k.extend(AuditAction::ALL.iter().map(|a| a.as_str()));
    k
}

fn assert_in_words(page: &Reply, path: &str, lang: &str) {
    assert_eq!(page.status, StatusCode::OK, "{path} ({lang}) opens");
    let text = visible_text(page);
    let mut raw = code_words(&text);
    if lang == "zh-CN" {
        let keywords = keywords();
        raw.extend(
            text.split(|c: char| {
                !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '@' || c == '/')
            })
            .filter(|w| keywords.contains(w))
            .map(str::to_string),
        );
    }
    assert!(raw.is_empty(), "{path} ({lang}) shows code words: {raw:?}");
    if lang == "en" {
        assert!(
            !text.contains('：'),
            "{path} (en) uses a Chinese colon: {}",
            text.lines().find(|l| l.contains('：')).unwrap_or_default()
        );
    }
}

#[test]
fn the_checker_finds_keys_keywords_and_json() {
    assert_eq!(code_words("状态 in_review 已提交"), vec!["in_review"]);
    assert!(
        code_words("Reply by e.g. email").is_empty(),
        "an abbreviation is a word"
    );
    assert!(
        keywords().contains(&"submitted"),
        "Chinese pages are checked for bare keywords too"
    );
    assert_eq!(
        code_words("Category: cashback_for_review"),
        vec!["cashback_for_review"]
    );
    assert_eq!(code_words("Assigned {\"officer_id\":2}").len(), 2);
    assert_eq!(
        code_words("see status.in_review here"),
        vec!["status.in_review"]
    );
    assert!(
        code_words("Mail wu.fang@example.com at https://a.example/x_y, SHA-256 ab12").is_empty()
    );
    assert!(code_words("Assigned the case to 李明. Status: Submitted → In review.").is_empty());
}

#[tokio::test]
async fn every_officer_page_speaks_in_sentences_in_both_languages_after_many_steps() {
    let app = spawn_app().await;
    let supervisor = app.supervisor("chen.jing@amr.example.gov.cn", "陈静").await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let leaving = app
        .create_officer("zhang.hua@amr.example.gov.cn", "张华", "officer")
        .await;
    let panyu = add_regulator(&app, &supervisor, PANYU, "market", "440113", PANYU_EMAIL).await;
    let form = in_region(ReportFields::english(), "440113")
        .set("language", "zh-CN")
        .set("shop_name", SHOP)
        .set("shop_url", SHOP_URL);

    // Case A goes all the way: taken, asked, answered, noted, extended, redacted, linked,
    // substantiated, handed off, acknowledged and closed with a published outcome.
    let reporter = app.visitor();
    let a = app
        .file_confirmed_report(
            &reporter,
            &form.clone().email(REPORTER),
            vec![("card.png", png_screenshot(4101), "image/png")],
        )
        .await;
    let b = app
        .visitor()
        .file_report(
            &form,
            vec![("card2.png", png_screenshot(4102), "image/png")],
        )
        .await;
    let c = app
        .visitor()
        .file_report(
            &form,
            vec![("card3.png", png_screenshot(4103), "image/png")],
        )
        .await;
    let d = app
        .visitor()
        .file_report(
            &form,
            vec![("card4.png", png_screenshot(4104), "image/png")],
        )
        .await;
    let n = a.number.clone();
    let ok = |r: Reply, what: &str| {
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{what}: {:?}",
            r.text_of("#action-problem")
        );
    };
    ok(officer.act(&n, "take", &[]).await, "take");
    ok(
        officer
            .act(&n, "note", &[("body", "Checked the shop page")])
            .await,
        "note",
    );
    ok(
        officer
            .act(
                &n,
                "request_info",
                &[("message", "Please send the order page")],
            )
            .await,
        "request_info",
    );
    // The reporter answers from the tracking page.
    let tracked = reporter.open_case(&n, &a.code).await;
    let reply_form = tracked.form("reply", "/track/case").expect("a reply form");
    let answered = reporter
        .submit_multipart(
            &reply_form.fill("message", "Here is the order page"),
            vec![("order.png", png_screenshot(4105), "image/png")],
        )
        .await;
    assert_eq!(
        answered.status,
        StatusCode::SEE_OTHER,
        "the answer is taken"
    );
    ok(
        officer
            .act(
                &n,
                "extend",
                &[("reason", "Waiting for the platform's data")],
            )
            .await,
        "extend",
    );
    // A redaction and a download of the original.
    let page = officer.case_page(&n).await;
    let redact_path = page.attr_of("#evidence a[data-redact]", "href").unwrap();
    let redact = officer.get(&redact_path).await;
    assert_in_words(&redact, &redact_path, "zh-CN");
    let form_r = redact
        .form("redact", &redact_path)
        .expect("a redaction form");
    assert_eq!(
        officer
            .submit(&form_r.fill("rects", "10,10,60,30"))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let original = redact_path.trim_end_matches("/redact").to_string() + "/original";
    assert_eq!(officer.download(&original).await.status, StatusCode::OK);
    // Links: B is a duplicate, confirmed as linked, then dismissed; C found unrelated.
    let page = officer.case_page(&n).await;
    for (other, verdict) in [(&b.number, "confirmed"), (&c.number, "rejected")] {
        let form_l = page
            .form("link", &format!("/officer/cases/{n}"))
            .expect("a link form");
        let sent = officer
            .submit(&form_l.fill("other", other).fill("verdict", verdict))
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{verdict} {other}");
    }
    ok(
        officer
            .act(
                &b.number,
                "dismiss",
                &[
                    ("reason", "duplicate"),
                    ("message", "The same report as an earlier one"),
                ],
            )
            .await,
        "dismiss",
    );
    // D is assigned to an officer who then leaves the team; their cases go back to the queue.
    let page = supervisor.case_page(&d.number).await;
    ok(
        supervisor
            .act_from(
                &page,
                &d.number,
                "assign",
                &[("officer_id", &leaving.id.to_string())],
            )
            .await,
        "assign",
    );
    let csrf = supervisor.csrf().await;
    let id = leaving.id.to_string();
    let changed = supervisor
        .post_form(
            "/officer/team/role",
            &[
                ("csrf_token", &csrf),
                ("officer_id", &id),
                ("role", "supervisor"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "role changed");
    let gone = supervisor
        .post_form(
            "/officer/team/deactivate",
            &[("csrf_token", &csrf), ("officer_id", &id)],
        )
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "deactivated");
    assert!(
        app.audit_actions(&d.number)
            .contains(&"unassigned".to_string())
    );

    // A is substantiated, handed off, acknowledged and closed by the regulator's links.
    ok(
        officer
            .act(
                &n,
                "substantiate",
                &[
                    ("note", "Matches the order"),
                    ("finding", "The card offers cashback for five stars"),
                ],
            )
            .await,
        "substantiate",
    );
    ok(
        officer
            .act(&n, "hand_off", &[("regulator_id", &panyu.to_string())])
            .await,
        "hand_off",
    );
    let mail = app.mail.next_for(PANYU_EMAIL, WAIT).await;
    let regulator = app.visitor();
    let ack = handoff_link(&mail, &app.address, "acknowledge");
    let shown = regulator.get(&ack).await;
    let done = regulator
        .submit(&shown.form("acknowledge", &ack).expect("acknowledge form"))
        .await;
    assert!(done.status.is_success() || done.status.is_redirection());
    let outcome = handoff_link(&mail, &app.address, "outcome");
    let shown = regulator.get(&outcome).await;
    let form_o = shown.form("outcome", &outcome).expect("outcome form");
    let recorded = regulator
        .submit(
            &form_o
                .fill("outcome", "penalty")
                .fill("details", "Fined 20000 yuan")
                .fill("document_number", "Panyu 2026 No 1187")
                .fill("published", "1"),
        )
        .await;
    assert!(recorded.status.is_success() || recorded.status.is_redirection());
    assert_eq!(app.case_status(&n), "closed");
    // C is withdrawn by its reporter, through the tracking page and its confirmation.
    let tracker = app.visitor();
    tracker.open_case(&c.number, &c.code).await;
    let asked = tracker
        .submit(
            &tracker
                .get("/track/case")
                .await
                .form("withdraw", "/track/case")
                .expect("a withdraw form"),
        )
        .await;
    let really = asked
        .form("withdraw", "/track/case")
        .expect("the confirmation form");
    assert_eq!(tracker.submit(&really).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.case_status(&c.number), "withdrawn");

    // Every officer page, in both languages.
    let merchant = officer
        .case_page(&n)
        .await
        .attr_of("#merchant-link", "href")
        .expect("a merchant link");
    let pages: Vec<String> = [
        "/officer/desk",
        "/officer/dashboard",
        "/officer/cases",
        "/officer/cases?status=dismissed",
        "/officer/cases?status=closed",
        "/officer/cases?overdue=1",
        "/officer/campaigns",
        "/officer/regulators",
        "/officer/platform-desks",
        "/officer/record",
        "/officer/calendar",
        "/officer/team",
        "/officer/account/second-factor",
        "/officer/password",
    ]
    .iter()
    .map(|p| p.to_string())
    .chain(
        [&n, &b.number, &c.number, &d.number]
            .iter()
            .map(|x| format!("/officer/cases/{x}")),
    )
    .chain([merchant, redact_path.clone()])
    .collect();
    for lang in ["zh-CN", "en"] {
        let switched = supervisor
            .get(&format!("/lang/{lang}?next=/officer/dashboard"))
            .await;
        assert_eq!(switched.status, StatusCode::SEE_OTHER);
        for path in &pages {
            let page = supervisor.get(path).await;
            assert_eq!(page.html_lang().as_deref(), Some(lang), "{path}");
            assert_in_words(&page, path, lang);
        }
        // The trail says who did what in sentences with the facts in them.
        let case = supervisor.case_page(&n).await;
        let sentences = case.texts_of("td.trail-sentence");
        let m = if lang == "en" { en() } else { zh() };
        assert!(
            sentences.iter().any(|s| s.contains(PANYU)),
            "the handoff names the regulator: {sentences:#?}"
        );
        assert!(
            sentences.iter().any(|s| s.contains(&b.number)
                && s.contains(m.link_reason(reviewwatch::domain::links::LinkReason::SameMerchant))),
            "the link names the case and why: {sentences:#?}"
        );
        let dismissed = supervisor
            .case_page(&b.number)
            .await
            .texts_of("td.trail-sentence");
        assert!(
            dismissed.iter().any(|s| s
                .contains(m.dismiss_reason(reviewwatch::domain::DismissReason::Duplicate))
                && s.contains(m.status(reviewwatch::domain::CaseStatus::Dismissed))),
            "the dismissal gives its reason and the new status: {dismissed:#?}"
        );
        let unassigned = supervisor
            .case_page(&d.number)
            .await
            .texts_of("td.trail-sentence");
        assert!(
            unassigned.iter().any(|s| s.contains("张华")),
            "the assignment names the officer: {unassigned:#?}"
        );
    }
}
