//! The demo walk: two reports taken through the real workflow to where a visitor picks them up.
//!
//! - The first is handed off and not yet acknowledged: its reporter gave an email address and
//!   agreed that checked copies of the screenshots may go to the platform, and the platform has
//!   a demo desk. The handoff email, with the regulator's signed links, waits in the outbox: the
//!   portal writes it out when it starts; acknowledging through it lets the platform notice go
//!   to the desk, whose answer reaches the reporter by email.
//! - The second is handed off and its regulator reported a published administrative penalty: a
//!   public record candidate that a supervisor approves at `/officer/record`.
//!
//! Each report is filed, confirmed, taken, substantiated and handed off by the workflow's own
//! steps (the proposed regulator, the real package), so every row, email and audit entry is the
//! one a real case would have. A report already there (found by its shop) is left as it is:
//! seeding again adds no second walk.

use super::chains;
use crate::config::Settings;
use crate::db::{self, DbConnection, DbPool, cases, merchants, tokens};
use crate::domain::audit::Actor;
use crate::domain::email_token::TokenPurpose;
use crate::domain::outcome::Outcome;
use crate::domain::{
    CaseNumber, CaseStatus, Category, HandoffId, OfficerId, Platform, ReceiptCode, RegulatorId,
    ValidReport, china_date,
};
use crate::evidence::EvidenceStore;
use crate::evidence::intake::StoredEvidence;
use crate::handoff::routing;
use crate::web::Keys;
use crate::workflow::handoff::{self as handoff_flow, HandoffContext, OutcomeReport};
use crate::workflow::review::{self, ReviewAction};
use crate::workflow::{self, ActingOfficer, Links, WorkflowError};
use anyhow::Context;
use chrono::Datelike;
use std::path::{Path, PathBuf};

/// One walk report and what its officer made of it.
struct WalkReport {
    platform: Platform,
    shop_name: &'static str,
    shop: &'static str,
    region: &'static str,
    category: Category,
    description: &'static str,
    email: &'static str,
    /// The officer's reasons, shown to the regulator and the platform.
    finding: &'static str,
    /// The officer's internal note.
    note: &'static str,
    /// Seeds of the screenshots it carries: (a 好评返现 card photo, a review list).
    card: Option<u64>,
    review_lists: &'static [u64],
}

/// Case A: handed off to 天河区, waiting for the acknowledgement; 淘宝 has a demo desk.
static AWAITING_ACKNOWLEDGEMENT: WalkReport = WalkReport {
    platform: Platform::Taobao,
    shop_name: "小鹿美妆严选店",
    shop: "https://shop402613857.taobao.com/",
    region: "440106",
    category: Category::CashbackForReview,
    description: "在这家店买了一支口红，包裹里夹着一张“好评返现”卡：写五星好评并晒图满15字，截图发给客服微信就返现3元，“追评再返2元”。我没有写，但商品页的评价几乎都是晒图五星，很多是同一天发的，内容也差不多，应该都是这样返现换来的。卡片照片和评价页截图已上传。",
    email: "lin.xiaoyu@example.com",
    finding: "举报人提交的包裹内卡片照片清晰显示“五星好评晒图返现3元、追评再返2元”等内容，属于以返现方式诱导消费者作出指定好评；商品评价页截图显示，同一日内集中出现数十条内容相近的晒图五星评价，与卡片所述返现活动相互印证。上述行为涉嫌违反《中华人民共和国电子商务法》第十七条关于不得以编造用户评价等方式进行虚假或者引人误解的商业宣传的规定，建议依法核查并责令商家停止相关行为。",
    note: "卡片上的客服微信号与商品评价的集中发布时间已核对，截图无涂改痕迹。",
    card: Some(20_261_213),
    review_lists: &[20_261_213],
};

