//! `reviewwatch seed-demo`: demo officers and realistic cases, written through the same rules and
//! tables as real ones (case numbers, receipt hashes, the search index, deadlines, the
//! hash-chained audit trail, evidence through the real intake), so that every page has something
//! to show. Deterministic for a given `--seed` (the passwords and receipt codes excepted: they
//! are secrets). Only the two cases of the demo walk (see `walk`) put mail in the outbox, all to
//! demo addresses; the other demo cases mail nobody.

mod chains;
pub mod content;
pub mod directory;
pub mod images;
mod rows;
pub mod walk;

pub use walk::{Walk, WalkCase};

use crate::config::Settings;
use crate::db::audit::NewEntry;
use crate::db::bulk::{BulkCase, Serial};
use crate::db::image_index::{self, NewImageHash};
use crate::db::{self, DbConnection, DbPool, audit, evidence, officers, queue};
use crate::domain::audit::Actor;
use crate::domain::china_time;
use crate::domain::deadlines::Deadlines;
use crate::domain::{CaseId, EvidenceId, OfficerId};
use crate::domain::{
    CaseStatus, Category, DismissReason, Lang, Platform, ReceiptCode, RegionCode, ShopRef,
    Transition, ValidReport, china_date,
};
use crate::domain::{evidence::EvidenceSource, officer::Role, status::ClosedReason};
use crate::evidence::EvidenceStore;
use crate::evidence::intake::StoredEvidence;
use crate::workflow::{self, WorkflowError, review};
use anyhow::Context;
use chrono::{Datelike, NaiveDateTime, TimeDelta, Timelike};
use content::{Shop, Slots, pick, weighted};
use diesel::QueryResult;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub const DEFAULT_CASES: usize = 300;
/// The default seed: every demo looks the same.
pub const DEFAULT_SEED: u64 = 2026;
/// Distinct screenshots drawn once and shared by all cases (by default).
pub const IMAGE_POOL: usize = 24;
/// Cases per transaction.
const BATCH: usize = 2_000;
const PROGRESS_EVERY: usize = 50_000;
/// Case numbers run to 999,999 a year: past this many cases, the dates spread over more than
/// the last 90 days so that no year runs out.
const CASES_PER_YEAR_AT_MOST: u64 = 800_000;
const SPAN_DAYS: i64 = 90;
/// How many of the newcomer's 拼多多 好评返现 cases in 广东省 there are.
const NEWCOMER_CASES: usize = 8;

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub cases: usize,
    pub seed: u64,
    /// How many distinct screenshots the cases share.
    pub images: usize,
}

/// The demo accounts.
const OFFICERS: [(&str, &str, Role); 3] = [
    (
        "wang.zhuguan@demo.reviewwatch.cn",
        "王主管",
        Role::Supervisor,
    ),
    ("li.ming@demo.reviewwatch.cn", "李明", Role::Officer),
    ("zhang.hua@demo.reviewwatch.cn", "张华", Role::Officer),
];

