//! Near-identical texts and text read from screenshots: two reports whose descriptions are one
//! template with some characters changed are linked on the officer's case page, with the passage
//! they share marked; other reviews of the same product are not. Where the server has Tesseract
//! with the simplified-Chinese model, a screenshot's text is read by a background job, shown to
//! officers, searchable in the queue and linked; where it has not, the evidence says so.

use crate::helpers::*;
use reviewwatch::db::DbPool;
use reviewwatch::jobs::{JobContext, run_due};
use reviewwatch::startup;
use std::sync::Arc;
use std::time::Duration;

/// A 好评 template a shop's paid reviewers paste, and the same text with about 15 % of its
/// characters changed (substituted, dropped or added) by a second reviewer.
const TEMPLATE: &str = "宝贝收到了，质量非常好，做工精细，和卖家描述的完全一致，物流也很快，包装很严实，\
    客服态度特别好，有问必答，这款保温杯保温效果一流，性价比超高，推荐大家购买，五星好评！";
const EDITED: &str = "宝贝收到啦，质量很好，做工精致，和卖家描述的完全一样，物流也超快，包装很严实，\
    客服态度特别好，有问必答，这个保温杯保温效果一流，性价比高，推荐大家来买，五星好评！！";
/// Another buyer's review of the same product: the same kind of words, not the same text.
const OTHER_REVIEW: &str = "用了一周才来评价，保温杯的保温效果还可以，早上装的热水下午还是温的，\
    杯盖有点紧，颜色和图片一样，物流速度一般，客服回复有点慢，总体对得起这个价格。";

/// A report against a shop of its own (no merchant link), with `description`.
fn report(description: &str, shop: &str) -> ReportFields {
    let id: u32 = shop.chars().map(u32::from).sum();
    ReportFields::zh_cn()
        .set("description", description)
        .set("shop_name", shop)
        .set("shop_url", &format!("https://shop{id}.taobao.com/"))
        .set(
            "product_url",
            &format!("https://item.taobao.com/item.htm?id={id}01"),
        )
}

/// The similar-text reason of `other` on `page`, if it is listed.
fn similar_text_link(page: &Reply, other: &str) -> Option<(String, String)> {
    let reason = format!(
        "#related-cases li.related-case[data-case=\"{other}\"] li[data-reason=similar_text]"
    );
    let whole = page.text_of(&format!("{reason} blockquote.shared-passage"))?;
    let marked = page.text_of(&format!("{reason} mark"))?;
    Some((whole, marked))
}

#[tokio::test]
async fn a_templated_review_with_some_characters_changed_is_linked_with_the_shared_passage_marked()
{
    let app = spawn_app().await;
    let officer = app.officer("zhao.lei@amr.example.gov.cn", "赵磊").await;
    let first = app
        .visitor()
        .file_report(
            &report(TEMPLATE, "甲家居旗舰店"),
            vec![("截图.png", png_screenshot(901), "image/png")],
        )
        .await;
    let second = app
        .visitor()
        .file_report(
            &report(EDITED, "乙生活馆"),
            vec![("截图.png", png_screenshot(902), "image/png")],
        )
        .await;
    let other = app
        .visitor()
        .file_report(
            &report(OTHER_REVIEW, "丙百货"),
            vec![("截图.png", png_screenshot(903), "image/png")],
        )
        .await;

    let page = officer.case_page(&first.number).await;
    let (whole, marked) =
        similar_text_link(&page, &second.number).expect("the edited copy is linked");
    // The marked passage is the longest run both texts share, shown as the first case wrote it.
    // (compared without punctuation: "很快，包装" and "超快，包装" share "快，包装")
    assert_eq!(marked, "快，包装很严实，客服态度特别好，有问必答，这");
    assert!(TEMPLATE.contains(&marked));
    assert!(
        whole.contains(&marked) && whole.len() > marked.len(),
        "{whole}"
    );
    let strength: u8 = page
        .attr_of(
            &format!("li.related-case[data-case=\"{}\"]", second.number),
            "data-strength",
        )
        .and_then(|s| s.parse().ok())
        .expect("a strength");
    assert!((60..=100).contains(&strength), "{strength}");
    assert!(
        similar_text_link(&page, &other.number).is_none(),
        "another review of the same product is not linked"
    );
    assert_eq!(
        page.count(&format!("li.related-case[data-case=\"{}\"]", other.number)),
        0
    );

    // The link reads the same way from the other side, with that case's own words.
    let page = officer.case_page(&second.number).await;
    let (_, marked) = similar_text_link(&page, &first.number).expect("linked both ways");
    assert!(EDITED.contains(&marked), "{marked}");
    let page = officer.case_page(&other.number).await;
    assert_eq!(page.count("li[data-reason=similar_text]"), 0);
}

// ---------------------------------------------------------------------------------------------
// OCR.

/// The chat screenshot in tests/fixtures: a 好评返现 card from "customer service".
fn ocr_card() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ocr_card.png"
    ))
    .expect("the fixture")
}

/// The text on the card as a second shopper retold it (without the amount: "现金红包十二元" is
/// only in the screenshot).
const CARD_TYPED: &str = "【好评返现】亲爱的顾客您好，五星好评并晒图三张，截图发给客服即可领取红包，客服微信：hp-fanxian888";

