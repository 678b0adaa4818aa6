//! Near-identical texts: how well MinHash + LSH over character shingles tells a templated review
//! with up to 20 % of its characters changed from other reviews of the same product, and how
//! fast one new text is looked up among many.
//!
//! `cargo bench --bench chains_texts` prints, for each shingle length, recall and precision per
//! Jaccard threshold, then for each (bands × rows) the share of labelled pairs that become
//! candidates, then the end-to-end result with the chosen parameters.
//! `cargo bench --bench chains_texts -- lookup 100000 1000000` also fills a SQLite index with
//! that many generated texts and times lookups (`TEST_DATABASE_URL` for PostgreSQL instead).
//! The generator below was committed before any parameter was tuned. Results in
//! docs/PERFORMANCE.md.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reviewwatch::domain::text_similarity::{
    self as ts, Params, candidate_probability, jaccard, normalise, shingles,
};

// ---------------------------------------------------------------------------------------------
// The generator: five-star reviews (好评) the way shops' paid reviewers and real buyers write them.

const PRODUCTS: &[&str] = &[
    "保温杯",
    "蓝牙耳机",
    "连衣裙",
    "面膜",
    "扫地机器人",
    "充电宝",
    "电饭煲",
    "运动鞋",
    "洗面奶",
    "空气炸锅",
    "羽绒服",
    "手机壳",
    "床上四件套",
    "儿童书包",
    "猫粮",
    "电动牙刷",
    "口红",
    "茶叶",
    "坚果礼盒",
    "行车记录仪",
    "台灯",
    "瑜伽垫",
    "破壁机",
    "防晒霜",
    "洗衣凝珠",
    "蚕丝被",
    "机械键盘",
    "婴儿纸尿裤",
    "不粘锅",
    "智能手表",
];

const OPENINGS: &[&str] = &[
    "宝贝收到了",
    "收到货了",
    "第二次购买了",
    "等了两天终于到了",
    "给家里人买的",
    "朋友推荐来买的",
    "趁着活动入手的",
    "用了一段时间才来评价",
    "今天刚拿到",
    "回购第三次了",
    "一直在这家店买",
    "双十一下单的",
    "纠结了很久才下单",
    "看了很多家最后选了这家",
    "老公让我帮他买的",
    "送给妈妈的生日礼物",
];

const QUALITY: &[&str] = &[
    "质量{adv}好",
    "做工{adv}精细",
    "材质摸起来{adv}舒服",
    "和卖家描述的完全一致",
    "没有任何色差",
    "没有异味",
    "细节处理得{adv}到位",
    "手感{adv}好",
    "颜值{adv}高",
    "比实体店的还要好",
    "用料很扎实",
    "大小刚刚好",
    "正品无疑",
    "包装{adv}精美",
    "看起来{adv}高级",
    "一点瑕疵都没有",
];

const LOGISTICS: &[&str] = &[
    "物流{adv}快",
    "快递第二天就到了",
    "快递小哥服务态度{adv}好",
    "包装{adv}严实",
    "发货速度{adv}快",
    "顺丰发货放心",
    "隔天就收到了",
    "送货上门很方便",
    "包裹一点都没有压坏",
    "物流信息更新及时",
];

const SERVICE: &[&str] = &[
    "客服态度{adv}好",
    "客服有问必答",
    "客服耐心解答了我的问题",
    "卖家{adv}热情",
    "售后服务很到位",
    "店家还送了小礼品",
    "客服回复{adv}及时",
    "掌柜人很好",
];

const USE: &[&str] = &[
    "{product}用起来{adv}方便",
    "这款{product}效果{adv}明显",
    "{product}的功能很齐全",
    "家里人都说这个{product}好",
    "{product}比我之前买的那个好多了",
    "买了这个{product}以后再也不用发愁了",
    "{product}的性能{adv}稳定",
    "第一次用这么好的{product}",
    "{product}操作{adv}简单",
    "这个价位的{product}算是很好的了",
    "{product}的设计{adv}人性化",
    "同事看了我的{product}也想买",
];

const VALUE: &[&str] = &[
    "性价比{adv}高",
    "价格{adv}实惠",
    "物超所值",
    "这个价格买到很划算",
    "比超市便宜多了",
    "活动价入手太值了",
];

