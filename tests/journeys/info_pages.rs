//! The privacy notice and the help page: public, in both languages, linked from every page's
//! footer, explaining every category and status, and stating the periods the code applies.

use crate::helpers::*;
use reqwest::StatusCode;
use reviewwatch::config::Settings;
use reviewwatch::domain::deadlines::{
    ACKNOWLEDGE_WORKING_DAYS, COMPLAINT_ACCEPT_DAYS, EXTENSION_DAYS, REPORT_DECIDE_DAYS,
    REPORTER_ANSWER_DAYS,
};
use reviewwatch::domain::{CaseStatus, Category};
use reviewwatch::i18n::Messages;
use reviewwatch::workflow::purge::UNCONFIRMED_RETENTION;

/// The catalog's sections (`privacy`, `help`, `status`, …): a message key starts with one.
fn locale_sections() -> Vec<String> {
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en.toml")).unwrap();
    let table = source.parse::<toml::Table>().unwrap();
    table
        .iter()
        .filter(|(_, v)| v.is_table())
        .map(|(k, _)| k.clone())
        .collect()
}

/// No message key shows as text (`help.lead` for a missing message, present in the catalog or
/// not) and no label lookup fell back to "?".
fn assert_no_raw_keys(page: &Reply, path: &str) {
    let text = page.text_of("body").unwrap();
    for section in locale_sections() {
        let prefix = format!("{section}.");
        for (i, _) in text.match_indices(&prefix) {
            let next = text[i + prefix.len()..].chars().next();
            let starts_word = i == 0 || !text[..i].ends_with(|c: char| c.is_ascii_alphanumeric());
            assert!(
                !(starts_word && next.is_some_and(|c| c.is_ascii_lowercase() || c == '_')),
                "{path} shows a raw key: {}",
                &text[i..(i + 40).min(text.len())]
            );
        }
    }
    for term in page.texts_of("dt, dd, li, h1, h2, p") {
        assert_ne!(term, "?", "{path} shows a label that was not found");
    }
}

fn assert_footer_links_both(page: &Reply, what: &str) {
    assert_eq!(
        page.attr_of("footer.site-footer a#footer-privacy", "href")
            .as_deref(),
        Some("/privacy"),
        "the footer of {what} links the privacy notice"
    );
    assert_eq!(
        page.attr_of("footer.site-footer a#footer-help", "href")
            .as_deref(),
        Some("/help"),
        "the footer of {what} links the help page"
    );
}