/// Why OCR cannot run here, or `None` when `tesseract` with `chi_sim` is installed.
fn why_no_tesseract() -> Option<String> {
    let langs = match std::process::Command::new("tesseract")
        .arg("--list-langs")
        .output()
    {
        Ok(out) => {
            String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
        }
        Err(e) => return Some(format!("no `tesseract` command ({e})")),
    };
    if langs.lines().any(|l| l.trim() == "chi_sim") {
        None
    } else {
        Some("`tesseract` has no chi_sim model (apt-get install tesseract-ocr-chi-sim)".into())
    }
}

/// What the jobs of `app` need, to run them here rather than wait for the app's runner.
async fn job_context(storage: &Storage, ocr_command: &str) -> JobContext {
    let mut settings = storage.settings();
    settings.ocr_command = ocr_command.to_string();
    let (_, keys) = startup::open_database(&settings).await.unwrap();
    let handoff = startup::handoff_context(&settings, &keys, "http://127.0.0.1:9")
        .await
        .unwrap();
    startup::job_context(&settings, handoff, Arc::new(tokio::sync::Notify::new()))
}

/// Runs the due jobs, then waits until the screenshots of case `number` have a reading (the
/// app's own runner may have taken a job first).
async fn read_screenshots(app: &TestApp, ctx: &JobContext, number: &str) {
    let pool: DbPool = app.pool.clone();
    run_due(&pool, ctx, "test-runner", reviewwatch::db::now())
        .await
        .unwrap();
    let case_id = app.case_id(number);
    poll_until("the screenshot's reading", Duration::from_secs(90), || {
        use diesel::prelude::*;
        use reviewwatch::db::schema::{evidence, evidence_texts};
        let unread: i64 = evidence::table
            .left_join(evidence_texts::table)
            .filter(evidence::case_id.eq(case_id))
            .filter(evidence_texts::evidence_id.is_null())
            .count()
            .get_result(&mut app.db())
            .unwrap();
        (unread == 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn text_read_from_a_screenshot_is_shown_to_officers_searchable_and_linked() {
    if let Some(why) = why_no_tesseract() {
        println!("skipped: {why}");
        return;
    }
    let storage = Storage::fresh();
    let app = spawn_app_on(storage.clone(), |_| {}).await;
    let officer = app.officer("qian.yu@amr.example.gov.cn", "钱宇").await;
    let reporter = app.visitor();
    let with_card = reporter
        .file_report(
            &report("收到的包裹里有客服发来的返现消息，见截图。", "丁数码专营店"),
            vec![("聊天截图.png", ocr_card(), "image/png")],
        )
        .await;
    let typed = app
        .visitor()
        .file_report(
            &report(CARD_TYPED, "戊母婴店"),
            vec![("截图.png", png_screenshot(904), "image/png")],
        )
        .await;
    let ctx = job_context(&storage, "tesseract").await;
    read_screenshots(&app, &ctx, &with_card.number).await;

    // The officer sees what was read, folded away, on the evidence card.
    let page = officer.case_page(&with_card.number).await;
    let read = page
        .text_of("#evidence details.ocr-text pre")
        .expect("the text read is shown");
    assert!(read.contains("现金红包十二元"), "{read}");
    assert!(read.contains("hp-fanxian888"), "{read}");
    assert_eq!(page.count("#evidence .ocr-unavailable"), 0);

    // It links the case to the one whose description says the same.
    let (_, marked) =
        similar_text_link(&page, &typed.number).expect("the screenshot's text is linked");
    assert!(marked.chars().count() >= 7, "{marked}");
    let page = officer.case_page(&typed.number).await;
    assert!(similar_text_link(&page, &with_card.number).is_some());

    // A phrase found only in the screenshot finds the case in the queue.
    let queue = officer.queue("q=现金红包十二元").await;
    assert_eq!(queue_numbers(&queue), vec![with_card.number.clone()]);

    // The reporter never sees it.
    let mine = reporter.open_case(&with_card.number, &with_card.code).await;
    assert!(!mine.body.contains("现金红包十二元"));
    assert_eq!(mine.count(".ocr-text"), 0);
}

#[tokio::test]
async fn a_server_without_tesseract_says_ocr_is_unavailable_and_still_links_by_description() {
    let missing = "/nonexistent/bin/tesseract";
    let storage = Storage::fresh();
    let app = spawn_app_on(storage.clone(), |s| s.ocr_command = missing.into()).await;
    let officer = app.officer("sun.li@amr.example.gov.cn", "孙丽").await;
    let shot = app
        .visitor()
        .file_report(
            &report(TEMPLATE, "己旗舰店"),
            vec![("聊天截图.png", ocr_card(), "image/png")],
        )
        .await;
    let copy = app
        .visitor()
        .file_report(
            &report(EDITED, "庚小店"),
            vec![("截图.png", png_screenshot(905), "image/png")],
        )
        .await;
    let ctx = job_context(&storage, missing).await;
    read_screenshots(&app, &ctx, &shot.number).await;

    let page = officer.case_page(&shot.number).await;
    assert_eq!(
        page.text_of("#evidence .ocr-unavailable").as_deref(),
        Some(zh().t("ocr.unavailable"))
    );
    assert_eq!(page.count("#evidence details.ocr-text"), 0);
    assert!(similar_text_link(&page, &copy.number).is_some());
    let queue = officer.queue("q=现金红包十二元").await;
    assert!(queue_numbers(&queue).is_empty());
}