#[derive(Debug, Clone)]
pub struct Login {
    pub id: OfficerId,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// None: the account existed already and was left as it was.
    pub password: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Summary {
    pub logins: Vec<Login>,
    pub cases: usize,
    pub by_status: Vec<(CaseStatus, usize)>,
    pub evidence_files: usize,
    pub distinct_images: usize,
    /// A submitted case with an email address, and its receipt code, to try the tracking page.
    pub example: Option<(String, String)>,
    pub newcomer_cases: Vec<String>,
    pub panyu_case: Option<String>,
    /// Reports linked by a shared recruiter, a card photo sent as variants, a templated review.
    pub chain_cases: Vec<String>,
    /// The two cases of the demo walk (issue 13): one handed off and awaiting acknowledgement,
    /// one with a published penalty waiting for a supervisor's approval.
    pub walk: Option<Walk>,
    /// All the work, and the part of it that wrote the cases.
    pub elapsed: Duration,
    pub cases_elapsed: Duration,
}

impl Summary {
    /// What the command prints: the logins, where to start, what was written.
    pub fn render(&self, base_url: &str) -> String {
        let mut out = String::new();
        let secs = self.cases_elapsed.as_secs_f64();
        let rate = self.cases as f64 / secs.max(0.001);
        out.push_str(&format!(
            "Demo data: {} cases in {secs:.1} s ({rate:.0} cases/s; {:.1} s in all), {} evidence files sharing {} screenshots\n",
            self.cases,
            self.elapsed.as_secs_f64(),
            self.evidence_files,
            self.distinct_images
        ));
        let counts: Vec<String> = self
            .by_status
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        out.push_str(&format!("  {}\n\n", counts.join(" · ")));
        out.push_str("Officer logins:\n");
        let w = self
            .logins
            .iter()
            .map(|l| l.email.len())
            .max()
            .unwrap_or(5)
            .max(5);
        out.push_str(&format!(
            "  {:<w$}  {:<10}  {:<16}  name\n",
            "email", "role", "password"
        ));
        out.push_str(&format!(
            "  {:<w$}  {:<10}  {:<16}  ----\n",
            "-".repeat(w),
            "-".repeat(10),
            "-".repeat(16)
        ));
        for l in &self.logins {
            let password = l.password.as_deref().unwrap_or("(existed; unchanged)");
            out.push_str(&format!(
                "  {:<w$}  {:<10}  {:<16}  {}\n",
                l.email, l.role, password, l.name
            ));
        }
        out.push_str(&format!("\nLog in at {base_url}/officer/login\n"));
        if !self.newcomer_cases.is_empty() {
            out.push_str(&format!(
                "  拼多多 好评返现 reports from 广东省, waiting for someone to take them ({}):\n    {base_url}/officer/cases?platform=pinduoduo&category=cashback_for_review&province=440000\n",
                self.newcomer_cases.len()
            ));
        }
        if let Some(n) = &self.panyu_case {
            out.push_str(&format!("  a substantiated case from 广州市番禺区 with two screenshots:\n    {base_url}/officer/cases/{n}\n"));
        }
        if let Some(first) = self.chain_cases.first() {
            out.push_str(&format!(
                "  a chain: one recruiter's WeChat id on four platforms, one 好评返现 card photo sent as variants, one templated review ({} reports), see #related-cases:\n    {base_url}/officer/cases/{first}#related-cases\n",
                self.chain_cases.len()
            ));
        }
        if let Some((number, code)) = &self.example {
            out.push_str(&format!(
                "Track a case as its reporter at {base_url}/track\n  case number   {number}\n  receipt code  {code}\n"
            ));
        }
        if let Some(walk) = &self.walk {
            out.push_str(&walk.render(base_url));
        }
        out
    }
}

/// The address the demo's links use: `BASE_URL`, else the address `serve` listens on.
pub fn base_url(settings: &Settings) -> String {
    settings
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", settings.bind))
}

/// Writes the demo officers and `options.cases` cases into the database `settings` name.
/// `progress` hears (cases written, cases in all, time so far) every 50,000 cases.
/// Demo histories count working days on the shipped calendar (what a fresh database has).
static CALENDAR: std::sync::LazyLock<crate::domain::workdays::Calendar> =
    std::sync::LazyLock::new(crate::domain::workdays::Calendar::shipped);

pub async fn seed_demo(
    settings: &Settings,
    options: Options,
    progress: impl FnMut(usize, usize, Duration) + Send + 'static,
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let (pool, keys) = crate::startup::open_database(settings).await?;
    let logins = add_officers(&pool).await?;
    let regulators_added = db::run(&pool, directory::seed_directory).await?;
    db::run(&pool, directory::seed_desks).await?;
    if regulators_added > 0 {
        tracing::info!(
            regulators = regulators_added,
            "demo regulator directory added"
        );
    }
    let ids = OfficerIds::from_logins(&logins).context("the demo officers are missing")?;

    for dir in [settings.evidence_dir(), settings.tmp_dir()] {
        crate::private_fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let store = EvidenceStore::on(&settings.storage().map_err(anyhow::Error::msg)?);
    let scratch = settings.tmp_dir();
    let chain_store = store.clone();
    let chain_scratch = scratch.clone();
    let seed = options.seed;
    let images = tokio::task::spawn_blocking(move || {
        images::build_pool(seed, options.images.max(1), &scratch, &store)
    })
    .await??;

    let receipt_key = keys.receipt.clone();
    let ip_days = settings.retain_reporter_ip_days;
    let pool2 = pool.clone();
    let mut summary = tokio::task::spawn_blocking(move || -> anyhow::Result<Summary> {
        let mut conn = pool2.get()?;
        let cases_started = Instant::now();
        let now = db::now();
        let mut generator = Generator::new(options, ids, images.len(), now, receipt_key);
        generator.ips_kept_since = (ip_days > 0).then(|| now - TimeDelta::days(i64::from(ip_days)));
        // Into a database without cases: the loaded tables' secondary indexes are built once,
        // after the load, instead of row by row (they are built again even when the load fails).
        loading_settings(&mut conn)?;
        let aside = db::bulk::set_indexes_aside(&mut conn)?;
        let set_aside = aside.len();
        // A load into an empty PostgreSQL database writes the trails and search texts on a
        // second connection, beside the cases.
        let mut side = match &*conn {
            DbConnection::Postgres(_) if !aside.is_empty() => {
                let mut side = pool2.get()?;
                loading_settings(&mut side)?;
                Some(side)
            }
            _ => None,
        };
        // SQLite keeps the descriptions' band rows aside (PostgreSQL sets their key aside).
        let stage_bands = side.is_none() && !aside.is_empty();
        let written = write_cases(
            &mut conn,
            side.as_deref_mut(),
            generator,
            &images,
            cases_started,
            stage_bands,
            progress,
        );
        if side.is_some() && written.is_ok() {
            db::bulk::check_derived(&mut conn)?;
        }
        let indexing = Instant::now();
        // The indexes are built on two connections at once (PostgreSQL; SQLite has one writer).
        let restored = match side.as_deref_mut() {
            Some(side) => db::bulk::restore_indexes_on_two(&mut conn, side, aside),
            None => db::bulk::restore_indexes(&mut conn, aside),
        };
        if let Some(side) = side.as_deref_mut() {
            usual_settings(side)?;
        }
        let usual = usual_settings(&mut conn);
        let mut summary = written?;
        restored.context("building the indexes set aside for the load")?;
        usual?;
        if set_aside > 0 {
            tracing::info!(
                indexes = set_aside,
                seconds = indexing.elapsed().as_secs_f64(),
                "indexes set aside for the load built again"
            );
        }
        summary.cases_elapsed = cases_started.elapsed();
        // The planner's statistics, for tables that grew from nothing to a million rows.
        db::bulk::analyze(&mut conn)?;
        Ok(summary)
    })
    .await??;
    let receipt_key = keys.receipt.clone();
    let links = workflow::Links {
        base_url: settings.base_url.clone().unwrap_or_default(),
    };
    let pool3 = pool.clone();
    let chains =
        tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<crate::domain::CaseNumber>> {
            let mut conn = pool3.get()?;
            let seen_on = china_date(db::now()) - chrono::TimeDelta::days(3);
            chains::file_chains(
                &mut conn,
                &chain_store,
                &chain_scratch,
                &receipt_key,
                &links,
                seen_on,
            )
        })
        .await??;
    summary.chain_cases = chains.iter().map(ToString::to_string).collect();
    let walkers = walk::WalkOfficers {
        awaiting_acknowledgement: ids.li_ming,
        penalised: ids.zhang_hua,
    };
    let base = base_url(settings);
    summary.walk = Some(walk::seed_walk(&pool, settings, &keys, &base, walkers).await?);
    summary.logins = logins;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Adds the demo officers that are not there yet, each with a fresh random password.
async fn add_officers(pool: &DbPool) -> anyhow::Result<Vec<Login>> {
    let mut logins = Vec::new();
    for (email, name, role) in OFFICERS {
        let existing = db::run(pool, move |conn| Ok(officers::find_by_email(conn, email)?)).await?;
        if let Some(o) = existing {
            logins.push(Login {
                id: o.id,
                email: o.email,
                name: o.name,
                role: o.role,
                password: None,
            });
            continue;
        }
        let password = random_password();
        let id =
            workflow::accounts::add_officer(pool, email, name, role.as_str(), &password).await?;
        logins.push(Login {
            id,
            email: email.to_string(),
            name: name.to_string(),
            role,
            password: Some(password),
        });
    }
    Ok(logins)
}

/// 16 characters from the operating system's random source (never from the demo seed), without
/// the look-alikes 0/O and 1/l/I.
fn random_password() -> String {
    const SET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| char::from(SET[rng.random_range(0..SET.len())]))
        .collect()
}

#[derive(Debug, Clone, Copy)]
struct OfficerIds {
    supervisor: OfficerId,
    li_ming: OfficerId,
    zhang_hua: OfficerId,
}

impl OfficerIds {
    fn from_logins(logins: &[Login]) -> Option<Self> {
        let id = |email: &str| logins.iter().find(|l| l.email == email).map(|l| l.id);
        Some(Self {
            supervisor: id(OFFICERS[0].0)?,
            li_ming: id(OFFICERS[1].0)?,
            zhang_hua: id(OFFICERS[2].0)?,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Planning: what each case is and what happened to it

/// What a case must be to make the guided tour work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    None,
    /// One of the 拼多多 好评返现 reports from 广东省 still waiting in the queue.
    Newcomer(usize),
    /// The substantiated case from 广州市番禺区 with two screenshots, assigned to 李明.
    Panyu,
    /// Another report about the 番禺区 shop (for the same-merchant links).
    PanyuShop,
    /// A case from this province (by index), so that every province has one.
    Province(usize),
}

#[derive(Debug, Clone, Copy)]
struct Skeleton {
    created_at: NaiveDateTime,
    status: CaseStatus,
    special: Special,
}

/// A step of a case's history, each as the workflow would take it.
#[derive(Debug, Clone, Copy)]
enum Step {
    Confirm,
    /// `by` gives the case to `to` (taking it when they are the same).
    Assign {
        by: OfficerId,
        to: OfficerId,
    },
    RequestInfo {
        officer: OfficerId,
        message: &'static str,
    },
    Reply {
        message: &'static str,
    },
    Resume {
        officer: OfficerId,
    },
    Note {
        officer: OfficerId,
        body: &'static str,
    },
    Extend {
        officer: OfficerId,
        reason: &'static str,
    },
    Substantiate {
        officer: OfficerId,
        note: Option<&'static str>,
        finding: &'static str,
    },
    Close {
        officer: OfficerId,
        note: &'static str,
    },
    Dismiss {
        officer: OfficerId,
        reason: DismissReason,
    },
    Withdraw {
        reason: Option<&'static str>,
    },
}

/// One case, whole.
struct Plan {
    shop: Shop,
    category: Category,
    description: String,
    /// The description as the near-identical text index keeps it (payment accounts masked) with
    /// its fingerprint, made by the planning thread; `None` for one too short to link.
    indexed_text: Option<(String, crate::domain::text_similarity::Fingerprint)>,
    seen_on: chrono::NaiveDate,
    product_url: Option<String>,
    order_number: Option<String>,
    email: Option<String>,
    language: Lang,
    consent: bool,
    complaint: bool,
    /// The reporter's client address; `None` past its retention (as the retention job leaves it).
    ip: Option<String>,
    created_at: NaiveDateTime,
    status: CaseStatus,
    /// (index into the image pool, the file's name on the reporter's phone)
    evidence: Vec<(usize, String)>,
    steps: Vec<(NaiveDateTime, Step)>,
    special: Special,
    receipt_hash: String,
    /// The receipt code itself, kept only for the case the summary shows.
    receipt: Option<ReceiptCode>,
}

struct Generator {
    seed: u64,
    /// Each case draws from its own generator, seeded by the seed and its index: what a case is
    /// does not depend on the clock (a draw that depends on the time of day, like moving an
    /// officer's step into office hours, shifts nothing after it).
    rng: StdRng,
    regions: content::RegionPicker,
    images: usize,
    officers: OfficerIds,
    now: NaiveDateTime,
    skeletons: Vec<Skeleton>,
    recent: VecDeque<Shop>,
    notorious: Vec<Shop>,
    newcomer_shops: Vec<Shop>,
    panyu_shop: Shop,
    receipt_key: Vec<u8>,
    /// Reports filed before this have had their client address forgotten by the retention job
    /// (`RETAIN_REPORTER_IP_DAYS`); `None` keeps every address. The data is seeded as the job
    /// would have left it, so that its first pass at start-up has nothing to do (at a million
    /// cases it was one update of ~850,000 rows holding SQLite's write lock for seconds).
    ips_kept_since: Option<NaiveDateTime>,
}

const STATUS_WEIGHTS: &[(CaseStatus, u32, f64)] = &[
    // (final status, share in %, how recent: higher exponents crowd the newest days)
    (CaseStatus::Submitted, 40, 2.0),
    (CaseStatus::InReview, 20, 1.4),
    (CaseStatus::AwaitingReporter, 8, 1.2),
    (CaseStatus::Substantiated, 10, 0.9),
    (CaseStatus::Dismissed, 12, 0.9),
    (CaseStatus::Withdrawn, 5, 1.0),
    (CaseStatus::Closed, 5, 0.7),
];

impl Generator {
    fn new(
        options: Options,
        officers: OfficerIds,
        images: usize,
        now: NaiveDateTime,
        receipt_key: Vec<u8>,
    ) -> Self {
        let mut rng = StdRng::seed_from_u64(options.seed);
        let regions = content::RegionPicker::new();
        let n = options.cases;
        let span_days = SPAN_DAYS.max(((n as u64 * 365).div_ceil(CASES_PER_YEAR_AT_MOST)) as i64);
        let span = TimeDelta::days(span_days).num_seconds() as f64;
        let weights: Vec<u32> = STATUS_WEIGHTS.iter().map(|s| s.1).collect();
        let mut skeletons: Vec<Skeleton> = (0..n)
            .map(|_| {
                let (status, _, exponent) = STATUS_WEIGHTS[weighted(&mut rng, &weights)];
                let age = 600.0 + rng.random::<f64>().powf(exponent) * (span - 600.0);
                Skeleton {
                    created_at: now
                        - TimeDelta::seconds(age as i64)
                        - TimeDelta::milliseconds(rng.random_range(0..1000)),
                    status,
                    special: Special::None,
                }
            })
            .collect();
        skeletons.sort_by_key(|s| s.created_at);
        choose_specials(&mut rng, &mut skeletons, regions.province_count());

        let shop = |rng: &mut StdRng,
                    platform: Option<Platform>,
                    region: Option<RegionCode>,
                    category: Option<Category>| {
            let category = category.unwrap_or_else(|| content::draw_category(rng));
            let platform = platform.unwrap_or_else(|| content::draw_platform(rng, category));
            let region = region.unwrap_or_else(|| regions.draw(rng, None));
            content::new_shop(rng, platform, region, category, images)
        };
        let notorious = (0..12).map(|_| shop(&mut rng, None, None, None)).collect();
        let newcomer_shops = ["440100", "440300", "445200"]
            .iter()
            .map(|city| {
                let region = regions.draw_within(&mut rng, city);
                let mut s = shop(
                    &mut rng,
                    Some(Platform::Pinduoduo),
                    region,
                    Some(Category::CashbackForReview),
                );
                // The reporters' urls, not IDs: the same-merchant links need one address.
                if !s.address.starts_with("https://") {
                    s.address = format!(
                        "https://mobile.yangkeduo.com/mall_page.html?mall_id={}",
                        rng.random_range(100_000_000..999_999_999)
                    );
                }
                s
            })
            .collect();
        let panyu = RegionCode::parse("440113");
        let mut panyu_shop = shop(
            &mut rng,
            Some(Platform::Taobao),
            panyu,
            Some(Category::CashbackForReview),
        );
        panyu_shop.name = "番禺优品数码小铺".to_string();
        panyu_shop.address = format!(
            "https://shop{}.taobao.com",
            rng.random_range(100_000_000..999_999_999)
        );
        panyu_shop.goods = "蓝牙耳机";
        Self {
            seed: options.seed,
            rng,
            regions,
            images,
            officers,
            now,
            skeletons,
            recent: VecDeque::with_capacity(600),
            notorious,
            newcomer_shops,
            panyu_shop,
            receipt_key,
            ips_kept_since: None,
        }
    }

    fn len(&self) -> usize {
        self.skeletons.len()
    }

    fn plan(&mut self, i: usize) -> Plan {
        let sk = self.skeletons[i];
        self.rng = StdRng::seed_from_u64(
            self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
                ^ (i as u64)
                    .wrapping_add(1)
                    .wrapping_mul(0xBF58_476D_1CE4_E5B9),
        );
        let rng = &mut self.rng;
        let (shop, category) = match sk.special {
            Special::Newcomer(k) => {
                let shop = self.newcomer_shops[[0, 0, 0, 1, 1, 1, 2, 2][k % 8]].clone();
                (shop, Category::CashbackForReview)
            }
            Special::Panyu | Special::PanyuShop => {
                (self.panyu_shop.clone(), Category::CashbackForReview)
            }
            Special::Province(p) => {
                let category = content::draw_category(rng);
                let platform = content::draw_platform(rng, category);
                let region = self.regions.draw(rng, Some(p));
                (
                    content::new_shop(rng, platform, region, category, self.images),
                    category,
                )
            }
            Special::None => {
                let roll = rng.random::<f64>();
                let reused = if roll < 0.04 {
                    Some(self.notorious[rng.random_range(0..self.notorious.len())].clone())
                } else if roll < 0.30 && !self.recent.is_empty() {
                    Some(self.recent[rng.random_range(0..self.recent.len())].clone())
                } else {
                    None
                };
                match reused {
                    Some(shop) => {
                        let category = if rng.random_bool(0.7) {
                            shop.usual_category
                        } else {
                            let c = content::draw_category(rng);
                            if content::draw_platform(rng, c) == shop.platform {
                                c
                            } else {
                                shop.usual_category
                            }
                        };
                        (shop, category)
                    }
                    None => {
                        let category = content::draw_category(rng);
                        let platform = content::draw_platform(rng, category);
                        let region = self.regions.draw(rng, None);
                        let shop = content::new_shop(rng, platform, region, category, self.images);
                        if self.recent.len() == 500 {
                            self.recent.pop_front();
                        }
                        self.recent.push_back(shop.clone());
                        (shop, category)
                    }
                }
            }
        };

        let newcomer = matches!(sk.special, Special::Newcomer(_));
        let email = match sk.special {
            Special::Newcomer(k) => [0, 1, 3, 5, 6].contains(&k),
            Special::Panyu => true,
            _ => rng.random_bool(0.7),
        }
        .then(|| content::reporter_email(rng));
        let language = if newcomer
            || sk.special == Special::Panyu
            || rng.random_bool(if email.is_some() { 0.9 } else { 0.96 })
        {
            Lang::ZhCn
        } else {
            Lang::En
        };
        let english = language == Lang::En && rng.random_bool(0.4);
        let goods = shop.goods;
        let slots = Slots { shop: &shop, goods };
        let description = if newcomer || matches!(sk.special, Special::Panyu | Special::PanyuShop) {
            content::cashback_description(rng, &slots)
        } else {
            content::description(rng, category, &slots, english)
        };
        let filed_on = china_date(sk.created_at);
        let seen_on = filed_on
            - TimeDelta::days(weighted(rng, &[30, 25, 15, 10, 6, 5, 3, 2, 2, 1, 1]) as i64);
        let product_url = if rng.random_bool(0.4) {
            content::product_url(rng, shop.platform)
        } else {
            None
        };
        let order_number = rng
            .random_bool(0.55)
            .then(|| content::order_number(rng, shop.platform, seen_on));
        let consent = email.is_some() && rng.random_bool(0.2);
        let complaint = rng.random_bool(0.33);
        let ip = content::reporter_ip(rng);

        let files = if sk.special == Special::Panyu {
            2
        } else {
            1 + weighted(rng, &[40, 40, 20])
        };
        let mut chosen: Vec<usize> = Vec::with_capacity(files);
        if rng.random_bool(0.5) || newcomer {
            chosen.push(shop.signature_image % self.images.max(1));
        }
        while chosen.len() < files.min(self.images) {
            let k = rng.random_range(0..self.images.max(1));
            if !chosen.contains(&k) {
                chosen.push(k);
            }
        }
        let evidence = chosen
            .into_iter()
            .map(|k| (k, file_name(rng, sk.created_at)))
            .collect();

        // Receipt codes are secrets: random, never from the seed; one is shown (the first
        // newcomer case has an email address, so it can be tracked).
        let receipt = ReceiptCode::generate();
        let receipt_hash = receipt.digest(&self.receipt_key);
        let shown = sk.special == Special::Newcomer(0);
        let mut plan = Plan {
            shop,
            category,
            indexed_text: {
                let kept = crate::domain::contact::mask_payment_accounts(&description);
                crate::domain::text_similarity::fingerprint(&kept).map(|f| (kept, f))
            },
            description,
            seen_on,
            product_url,
            order_number,
            email,
            language,
            consent,
            complaint,
            ip: self
                .ips_kept_since
                .is_none_or(|since| sk.created_at >= since)
                .then_some(ip),
            created_at: sk.created_at,
            status: sk.status,
            evidence,
            steps: Vec::new(),
            special: sk.special,
            receipt_hash,
            receipt: shown.then_some(receipt),
        };
        plan.steps = self.history(&plan);
        plan
    }

    fn assignee(&mut self) -> OfficerId {
        let o = self.officers;
        [o.li_ming, o.zhang_hua, o.supervisor][weighted(&mut self.rng, &[45, 40, 15])]
    }

    /// The steps that took the case to its status, with their times.
    fn history(&mut self, plan: &Plan) -> Vec<(NaiveDateTime, Step)> {
        use CaseStatus as S;
        let o = self.officers;
        let mut steps: Vec<(Gap, Step)> = Vec::new();
        if plan.email.is_some() {
            steps.push((Gap::Confirm, Step::Confirm));
        }
        let panyu = plan.special == Special::Panyu;
        let assignee = if panyu { o.li_ming } else { self.assignee() };
        let by = if self.rng.random_bool(0.6) {
            assignee
        } else {
            o.supervisor
        };
        let assign = (Gap::Officer(4), Step::Assign { by, to: assignee });
        let rng = &mut self.rng;
        let note = |rng: &mut StdRng, officer| {
            (
                Gap::Officer(2),
                Step::Note {
                    officer,
                    body: pick(rng, content::NOTES),
                },
            )
        };
        let episode = |rng: &mut StdRng, steps: &mut Vec<(Gap, Step)>| {
            steps.push((
                Gap::Officer(3),
                Step::RequestInfo {
                    officer: assignee,
                    message: pick(rng, content::REQUESTS),
                },
            ));
            if rng.random_bool(0.75) {
                steps.push((
                    Gap::Reporter(4),
                    Step::Reply {
                        message: pick(rng, content::REPLIES),
                    },
                ));
            } else {
                steps.push((Gap::Days(5, 10), Step::Resume { officer: assignee }));
            }
        };
        match plan.status {
            S::Submitted => {
                if plan.special == Special::None && rng.random_bool(0.05) {
                    steps.push(note(rng, o.supervisor));
                }
            }
            S::InReview => {
                steps.push(assign);
                if rng.random_bool(0.25) {
                    episode(rng, &mut steps);
                }
                for _ in 0..weighted(rng, &[65, 25, 10]) {
                    steps.push(note(rng, assignee));
                }
                if rng.random_bool(0.05) {
                    steps.push((
                        Gap::Days(5, 12),
                        Step::Extend {
                            officer: assignee,
                            reason: "需等待平台调取交易记录，延长办理期限。",
                        },
                    ));
                }
            }
            S::AwaitingReporter => {
                steps.push(assign);
                if rng.random_bool(0.2) {
                    steps.push(note(rng, assignee));
                }
                if rng.random_bool(0.1) {
                    episode(rng, &mut steps);
                }
                steps.push((
                    Gap::Officer(3),
                    Step::RequestInfo {
                        officer: assignee,
                        message: pick(rng, content::REQUESTS),
                    },
                ));
            }
            S::Substantiated | S::Closed => {
                steps.push(assign);
                if !panyu && rng.random_bool(0.3) {
                    episode(rng, &mut steps);
                }
                if panyu || rng.random_bool(0.5) {
                    steps.push(note(rng, assignee));
                }
                let note_text =
                    (panyu || rng.random_bool(0.5)).then(|| pick(rng, content::SUBSTANTIATE_NOTES));
                steps.push((
                    Gap::Days(1, 6),
                    Step::Substantiate {
                        officer: assignee,
                        note: note_text,
                        finding: pick(rng, content::FINDINGS),
                    },
                ));
                if plan.status == S::Closed {
                    steps.push((
                        Gap::Days(3, 15),
                        Step::Close {
                            officer: assignee,
                            note: pick(rng, content::CLOSE_NOTES),
                        },
                    ));
                }
            }
            S::Dismissed => {
                let reason = [
                    DismissReason::InsufficientEvidence,
                    DismissReason::Duplicate,
                    DismissReason::OutOfScope,
                    DismissReason::Spam,
                ][weighted(rng, &[45, 25, 20, 10])];
                if rng.random_bool(0.35) {
                    // Dismissed from the queue without being assigned (spam and duplicates, mostly).
                    let officer = [o.li_ming, o.zhang_hua, o.supervisor][rng.random_range(0..3)];
                    steps.push((Gap::Officer(3), Step::Dismiss { officer, reason }));
                } else {
                    steps.push(assign);
                    if rng.random_bool(0.2) {
                        episode(rng, &mut steps);
                    }
                    if rng.random_bool(0.2) {
                        steps.push(note(rng, assignee));
                    }
                    steps.push((
                        Gap::Officer(3),
                        Step::Dismiss {
                            officer: assignee,
                            reason,
                        },
                    ));
                }
            }
            S::Withdrawn => {
                let reason = rng
                    .random_bool(0.6)
                    .then(|| pick(rng, content::WITHDRAW_REASONS));
                let roll = rng.random::<f64>();
                if roll >= 0.5 {
                    steps.push(assign);
                    if roll >= 0.85 {
                        steps.push((
                            Gap::Officer(3),
                            Step::RequestInfo {
                                officer: assignee,
                                message: pick(rng, content::REQUESTS),
                            },
                        ));
                    } else if rng.random_bool(0.3) {
                        steps.push(note(rng, assignee));
                    }
                }
                steps.push((Gap::Reporter(6), Step::Withdraw { reason }));
            }
            // Not produced: a handoff signs a package and mails a regulator (the demo leaves it
            // to be done by hand), and unconfirmed reports are purged after a week.
            S::Unconfirmed | S::HandedOff | S::Acknowledged => {}
        }
        self.timed(plan.created_at, steps)
    }

    /// Puts the steps on the clock: officers act on working days in office hours (China time),
    /// reporters whenever; a history that would reach past now is squeezed to end before it.
    fn timed(
        &mut self,
        start: NaiveDateTime,
        steps: Vec<(Gap, Step)>,
    ) -> Vec<(NaiveDateTime, Step)> {
        let rng = &mut self.rng;
        let mut t = start;
        let mut out = Vec::with_capacity(steps.len());
        for (gap, step) in steps {
            t = match gap {
                Gap::Confirm => {
                    t + TimeDelta::seconds(60 + (rng.random::<f64>().powi(3) * 14_400.0) as i64)
                }
                Gap::Reporter(days) => {
                    t + TimeDelta::seconds(rng.random_range(3_600..days * 86_400))
                }
                Gap::Officer(days) => {
                    let later = t + TimeDelta::seconds(rng.random_range(1_800..days * 86_400));
                    office_hours(rng, later)
                }
                Gap::Days(lo, hi) => {
                    let later = t + TimeDelta::seconds(rng.random_range(lo * 86_400..hi * 86_400));
                    office_hours(rng, later)
                }
            };
            out.push((t, step));
        }
        let latest = self.now - TimeDelta::seconds(120);
        if let Some((last, _)) = out.last()
            && *last > latest
        {
            let total = (*last - start).num_milliseconds().max(1) as f64;
            let room = (latest - start).num_milliseconds().max(0) as f64;
            for (at, _) in out.iter_mut() {
                let offset = (*at - start).num_milliseconds() as f64 * room / total;
                *at = start + TimeDelta::milliseconds(offset as i64);
            }
        }
        out
    }
}

/// How long after the previous step a step comes.
#[derive(Debug, Clone, Copy)]
enum Gap {
    /// The reporter opens the confirmation link: minutes, sometimes hours.
    Confirm,
    /// The reporter, within this many days.
    Reporter(i64),
    /// An officer, within this many days.
    Officer(i64),
    /// An officer, after between this many days and that many.
    Days(i64, i64),
}

/// The next moment in office hours (09:00–18:00 China time, on a working day) from `t` on.
fn office_hours(rng: &mut StdRng, t: NaiveDateTime) -> NaiveDateTime {
    let china = china_time::local(t);
    let cal = &*CALENDAR;
    if cal.is_working_day(china.date()) && (9..18).contains(&china.hour()) {
        return t;
    }
    let mut day = if china.hour() >= 18 {
        china.date() + TimeDelta::days(1)
    } else {
        china.date()
    };
    while !cal.is_working_day(day) {
        day += TimeDelta::days(1);
    }
    let minutes = rng.random_range(0..150);
    day.and_hms_opt(9, 0, 0)
        .and_then(|d| china_time::to_utc(d + TimeDelta::minutes(minutes)))
        .unwrap_or(t)
}

/// A screenshot's name as phones and apps make them.
fn file_name(rng: &mut StdRng, around: NaiveDateTime) -> String {
    let t = china_time::local(around) - TimeDelta::minutes(rng.random_range(1..4000));
    match rng.random_range(0..6) {
        0 => format!("Screenshot_{}.png", t.format("%Y%m%d_%H%M%S")),
        1 => format!("微信图片_{}.png", t.format("%Y%m%d%H%M%S")),
        2 => format!("IMG_{}.PNG", t.format("%Y%m%d_%H%M%S")),
        3 => format!("mmexport{}.png", t.and_utc().timestamp_millis()),
        4 => format!("截图{}.png", rng.random_range(1..9)),
        _ => format!(
            "Screenshot {} at {}.png",
            t.format("%Y-%m-%d"),
            t.format("%H.%M.%S")
        ),
    }
}

/// Marks the cases the tour relies on, changing statuses where the draw left too few.
fn choose_specials(rng: &mut StdRng, skeletons: &mut [Skeleton], provinces: usize) {
    let n = skeletons.len();
    if n == 0 {
        return;
    }
    // The newcomer's cases: submitted, among the newest quarter.
    let mut candidates: Vec<usize> = (n - n / 4..n)
        .filter(|&i| skeletons[i].status == CaseStatus::Submitted)
        .collect();
    candidates.shuffle(rng);
    candidates.truncate(NEWCOMER_CASES);
    let mut i = n;
    while candidates.len() < NEWCOMER_CASES.min(n.saturating_sub(1)) && i > 0 {
        i -= 1;
        if !candidates.contains(&i) {
            candidates.push(i);
        }
    }
    candidates.sort_unstable();
    for (k, &i) in candidates.iter().enumerate() {
        skeletons[i].status = CaseStatus::Submitted;
        skeletons[i].special = Special::Newcomer(k);
    }
    // The 番禺区 case: a substantiated one from the middle of the range (or any case, made
    // substantiated), and two more reports about its shop.
    let free = |skeletons: &[Skeleton], i: usize| skeletons[i].special == Special::None;
    let mut substantiated: Vec<usize> = (n / 4..n - n / 4)
        .filter(|&i| free(skeletons, i) && skeletons[i].status == CaseStatus::Substantiated)
        .collect();
    substantiated.shuffle(rng);
    let panyu = substantiated
        .first()
        .copied()
        .or_else(|| (0..n).find(|&i| free(skeletons, i)));
    if let Some(i) = panyu {
        skeletons[i].status = CaseStatus::Substantiated;
        skeletons[i].special = Special::Panyu;
        let mut siblings = 0;
        for _ in 0..20 {
            let j = rng.random_range(0..n);
            if siblings < 2 && free(skeletons, j) {
                skeletons[j].special = Special::PanyuShop;
                siblings += 1;
            }
        }
    }
    // One case from every province, when there are enough cases to spare them.
    if n >= 100 {
        for p in 0..provinces {
            for _ in 0..20 {
                let i = rng.random_range(0..n);
                if skeletons[i].special == Special::None {
                    skeletons[i].special = Special::Province(p);
                    break;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

/// The rows of a batch's cases that nothing else refers to, written together at the end of its
/// transaction with the bulk writers beside the workflow's (multi-row statements: far fewer
/// round trips to PostgreSQL).
#[derive(Default)]
struct Deferred {
    /// Each case's whole trail, chained when written.
    audit: Vec<(CaseId, Vec<NewEntry>)>,
    evidence: Vec<LaterEvidence>,
    search: Vec<(CaseId, String)>,
    deadlines: Vec<queue::NewDeadlineRow>,
    /// The contacts each description names (`domain::contact`), as filing indexes them.
    contacts: Vec<(
        CaseId,
        Vec<crate::domain::contact::FoundContact>,
        NaiveDateTime,
    )>,
    /// The descriptions for the near-identical text index, as filing indexes them
    /// (`workflow::chains::index_text`).
    texts: Vec<(
        CaseId,
        String,
        crate::domain::text_similarity::Fingerprint,
        NaiveDateTime,
    )>,
    /// The key payment accounts are hashed with.
    account_key: Vec<u8>,
}

struct LaterEvidence {
    case_id: CaseId,
    position: i32,
    /// Which screenshot of the pool.
    image: usize,
    name: String,
    at: NaiveDateTime,
}

impl Deferred {
    /// Writes the batch's rows; the descriptions' band rows go to `staged_bands` when given
    /// (written in key order after the load, `write_staged_bands`).
    fn write(
        &self,
        conn: &mut DbConnection,
        images: &[StoredEvidence],
        staged_bands: Option<&mut Vec<crate::db::text_index::Band>>,
        timings: &mut Timings,
    ) -> QueryResult<()> {
        let t = Instant::now();
        let files: Vec<(&LaterEvidence, &StoredEvidence)> = self
            .evidence
            .iter()
            .filter_map(|l| Some((l, images.get(l.image)?)))
            .collect();
        // The files' ids are reserved like the cases', so that their screenshots are indexed
        // under them in this transaction (a COPY returns no ids).
        let first = EvidenceId(db::bulk::reserve_ids(conn, Serial::Evidence, files.len())?);
        let rows: Vec<evidence::NewEvidence<'_>> = files
            .iter()
            .map(|(l, e)| {
                workflow::evidence_row(
                    l.case_id,
                    l.position,
                    EvidenceSource::Report,
                    &l.name,
                    e,
                    l.at,
                )
            })
            .collect();
        evidence::insert_all(conn, first, &rows)?;
        timings.evidence += t.elapsed();
        // Each screenshot in the near-identical index, as `workflow::chains::index_screenshot`
        // indexes a filed one: the pool's screenshots were taken in with their copies, so the
        // fingerprint made from the thumbnail's source at intake is at hand (`serve` then finds
        // nothing for `index_earlier_screenshots` to do). Their text is not read (no OCR job is
        // queued): the drawn screenshots hold no real text, and a million queued readings would
        // run on the first start.
        let t = Instant::now();
        let index: Vec<NewImageHash> = files
            .iter()
            .zip(first.get()..)
            .filter_map(|((l, e), id)| {
                Some(NewImageHash {
                    evidence_id: EvidenceId(id),
                    case_id: l.case_id,
                    hash: e.copies.as_ref()?.fingerprint,
                })
            })
            .collect();
        image_index::insert_all(conn, &index)?;
        timings.image_index += t.elapsed();
        let t = Instant::now();
        write_trails(conn, &self.audit)?;
        timings.audit += t.elapsed();
        let t = Instant::now();
        let contacts: Vec<crate::db::contacts::NewCaseContact<'_>> = self
            .contacts
            .iter()
            .flat_map(|(case_id, found, at)| {
                workflow::chains::contact_rows(*case_id, None, found, *at)
            })
            .collect();
        crate::db::contacts::insert_all(conn, &contacts)?;
        timings.contacts += t.elapsed();
        let t = Instant::now();
        let texts: Vec<crate::db::text_index::NewText<'_>> = self
            .texts
            .iter()
            .map(
                |(case_id, body, fingerprint, at)| crate::db::text_index::NewText {
                    case_id: *case_id,
                    source: crate::domain::links::TextSource::Description,
                    body,
                    fingerprint: fingerprint.clone(),
                    created_at: *at,
                },
            )
            .collect();
        let first = db::bulk::reserve_ids(conn, Serial::Texts, texts.len())?;
        let bands = crate::db::text_index::insert_numbered(conn, first, &texts)?;
        match staged_bands {
            Some(staged) => staged.extend(bands),
            None => crate::db::text_index::insert_bands(conn, &bands)?,
        }
        timings.texts += t.elapsed();
        let t = Instant::now();
        queue::insert_all(conn, &self.deadlines, &self.search)?;
        timings.search += t.elapsed();
        Ok(())
    }
}

/// Writes the band rows kept aside during a load (SQLite) in key order, a million to a
/// transaction: each statement appends to the table's key instead of splitting pages all over
/// it. Their texts' ids are not looked up again row by row (each would be a random read in a
/// table of a million texts): the rows were made from the ids the load wrote.
fn write_staged_bands(
    conn: &mut DbConnection,
    mut bands: Vec<crate::db::text_index::Band>,
) -> anyhow::Result<()> {
    bands.sort_unstable();
    db::bulk::without_foreign_key_checks(conn, |conn| {
        for chunk in bands.chunks(1_000_000) {
            db::write_transaction(conn, |conn| {
                crate::db::text_index::insert_bands(conn, chunk)
            })?;
        }
        Ok(())
    })
    .context("writing the descriptions' band rows in key order")
}

/// Chains each case's whole trail and writes them.
fn write_trails(conn: &mut DbConnection, trails: &[(CaseId, Vec<NewEntry>)]) -> QueryResult<()> {
    let audit: Vec<audit::ChainedEntry> = trails
        .iter()
        .flat_map(|(case_id, trail)| audit::chain_new_trail(*case_id, trail))
        .collect();
    audit::insert_chained(conn, &audit)
}

/// A case written, with what the summary names.
type WrittenCase = (Special, Option<ReceiptCode>, Written);

/// The trails and search texts of a committed batch, for the side writer.
type SideRows = (Vec<(CaseId, Vec<NewEntry>)>, Vec<(CaseId, String)>);

/// The side writer of a bulk load into a database without cases (PostgreSQL): the trails and
/// the search texts of each batch, chained, split into character pairs and copied on a second
/// connection (a second server process) once the batch's cases are committed, while the next
/// batch is written. Batches come in order, so the trail's ids are what one writer gives them.
fn side_writer(
    conn: &mut DbConnection,
    batches: std::sync::mpsc::Receiver<SideRows>,
) -> anyhow::Result<Duration> {
    let mut busy = Duration::ZERO;
    for (trails, search) in batches {
        let t = Instant::now();
        db::write_transaction(conn, |conn| -> QueryResult<()> {
            write_trails(conn, &trails)?;
            crate::db::case_search::insert_all(conn, &search)
        })
        .context("writing the trails and search texts of a batch")?;
        busy += t.elapsed();
    }
    Ok(busy)
}

/// The loading connection's settings for a bulk load (for this connection only).
fn loading_settings(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        // A bulk load touches every index of every table: a page cache of 256 MiB (for this
        // connection only, instead of SQLite's 2 MiB) keeps them in memory between commits.
        // Statement journals (FTS5 merges write many pages in one statement) stay in memory too.
        // Nothing is synced to disk during the load (a crash loses a demo, not a record), and
        // the write-ahead log is copied back every 40 MiB instead of every 4: restored after.
        DbConnection::Sqlite(c) => c.batch_execute(
            "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; \
             PRAGMA synchronous = OFF; PRAGMA wal_autocheckpoint = 10000;",
        ),
        // The search text's two GIN indexes take most of a load's time when they are kept up
        // to date (a load into a database in use): new entries gather in a pending list of
        // 64 MiB (instead of 4) and are merged in 256 MiB of memory, for this session only
        // (measured on 20,000 cases: 10.6 s → 5.8 s). Commits do not wait for the disk.
        DbConnection::Postgres(c) => c.batch_execute(
            "SET work_mem = '256MB'; SET gin_pending_list_limit = '64MB'; \
             SET synchronous_commit = off;",
        ),
    }
}

/// The connection's usual settings again, after a bulk load.
fn usual_settings(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Postgres(c) => c.batch_execute(
            "RESET work_mem; RESET gin_pending_list_limit; RESET synchronous_commit;",
        ),
        // The connection's settings as `db` opens connections (synchronous NORMAL in WAL mode).
        DbConnection::Sqlite(c) => c.batch_execute(
            "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 1000; \
             PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT; PRAGMA threads = 0;",
        ),
    }
}

/// Where the writing thread's time went (logged at the end of a load).
#[derive(Debug, Default)]
struct Timings {
    /// Waiting for the planning thread.
    waiting: Duration,
    /// Building the rows, the trails and their hashes.
    building: Duration,
    /// Cases, messages, notes and findings.
    cases: Duration,
    evidence: Duration,
    /// The screenshots' fingerprints and their chunks (`image_hashes`, `image_hash_chunks`).
    image_index: Duration,
    /// The descriptions in the near-identical text index (`case_texts`, `text_bands`).
    texts: Duration,
    /// The band rows kept aside during the load, sorted and written in key order (SQLite).
    texts_in_key_order: Duration,
    /// Chaining the trails and writing them.
    audit: Duration,
    contacts: Duration,
    /// Deadlines and the search index.
    search: Duration,
    committing: Duration,
    /// Waiting for the side writer to take a batch.
    waiting_for_side: Duration,
}

struct Written {
    number: String,
    status: CaseStatus,
    files: usize,
}

/// Plans the cases on one thread and writes them on this one, `BATCH` cases per transaction.
fn write_cases(
    conn: &mut DbConnection,
    side: Option<&mut DbConnection>,
    generator: Generator,
    images: &[StoredEvidence],
    started: Instant,
    stage_bands: bool,
    mut progress: impl FnMut(usize, usize, Duration),
) -> anyhow::Result<Summary> {
    let account_key =
        crate::db::secrets::get_or_create(conn, crate::domain::contact::CONTACT_ACCOUNT_KEY)?;
    let total = generator.len();
    let mut by_status: Vec<(CaseStatus, usize)> = Vec::new();
    let mut evidence_files = 0;
    let mut example = None;
    let mut newcomer_cases = Vec::new();
    let mut panyu_case = None;
    // SQLite, a load into a database without cases: the descriptions' band rows (32 a text,
    // their key a random hash) are kept aside and written once in key order after the load,
    // instead of into random places of a table that outgrows the page cache (at a million
    // cases, 32 million rows: 16 bytes each here, 512 MiB, reserved at once).
    let mut staged_bands = stage_bands
        .then(|| Vec::with_capacity(total * crate::domain::text_similarity::PARAMS.bands));
    let (sender, plans) = std::sync::mpsc::sync_channel::<Plan>(BATCH * 2);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        // A load into an empty PostgreSQL database (it has a side writer) also writes the
        // status counters and deadlines' `due_on` itself (see `db::bulk::TriggersOff`).
        let bulk = side.is_some();
        // Two batches at most wait for the side writer.
        let (side_sender, side_handle) = match side {
            Some(side) => {
                let (tx, rx) = std::sync::mpsc::sync_channel::<SideRows>(2);
                (Some(tx), Some(scope.spawn(move || side_writer(side, rx))))
            }
            None => (None, None),
        };
        scope.spawn(move || {
            let mut generator = generator;
            for i in 0..generator.len() {
                // The writer hung up (it failed): nothing more to plan.
                if sender.send(generator.plan(i)).is_err() {
                    break;
                }
            }
        });
        let mut done = 0;
        let mut timings = Timings::default();
        while done < total {
            let end = (done + BATCH).min(total);
            let t = Instant::now();
            let batch: Vec<Plan> = (done..end).map_while(|_| plans.recv().ok()).collect();
            timings.waiting += t.elapsed();
            let mut committed = None;
            let written = db::write_transaction(
                conn,
                |conn| -> Result<(Vec<WrittenCase>, Option<SideRows>), WorkflowError> {
                    let mut rows = rows::BatchRows::reserve(conn, &batch)?;
                    let mut out = Vec::with_capacity(batch.len());
                    let mut later = Deferred {
                        account_key: account_key.clone(),
                        ..Deferred::default()
                    };
                    let mut side_rows = None;
                    let t = Instant::now();
                    for plan in &batch {
                        let w = write_case(&mut rows, plan, images, &mut later)?;
                        out.push((plan.special, plan.receipt.clone(), w));
                    }
                    timings.building += t.elapsed();
                    let t = Instant::now();
                    let triggers = if bulk {
                        Some(db::bulk::TriggersOff::set(conn)?)
                    } else {
                        None
                    };
                    rows.write(conn)?;
                    if let Some(triggers) = &triggers {
                        triggers.count_statuses(conn, &rows.cases)?;
                    }
                    timings.cases += t.elapsed();
                    if side_sender.is_some() {
                        side_rows = Some((
                            std::mem::take(&mut later.audit),
                            std::mem::take(&mut later.search),
                        ));
                    }
                    later.write(conn, images, staged_bands.as_mut(), &mut timings)?;
                    if let Some(triggers) = triggers {
                        triggers.back_on(conn)?;
                    }
                    committed = Some(Instant::now());
                    Ok((out, side_rows))
                },
            )
            .with_context(|| format!("writing cases {}–{end}", done + 1))?;
            if let Some(t) = committed {
                timings.committing += t.elapsed();
            }
            let (written, side_rows) = written;
            if let (Some(tx), Some(rows)) = (&side_sender, side_rows) {
                let t = Instant::now();
                // The side writer hung up (it failed): its error is reported below.
                if tx.send(rows).is_err() {
                    break;
                }
                timings.waiting_for_side += t.elapsed();
            }
            for (special, receipt, w) in written {
                evidence_files += w.files;
                match by_status.iter_mut().find(|(s, _)| *s == w.status) {
                    Some((_, n)) => *n += 1,
                    None => by_status.push((w.status, 1)),
                }
                match special {
                    Special::Newcomer(_) => {
                        if let Some(code) = receipt {
                            example = Some((w.number.clone(), code.to_string()));
                        }
                        newcomer_cases.push(w.number);
                    }
                    Special::Panyu => panyu_case = Some(w.number),
                    _ => {}
                }
            }
            let before = done;
            done = end;
            if done / PROGRESS_EVERY > before / PROGRESS_EVERY
                || (done == total && total >= PROGRESS_EVERY)
            {
                progress(done, total, started.elapsed());
            }
        }
        drop(side_sender);
        if let Some(bands) = staged_bands.take() {
            let t = Instant::now();
            write_staged_bands(conn, bands)?;
            timings.texts_in_key_order += t.elapsed();
        }
        if let Some(handle) = side_handle {
            let busy = handle
                .join()
                .map_err(|_| anyhow::anyhow!("the side writer panicked"))??;
            tracing::info!(
                seconds = busy.as_secs_f64(),
                "the side writer's time (trails and search texts)"
            );
        }
        tracing::info!(?timings, "the writing thread's time");
        Ok(())
    })?;
    by_status.sort_by_key(|(s, _)| CaseStatus::ALL.iter().position(|x| x == s));
    Ok(Summary {
        logins: Vec::new(),
        cases: total,
        by_status,
        evidence_files,
        distinct_images: images.len(),
        example,
        newcomer_cases,
        panyu_case,
        chain_cases: Vec::new(),
        walk: None,
        elapsed: started.elapsed(),
        cases_elapsed: started.elapsed(),
    })
}

/// What the steps leave on the case row.
struct Outcome {
    version: i32,
    last_activity: NaiveDateTime,
    submitted_at: NaiveDateTime,
    assigned: Option<OfficerId>,
    closed_reason: Option<ClosedReason>,
}

fn outcome(plan: &Plan) -> Outcome {
    let mut o = Outcome {
        version: 0,
        last_activity: plan.created_at,
        submitted_at: plan.created_at,
        assigned: None,
        closed_reason: None,
    };
    for (at, step) in &plan.steps {
        o.version += match step {
            // The assignment, then the status change of taking the case.
            Step::Assign { .. } => 2,
            _ => 1,
        };
        o.last_activity = *at;
        match step {
            Step::Confirm => o.submitted_at = *at,
            Step::Assign { to, .. } => o.assigned = Some(*to),
            Step::Dismiss { reason, .. } => {
                o.closed_reason = Some(ClosedReason::Dismissed(*reason))
            }
            Step::Close { .. } => o.closed_reason = Some(ClosedReason::ClosedByOfficer),
            _ => {}
        }
    }
    o
}

/// The year whose case numbers a case filed at `at` takes (China time, as the filing does).
fn number_year(at: NaiveDateTime) -> i32 {
    china_time::local(at).year()
}

impl Plan {
    /// The report as the form would have given it (after its checks).
    fn report(&self) -> ValidReport {
        ValidReport {
            platform: self.shop.platform,
            platform_other: self.shop.platform_other.map(str::to_string),
            shop_name: self.shop.name.clone(),
            shop: ShopRef::parse(&self.shop.address)
                .unwrap_or_else(|_| ShopRef::Id(self.shop.address.clone())),
            region: self.shop.region.clone(),
            product_url: self
                .product_url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok()),
            order_number: self.order_number.clone(),
            category: self.category,
            seen_on: self.seen_on,
            description: self.description.clone(),
            email: self.email.as_deref().and_then(|e| e.parse().ok()),
            language: self.language,
            consent_share_contact: self.consent,
            // The demo reporters who share their contact share their screenshots too.
            consent_share_platform: self.consent,
            also_complaint: self.complaint,
        }
    }
}

/// Writes one case with its history through the workflow's row and entry builders: the case row
/// now (other rows refer to it), its messages, notes and finding as the steps write them, and
/// the rest (trail, evidence, deadlines, search) into `later`, for the batch's bulk writes.
fn write_case(
    rows: &mut rows::BatchRows,
    plan: &Plan,
    images: &[StoredEvidence],
    later: &mut Deferred,
) -> Result<Written, WorkflowError> {
    let report = plan.report();
    let (number, case_id) = case_row(rows, plan, &report)?;
    later
        .search
        .push((case_id, workflow::file::search_text(&number, &report)));
    let email = report.email.as_ref().map(ToString::to_string);
    let found = crate::domain::contact::find_contacts(
        &report.description,
        &crate::domain::contact::ContactScan {
            reporter_email: email.as_deref(),
            account_key: &later.account_key,
        },
    );
    if !found.is_empty() {
        later.contacts.push((case_id, found, plan.created_at));
    }
    if let Some((kept, fingerprint)) = &plan.indexed_text {
        later
            .texts
            .push((case_id, kept.clone(), fingerprint.clone(), plan.created_at));
    }
    let mut history = History::filed(case_id, plan, &report, images, later);
    let files = history.trail.len() - 1;
    for &(at, step) in &plan.steps {
        history.step(rows, at, step)?;
    }
    debug_assert_eq!(
        history.status, plan.status,
        "the history of a demo case must end in its status"
    );
    let status = history.status;
    history.finish(later);
    Ok(Written {
        number,
        status,
        files,
    })
}

/// The case row, as it stands after its history (status, version, assignee, closing reason).
fn case_row(
    rows: &mut rows::BatchRows,
    plan: &Plan,
    report: &ValidReport,
) -> Result<(String, CaseId), WorkflowError> {
    let (case_id, number) = rows.case(number_year(plan.created_at))?;
    let number = number.to_string();
    let o = outcome(plan);
    let facts = workflow::file::CaseFacts {
        number: &number,
        status: plan.status,
        receipt_hash: &plan.receipt_hash,
        reporter_ip: plan.ip.as_deref(),
        created_at: plan.created_at,
        submitted_at: Some(o.submitted_at),
        last_activity_at: o.last_activity,
    };
    let row = workflow::file::with_case_row(report, &facts, |new| {
        BulkCase::from_new(case_id, new, o.version, o.assigned, o.closed_reason)
    });
    rows.cases.push(row);
    Ok((number, case_id))
}

/// A demo case's history as its steps unfold: the status, the deadline clock and the trail
/// (collected as the steps are written, and chained in one go at the end).
struct History {
    case_id: CaseId,
    complaint: bool,
    status: CaseStatus,
    deadlines: Option<Deadlines>,
    paused_since: Option<NaiveDateTime>,
    extended: Option<&'static str>,
    trail: Vec<NewEntry>,
}

impl History {
    /// The filing: its entry, and the evidence rows (into `later`) with theirs, as
    /// `workflow::file_report` and `workflow::record_evidence` write them.
    fn filed(
        case_id: CaseId,
        plan: &Plan,
        report: &ValidReport,
        images: &[StoredEvidence],
        later: &mut Deferred,
    ) -> Self {
        let at = plan.created_at;
        let files: Vec<(&StoredEvidence, usize, &String)> = plan
            .evidence
            .iter()
            .filter_map(|(k, name)| Some((images.get(*k)?, *k, name)))
            .collect();
        let first = workflow::file::first_status(report);
        let mut trail = Vec::with_capacity(4 + files.len() + plan.steps.len() * 2);
        trail.push(workflow::file::filed_entry(report, first, files.len(), at));
        for (position, (e, image, name)) in (1..).zip(files) {
            later.evidence.push(LaterEvidence {
                case_id,
                position,
                image,
                name: name.clone(),
                at,
            });
            trail.push(workflow::evidence_entry(position, e, at));
        }
        History {
            case_id,
            complaint: plan.complaint,
            status: first,
            deadlines: (first == CaseStatus::Submitted)
                .then(|| Deadlines::starting(&CALENDAR, china_date(at), plan.complaint)),
            paused_since: None,
            extended: None,
            trail,
        }
    }

    /// The deadline row and the trail, for the batch's bulk writes.
    fn finish(self, later: &mut Deferred) {
        if let Some(d) = self.deadlines {
            later.deadlines.push(queue::NewDeadlineRow {
                extended_reason: self.extended,
                paused_since: self.paused_since,
                due_on: d.due_on(self.status),
                ..queue::NewDeadlineRow::new(self.case_id, &d)
            });
        }
        later.audit.push((self.case_id, self.trail));
    }

    /// A status change, as `workflow::change_status` records it.
    fn change(
        &mut self,
        transition: Transition,
        actor: Actor,
        detail: serde_json::Value,
        at: NaiveDateTime,
    ) -> Result<(), WorkflowError> {
        let to = self.status.apply(transition)?;
        let entry = workflow::status_entry(transition, self.status, to, actor, detail, at);
        self.trail.push(entry);
        self.status = to;
        Ok(())
    }

    /// One step, writing what the workflow's step writes (messages, notes, the finding) and
    /// recording its entries.
    fn step(
        &mut self,
        rows: &mut rows::BatchRows,
        at: NaiveDateTime,
        step: Step,
    ) -> Result<(), WorkflowError> {
        let officer = |id| Actor::Officer(id);
        match step {
            Step::Confirm => {
                self.change(Transition::Confirm, Actor::Reporter, json!({}), at)?;
                self.deadlines = Some(Deadlines::starting(
                    &CALENDAR,
                    china_date(at),
                    self.complaint,
                ));
            }
            Step::Assign { by, to } => {
                self.trail.push(review::assign_entry(officer(by), to, at));
                if self.status == CaseStatus::Submitted {
                    self.change(Transition::Take, officer(by), json!({}), at)?;
                }
            }
            Step::RequestInfo {
                officer: id,
                message,
            } => self.request_info(rows, id, message, at)?,
            Step::Reply { message } => self.reply(rows, message, at)?,
            Step::Resume { officer: id } => {
                self.change(Transition::Resume, officer(id), json!({}), at)?;
                self.resume_clock(at);
            }
            Step::Note { officer: id, body } => {
                let note_id = rows.note(self.case_id, id, body, at)?;
                self.trail
                    .push(review::note_entry(officer(id), note_id, at));
            }
            Step::Extend {
                officer: id,
                reason,
            } => self.extend(id, reason, at),
            Step::Substantiate {
                officer: id,
                note,
                finding,
            } => self.substantiate(rows, id, note, finding, at)?,
            Step::Close { officer: id, note } => {
                rows.note(self.case_id, id, note, at)?;
                self.change(Transition::Close, officer(id), json!({}), at)?;
            }
            Step::Dismiss {
                officer: id,
                reason,
            } => self.dismiss(rows, id, reason, at)?,
            Step::Withdraw { reason } => self.withdraw(rows, reason, at)?,
        }
        Ok(())
    }

    fn request_info(
        &mut self,
        rows: &mut rows::BatchRows,
        officer: OfficerId,
        message: &str,
        at: NaiveDateTime,
    ) -> Result<(), WorkflowError> {
        let message_id = rows.message(self.case_id, Some(officer), message, at)?;
        let detail = review::request_info_detail(message_id);
        self.change(Transition::RequestInfo, Actor::Officer(officer), detail, at)?;
        self.paused_since = Some(at);
        Ok(())
    }

    fn reply(
        &mut self,
        rows: &mut rows::BatchRows,
        message: &str,
        at: NaiveDateTime,
    ) -> Result<(), WorkflowError> {
        rows.message(self.case_id, None, message, at)?;
        let detail = workflow::reply::answer_detail(0);
        self.change(Transition::ReporterAnswers, Actor::Reporter, detail, at)?;
        self.resume_clock(at);
        Ok(())
    }

    fn extend(&mut self, officer: OfficerId, reason: &'static str, at: NaiveDateTime) {
        if let Some(d) = self.deadlines.as_mut() {
            *d = d.extended(&CALENDAR);
            self.extended = Some(reason);
            let entry = review::extend_entry(Actor::Officer(officer), reason, d.decide_by, at);
            self.trail.push(entry);
        }
    }

    fn substantiate(
        &mut self,
        rows: &mut rows::BatchRows,
        officer: OfficerId,
        note: Option<&str>,
        finding: &str,
        at: NaiveDateTime,
    ) -> Result<(), WorkflowError> {
        rows.finding(self.case_id, officer, finding, at);
        if let Some(note) = note {
            rows.note(self.case_id, officer, note, at)?;
        }
        self.change(
            Transition::Substantiate,
            Actor::Officer(officer),
            json!({}),
            at,
        )
    }

    fn dismiss(
        &mut self,
        rows: &mut rows::BatchRows,
        officer: OfficerId,
        reason: DismissReason,
        at: NaiveDateTime,
    ) -> Result<(), WorkflowError> {
        let message = content::dismiss_message(reason);
        let message_id = rows.message(self.case_id, Some(officer), message, at)?;
        let detail = review::dismiss_detail(reason, message_id);
        self.change(
            Transition::Dismiss(reason),
            Actor::Officer(officer),
            detail,
            at,
        )
    }

    fn withdraw(
        &mut self,
        rows: &mut rows::BatchRows,
        reason: Option<&str>,
        at: NaiveDateTime,
    ) -> Result<(), WorkflowError> {
        let id = match reason {
            Some(r) => Some(rows.message(self.case_id, None, r, at)?),
            None => None,
        };
        let detail = workflow::withdraw::withdraw_detail(id);
        self.change(Transition::Withdraw, Actor::Reporter, detail, at)
    }

    /// The clock starts again after a wait for the reporter: deadlines move by the working days
    /// the wait took (as `workflow::change_status` does).
    fn resume_clock(&mut self, at: NaiveDateTime) {
        if let (Some(d), Some(since)) = (self.deadlines.as_mut(), self.paused_since.take()) {
            *d = d.after_pause(&CALENDAR, china_date(since), china_date(at));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::cases;

    fn run_seed(dir: &std::path::Path, cases: usize) -> (Summary, DbPool) {
        let settings = Settings::for_data_dir(dir.to_path_buf());
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let summary = seed_demo(
                &settings,
                Options {
                    cases,
                    seed: DEFAULT_SEED,
                    images: IMAGE_POOL,
                },
                |_, _, _| {},
            )
            .await
            .expect("seeding works");
            let (pool, _) = crate::startup::open_database(&settings)
                .await
                .expect("database");
            (summary, pool)
        })
    }

    #[test]
    fn fifty_cases_have_their_tour_statuses_and_unbroken_trails() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (summary, pool) = run_seed(dir.path(), 50);
        assert_eq!(summary.cases, 50);
        assert_eq!(summary.logins.len(), 3);
        assert!(
            summary
                .logins
                .iter()
                .all(|l| l.password.as_deref().is_some_and(|p| p.len() == 16))
        );
        assert_eq!(summary.newcomer_cases.len(), NEWCOMER_CASES);
        assert!(summary.panyu_case.is_some());
        assert!(summary.example.is_some());

        let mut conn = pool.get().expect("connection");
        let chains = summary.chain_cases.len() as i64;
        assert_eq!(chains, 7, "and the chains' reports");
        // And the demo walk's two.
        assert_eq!(cases::count(&mut conn).expect("count"), 50 + chains + 2);
        let counts = queue::status_counts(&mut conn).expect("counts");
        let total: i64 = counts.iter().map(|(_, n)| n).sum();
        assert_eq!(total, 50 + chains + 2);
        assert!(
            counts
                .iter()
                .any(|(s, n)| *s == CaseStatus::Submitted && *n >= NEWCOMER_CASES as i64)
        );

        use crate::db::schema::{cases as c, outbox};
        use diesel::prelude::*;
        let ids: Vec<CaseId> = c::table.select(c::id).load(&mut conn).expect("ids");
        for id in ids {
            let trail = audit::for_case(&mut conn, id).expect("trail");
            assert!(trail.len() >= 2, "filed and at least one file");
            assert_eq!(audit::verify(&trail), Ok(()), "case {id}");
            let case = cases::get(&mut conn, id).expect("case");
            assert!(case.last_activity_at >= case.created_at);
            if !matches!(case.status, CaseStatus::Submitted)
                && case.status != CaseStatus::Dismissed
                && case.status != CaseStatus::Withdrawn
            {
                assert!(
                    case.assigned_officer_id.is_some(),
                    "{} {}",
                    case.case_number,
                    case.status
                );
            }
            assert!(
                queue::deadlines_of(&mut conn, id)
                    .expect("deadlines")
                    .is_some()
            );
        }
        let walk = summary.walk.as_ref().expect("the demo walk");
        let walk_cases: Vec<CaseId> = [&walk.awaiting_acknowledgement, &walk.penalised]
            .iter()
            .map(|w| {
                let n = crate::domain::CaseNumber::parse(&w.number).expect("number");
                cases::find_by_number(&mut conn, &n)
                    .expect("query")
                    .expect("exists")
                    .id
            })
            .collect();
        let mailed: Vec<Option<CaseId>> = outbox::table
            .select(outbox::case_id)
            .load(&mut conn)
            .expect("outbox");
        assert!(!mailed.is_empty(), "the walk's handoff emails wait");
        assert!(
            mailed
                .iter()
                .all(|c| c.is_some_and(|c| walk_cases.contains(&c))),
            "demo data mails nobody but the walk's demo addresses"
        );

        // The newcomer's filter finds the eight cases.
        let filter = queue::QueueFilter {
            statuses: vec![CaseStatus::Submitted],
            platform: Some(Platform::Pinduoduo),
            category: Some(Category::CashbackForReview),
            province_code: Some("440000".into()),
            city_code: None,
            assignee: queue::Assignee::Nobody,
            overdue_on: None,
            filed_from: None,
            filed_until: None,
            search: Some(crate::domain::search_term::SearchTerm::Substring(
                "好评返现".into(),
            )),
            sort: queue::Sort::Newest,
            after: None,
        };
        assert!(
            queue::page(&mut conn, &filter, 50)
                .expect("queue")
                .rows
                .len()
                >= NEWCOMER_CASES
        );

        // The 番禺区 case: two files, 李明's, substantiated.
        let panyu = summary
            .panyu_case
            .as_deref()
            .and_then(crate::domain::CaseNumber::parse)
            .expect("number");
        let case = cases::find_by_number(&mut conn, &panyu)
            .expect("query")
            .expect("exists");
        assert_eq!(case.region_code, "440113");
        assert_eq!(case.status, CaseStatus::Substantiated);
        let li = summary
            .logins
            .iter()
            .find(|l| l.name == "李明")
            .map(|l| l.id);
        assert_eq!(case.assigned_officer_id, li);
        assert_eq!(
            crate::db::evidence::for_case(&mut conn, case.id)
                .expect("files")
                .len(),
            2
        );
    }

    #[test]
    fn seeded_screenshots_are_in_the_near_identical_index_as_filed_ones_are() {
        use crate::db::schema::{evidence as ev, image_hash_chunks as hc, image_hashes as ih};
        use crate::domain::screenshots::ScreenHash;
        use diesel::prelude::*;
        use std::collections::{HashMap, HashSet};
        let dir = tempfile::tempdir().expect("temp dir");
        let (summary, pool) = run_seed(dir.path(), 200);
        let mut conn = pool.get().expect("connection");

        // Nothing left for `index_earlier_screenshots`: every file with a thumbnail has its row.
        assert!(
            db::image_index::unindexed(&mut conn, None, 10)
                .expect("unindexed")
                .is_empty()
        );
        let with_thumbnail: i64 = ev::table
            .filter(ev::thumb_sha256.is_not_null())
            .count()
            .get_result(&mut conn)
            .expect("count");
        let hashes: Vec<(EvidenceId, CaseId, String)> = ih::table
            .select((ih::evidence_id, ih::case_id, ih::hash))
            .load(&mut conn)
            .expect("hashes");
        assert_eq!(hashes.len() as i64, with_thumbnail);
        assert!(hashes.len() >= summary.evidence_files);

        // The fingerprint filing stores: the one the copies job makes from the original (the
        // same file gives the same hex), under the file's own case.
        let files: Vec<(
            EvidenceId,
            CaseId,
            String,
            crate::domain::evidence::ImageKind,
        )> = ev::table
            .select((ev::id, ev::case_id, ev::sha256, ev::kind))
            .load(&mut conn)
            .expect("files");
        let store =
            EvidenceStore::new(Settings::for_data_dir(dir.path().to_path_buf()).evidence_dir());
        let limits = crate::evidence::EvidenceLimits::default();
        let mut made: HashMap<String, String> = HashMap::new();
        let by_id: HashMap<EvidenceId, (CaseId, String)> = hashes
            .iter()
            .map(|(id, case, hash)| (*id, (*case, hash.clone())))
            .collect();
        for (id, case_id, sha, kind) in &files {
            let expected = made.entry(sha.clone()).or_insert_with(|| {
                crate::evidence::intake::make_copies(&store, sha, *kind, &limits)
                    .expect("copies")
                    .0
                    .fingerprint
                    .to_hex()
            });
            let (indexed_case, hash) = by_id.get(id).expect("indexed");
            assert_eq!(indexed_case, case_id);
            assert_eq!(hash, expected, "evidence {id}");
        }
        assert!(made.len() > 1);

        // Each fingerprint's thirteen chunks, as `ScreenHash::chunks` cuts them.
        let chunks: Vec<(i32, i64, EvidenceId)> = hc::table
            .select((hc::chunk_no, hc::chunk_value, hc::evidence_id))
            .load(&mut conn)
            .expect("chunks");
        let mut stored: HashMap<EvidenceId, HashSet<(i32, i64)>> = HashMap::new();
        for (no, value, id) in chunks {
            stored.entry(id).or_default().insert((no, value));
        }
        assert_eq!(stored.len(), hashes.len());
        for (id, _, hash) in &hashes {
            let cut: HashSet<(i32, i64)> = ScreenHash::parse_hex(hash)
                .expect("hex")
                .chunks()
                .into_iter()
                .collect();
            assert_eq!(stored.get(id), Some(&cut), "evidence {id}");
        }

        // A seeded screenshot's lookup (the pool's most shared one) finds the other seeded
        // cases that carry it.
        let mut shared: HashMap<&str, usize> = HashMap::new();
        for (_, _, hash) in &hashes {
            *shared.entry(hash.as_str()).or_default() += 1;
        }
        let (_, case_id, hash) = hashes
            .iter()
            .max_by_key(|(id, _, hash)| (shared.get(hash.as_str()), std::cmp::Reverse(*id)))
            .expect("a screenshot");
        let hash = ScreenHash::parse_hex(hash).expect("hex");
        let near = db::image_index::near(&mut conn, &hash, *case_id, 1_000).expect("near");
        let same: HashSet<CaseId> = hashes
            .iter()
            .filter(|(_, c, h)| c != case_id && ScreenHash::parse_hex(h) == Some(hash))
            .map(|(_, c, _)| *c)
            .collect();
        assert!(!same.is_empty(), "the pool's screenshots are shared");
        let found: HashSet<CaseId> = near.iter().map(|n| n.case_id).collect();
        assert!(same.is_subset(&found), "{same:?} within {found:?}");
        assert!(found.iter().all(|c| c != case_id));
    }

    #[test]
    fn client_addresses_past_their_retention_are_seeded_forgotten() {
        use crate::db::schema::cases as c;
        use diesel::prelude::*;
        let dir = tempfile::tempdir().expect("temp dir");
        let (_, pool) = run_seed(dir.path(), 300);
        let mut conn = pool.get().expect("connection");
        let days = Settings::for_data_dir(dir.path().to_path_buf()).retain_reporter_ip_days;
        let cutoff = db::now() - TimeDelta::days(i64::from(days));
        let mut with_ip = |older: bool| -> i64 {
            let q = c::table.filter(c::reporter_ip.is_not_null()).into_boxed();
            let q = match older {
                true => q.filter(c::created_at.lt(cutoff)),
                false => q.filter(c::created_at.ge(cutoff)),
            };
            q.count().get_result(&mut conn).expect("count")
        };
        // What the retention job leaves: nothing for its first pass to do, recent ones kept.
        assert_eq!(with_ip(true), 0);
        assert!(with_ip(false) > 0);
        let older: i64 = c::table
            .filter(c::created_at.lt(cutoff))
            .count()
            .get_result(&mut conn)
            .expect("count");
        assert!(older > 0, "the demo spans more than the retention period");
    }

    #[test]
    fn seeded_descriptions_are_in_the_near_identical_text_index() {
        use crate::db::schema::{case_texts as t, text_bands as b};
        use diesel::prelude::*;
        let dir = tempfile::tempdir().expect("temp dir");
        let (_, pool) = run_seed(dir.path(), 200);
        let mut conn = pool.get().expect("connection");
        let described: i64 = t::table
            .filter(t::evidence_id.is_null())
            .count()
            .get_result(&mut conn)
            .expect("count");
        let all = cases::count(&mut conn).expect("count");
        // Every description is long enough to link; each is indexed once, with its bands.
        assert_eq!(described, all);
        let bands: i64 = b::table.count().get_result(&mut conn).expect("count");
        assert!(
            bands >= described * 16,
            "{bands} bands for {described} texts"
        );
        // The index finds a seeded case's description among the others (descriptions are
        // drawn from shared templates, as recruiters' scripts are).
        let (case_id, body): (CaseId, String) = t::table
            .select((t::case_id, t::body))
            .order(t::id.asc())
            .first(&mut conn)
            .expect("a text");
        let fingerprint = crate::domain::text_similarity::fingerprint(&body).expect("fingerprint");
        let near = crate::db::text_index::lookup(
            &mut conn,
            case_id,
            crate::domain::links::TextSource::Description,
            &body,
            &fingerprint.signature,
        )
        .expect("lookup");
        assert!(!near.is_empty());
    }

    #[test]
    fn the_same_seed_plans_the_same_cases() {
        let ids = OfficerIds {
            supervisor: OfficerId(1),
            li_ming: OfficerId(2),
            zhang_hua: OfficerId(3),
        };
        let now = db::now();
        // Another day at another hour: officers' office hours fall differently.
        let later = now + TimeDelta::hours(77);
        let options = Options {
            cases: 200,
            seed: 9,
            images: IMAGE_POOL,
        };
        let mut a = Generator::new(options, ids, IMAGE_POOL, now, vec![7; 64]);
        let mut b = Generator::new(options, ids, IMAGE_POOL, later, vec![7; 64]);
        for i in 0..200 {
            let (pa, pb) = (a.plan(i), b.plan(i));
            assert_eq!(pa.description, pb.description);
            assert_eq!(pa.shop.address, pb.shop.address);
            assert_eq!(pa.status, pb.status);
            let images = |p: &Plan| p.evidence.iter().map(|e| e.0).collect::<Vec<_>>();
            assert_eq!(images(&pa), images(&pb));
            assert_eq!(pa.steps.len(), pb.steps.len());
            assert!(
                pa.steps
                    .iter()
                    .all(|(at, _)| *at <= now && *at >= pa.created_at)
            );
        }
    }
}
