//! Near-identical screenshots link cases: a copy of another reporter's screenshot (resized,
//! recompressed, its status bar cropped away) shows each case on the other's page, with the
//! reason; another screen of the same app does not. Screenshots recorded before the index
//! existed are indexed by the housekeeping job; index rows go with their case.

use crate::helpers::*;
use chrono::TimeDelta;
use diesel::prelude::*;
use image::imageops::{self, FilterType};
use image::{ExtendedColorType, ImageEncoder, RgbImage};
use reviewwatch::db::schema::{evidence, image_hash_chunks, image_hashes, jobs};
use reviewwatch::domain::jobs::JobKind;
use reviewwatch::seed::images::{HEIGHT, Layout, STATUS_BAR, draw_screen};
use reviewwatch::startup;
use std::sync::Arc;
use std::time::Duration;

pub(crate) fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// The screenshot as a second reporter sends it: status bar cropped off, scaled to 55 %, saved as
/// a JPEG of quality 45.
pub(crate) fn recompressed_cropped_copy(img: &RgbImage) -> Vec<u8> {
    let bar = STATUS_BAR * img.height() / HEIGHT;
    let cropped = imageops::crop_imm(img, 0, bar, img.width(), img.height() - bar).to_image();
    let (w, h) = (cropped.width() * 55 / 100, cropped.height() * 55 / 100);
    let small = imageops::resize(&cropped, w, h, FilterType::CatmullRom);
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 45)
        .write_image(small.as_raw(), w, h, ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// The same chat screen of one app, with two different conversations.
pub(crate) fn chat_screens() -> (RgbImage, RgbImage) {
    let layout = Layout::new(0, 4242);
    (draw_screen(&layout, 1001), draw_screen(&layout, 1002))
}

/// Reports that share nothing but their screenshots: other shops, platforms, orders and words.
pub(crate) fn report(n: usize) -> ReportFields {
    let (platform, shop, url, product, description) = [
        (
            "taobao",
            "某某数码旗舰店",
            "https://shop123456.taobao.com/",
            "https://item.taobao.com/item.htm?id=6543210",
            "收到的包裹里有一张好评返现卡：五星好评并晒图，联系客服返现 5 元。随附截图。",
        ),
        (
            "jd",
            "优选家居专营店",
            "https://mall.jd.com/index-1000123.html",
            "https://item.jd.com/100012345678.html",
            "客服在聊天里说只要给五星就退十块钱，截图是聊天记录。",
        ),
        (
            "pinduoduo",
            "鲜果农场直供",
            "https://mobile.yangkeduo.com/mall_page.html?mall_id=778899",
            "https://mobile.yangkeduo.com/goods.html?goods_id=3344556677",
            "水果很差，评价区全是一样的好评，我截了这个页面。",
        ),
    ][n % 3];
    ReportFields::zh_cn()
        .set("platform", platform)
        .set("shop_name", shop)
        .set("shop_url", url)
        .set("product_url", product)
        .set("order_number", &format!("20261125{n:08}"))
        .set("description", description)
}

pub(crate) fn related(page: &Reply) -> Vec<String> {
    page.attrs_of("#related-cases li.related-case", "data-case")
}

pub(crate) fn linked_by(page: &Reply, other: &str, reason: &str) -> bool {
    page.count(&format!(
        "#related-cases li.related-case[data-case=\"{other}\"] li[data-reason={reason}]"
    )) == 1
}

#[tokio::test]
async fn a_resized_recompressed_cropped_copy_links_the_two_cases_and_another_screen_does_not() {
    let app = spawn_app().await;
    let (screen, other_screen) = chat_screens();
    let a = app
        .file_report(
            &report(0),
            vec![("聊天记录.png", png(&screen), "image/png")],
        )
        .await
        .number;
    let b = app
        .visitor()
        .file_report(
            &report(1),
            vec![(
                "微信图片.jpg",
                recompressed_cropped_copy(&screen),
                "image/jpeg",
            )],
        )
        .await
        .number;
    let c = app
        .visitor()
        .file_report(
            &report(2),
            vec![("截图.png", png(&other_screen), "image/png")],
        )
        .await
        .number;
    // The fingerprints are made with the screenshots' copies, by the background job.
    app.run_due_jobs().await;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;

    let page_a = officer.case_page(&a).await;
    assert!(
        linked_by(&page_a, &b, "similar_screenshot"),
        "{:?}",
        related(&page_a)
    );
    assert_eq!(related(&page_a), vec![b.clone()], "only the copy is linked");
    // The evidence itself says where else it is.
    let seen = page_a.text_of("small.seen").unwrap_or_default();
    assert!(seen.contains(&b) && !seen.contains(&c), "{seen}");

    let page_b = officer.case_page(&b).await;
    assert!(
        linked_by(&page_b, &a, "similar_screenshot"),
        "{:?}",
        related(&page_b)
    );
    assert_eq!(related(&page_b), vec![a.clone()]);

    let page_c = officer.case_page(&c).await;
    assert!(
        related(&page_c).is_empty(),
        "another screen of the same app links nothing: {:?}",
        related(&page_c)
    );
    assert_eq!(page_c.count("#related-none"), 1);
}

#[tokio::test]
async fn the_same_file_twice_is_the_same_screenshot() {
    let app = spawn_app().await;
    let (screen, _) = chat_screens();
    let a = app
        .file_report(&report(0), vec![("a.png", png(&screen), "image/png")])
        .await
        .number;
    let b = app
        .visitor()
        .file_report(&report(1), vec![("b.png", png(&screen), "image/png")])
        .await
        .number;
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    let page = officer.case_page(&b).await;
    assert!(
        linked_by(&page, &a, "same_screenshot"),
        "{:?}",
        related(&page)
    );
    assert_eq!(
        page.attr_of(
            &format!("#related-cases li.related-case[data-case=\"{a}\"]"),
            "data-strength"
        )
        .as_deref(),
        Some("100")
    );
}

fn indexed(app: &TestApp) -> (i64, i64) {
    let mut conn = app.db();
    let hashes = image_hashes::table.count().get_result(&mut conn).unwrap();
    let chunks = image_hash_chunks::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    (hashes, chunks)
}

#[tokio::test]
async fn screenshots_recorded_before_the_index_existed_are_indexed_by_housekeeping() {
    let storage = Storage::fresh();
    let app = spawn_app_on(storage.clone(), |_| {}).await;
    let (screen, _) = chat_screens();
    let a = app
        .file_report(&report(2), vec![("a.png", png(&screen), "image/png")])
        .await
        .number;
    let b = app
        .visitor()
        .file_report(
            &report(0),
            vec![("b.jpg", recompressed_cropped_copy(&screen), "image/jpeg")],
        )
        .await
        .number;
    app.run_due_jobs().await;
    // The portal's own runner indexes what is missing once when it starts, then hourly: wait for
    // that first run, so that the run below is the only one.
    let kind = JobKind::IndexEarlierScreenshots.as_str();
    poll_until("the first indexing run", Duration::from_secs(30), || {
        let done: i64 = jobs::table
            .filter(jobs::kind.eq(kind))
            .filter(jobs::state.eq("done"))
            .count()
            .get_result(&mut app.db())
            .unwrap();
        (done > 0).then_some(())
    })
    .await;
    // A database from before the index: the evidence rows without their index rows.
    assert_eq!(indexed(&app), (2, 26));
    diesel::delete(image_hashes::table)
        .execute(&mut app.db())
        .unwrap();
    assert_eq!(indexed(&app), (0, 0), "the chunks go with their hash");
    let officer = app.officer("li.ming@amr.example.gov.cn", "李明").await;
    assert!(related(&officer.case_page(&a).await).is_empty());

    // The next run (an hour later) indexes them from their stored thumbnails.
    let settings = storage.settings();
    let (pool, keys) = startup::open_database(&settings).await.unwrap();
    let handoff = startup::handoff_context(&settings, &keys, "http://127.0.0.1:9")
        .await
        .unwrap();
    let ctx = startup::job_context(&settings, handoff, Arc::new(tokio::sync::Notify::new()));
    let later = reviewwatch::db::now() + TimeDelta::hours(2);
    reviewwatch::jobs::run_due(&pool, &ctx, "test-worker", later)
        .await
        .unwrap();
    assert_eq!(indexed(&app), (2, 26));
    let page = officer.case_page(&a).await;
    assert!(
        linked_by(&page, &b, "similar_screenshot"),
        "{:?}",
        related(&page)
    );
}

#[tokio::test]
async fn index_rows_go_with_their_case() {
    let app = spawn_app().await;
    let (screen, other) = chat_screens();
    let a = app
        .file_report(&report(1), vec![("a.png", png(&screen), "image/png")])
        .await
        .number;
    app.visitor()
        .file_report(&report(2), vec![("c.png", png(&other), "image/png")])
        .await;
    app.run_due_jobs().await;
    assert_eq!(indexed(&app), (2, 26));
    let case_id = app.case_id(&a);
    let mut conn = app.db();
    reviewwatch::db::cases::delete(&mut conn, case_id).unwrap();
    let left: Vec<i64> = image_hashes::table
        .inner_join(evidence::table)
        .select(image_hashes::case_id)
        .load::<reviewwatch::domain::CaseId>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(left.len(), 1);
    assert_ne!(left[0], case_id.0);
    assert_eq!(indexed(&app), (1, 13));
}