/// Case B: handed off to 余杭区, whose bureau reported a published penalty; 天猫 has a demo desk.
static PENALISED: WalkReport = WalkReport {
    platform: Platform::Tmall,
    shop_name: "悦居生活家居旗舰店",
    shop: "https://yueju-jiaju.tmall.com/shop/view_shop.htm",
    region: "330110",
    category: Category::FakePositiveReviews,
    description: "我在这家旗舰店买的乳胶枕，收到后有明显异味，想看看别人的评价，发现几百条好评几乎都在下单后一两天内发出，很多账号只买过这一件东西，评语都是“回弹很好，睡得很舒服，没有异味”。后来在一个兼职群里看到有人专门招人给这家店“做单”，拍下后按模板写好评，店铺返还货款加佣金。评价页和兼职群截图已上传。",
    email: "zhou.wen@example.net",
    finding: "举报人提交的兼职群截图显示，有人以“返还货款加佣金”为条件招募人员在该店铺下单并按模板撰写好评；评价页截图显示，大量好评集中发布、措辞雷同，且发布账号购买记录单一，与招募信息所述“做单”方式一致。该店铺涉嫌组织虚构交易、编造用户评价，违反《中华人民共和国电子商务法》第十七条的规定，建议依法查处。",
    note: "店铺经营主体为杭州悦居家居用品有限公司（以店铺公示的营业执照信息为准），注册地在余杭区。",
    card: None,
    review_lists: &[20_261_221, 20_261_222],
};

/// What 杭州市余杭区市场监督管理局 reported for case B (a fictional decision).
fn penalty(year: i32) -> OutcomeReport {
    OutcomeReport {
        outcome: Outcome::Penalty,
        details: "经查，当事人杭州悦居家居用品有限公司通过招募人员虚构交易、按统一模板发布好评的方式，对其天猫店铺销售的乳胶枕等商品作虚假宣传，违反《中华人民共和国电子商务法》第十七条的规定。我局依法责令当事人停止违法行为，消除影响，并处罚款人民币伍万元整。行政处罚决定书已在国家企业信用信息公示系统公示。".to_string(),
        document_number: format!("杭余市监罚〔{year}〕1187号"),
        published: true,
    }
}

/// A walk case: its number, and the receipt code when this run filed it (the code is a secret,
/// kept only as a hash: a later run cannot show it again).
#[derive(Debug, Clone)]
pub struct WalkCase {
    pub number: String,
    pub receipt: Option<String>,
    /// Filed by this run (false: it was there already and left as it was).
    pub filed_now: bool,
    /// Its status after this run (a case there already may have been walked since).
    pub status: CaseStatus,
}

impl WalkCase {
    /// What the walk starts from, or what became of it since.
    fn state(&self, fresh: &str) -> String {
        if self.filed_now {
            fresh.to_string()
        } else {
            format!("there already, now {}", self.status)
        }
    }
}

/// The two cases of the demo walk.
#[derive(Debug, Clone)]
pub struct Walk {
    /// Handed off, not yet acknowledged; its platform notice waits for the acknowledgement.
    pub awaiting_acknowledgement: WalkCase,
    /// Closed with a published penalty: a public record candidate, not yet approved.
    pub penalised: WalkCase,
}

impl Walk {
    /// The "Demo walk" block of the command's output: where to pick the two cases up.
    pub fn render(&self, base_url: &str) -> String {
        let (a, b) = (&self.awaiting_acknowledgement, &self.penalised);
        let code = a
            .receipt
            .as_deref()
            .unwrap_or("(printed by the run that filed it; a secret, not stored)");
        let mut out = String::from("\nDemo walk:\n");
        out.push_str(&format!(
            "  A  {}  {}\n     {base_url}/officer/cases/{}\n     its handoff email, with the regulator's acknowledge link, is written out when the portal starts (to DATA_DIR/mail unless SMTP_URL is set)\n     track it as its reporter at {base_url}/track\n       case number   {}\n       receipt code  {code}\n",
            a.number,
            a.state("handed off, not yet acknowledged"),
            a.number,
            a.number,
        ));
        out.push_str(&format!(
            "  B  {}  {}\n     a supervisor approves its record at {base_url}/officer/record, then it shows at {base_url}/record\n",
            b.number,
            b.state("closed with a published penalty, its record waiting for approval"),
        ));
        out
    }
}

/// Who works the walk's cases.
#[derive(Debug, Clone, Copy)]
pub struct WalkOfficers {
    pub awaiting_acknowledgement: OfficerId,
    pub penalised: OfficerId,
}

