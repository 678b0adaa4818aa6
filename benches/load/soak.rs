//! Load with nothing lost (issue 15, item 4): `bash benches/soak.sh`, which starts an
//! S3-compatible server and runs this binary with `--soak`.
//!
//! Two `reviewwatch serve` processes on one PostgreSQL database and one bucket, no shared
//! folder. For `SOAK_SECONDS` (60), `SOAK_CLIENTS` (50) shoppers file reports with two
//! real-looking screenshots each (1170×2532 PNG, 1080×2400 JPEG), taking turns between the
//! instances, every other report with an email address; meanwhile two officers (one on each
//! instance) page through the queue and take cases. Afterwards: every receipt opens its case on
//! the *other* instance with both screenshots; no answer was a 5xx; each emailed shopper got
//! their confirmation mail once; each server's peak RSS stayed under 200 MiB. Prints a table and
//! exits non-zero when any of it failed.

use crate::mail::start_sink;
use crate::servers::{Process, RssSampler};
use crate::uploads::{Screens, form_token, read_receipt, report_form};
use anyhow::{Context, bail};
use diesel::{Connection, RunQueryDsl};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const RSS_GOAL_MIB: f64 = 200.0;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .timeout(Duration::from_secs(120))
        .build()?)
}

/// What the run saw.
#[derive(Default)]
struct Tally {
    receipts: Mutex<Vec<(String, String)>>,
    emailed: Mutex<Vec<String>>,
    server_errors: AtomicUsize,
    /// Requests that failed without an answer, or were refused (4xx) when they should not be.
    other_failures: Mutex<Vec<String>>,
    queue_pages: AtomicUsize,
    taken: AtomicUsize,
}

impl Tally {
    fn status(&self, what: &str, status: reqwest::StatusCode) {
        if status.is_server_error() {
            self.server_errors.fetch_add(1, Ordering::Relaxed);
            self.fail(format!("{what}: {status}"));
        }
    }

    fn fail(&self, what: String) {
        if let Ok(mut f) = self.other_failures.lock() {
            f.push(what);
        }
    }
}

/// One shopper's report `n` on `base`; with an address on odd `n`.
async fn file(base: &str, screens: &Screens, n: usize, tally: &Tally) -> anyhow::Result<()> {
    let client = client()?;
    let form = client.get(format!("{base}/reports/new")).send().await?;
    tally.status("GET /reports/new", form.status());
    let token = form_token(&form.text().await?).context("no form_token")?;
    let (png, jpeg) = screens.pair(n);
    let mut multipart = report_form(&token, n, png, jpeg)?;
    let email = (n % 2 == 1).then(|| format!("soak{n}@example.com"));
    if let Some(email) = &email {
        multipart = multipart.text("email", email.clone());
    }
    let res = client
        .post(format!("{base}/reports"))
        .multipart(multipart)
        .send()
        .await?;
    tally.status("POST /reports", res.status());
    if res.status() != reqwest::StatusCode::SEE_OTHER {
        bail!("POST /reports answered {}", res.status());
    }
    let (number, code) = read_receipt(&client, base).await?;
    if let Ok(mut r) = tally.receipts.lock() {
        r.push((number, code));
    }
    if let (Some(email), Ok(mut e)) = (email, tally.emailed.lock()) {
        e.push(email);
    }
    Ok(())
}

/// The fields of the case page's form `data-action="take"`: (action URL, fields).
fn take_form(html: &str) -> Option<(String, Vec<(String, String)>)> {
    let doc = scraper::Html::parse_document(html);
    let form_sel = scraper::Selector::parse("form[data-action=take]").ok()?;
    let input_sel = scraper::Selector::parse("input[name]").ok()?;
    let form = doc.select(&form_sel).next()?;
    let action = form.value().attr("action")?.to_string();
    let fields = form
        .select(&input_sel)
        .filter_map(|i| {
            let v = i.value();
            Some((
                v.attr("name")?.to_string(),
                v.attr("value").unwrap_or("").to_string(),
            ))
        })
        .collect();
    Some((action, fields))
}

