//! The one benchmark command of issue 14: `bash benches/run.sh` (or `cargo bench --bench load`).
//!
//! Everything measured runs in processes of its own: the real `reviewwatch serve` (the release
//! binary cargo builds for this bench), a bare actix-web + askama server (this binary started
//! again as `--bare-server …`), and `wrk` as the load generator for the page ratios. This
//! process only prepares data, drives the slower scenarios (queue, uploads, mail) as a client,
//! samples the server's memory and prints one markdown table at the end.
//!
//! Settings (environment):
//! - `BENCH_SECONDS` (10): how long each `wrk` run lasts;
//! - `BENCH_CASES` ("10000,1000000"): the database sizes for pages and queue, made once with
//!   `reviewwatch seed-demo --cases N` and kept in `<target dir>/bench-data/<backend>-<N>/`;
//! - `BENCH_DATABASE_URL` (or `TEST_DATABASE_URL`): a PostgreSQL server; each size is then also
//!   measured there, in a database `bench_<N>` (created and seeded once);
//! - `BENCH_QUEUE_REQUESTS` (20): requests per queue view; `BENCH_DEEP_PAGES` (20): how many
//!   "next" links the deep keyset page follows;
//! - `BENCH_UPLOADS` (64): reports filed by the 16 upload clients; `BENCH_MAILS` (500): mails;
//! - `BENCH_ONLY`: a comma-separated subset of `pages,queue,uploads,mail` (default: all);
//! - `BENCH_BACKENDS`: `sqlite`, `postgres` or both (default: both, PostgreSQL only with a URL).

mod mail;
mod pages;
mod queue;
mod report;
mod servers;
mod soak;
mod uploads;

use report::Report;
use servers::{Backend, Dataset};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// What one run measures and how long it takes.
pub struct Config {
    pub seconds: u64,
    pub sizes: Vec<usize>,
    pub database_url: Option<String>,
    pub queue_requests: usize,
    pub deep_pages: usize,
    pub uploads: usize,
    pub mails: usize,
    pub only: Option<Vec<String>>,
    pub backends: Option<Vec<String>>,
    /// `<target dir>/bench-data`.
    pub data_root: std::path::PathBuf,
}

impl Config {
    fn from_env() -> anyhow::Result<Self> {
        let sizes = std::env::var("BENCH_CASES")
            .unwrap_or_else(|_| "10000,1000000".into())
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().replace('_', "").parse::<usize>())
            .collect::<Result<Vec<_>, _>>()?;
        let database_url = ["BENCH_DATABASE_URL", "TEST_DATABASE_URL"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()));
        let list = |name: &str| {
            std::env::var(name).ok().map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            })
        };
        let only = list("BENCH_ONLY");
        let backends = list("BENCH_BACKENDS");
        Ok(Self {
            seconds: env_or("BENCH_SECONDS", 10),
            sizes,
            database_url,
            queue_requests: env_or("BENCH_QUEUE_REQUESTS", 20usize).max(1),
            deep_pages: env_or("BENCH_DEEP_PAGES", 20),
            uploads: env_or("BENCH_UPLOADS", 64usize).max(1),
            mails: env_or("BENCH_MAILS", 500usize).max(1),
            only,
            backends,
            data_root: servers::target_dir().join("bench-data"),
        })
    }

    pub fn wants_backend(&self, backend: &str) -> bool {
        self.backends
            .as_ref()
            .is_none_or(|b| b.iter().any(|p| p == backend))
    }

    pub fn wants(&self, part: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|p| p == part))
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--bare-server") {
        return servers::bare::run(&args[i + 1..]);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if args.iter().any(|a| a == "--soak") {
        return runtime.block_on(soak::run());
    }
    runtime.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    std::fs::create_dir_all(&config.data_root)?;
    let mut report = Report::new(&config);
    let wrk = pages::Wrk::find();
    if wrk.is_none() && config.wants("pages") {
        eprintln!(
            "wrk is not installed: the page ratios are skipped (Debian: apt-get install wrk; benches/run.sh does it)"
        );
        report.note("page ratios skipped: `wrk` is not installed");
    }

    let mut backends = Vec::new();
    if config.wants_backend("sqlite") {
        backends.push(Backend::Sqlite);
    }
    if let (Some(url), true) = (&config.database_url, config.wants_backend("postgres")) {
        backends.push(Backend::Postgres(url.clone()));
    }
    if config.wants("pages") || config.wants("queue") {
        for backend in &backends {
            for &cases in &config.sizes {
                eprintln!("== {} with {cases} cases", backend.name());
                let dataset = match Dataset::prepare(&config, backend, cases).await {
                    Ok(d) => d,
                    Err(e) => {
                        eprintln!("   cannot prepare the data: {e:#}");
                        report.note(&format!(
                            "{} {cases}: the data could not be prepared: {e:#}",
                            backend.name()
                        ));
                        continue;
                    }
                };
                if let Some(took) = &dataset.seeded_in {
                    report.note(&format!(
                        "{}: `reviewwatch seed-demo --cases {cases}` took {took} when the dataset was made",
                        dataset.label()
                    ));
                }
                let log = config.data_root.join(format!(
                    "serve-{}-{cases}.log",
                    backend.name().to_lowercase()
                ));
                let portal = match servers::Process::portal_for(&dataset, &log).await {
                    Ok(p) => p,
                    Err(e) => {
                        report.note(&format!(
                            "{}: the portal did not start: {e:#}",
                            dataset.label()
                        ));
                        continue;
                    }
                };
                if let (Some(wrk), true) = (&wrk, config.wants("pages")) {
                    match pages::measure(&config, wrk, &dataset, &portal).await {
                        Ok(p) => report.pages.push(p),
                        Err(e) => {
                            report.note(&format!("pages, {}: failed: {e:#}", dataset.label()))
                        }
                    }
                }
                if config.wants("queue") {
                    match queue::measure(&config, &dataset, &portal).await {
                        Ok(q) => report.queues.push(q),
                        Err(e) => {
                            report.note(&format!("queue, {}: failed: {e:#}", dataset.label()))
                        }
                    }
                }
            }
        }
    }
    if config.wants("uploads") {
        match uploads::measure(&config).await {
            Ok(u) => report.uploads = Some(u),
            Err(e) => report.note(&format!("uploads: failed: {e:#}")),
        }
    }
    if config.wants("mail") {
        match mail::measure(&config).await {
            Ok(m) => report.mail = Some(m),
            Err(e) => report.note(&format!("mail: failed: {e:#}")),
        }
    }
    println!("{}", report.render());
    Ok(())
}