/// Files and works the two walk cases (unless they are there already).
pub async fn seed_walk(
    pool: &DbPool,
    settings: &Settings,
    keys: &Keys,
    base_url: &str,
    officers: WalkOfficers,
) -> anyhow::Result<Walk> {
    let ctx = crate::startup::handoff_context(settings, keys, base_url).await?;
    let walker = Walker {
        pool,
        ctx: &ctx,
        receipt_key: &keys.receipt,
        scratch: settings.tmp_dir(),
    };
    let awaiting_acknowledgement = walker
        .case(
            &AWAITING_ACKNOWLEDGEMENT,
            officers.awaiting_acknowledgement,
            None,
        )
        .await
        .context("the demo walk's case awaiting acknowledgement")?;
    let year = crate::domain::china_time::today().year();
    let penalised = walker
        .case(&PENALISED, officers.penalised, Some(penalty(year)))
        .await
        .context("the demo walk's penalised case")?;
    Ok(Walk {
        awaiting_acknowledgement,
        penalised,
    })
}

struct Walker<'a> {
    pool: &'a DbPool,
    ctx: &'a HandoffContext,
    receipt_key: &'a [u8],
    scratch: PathBuf,
}

impl Walker<'_> {
    /// One walk case: filed, confirmed, taken, substantiated, handed off to the first proposed
    /// regulator and, with `outcome`, answered by it.
    async fn case(
        &self,
        r: &'static WalkReport,
        officer: OfficerId,
        outcome: Option<OutcomeReport>,
    ) -> anyhow::Result<WalkCase> {
        let key = crate::domain::merchant::identify(r.platform, r.shop, r.shop_name).key_string();
        let there = db::run(self.pool, move |conn| {
            Ok(merchants::cases_of(conn, &key, 1)?.into_iter().next())
        })
        .await?;
        if let Some(case) = there {
            return Ok(WalkCase {
                number: case.case_number,
                receipt: None,
                filed_now: false,
                status: case.status,
            });
        }
        let evidence = screenshots(r, self.ctx.store.clone(), self.scratch.clone()).await?;
        let receipt = ReceiptCode::generate();
        let (receipt_key, links) = (self.receipt_key.to_vec(), self.ctx.links.clone());
        let filed_receipt = receipt.clone();
        let number = db::run_with(self.pool, move |conn| -> anyhow::Result<CaseNumber> {
            file_and_substantiate(
                conn,
                r,
                &evidence,
                &filed_receipt,
                &receipt_key,
                &links,
                officer,
            )
        })
        .await?;
        let handoff = self.hand_off(r, number, officer).await?;
        if let Some(report) = outcome {
            let links = self.ctx.links.clone();
            db::run_with(self.pool, move |conn| {
                let actor = Actor::Regulator(handoff);
                handoff_flow::record_outcome(conn, handoff, &report, actor, &links)
            })
            .await
            .map_err(|e| anyhow::anyhow!("the outcome was not recorded: {e:?}"))?;
        }
        let status = db::run(self.pool, move |conn| {
            Ok(cases::find_by_number(conn, &number)?
                .ok_or(diesel::NotFound)?
                .status)
        })
        .await?;
        Ok(WalkCase {
            number: number.to_string(),
            receipt: Some(receipt.to_string()),
            filed_now: true,
            status,
        })
    }

    /// The handoff to the regulator the portal proposes first, as the officer's page offers it.
    async fn hand_off(
        &self,
        r: &WalkReport,
        number: CaseNumber,
        officer: OfficerId,
    ) -> anyhow::Result<HandoffId> {
        let (category, region, platform) = (r.category, r.region, r.platform);
        let (version, regulator) = db::run(self.pool, move |conn| {
            let case = cases::find_by_number(conn, &number)?.ok_or(diesel::NotFound)?;
            let proposals = routing::proposals_for(conn, category, region, platform)?;
            Ok((case.version, proposals.first().map(|p| p.regulator.id)))
        })
        .await?;
        let regulator: RegulatorId = regulator.context("no regulator is proposed")?;
        let may_work = move |case: &cases::CaseRow| case.may_be_worked_by(officer, false);
        handoff_flow::hand_off(
            self.pool, self.ctx, number, version, officer, may_work, regulator,
        )
        .await
        .map_err(|e| anyhow::anyhow!("the case was not handed off: {e:?}"))
    }
}