/// The case numbers linked from a queue page.
fn case_links(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let Ok(sel) = scraper::Selector::parse("a[href^='/officer/cases/RW-']") else {
        return Vec::new();
    };
    doc.select(&sel)
        .filter_map(|a| a.value().attr("href"))
        .filter_map(|h| h.strip_prefix("/officer/cases/"))
        .map(|n| n.split(['?', '#', '/']).next().unwrap_or(n).to_string())
        .collect()
}

/// An officer on `base` until `stop`: the queue of submitted cases, page after page, taking
/// the first case of each page.
async fn work_the_queue(
    base: String,
    stop: Arc<AtomicBool>,
    tally: Arc<Tally>,
) -> anyhow::Result<()> {
    let client = crate::queue::signed_in(&base).await?;
    while !stop.load(Ordering::Relaxed) {
        let res = client
            .get(format!("{base}/officer/cases?status=submitted&sort=oldest"))
            .send()
            .await?;
        tally.status("GET /officer/cases", res.status());
        let page = res.text().await?;
        tally.queue_pages.fetch_add(1, Ordering::Relaxed);
        let Some(number) = case_links(&page).into_iter().next() else {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        };
        let res = client
            .get(format!("{base}/officer/cases/{number}"))
            .send()
            .await?;
        tally.status("GET /officer/cases/{number}", res.status());
        let Some((action, fields)) = take_form(&res.text().await?) else {
            continue;
        };
        let res = client
            .post(format!("{base}{action}"))
            .form(&fields)
            .send()
            .await?;
        tally.status("POST take", res.status());
        match res.status() {
            // Taken; or the other officer took it first (the version check).
            reqwest::StatusCode::SEE_OTHER => {
                tally.taken.fetch_add(1, Ordering::Relaxed);
            }
            reqwest::StatusCode::CONFLICT => {}
            other => tally.fail(format!("take {number}: {other}")),
        }
    }
    Ok(())
}

/// Opens case `number` with its code on `base` and loads each screenshot: how many loaded.
async fn open_case(base: &str, number: &str, code: &str, tally: &Tally) -> anyhow::Result<usize> {
    let client = client()?;
    let res = client
        .post(format!("{base}/track"))
        .form(&[("case_number", number), ("receipt_code", code)])
        .send()
        .await?;
    tally.status("POST /track", res.status());
    if res.status() != reqwest::StatusCode::SEE_OTHER {
        bail!("{number} does not open: {}", res.status());
    }
    let page = client.get(format!("{base}/track/case")).send().await?;
    tally.status("GET /track/case", page.status());
    let html = page.text().await?;
    let srcs: Vec<String> = {
        let doc = scraper::Html::parse_document(&html);
        let sel = scraper::Selector::parse("#evidence img").map_err(|e| anyhow::anyhow!("{e}"))?;
        doc.select(&sel)
            .filter_map(|i| i.value().attr("src").map(str::to_string))
            .collect()
    };
    let mut loaded = 0;
    for src in srcs {
        let img = client.get(format!("{base}{src}")).send().await?;
        tally.status("GET evidence", img.status());
        if img.status() == reqwest::StatusCode::OK && !img.bytes().await?.is_empty() {
            loaded += 1;
        }
    }
    Ok(loaded)
}

/// Screenshot-copy jobs not yet done.
fn pending_copies(database_url: &str) -> anyhow::Result<i64> {
    use diesel::{ExpressionMethods, QueryDsl};
    use reviewwatch::db::schema::jobs;
    let mut conn = diesel::PgConnection::establish(database_url)?;
    Ok(jobs::table
        .filter(jobs::kind.eq("make_screenshot_copies"))
        .filter(jobs::state.eq("pending"))
        .count()
        .get_result(&mut conn)?)
}