const CLOSINGS: &[&str] = &[
    "五星好评",
    "推荐大家购买",
    "还会再来的",
    "下次还会回购",
    "值得购买",
    "满意的一次购物",
    "给个好评",
    "强烈推荐",
    "必须好评",
    "已经推荐给朋友了",
    "总之很满意",
    "好评",
];

const ADVERBS: &[&str] = &["很", "非常", "特别", "超级", "挺", "相当", "真的", "十分"];
const MARKS: &[&str] = &["，", "，", "，", "。", "！", " ", "~"];
const ENDS: &[&str] = &["！", "。", "！！", "～", "👍", ""];

/// Common characters a typo or a reworded copy brings in.
const COMMON: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动\
同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两\
体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反\
你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象\
员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强\
放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联\
什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确\
才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商\
非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标\
写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙";

struct Generator {
    rng: StdRng,
    common: Vec<char>,
}

impl Generator {
    fn new(seed: u64) -> Self {
        Generator {
            rng: StdRng::seed_from_u64(seed),
            common: COMMON.chars().collect(),
        }
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.rng.random_range(0..list.len())]
    }

    fn fill(&mut self, phrase: &str, product: &str) -> String {
        let adv = self.pick(ADVERBS);
        phrase.replace("{adv}", adv).replace("{product}", product)
    }

    /// One five-star review of `product`: an opening, three to seven remarks, a closing.
    fn review(&mut self, product: &str) -> String {
        let mut parts = vec![self.pick(OPENINGS).to_string()];
        let remarks = self.rng.random_range(3..=7);
        let groups = [QUALITY, LOGISTICS, SERVICE, USE, VALUE];
        for _ in 0..remarks {
            let group = groups[self.rng.random_range(0..groups.len())];
            let phrase = self.pick(group);
            let filled = self.fill(phrase, product);
            if !parts.contains(&filled) {
                parts.push(filled);
            }
        }
        parts.push(self.pick(CLOSINGS).to_string());
        let mut text = String::new();
        for (i, p) in parts.iter().enumerate() {
            text.push_str(p);
            text.push_str(if i + 1 == parts.len() {
                self.pick(ENDS)
            } else {
                self.pick(MARKS)
            });
        }
        text
    }

    /// `text` with each character substituted, deleted or followed by an inserted one with
    /// probability `rate` (one third each).
    fn edit(&mut self, text: &str, rate: f64) -> String {
        let mut out = String::new();
        for c in text.chars() {
            if self.rng.random_bool(rate) {
                match self.rng.random_range(0..3) {
                    0 => out.push(self.common[self.rng.random_range(0..self.common.len())]),
                    1 => {}
                    _ => {
                        out.push(c);
                        out.push(self.common[self.rng.random_range(0..self.common.len())]);
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// A labelled pair: a template and a text that is (`same`) or is not a copy of it.
struct Pair {
    a: String,
    b: String,
    same: bool,
    /// The edit rate of a copy.
    rate: f64,
}

/// For each template: one copy with 0–20 % of characters changed, and `negatives` other reviews
/// of the same product.
fn labelled_pairs(templates: usize, negatives: usize, seed: u64) -> Vec<Pair> {
    let mut g = Generator::new(seed);
    let mut pairs = Vec::new();
    for i in 0..templates {
        let product = PRODUCTS[i % PRODUCTS.len()];
        let template = g.review(product);
        let rate = g.rng.random_range(0.0..=0.20);
        pairs.push(Pair {
            a: template.clone(),
            b: g.edit(&template, rate),
            same: true,
            rate,
        });
        for _ in 0..negatives {
            pairs.push(Pair {
                a: template.clone(),
                b: g.review(product),
                same: false,
                rate: 0.0,
            });
        }
    }
    pairs
}

// ---------------------------------------------------------------------------------------------
// Accuracy.

struct Scored {
    similarity: f64,
    same: bool,
    rate: f64,
}

fn score(pairs: &[Pair], k: usize) -> Vec<Scored> {
    pairs
        .iter()
        .map(|p| Scored {
            similarity: jaccard(
                &shingles(&normalise(&p.a).chars, k),
                &shingles(&normalise(&p.b).chars, k),
            ),
            same: p.same,
            rate: p.rate,
        })
        .collect()
}

fn recall_precision(scored: &[Scored], threshold: f64) -> (f64, f64, usize) {
    let tp = scored
        .iter()
        .filter(|s| s.same && s.similarity >= threshold)
        .count();
    let fp = scored
        .iter()
        .filter(|s| !s.same && s.similarity >= threshold)
        .count();
    let pos = scored.iter().filter(|s| s.same).count();
    let recall = tp as f64 / pos.max(1) as f64;
    let precision = if tp + fp == 0 {
        1.0
    } else {
        tp as f64 / (tp + fp) as f64
    };
    (recall, precision, fp)
}

fn accuracy() {
    let (templates, negatives) = (2000, 10);
    let pairs = labelled_pairs(templates, negatives, 11);
    println!(
        "labelled set: {templates} templated reviews, each with one copy (0–20 % of characters \
         substituted, deleted or inserted) and {negatives} other reviews of the same product"
    );
    let mean_len = pairs.iter().map(|p| p.a.chars().count()).sum::<usize>() / pairs.len();
    println!(
        "mean length {mean_len} characters; e.g.\n  {}\n  {}\n",
        pairs[0].a, pairs[0].b
    );
    for k in [2, 3, 4, 5] {
        let scored = score(&pairs, k);
        let worst_neg = scored
            .iter()
            .filter(|s| !s.same)
            .map(|s| s.similarity)
            .fold(0.0, f64::max);
        let worst_pos = scored
            .iter()
            .filter(|s| s.same)
            .map(|s| s.similarity)
            .fold(1.0, f64::min);
        println!(
            "k = {k}: least similar copy {worst_pos:.3}, most similar other review {worst_neg:.3}"
        );
        println!("  threshold  recall  precision  false positives");
        for t in (5..=60).step_by(5) {
            let t = f64::from(t) / 100.0;
            let (r, p, fp) = recall_precision(&scored, t);
            println!("  {t:9.2}  {r:6.3}  {p:9.4}  {fp:15}");
        }
        // Recall of the copies by how much was changed.
        let t = ts::THRESHOLD;
        print!("  recall at {t:.2} by edit rate:");
        for lo in [0.0, 0.05, 0.10, 0.15] {
            let bucket: Vec<&Scored> = scored
                .iter()
                .filter(|s| s.same && s.rate >= lo && s.rate < lo + 0.05 + 1e-9)
                .collect();
            let hit = bucket.iter().filter(|s| s.similarity >= t).count();
            print!(
                " {:.0}–{:.0} %: {:.3}",
                lo * 100.0,
                (lo + 0.05) * 100.0,
                hit as f64 / bucket.len().max(1) as f64
            );
        }
        println!("\n");
    }
    lsh(&pairs);
}

/// Which labelled pairs share at least one band, for a few band shapes, with the shingle length
/// of `ts::PARAMS`; and the end-to-end result (a candidate, then over the threshold).
fn lsh(pairs: &[Pair]) {
    let k = ts::PARAMS.k;
    println!("LSH with k = {k}, threshold {:.2}:", ts::THRESHOLD);
    println!(
        "  bands×rows  P(candidate) at s=0.1/0.3/0.4  copies found  other reviews as candidates  end-to-end recall  precision"
    );
    for (bands, rows) in [
        (16, 2),
        (32, 2),
        (48, 2),
        (32, 3),
        (48, 3),
        (64, 3),
        (96, 3),
        (64, 4),
        (128, 4),
    ] {
        let p = Params { k, bands, rows };
        let (mut found, mut pos, mut cand_neg, mut neg, mut tp, mut fp) = (0, 0, 0, 0, 0, 0);
        for pair in pairs {
            let (Some(fa), Some(fb)) = (
                ts::fingerprint_with(&pair.a, p),
                ts::fingerprint_with(&pair.b, p),
            ) else {
                continue;
            };
            let candidate = fa.bands.iter().zip(&fb.bands).any(|(x, y)| x == y);
            let over = ts::similarity(&pair.a, &pair.b) >= ts::THRESHOLD;
            if pair.same {
                pos += 1;
                found += usize::from(candidate);
                tp += usize::from(candidate && over);
            } else {
                neg += 1;
                cand_neg += usize::from(candidate);
                fp += usize::from(candidate && over);
            }
        }
        println!(
            "  {bands:3}×{rows}      {:.3}/{:.3}/{:.3}            {:.4}        {:.4}                       {:.4}             {:.4}",
            candidate_probability(0.1, p),
            candidate_probability(0.3, p),
            candidate_probability(0.4, p),
            found as f64 / pos.max(1) as f64,
            cand_neg as f64 / neg.max(1) as f64,
            tp as f64 / pos.max(1) as f64,
            if tp + fp == 0 {
                1.0
            } else {
                tp as f64 / (tp + fp) as f64
            },
        );
    }
    println!();
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.first().map(String::as_str) {
        Some("ocr") => ocr_seconds(),
        Some("lookup") => {
            let sizes: Vec<usize> = args[1..].iter().filter_map(|a| a.parse().ok()).collect();
            lookup::run(&sizes);
        }
        _ => accuracy(),
    }
}

/// Seconds per screenshot for OCR through the portal's own engine (tesseract, chi_sim+eng, one
/// thread), on the demo seed's screenshots and on the chat screenshot of the OCR journey.
fn ocr_seconds() {
    use reviewwatch::evidence::{BlobKind, EvidenceStore, Sha256Hex};
    use reviewwatch::jobs::ocr::OcrEngine;
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = EvidenceStore::new(dir.path().join("evidence"));
    let shots =
        reviewwatch::seed::images::build_pool(5, 12, dir.path(), &store).expect("seed pool");
    let engine = OcrEngine::new("tesseract");
    if let Err(why) = rt.block_on(engine.available()) {
        println!("OCR not measured: {why}");
        return;
    }
    let mut paths: Vec<(String, std::path::PathBuf)> = shots
        .iter()
        .map(|e| {
            let copies = e.copies.as_ref().expect("the seed pool has its copies");
            let sha = Sha256Hex::parse(copies.display_sha256.as_str()).expect("a sha");
            (
                format!("seed {}×{}", e.width, e.height),
                dir.path()
                    .join("evidence")
                    .join(store.key_of(BlobKind::Display, &sha).as_str()),
            )
        })
        .collect();
    paths.push((
        "journey chat card 1080×1600".into(),
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ocr_card.png").into(),
    ));
    println!("OCR seconds per screenshot (tesseract, chi_sim+eng, OMP_THREAD_LIMIT=1):");
    let mut seed_total = 0.0;
    for (name, path) in &paths {
        let r = rt.block_on(engine.read(path));
        println!(
            "  {name:30} {:5.2} s  {:?}  {} characters read",
            r.seconds,
            r.state,
            r.text.chars().count()
        );
        if name.starts_with("seed") {
            seed_total += r.seconds;
        }
    }
    println!(
        "  mean over the seed's screenshots: {:.2} s",
        seed_total / shots.len() as f64
    );
}

/// Lookup of one new text among many indexed ones, on SQLite (or PostgreSQL with
/// `TEST_DATABASE_URL`, a database this creates and drops).
mod lookup {
    use super::{Generator, PRODUCTS};
    use diesel::RunQueryDsl;
    use rand::Rng;
    use reviewwatch::config::Settings;
    use reviewwatch::db::{self, DbConnection, text_index};
    use reviewwatch::domain::CaseId;
    use reviewwatch::domain::links::TextSource;
    use reviewwatch::domain::text_similarity as ts;
    use reviewwatch::startup;
    use std::time::{Duration, Instant};

    const BATCH: usize = 5_000;
    const QUERIES: usize = 200;

    pub fn run(sizes: &[usize]) {
        let rt = tokio::runtime::Runtime::new().expect("a runtime");
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut settings = Settings::for_data_dir(dir.path().to_path_buf());
        let pg_name = std::env::var("TEST_DATABASE_URL").ok().map(|admin| {
            let name = format!("rw_bench_texts_{}", std::process::id());
            let mut c = <diesel::PgConnection as diesel::Connection>::establish(&admin)
                .expect("TEST_DATABASE_URL answers");
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut c)
                .expect("create the bench database");
            let mut url = url::Url::parse(&admin).expect("a URL");
            url.set_path(&format!("/{name}"));
            settings.database_url = url.to_string();
            (admin, name)
        });
        std::fs::create_dir_all(&settings.data_dir).expect("data folder");
        let (pool, _) = rt
            .block_on(startup::open_database(&settings))
            .expect("the database opens");
        let mut conn = pool.get().expect("a connection");
        let backend = match &mut *conn {
            DbConnection::Sqlite(_) => "SQLite",
            DbConnection::Postgres(_) => "PostgreSQL",
        };
        // The texts point at case ids that have no case row: the index is what is measured.
        match &mut *conn {
            DbConnection::Sqlite(_) => {
                diesel::sql_query("PRAGMA foreign_keys = OFF")
                    .execute(&mut *conn)
                    .expect("pragma");
            }
            DbConnection::Postgres(_) => {
                for t in ["text_bands", "case_texts"] {
                    diesel::sql_query(format!("ALTER TABLE {t} DISABLE TRIGGER ALL"))
                        .execute(&mut *conn)
                        .expect("triggers off");
                }
            }
        }
        println!(
            "lookup of one new text on {backend}, parameters k={} bands={} rows={}, at most {} candidates verified",
            ts::PARAMS.k,
            ts::PARAMS.bands,
            ts::PARAMS.rows,
            text_index::MOST_CANDIDATES
        );
        println!("  indexed texts   fill s   p50 ms   p90 ms   p99 ms   max ms   copies found");
        let mut g = Generator::new(7);
        let mut kept: Vec<String> = Vec::new();
        let mut filled = 0usize;
        let now = db::now();
        let mut sizes = sizes.to_vec();
        sizes.sort_unstable();
        for n in sizes {
            let started = Instant::now();
            while filled < n {
                let batch = BATCH.min(n - filled);
                let bodies: Vec<String> = (0..batch)
                    .map(|_| {
                        let product = PRODUCTS[g.rng.random_range(0..PRODUCTS.len())];
                        g.review(product)
                    })
                    .collect();
                let texts: Vec<text_index::NewText<'_>> = bodies
                    .iter()
                    .enumerate()
                    .filter_map(|(i, body)| {
                        Some(text_index::NewText {
                            case_id: CaseId((filled + i + 1) as i64),
                            source: TextSource::Description,
                            body,
                            fingerprint: ts::fingerprint(body)?,
                            created_at: now,
                        })
                    })
                    .collect();
                db::write_transaction(&mut conn, |c| text_index::insert_many(c, &texts))
                    .expect("insert");
                // A few indexed texts to send edited copies of.
                if kept.len() < QUERIES {
                    kept.push(bodies[0].clone());
                }
                filled += batch;
            }
            if let DbConnection::Postgres(_) = &mut *conn {
                diesel::sql_query("ANALYZE")
                    .execute(&mut *conn)
                    .expect("analyze");
            }
            let fill = started.elapsed().as_secs_f64();
            let mut times = Vec::new();
            let mut found = 0;
            for q in 0..QUERIES {
                // Half the lookups are edited copies of an indexed text, half new reviews.
                let body = if q % 2 == 0 {
                    let original = kept[q % kept.len()].clone();
                    g.edit(&original, 0.10)
                } else {
                    let product = PRODUCTS[g.rng.random_range(0..PRODUCTS.len())];
                    g.review(product)
                };
                let Some(fp) = ts::fingerprint(&body) else {
                    continue;
                };
                let t = Instant::now();
                let matches = text_index::lookup(
                    &mut conn,
                    CaseId(0),
                    TextSource::Description,
                    &body,
                    &fp.signature,
                )
                .expect("lookup");
                times.push(t.elapsed());
                if q % 2 == 0 && !matches.is_empty() {
                    found += 1;
                }
            }
            times.sort();
            let at = |p: f64| -> f64 {
                let i = ((times.len() as f64 - 1.0) * p).round() as usize;
                times
                    .get(i)
                    .copied()
                    .unwrap_or(Duration::ZERO)
                    .as_secs_f64()
                    * 1000.0
            };
            println!(
                "  {n:13}   {fill:6.0}   {:6.2}   {:6.2}   {:6.2}   {:6.2}   {found}/{}",
                at(0.5),
                at(0.9),
                at(0.99),
                at(1.0),
                QUERIES / 2
            );
        }
        drop(conn);
        drop(pool);
        if let Some((admin, name)) = pg_name {
            let mut c = <diesel::PgConnection as diesel::Connection>::establish(&admin)
                .expect("TEST_DATABASE_URL answers");
            let _ = diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut c);
        }
    }
}