async fn both_languages(app: &TestApp, path: &str) -> [(Reply, &'static Messages); 2] {
    let zh_page = app.visitor().get(path).await;
    let en_page = app.visitor_speaking("en").get(path).await;
    for (page, lang) in [(&zh_page, "zh-CN"), (&en_page, "en")] {
        assert_eq!(page.status, StatusCode::OK, "{path} in {lang}");
        assert_eq!(page.html_lang().as_deref(), Some(lang), "{path}");
        assert_no_raw_keys(page, path);
        assert_footer_links_both(page, path);
    }
    [(zh_page, zh()), (en_page, en())]
}

#[tokio::test]
async fn the_footer_of_public_and_officer_pages_links_privacy_and_help() {
    let app = spawn_app().await;
    let home = app.visitor().get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_footer_links_both(&home, "the home page");
    assert_eq!(
        home.text_of("#footer-privacy").as_deref(),
        Some(zh().t("info.footer_privacy"))
    );

    let officer = app.officer("help-footer@example.org", "李明").await;
    let queue = officer.get("/officer/cases").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert_footer_links_both(&queue, "the officer's queue");

    // And a page that answers an error.
    let missing = app.visitor().get("/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_footer_links_both(&missing, "the 404 page");
}

#[tokio::test]
async fn help_explains_every_category_and_status_in_both_languages() {
    let app = spawn_app().await;
    for (page, m) in both_languages(&app, "/help").await {
        assert_eq!(page.text_of("h1").as_deref(), Some(m.t("help.title")));
        for c in Category::ALL {
            let id = format!("#category-{}", c.as_str());
            assert_eq!(page.text_of(&id).as_deref(), Some(m.category(*c)), "{c}");
            let explained = page.text_of(&format!("{id} + dd")).unwrap_or_default();
            assert!(
                explained.contains(m.category_hint(*c))
                    && explained.contains(m.category_explained(*c)),
                "{c} is explained: {explained}"
            );
        }
        for s in CaseStatus::ALL {
            let id = format!("#status-{}", s.as_str());
            assert_eq!(page.text_of(&id).as_deref(), Some(m.status(*s)), "{s}");
            assert_eq!(
                page.text_of(&format!("{id} + dd")).as_deref(),
                Some(m.status_explained(*s)),
                "{s} is explained"
            );
        }
        // The deadlines are the ones the deadline rules count with.
        let deadlines = [
            (
                "#deadline-accept",
                m.t1("help.deadline_accept", COMPLAINT_ACCEPT_DAYS),
            ),
            (
                "#deadline-decide",
                m.t2("help.deadline_decide", REPORT_DECIDE_DAYS, EXTENSION_DAYS),
            ),
            (
                "#deadline-reporter-answer",
                m.t1("help.deadline_reporter_answer", REPORTER_ANSWER_DAYS),
            ),
            (
                "#deadline-acknowledge",
                m.t1("help.deadline_acknowledge", ACKNOWLEDGE_WORKING_DAYS),
            ),
        ];
        for (id, expected) in deadlines {
            assert_eq!(page.text_of(id), Some(expected), "{id}");
        }
        assert!(
            page.text_of("#deadline-decide")
                .unwrap()
                .contains(&REPORT_DECIDE_DAYS.to_string())
        );
        // Fraud first: the page tells the reader to call 110 and 96110 before anything.
        assert_eq!(
            page.attr_of("#fraud-first", "id").as_deref(),
            Some("fraud-first")
        );
        let dial: Vec<String> = page.attrs_of("a[href^='tel:']", "href");
        assert_eq!(dial, ["tel:110", "tel:96110"]);
        // Every entry of the table of contents leads to a heading on the page.
        for target in page.attrs_of("nav.toc a", "href") {
            assert_eq!(page.count(&format!("h2{target}")), 1, "{target}");
        }
    }
}

#[tokio::test]
async fn privacy_states_the_retention_periods_the_code_applies() {
    let app = spawn_app().await;
    let defaults = Settings::for_data_dir(std::path::PathBuf::new());
    for (page, m) in both_languages(&app, "/privacy").await {
        assert_eq!(page.text_of("h1").as_deref(), Some(m.t("privacy.title")));
        assert_eq!(
            page.text_of("#keep-ip"),
            Some(m.t1("privacy.keep_ip_days", defaults.retain_reporter_ip_days))
        );
        assert_eq!(
            page.text_of("#keep-contact"),
            Some(m.t1("privacy.keep_contact_days", defaults.retain_contact_days))
        );
        assert!(
            page.text_of("#keep-contact")
                .unwrap()
                .contains(&defaults.retain_contact_days.to_string())
        );
        assert_eq!(
            page.text_of("#keep-unconfirmed"),
            Some(m.t1(
                "privacy.keep_unconfirmed_days",
                UNCONFIRMED_RETENTION.num_days()
            ))
        );
        assert_eq!(
            page.text_of("#keep-logs").as_deref(),
            Some(m.t("privacy.keep_logs"))
        );
        // The reporter's own erasure starts at the tracking page, whose case page offers it.
        assert_eq!(
            page.attr_of("#erase-start", "href").as_deref(),
            Some("/track")
        );
        assert!(
            page.text_of("#erasure ~ ol")
                .unwrap()
                .contains(m.t("erase.summary")),
            "the step names the case page's own erase section"
        );
        // Without PRIVACY_CONTACT, people write to the address the portal mails from.
        assert_eq!(
            page.text_of("#privacy-contact"),
            Some(defaults.mail_from.clone())
        );
        let toc = page.attrs_of("nav.toc a", "href");
        assert_eq!(toc.len(), 7);
        for target in toc {
            assert_eq!(page.count(&format!("h2{target}")), 1, "{target}");
        }
    }
}

#[tokio::test]
async fn privacy_follows_the_periods_and_contact_this_instance_is_configured_with() {
    let app = spawn_app_with(|s| {
        s.retain_reporter_ip_days = 45;
        s.retain_contact_days = 0;
        s.privacy_contact = Some("privacy@consumer.example.org".into());
    })
    .await;
    let page = app.visitor_speaking("en").get("/privacy").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.text_of("#keep-ip"),
        Some(en().t1("privacy.keep_ip_days", 45))
    );
    assert_eq!(
        page.text_of("#keep-contact").as_deref(),
        Some(en().t("privacy.kept_no_limit")),
        "a period turned off is not stated as a number of days"
    );
    assert_eq!(
        page.text_of("#privacy-contact").as_deref(),
        Some("privacy@consumer.example.org")
    );
}

#[tokio::test]
async fn the_erasure_the_privacy_notice_describes_is_where_it_says() {
    let app = spawn_app().await;
    let receipt = app
        .visitor()
        .file_report(
            &ReportFields::zh_cn().email("reader@example.org"),
            vec![("a.png", png_screenshot(41), "image/png")],
        )
        .await;
    let reader = app.visitor();
    let privacy = reader.get("/privacy").await;
    let start = privacy.attr_of("#erase-start", "href").unwrap();
    let track = reader.get(&start).await;
    assert_eq!(track.status, StatusCode::OK);
    assert_eq!(
        track.count("form[action='/track']"),
        1,
        "{start} asks for the case"
    );
    let case = reader.open_case(&receipt.number, &receipt.code).await;
    assert_eq!(
        case.text_of("#erase-contact summary").as_deref(),
        Some(zh().t("erase.summary")),
        "the case page holds the section the notice names"
    );
    let erase = case.form("erase_contact", "/track/case").unwrap();
    let done = reader.submit(&erase).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(app.case_row(&receipt.number).reporter_email, None);
    let after = reader.get("/track/case").await;
    assert_eq!(after.count("#erase-contact"), 0, "nothing left to erase");
}