/// The lines of a server's log that say something failed.
fn errors_in(log: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("ERROR"))
        .map(|l| l.chars().take(400).collect())
        .collect()
}

/// The run's own PostgreSQL database, made from the admin URL and dropped when the run ends,
/// however it ends (done, an error, a panic): soak runs leave no `rw_soak_*` database behind.
/// Named by `SOAK_DATABASE_NAME` when `benches/soak.sh` chose the name (its exit trap drops it
/// too, should this process be killed), else at random.
struct SoakDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl SoakDatabase {
    fn create(admin_url: &str) -> anyhow::Result<Self> {
        let name = std::env::var("SOAK_DATABASE_NAME")
            .ok()
            .filter(|n| {
                n.starts_with("rw_soak_")
                    && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            })
            .unwrap_or_else(|| format!("rw_soak_{:08x}", rand::random::<u32>()));
        let mut conn = diesel::PgConnection::establish(admin_url)
            .with_context(|| format!("cannot connect to {admin_url}"))?;
        diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut conn)?;
        let mut url = url::Url::parse(admin_url)?;
        url.set_path(&format!("/{name}"));
        Ok(Self {
            admin_url: admin_url.to_string(),
            name,
            url: url.to_string(),
        })
    }
}

impl Drop for SoakDatabase {
    fn drop(&mut self) {
        // WITH (FORCE): a server still holding connections (a failed run) does not keep it.
        let dropped = diesel::PgConnection::establish(&self.admin_url)
            .map_err(anyhow::Error::from)
            .and_then(|mut conn| {
                diesel::sql_query(format!(
                    "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                    self.name
                ))
                .execute(&mut conn)
                .map_err(anyhow::Error::from)
            });
        match dropped {
            Ok(_) => eprintln!("soak: dropped the database {}", self.name),
            Err(e) => eprintln!("soak: could not drop the database {}: {e:#}", self.name),
        }
    }
}