/// Files the report (with its email address, confirmed as its reporter would through their
/// link), then the officer takes it and substantiates it with a finding.
fn file_and_substantiate(
    conn: &mut DbConnection,
    r: &WalkReport,
    evidence: &[StoredEvidence],
    receipt: &ReceiptCode,
    receipt_key: &[u8],
    links: &Links,
    officer: OfficerId,
) -> anyhow::Result<CaseNumber> {
    let report = report(r)?;
    let token = hex::encode(rand::random::<[u8; 16]>());
    let filed = workflow::file::file_report(
        conn,
        &workflow::file::Filing {
            report: &report,
            evidence,
            receipt,
            receipt_key,
            reporter_ip: None,
            form_token_hash: &token,
            links,
        },
    )
    .map_err(failed("filed"))?;
    // The link of the confirmation email holds a token only its mail knows: the reporter's
    // click is made with a token of the same kind, through the same step.
    let (confirm_token, confirm_hash) = tokens::generate();
    let now = db::now();
    let expires = now + chrono::TimeDelta::hours(workflow::file::CONFIRM_LINK_HOURS);
    tokens::insert(
        conn,
        filed.case_id,
        TokenPurpose::Confirm,
        &confirm_hash,
        now,
        expires,
    )?;
    workflow::confirm::confirm(conn, &confirm_token, links).map_err(failed("confirmed"))?;
    let me = ActingOfficer {
        id: officer,
        supervisor: false,
    };
    let steps = [
        ReviewAction::Take,
        ReviewAction::Substantiate {
            note: r.note.to_string(),
            finding: r.finding.to_string(),
        },
    ];
    for step in &steps {
        let version = cases::get(conn, filed.case_id)?.version;
        review::perform(conn, &filed.number, version, me, step, links)
            .map_err(failed(step.name()))?;
    }
    Ok(filed.number)
}

fn failed(what: &'static str) -> impl Fn(WorkflowError) -> anyhow::Error {
    move |e| anyhow::anyhow!("a demo walk report was not {what}: {e:?}")
}

fn report(r: &WalkReport) -> anyhow::Result<ValidReport> {
    let email = r.email.parse().context("a demo reporter's address")?;
    Ok(ValidReport {
        seen_on: china_date(db::now()) - chrono::TimeDelta::days(2),
        email: Some(email),
        ..chains::demo_report(
            r.platform,
            r.shop_name,
            r.shop,
            r.region,
            r.category,
            r.description,
        )?
    })
}

/// The report's screenshots, drawn and taken in as the report form takes uploads.
async fn screenshots(
    r: &'static WalkReport,
    store: EvidenceStore,
    scratch: PathBuf,
) -> anyhow::Result<Vec<StoredEvidence>> {
    tokio::task::spawn_blocking(move || draw_screenshots(r, &store, &scratch)).await?
}

fn draw_screenshots(
    r: &WalkReport,
    store: &EvidenceStore,
    scratch: &Path,
) -> anyhow::Result<Vec<StoredEvidence>> {
    let dir = tempfile::tempdir_in(scratch)?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    if let Some(seed) = r.card {
        let mut png = std::io::Cursor::new(Vec::new());
        super::images::card_photo_image(seed)?.write_to(&mut png, image::ImageFormat::Png)?;
        files.push(("好评返现卡.png".into(), png.into_inner()));
    }
    for (i, seed) in r.review_lists.iter().enumerate() {
        let png = super::images::review_list_png(*seed, i as u64)?;
        files.push((format!("评价截图{}.png", i + 1), png));
    }
    let mut kept = Vec::new();
    for (i, (name, bytes)) in files.iter().enumerate() {
        let path = dir.path().join(format!("{i}.png"));
        std::fs::write(&path, bytes)?;
        kept.extend(chains::take(store, &path, name)?);
    }
    Ok(kept)
}
