//! The chains in the demo data: reports that no single shopper can connect, filed through the
//! same filing step as the report form (so every index a real report feeds is fed): a 刷单
//! recruiter's WeChat id and phone number written in several ways on several platforms, one
//! templated five-star review quoted under several shops' products, and one 好评返现 card
//! photographed and forwarded as real variants (resized, recompressed, cropped).

use crate::db::DbConnection;
use crate::domain::{
    CaseNumber, Category, Lang, Platform, ReceiptCode, RegionCode, ShopRef, ValidReport,
};
use crate::evidence::intake::{Intake, StoredEvidence, Upload, take_in_with_copies};
use crate::evidence::{EvidenceLimits, EvidenceStore};
use crate::workflow::{self, Links, WorkflowError};
use anyhow::Context;
use chrono::NaiveDate;
use image::{DynamicImage, ImageFormat};
use std::io::Cursor;
use std::path::Path;

/// One demo report of a chain.
struct ChainReport {
    platform: Platform,
    shop_name: &'static str,
    shop: &'static str,
    region: &'static str,
    category: Category,
    description: &'static str,
    /// Which variant of the card photo it carries (else a review-list screenshot of its own).
    card: Option<Variant>,
}

#[derive(Clone, Copy)]
enum Variant {
    /// The photo as taken.
    Original,
    /// Forwarded in a chat app: 75 %, JPEG quality 60.
    Forwarded,
    /// The top strip (status bar) cut off, JPEG quality 85.
    Cropped,
    /// Scaled to 55 %, PNG.
    Small,
}

const RECRUITER_AND_TEMPLATE: &[ChainReport] = &[
    ChainReport {
        platform: Platform::Taobao,
        shop_name: "潮流女装铺",
        shop: "https://shop778899.taobao.com/?spm=a1z10.3-c.0.0",
        region: "440106",
        category: Category::FakeOrderRecruitment,
        description: "包裹里夹着招刷手的卡片，写着“加V信：sd-zhaomu2026，电话１３８ ００１３ ８０００，日结佣金”。扫码进群后群主每天发下单链接，要求拍下后写五星好评。",
        card: Some(Variant::Original),
    },
    ChainReport {
        platform: Platform::Douyin,
        shop_name: "运动好物小店",
        shop: "https://haohuo.jinritemai.com/views/shop/index?id=KdPqRsT",
        region: "440106",
        category: Category::FakeOrderRecruitment,
        description: "直播间评论区有人私信招“体验官”，让我加微信 sd-zhaomu2026 手机13800138000，说下单好评后返款加佣金，每单12元。",
        card: Some(Variant::Forwarded),
    },
    ChainReport {
        platform: Platform::Pinduoduo,
        shop_name: "百货优选折扣店",
        shop: "https://mobile.yangkeduo.com/mall_page.html?mall_id=880011223",
        region: "330110",
        category: Category::FakeOrderFraud,
        description: "兼职群里的“客服”薇信SD-ZHAOMU2026 让我做拼多多补单任务，垫付后返本金加佣金，第三单让我垫付860元后就把我拉黑了。已拨打96110。",
        card: Some(Variant::Cropped),
    },
    ChainReport {
        platform: Platform::Jd,
        shop_name: "居家日用专营店",
        shop: "https://mall.jd.com/index-10086123.html",
        region: "110105",
        category: Category::CashbackForReview,
        description: "收到的收纳盒包裹里有一张好评返现卡，五星好评晒图返5元。朋友在别的店也收到过一模一样的卡。卡片照片已上传。",
        card: Some(Variant::Small),
    },
    ChainReport {
        platform: Platform::Tmall,
        shop_name: "某某家纺旗舰店",
        shop: "https://somejiafang.tmall.com/shop/view_shop.htm",
        region: "330106",
        category: Category::FakePositiveReviews,
        description: "这款四件套下面几百条评价都是同一段话：“宝贝收到了，质量超级好，做工精细，物超所值，包装也很用心，客服态度特别好，有问必答，下次还会再来！”连标点都一样，明显是刷的。",
        card: None,
    },
    ChainReport {
        platform: Platform::Jd,
        shop_name: "优品床上用品专营店",
        shop: "https://item.jd.com/100012043978.html",
        region: "440304",
        category: Category::FakePositiveReviews,
        description: "床单的评价区几乎全是“宝贝收到啦，质量超级好，做工很精细，物超所值，包装也很用心，客服态度特别好，有问必答，下次还会再来！！”一字不差地重复，晒图也是同一组。",
        card: None,
    },
    ChainReport {
        platform: Platform::Pinduoduo,
        shop_name: "家纺特卖工厂店",
        shop: "https://mobile.yangkeduo.com/goods.html?goods_id=556677889900",
        region: "440113",
        category: Category::FakePositiveReviews,
        description: "枕头的评价都是模板：“宝贝收到了，质量超好，做工精细，物超所值，包装很用心，客服态度特别好，有问必答，下次还会再来”，几十个账号发的一样的话。",
        card: None,
    },
];