pub async fn run() -> anyhow::Result<()> {
    let seconds: u64 = env_or("SOAK_SECONDS", 60);
    let clients: usize = env_or("SOAK_CLIENTS", 50);
    let admin_url = std::env::var("SOAK_DATABASE_URL")
        .context("SOAK_DATABASE_URL (a PostgreSQL server) is needed: benches/soak.sh sets it")?;
    let storage_url = std::env::var("STORAGE_URL")
        .context("STORAGE_URL (object storage) is needed: benches/soak.sh sets it")?;
    let root = tempfile::tempdir()?;
    // Declared before the servers, so dropped after them (and after their connections).
    let database = SoakDatabase::create(&admin_url)?;
    let database_url = database.url.clone();
    eprintln!(
        "soak: {clients} shoppers for {seconds} s on two instances, {database_url}, {storage_url}"
    );

    if !crate::servers::add_supervisor(&root.path().join("a"), Some(&database_url)).await? {
        bail!("reviewwatch officer add failed");
    }
    let (smtp_port, sink) = start_sink()?;
    let smtp = format!("smtp://127.0.0.1:{smtp_port}");
    let mut servers = Vec::new();
    for name in ["a", "b"] {
        let dir = root.path().join(name);
        std::fs::create_dir_all(&dir)?;
        let log = root.path().join(format!("{name}.log"));
        servers.push(Process::portal(&dir, Some(&database_url), Some(&smtp), &log).await?);
    }
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    let samplers: Vec<RssSampler> = servers.iter().map(|s| RssSampler::start(s.pid())).collect();
    let screens = Arc::new(Screens::load_or_make(root.path())?);

    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut shoppers = Vec::new();
    for _ in 0..clients {
        let (bases, screens, tally, next) =
            (bases.clone(), screens.clone(), tally.clone(), next.clone());
        shoppers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if let Err(e) = file(&bases[n % 2], &screens, n, &tally).await {
                    tally.fail(format!("report {n}: {e:#}"));
                }
            }
        }));
    }
    let officers: Vec<_> = bases
        .iter()
        .map(|b| tokio::spawn(work_the_queue(b.clone(), stop.clone(), tally.clone())))
        .collect();
    for s in shoppers {
        s.await?;
    }
    let filing_secs = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for o in officers {
        if let Err(e) = o.await? {
            tally.fail(format!("officer: {e:#}"));
        }
    }

    // The screenshots' copies are made by background jobs (either instance's): wait for them.
    let waited = Instant::now();
    while pending_copies(&database_url)? > 0 && waited.elapsed() < Duration::from_secs(300) {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let copies_secs = waited.elapsed().as_secs_f64();

    // Every receipt opens on the other instance, with both screenshots.
    let receipts = tally.receipts.lock().map(|r| r.clone()).unwrap_or_default();
    let mut incomplete = Vec::new();
    for (i, (number, code)) in receipts.iter().enumerate() {
        let other = &bases[(i + 1) % 2];
        match open_case(other, number, code, &tally).await {
            Ok(2) => {}
            Ok(n) => incomplete.push(format!("{number}: {n} of 2 screenshots")),
            Err(e) => incomplete.push(format!("{number}: {e:#}")),
        }
    }

    // Each emailed shopper's confirmation arrives once (the outbox drains within two minutes).
    let emailed = tally.emailed.lock().map(|e| e.clone()).unwrap_or_default();
    let waited = Instant::now();
    loop {
        let got = sink.recipients();
        if emailed.iter().all(|e| got.contains(e)) || waited.elapsed() > Duration::from_secs(120) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for r in sink.recipients() {
        *counts.entry(r).or_default() += 1;
    }
    let missing = emailed.iter().filter(|e| !counts.contains_key(*e)).count();
    let doubled = counts.values().filter(|&&n| n > 1).count();
    let rss: Vec<f64> = samplers.into_iter().map(RssSampler::finish).collect();
    drop(servers);

    let failures = tally
        .other_failures
        .lock()
        .map(|f| f.clone())
        .unwrap_or_default();
    let server_errors = tally.server_errors.load(Ordering::Relaxed);
    println!("\n| measure | value | goal |");
    println!("| --- | ---: | --- |");
    println!(
        "| reports filed ({clients} shoppers, {seconds} s, two instances) | {} ({:.1}/s) | — |",
        receipts.len(),
        receipts.len() as f64 / filing_secs
    );
    println!(
        "| queue pages read / cases taken by two officers | {} / {} | — |",
        tally.queue_pages.load(Ordering::Relaxed),
        tally.taken.load(Ordering::Relaxed)
    );
    println!(
        "| receipts that open on the other instance with both screenshots | {} of {} | all |",
        receipts.len() - incomplete.len(),
        receipts.len()
    );
    println!(
        "| copies of every screenshot made (background jobs) after the run | {copies_secs:.1} s | — |"
    );
    println!("| answers 5xx | {server_errors} | 0 |");
    println!("| other failed requests | {} | 0 |", failures.len());
    println!(
        "| confirmation mails: expected / missing / sent twice | {} / {missing} / {doubled} | all once |",
        emailed.len()
    );
    println!(
        "| peak RSS instance A / B | {:.0} / {:.0} MiB | ≤ {RSS_GOAL_MIB:.0} MiB |",
        rss[0], rss[1]
    );
    for f in failures.iter().chain(&incomplete).take(20) {
        eprintln!("   {f}");
    }
    for name in ["a", "b"] {
        for line in errors_in(&root.path().join(format!("{name}.log")))
            .iter()
            .take(10)
        {
            eprintln!("   [{name}] {line}");
        }
    }
    let ok = incomplete.is_empty()
        && server_errors == 0
        && failures.is_empty()
        && missing == 0
        && doubled == 0
        && rss.iter().all(|&r| r <= RSS_GOAL_MIB)
        && !receipts.is_empty();
    if !ok {
        bail!("the soak lost something or went over a goal (see above)");
    }
    println!("\nsoak: nothing lost");
    Ok(())
}
