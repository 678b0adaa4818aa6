//! Pages in the reader's language: zh-CN by default, English when asked for.

use crate::helpers::*;
use reqwest::StatusCode;
use reviewwatch::domain::CaseStatus;
use reviewwatch::i18n::Messages;

#[tokio::test]
async fn accept_language_en_gives_english_pages() {
    let app = spawn_app().await;
    let english = app.visitor_speaking("en-GB,en;q=0.9");
    let home = english.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.html_lang().as_deref(), Some("en"));
    assert_eq!(home.text_of("h1").as_deref(), Some(en().t("home.headline")));
    assert!(
        !has_cjk(&home.text_of("main").unwrap()),
        "the page body is English"
    );

    let chinese = app.visitor().get("/").await;
    assert_eq!(
        chinese.html_lang().as_deref(),
        Some("zh-CN"),
        "zh-CN is the default"
    );
    assert_eq!(
        chinese.text_of("h1").as_deref(),
        Some(zh().t("home.headline"))
    );

    // A refused report explains itself in English too.
    let reply = english
        .submit_report(
            &ReportFields::english().without("shop_name"),
            vec![("a.png", png_screenshot(70), "image/png")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.html_lang().as_deref(), Some("en"));
    let expected = en().t2(
        "problem.sentence",
        en().field_label("shop_name"),
        en().t("problem.required"),
    );
    assert!(
        reply.problems().contains(&expected),
        "{:?}",
        reply.problems()
    );
}

#[tokio::test]
async fn the_language_switch_sets_a_cookie_and_goes_back() {
    let app = spawn_app().await;
    let reader = app.visitor();
    let switched = reader.get("/lang/en?next=/track").await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.location().as_deref(), Some("/track"));
    let cookie = switched
        .headers
        .get(reqwest::header::SET_COOKIE)
        .expect("a cookie")
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("lang=en"), "{cookie}");

    let track = reader.get("/track").await;
    assert_eq!(
        track.html_lang().as_deref(),
        Some("en"),
        "the cookie is remembered"
    );
    assert_eq!(track.text_of("h1").as_deref(), Some(en().t("track.title")));
    // The switch link on the page leads back to Chinese, and here.
    let back = track
        .attr_of("a.lang-switch", "href")
        .expect("a language switch");
    let switched_back = reader.get(&back).await;
    assert_eq!(switched_back.status, StatusCode::SEE_OTHER);
    assert_eq!(switched_back.location().as_deref(), Some("/track"));
    assert_eq!(
        reader.get("/track").await.html_lang().as_deref(),
        Some("zh-CN")
    );

    // The cookie outweighs the browser's Accept-Language.
    let browser = app.visitor_speaking("en");
    browser.get("/lang/zh-CN?next=/").await;
    assert_eq!(browser.get("/").await.html_lang().as_deref(), Some("zh-CN"));
}

#[tokio::test]
async fn the_language_switch_never_redirects_to_another_site() {
    let app = spawn_app().await;
    for next in [
        "//evil.example",
        "https://evil.example/",
        "/%5Cevil.example",
        "evil.example",
    ] {
        let reply = app.visitor().get(&format!("/lang/en?next={next}")).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(reply.location().as_deref(), Some("/"), "{next}");
    }
}

async fn check_pages(app: &TestApp, reader: &Visitor, lang: &str, m: &Messages) {
    let made_up_token = "Zm9yZ2VkLXRva2VuLXRoYXQtbm9ib2R5LWV2ZXItc2V";
    let site_name = m.t("site.name");
    for path in [
        "/",
        "/reports/new",
        "/track",
        "/reports/receipt",
        &format!("/confirm/{made_up_token}"),
        "/no/such/page",
    ] {
        let page = reader.get(path).await;
        assert_eq!(page.html_lang().as_deref(), Some(lang), "{path}");
        let title = page.text_of("title").unwrap_or_default();
        assert!(
            title.ends_with(site_name),
            "{path}: title {title:?} in {lang}"
        );
        assert!(page.content_type().starts_with("text/html"), "{path}");
    }
    let refused = reader
        .track("RW-2026-000001", "0000-0000-0000-0000-0000")
        .await;
    assert_eq!(refused.html_lang().as_deref(), Some(lang));
    assert_eq!(
        refused.text_of("#track-problem").as_deref(),
        Some(m.t("track.no_match"))
    );

    let receipt = reader
        .file_report(
            &ReportFields::zh_cn(),
            vec![("a.png", png_screenshot(71), "image/png")],
        )
        .await;
    let case = app
        .visitor_speaking(lang)
        .open_case(&receipt.number, &receipt.code)
        .await;
    assert_eq!(case.html_lang().as_deref(), Some(lang));
    assert_eq!(
        case.text_of("#case-status").as_deref(),
        Some(m.status(CaseStatus::Submitted))
    );
}

#[tokio::test]
async fn every_page_declares_the_language_it_is_in() {
    let app = spawn_app().await;
    check_pages(&app, &app.visitor(), "zh-CN", zh()).await;
    check_pages(&app, &app.visitor_speaking("en"), "en", en()).await;
    let switched = app.visitor();
    switched.get("/lang/en?next=/").await;
    check_pages(&app, &switched, "en", en()).await;
}

#[tokio::test]
async fn an_unknown_path_is_a_404_page_in_the_readers_language() {
    let app = spawn_app().await;
    for (reader, lang, m) in [
        (app.visitor(), "zh-CN", zh()),
        (app.visitor_speaking("en-US"), "en", en()),
    ] {
        let page = reader.get("/no/such/page").await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert_eq!(page.html_lang().as_deref(), Some(lang));
        assert_eq!(
            page.text_of("#error-message").as_deref(),
            Some(m.t("error.not_found"))
        );
        assert!(page.content_type().starts_with("text/html"));
    }
}