/// Files the chains' reports; returns their case numbers.
pub fn file_chains(
    conn: &mut DbConnection,
    store: &EvidenceStore,
    scratch: &Path,
    receipt_key: &[u8],
    links: &Links,
    seen_on: NaiveDate,
) -> anyhow::Result<Vec<CaseNumber>> {
    let dir = tempfile::tempdir_in(scratch)?;
    let card = super::images::card_photo_image(20_261_202)?;
    let mut numbers = Vec::new();
    for (i, r) in RECRUITER_AND_TEMPLATE.iter().enumerate() {
        let evidence = match r.card {
            Some(v) => {
                let (name, bytes) = variant(&card, v)?;
                let path = dir.path().join(format!("{i}-{name}"));
                std::fs::write(&path, bytes)?;
                take(store, &path, name)?
            }
            // Every report carries a screenshot: the review list it is about, its own.
            None => {
                let path = dir.path().join(format!("{i}-reviews.png"));
                std::fs::write(&path, super::images::review_list_png(20_261_202, i as u64)?)?;
                take(store, &path, "reviews.png")?
            }
        };
        let report = report(r, seen_on)?;
        let receipt = ReceiptCode::generate();
        let token = hex::encode(rand::random::<[u8; 16]>());
        let filed = workflow::file::file_report(
            conn,
            &workflow::file::Filing {
                report: &report,
                evidence: &evidence,
                receipt: &receipt,
                receipt_key,
                reporter_ip: None,
                form_token_hash: &token,
                links,
            },
        )
        .map_err(|e: WorkflowError| anyhow::anyhow!("a chain report was not filed: {e:?}"))?;
        numbers.push(filed.number);
    }
    group_templated_reviews(conn, &numbers)?;
    Ok(numbers)
}

/// The reports quoting one templated review are grouped into a campaign already (by the demo
/// supervisor), so the campaign pages and the dashboard have one to show; the recruiter's
/// reports are left for an officer to link from a case page.
fn group_templated_reviews(conn: &mut DbConnection, numbers: &[CaseNumber]) -> anyhow::Result<()> {
    let templated: Vec<CaseNumber> = RECRUITER_AND_TEMPLATE
        .iter()
        .zip(numbers)
        .filter(|(r, _)| r.card.is_none())
        .map(|(_, n)| *n)
        .collect();
    let Some((first, rest)) = templated.split_first() else {
        return Ok(());
    };
    let supervisor = crate::db::officers::list_all(conn)?
        .into_iter()
        .find(|o| o.active && o.role == crate::domain::officer::Role::Supervisor)
        .context("a demo supervisor")?;
    let name = crate::domain::campaign::CampaignName::parse("同一模板好评 · 家纺类店铺")
        .context("a campaign name")?;
    workflow::campaigns::link(
        conn,
        first,
        &workflow::campaigns::CampaignChoice::New(name),
        rest,
        workflow::ActingOfficer {
            id: supervisor.id,
            supervisor: true,
        },
    )
    .map_err(|e| anyhow::anyhow!("the demo campaign was not made: {e:?}"))?;
    Ok(())
}

fn report(r: &ChainReport, seen_on: NaiveDate) -> anyhow::Result<ValidReport> {
    Ok(ValidReport {
        seen_on,
        ..demo_report(
            r.platform,
            r.shop_name,
            r.shop,
            r.region,
            r.category,
            r.description,
        )?
    })
}

/// A demo report of a shop, as the report form would have checked it: no order number, no
/// email, consent to share screenshots with the platform, seen today (callers set what differs).
pub(super) fn demo_report(
    platform: Platform,
    shop_name: &str,
    shop: &str,
    region: &str,
    category: Category,
    description: &str,
) -> anyhow::Result<ValidReport> {
    Ok(ValidReport {
        platform,
        platform_other: None,
        shop_name: shop_name.to_string(),
        shop: ShopRef::parse(shop).map_err(|e| anyhow::anyhow!("{e:?}"))?,
        region: RegionCode::parse(region).context("a demo region")?,
        product_url: None,
        order_number: None,
        category,
        seen_on: crate::domain::china_date(crate::db::now()),
        description: description.to_string(),
        email: None,
        language: Lang::ZhCn,
        consent_share_contact: false,
        consent_share_platform: true,
        also_complaint: false,
    })
}

/// The card photo as one reporter sent it.
fn variant(card: &DynamicImage, v: Variant) -> anyhow::Result<(&'static str, Vec<u8>)> {
    let (w, h) = (card.width(), card.height());
    // (name, pixels, JPEG quality; None: PNG)
    let (name, img, jpeg) = match v {
        Variant::Original => ("card.png", card.clone(), None),
        Variant::Forwarded => (
            "wx_camera.jpg",
            card.resize(w * 3 / 4, h * 3 / 4, image::imageops::FilterType::Triangle),
            Some(60),
        ),
        Variant::Cropped => ("crop.jpg", card.crop_imm(0, 40, w, h - 40), Some(85)),
        Variant::Small => (
            "small.png",
            card.resize(
                w * 55 / 100,
                h * 55 / 100,
                image::imageops::FilterType::Triangle,
            ),
            None,
        ),
    };
    let mut out = Cursor::new(Vec::new());
    match jpeg {
        Some(quality) => image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
            .encode_image(&img.to_rgb8())?,
        None => img.write_to(&mut out, ImageFormat::Png)?,
    }
    Ok((name, out.into_inner()))
}

pub(super) fn take(
    store: &EvidenceStore,
    path: &Path,
    name: &str,
) -> anyhow::Result<Vec<StoredEvidence>> {
    let upload = Upload {
        name: name.to_string(),
        path: path.to_path_buf(),
    };
    match take_in_with_copies(
        std::slice::from_ref(&upload),
        &EvidenceLimits::default(),
        store,
    )? {
        Intake::Kept(kept, _) => Ok(kept),
        Intake::Refused(why) => anyhow::bail!("a chain photo was refused: {:?}", why.first()),
    }
}
