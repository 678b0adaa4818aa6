//! Page ratios: the landing page and a reporter's tracked case page against bare actix-web +
//! askama pages of the same size, the load made by `wrk` in a process of its own.

use crate::servers::{Dataset, Process, RssSampler};
use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::Command;

/// The `wrk` on the PATH.
pub struct Wrk {
    path: PathBuf,
}

/// One `wrk` run.
#[derive(Debug, Clone, Default)]
pub struct WrkResult {
    pub requests: u64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Answers other than 2xx/3xx, and socket errors.
    pub bad: u64,
}

pub const THREADS: u32 = 2;
pub const CONNECTIONS: u32 = 32;

fn parse_duration_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    let (num, factor) = if let Some(v) = s.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = s.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = s.strip_suffix('m') {
        (v, 60_000.0)
    } else if let Some(v) = s.strip_suffix('s') {
        (v, 1000.0)
    } else {
        return None;
    };
    num.trim().parse::<f64>().ok().map(|n| n * factor)
}

fn parse_wrk(out: &str) -> anyhow::Result<WrkResult> {
    let mut r = WrkResult::default();
    for line in out.lines() {
        let l = line.trim();
        if let Some(v) = l.strip_prefix("Requests/sec:") {
            r.rps = v.trim().parse()?;
        } else if let Some(v) = l.strip_prefix("50%") {
            r.p50_ms = parse_duration_ms(v).context("wrk's 50% latency")?;
        } else if let Some(v) = l.strip_prefix("99%") {
            r.p99_ms = parse_duration_ms(v).context("wrk's 99% latency")?;
        } else if let Some(v) = l.strip_prefix("Non-2xx or 3xx responses:") {
            r.bad += v.trim().parse::<u64>().unwrap_or(0);
        } else if let Some(v) = l.strip_prefix("Socket errors:") {
            r.bad += v
                .split(',')
                .filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok())
                .sum::<u64>();
        } else if l.contains(" requests in ") {
            r.requests = l
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
        }
    }
    if r.rps == 0.0 {
        bail!("no result in wrk's output:\n{out}");
    }
    Ok(r)
}

impl Wrk {
    pub fn find() -> Option<Self> {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("wrk"))
                .find(|p| p.is_file())
                .map(|path| Self { path })
        })
    }

    /// `wrk -t2 -c32 -d{seconds}s --latency [-H cookie] url`.
    pub async fn run(
        &self,
        url: &str,
        seconds: u64,
        cookie: Option<&str>,
    ) -> anyhow::Result<WrkResult> {
        let mut cmd = Command::new(&self.path);
        cmd.arg(format!("-t{THREADS}"))
            .arg(format!("-c{CONNECTIONS}"))
            .arg(format!("-d{seconds}s"))
            .arg("--latency");
        if let Some(c) = cookie {
            cmd.arg("-H").arg(format!("Cookie: {c}"));
        }
        cmd.arg(url);
        let out = tokio::task::spawn_blocking(move || cmd.output()).await??;
        if !out.status.success() {
            bail!("wrk failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        parse_wrk(&String::from_utf8_lossy(&out.stdout))
    }

    /// A page against its baseline, both servers up: a short unrecorded run of each first
    /// (connections, caches), then `ROUNDS` runs of each, taking turns (the baseline first in
    /// odd rounds, the page in even ones), each `seconds / 2` long (2 s at least). The machine is
    /// shared: taking turns spreads a busy spell over both, and the median run of each is kept.
    async fn compare(
        &self,
        page: (&str, Option<&str>),
        baseline: &str,
        seconds: u64,
    ) -> anyhow::Result<(WrkResult, WrkResult)> {
        let (url, cookie) = page;
        self.run(baseline, 1, None).await?;
        self.run(url, 1, cookie).await?;
        let each = (seconds / 2).max(2);
        let (mut pages, mut baselines) = (Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            if round % 2 == 0 {
                baselines.push(self.run(baseline, each, None).await?);
                pages.push(self.run(url, each, cookie).await?);
            } else {
                pages.push(self.run(url, each, cookie).await?);
                baselines.push(self.run(baseline, each, None).await?);
            }
        }
        Ok((median_run(pages), median_run(baselines)))
    }
}

/// Runs of each server per page ratio.
pub const ROUNDS: usize = 3;

/// The run of median throughput, with the answers that were not 2xx/3xx of all the runs.
fn median_run(mut runs: Vec<WrkResult>) -> WrkResult {
    let bad: u64 = runs.iter().map(|r| r.bad).sum();
    runs.sort_by(|a, b| a.rps.total_cmp(&b.rps));
    let mut median = runs.swap_remove(runs.len() / 2);
    median.bad = bad;
    median
}

/// A page of the portal against its bare baseline.
#[derive(Debug, Clone)]
pub struct PageRatio {
    pub page: &'static str,
    pub bytes: usize,
    pub portal: WrkResult,
    pub bare: WrkResult,
    pub goal: f64,
}

impl PageRatio {
    pub fn ratio(&self) -> f64 {
        self.portal.rps / self.bare.rps.max(f64::MIN_POSITIVE)
    }
}

pub struct PageFigures {
    pub dataset: String,
    pub ratios: Vec<PageRatio>,
    pub rss_peak_mib: f64,
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    let cookies: Vec<String> = res
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(|v| v.trim().to_string())
        .collect();
    (!cookies.is_empty()).then(|| cookies.join("; "))
}

/// Views the case page as a browser does: its size, and the cookie the browser then holds (the
/// one it sent, unless the page set another).
async fn view_case_page(
    client: &reqwest::Client,
    url: &str,
    cookie: String,
) -> anyhow::Result<(usize, String)> {
    let page = client
        .get(url)
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await?;
    if page.status() != reqwest::StatusCode::OK {
        bail!("GET /track/case answered {}", page.status());
    }
    let cookie = session_cookie(&page).unwrap_or(cookie);
    Ok((page.bytes().await?.len(), cookie))
}

/// A case to track: the seeded example, else a report filed through the form.
async fn case_to_track(dataset: &Dataset, base: &str) -> anyhow::Result<(String, String)> {
    if let Some(example) = &dataset.example {
        return Ok(example.clone());
    }
    let shots =
        crate::uploads::Screens::load_or_make(&crate::servers::target_dir().join("bench-data"))?;
    crate::uploads::file_one(base, &shots, 0).await
}

pub async fn measure(
    config: &crate::Config,
    wrk: &Wrk,
    dataset: &Dataset,
    portal: &Process,
) -> anyhow::Result<PageFigures> {
    let secs = config.seconds;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let landing_url = format!("{}/", portal.base);
    let landing = client.get(&landing_url).send().await?;
    if !landing.status().is_success() {
        bail!("GET / answered {}", landing.status());
    }
    let landing_bytes = landing.bytes().await?.len();

    let (number, code) = case_to_track(dataset, &portal.base).await?;
    // Opening a case writes; right after start a housekeeping pass may hold the database's
    // write lock (seen once at 1,000,000 cases on SQLite: 500, "database is locked"): try again
    // for up to two minutes, and say so.
    let started = std::time::Instant::now();
    let opened = loop {
        let res = client
            .post(format!("{}/track", portal.base))
            .form(&[
                ("case_number", number.as_str()),
                ("receipt_code", code.as_str()),
            ])
            .send()
            .await?;
        if res.status().is_server_error() && started.elapsed().as_secs() < 120 {
            eprintln!("   POST /track answered {}; trying again", res.status());
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            continue;
        }
        break res;
    };
    if opened.status() != reqwest::StatusCode::SEE_OTHER {
        bail!("POST /track for {number} answered {}", opened.status());
    }
    let cookie = session_cookie(&opened).context("POST /track set no session cookie")?;
    let case_url = format!("{}/track/case", portal.base);
    let (case_bytes, cookie) = view_case_page(&client, &case_url, cookie).await?;
    eprintln!(
        "   pages: landing {landing_bytes} bytes, case page of {number} {case_bytes} bytes; \
         wrk {} s a run, {ROUNDS} runs of each server, taking turns",
        (secs / 2).max(2)
    );

    let mut ratios = Vec::new();
    let rss = RssSampler::start(portal.pid());

    let bare = Process::bare(&["static".into(), landing_bytes.to_string()]).await?;
    let (portal_landing, bare_static) = wrk
        .compare((&landing_url, None), &format!("{}/", bare.base), secs)
        .await?;
    drop(bare);
    ratios.push(PageRatio {
        page: "landing page `/`",
        bytes: landing_bytes,
        portal: portal_landing,
        bare: bare_static,
        goal: 0.8,
    });

    // The bare lookup reads the portal's own database: the same file, or the same server.
    let database = match &dataset.database_url {
        Some(url) => url.clone(),
        None => dataset.sqlite_file().to_string_lossy().into_owned(),
    };
    // The cookie a browser holds while its reporter reads the page: what the last view set
    // (the form token the page's forms needed; the inactivity clock, written back at most once a
    // minute, so fresh for the runs below). wrk sends one cookie throughout: the one POST /track
    // set would have the page write a new cookie on every view, which no browser does.
    let (_, cookie) = view_case_page(&client, &case_url, cookie).await?;
    let bare = Process::bare(&["lookup".into(), case_bytes.to_string(), database]).await?;
    let (portal_case, bare_lookup) = wrk
        .compare((&case_url, Some(&cookie)), &format!("{}/", bare.base), secs)
        .await?;
    drop(bare);
    if portal_case.bad > 0 {
        eprintln!(
            "   warning: {} answers of the case page were not 2xx/3xx",
            portal_case.bad
        );
    }
    ratios.push(PageRatio {
        page: "tracked case page `/track/case`",
        bytes: case_bytes,
        portal: portal_case,
        bare: bare_lookup,
        goal: 0.5,
    });
    Ok(PageFigures {
        dataset: dataset.label(),
        ratios,
        rss_peak_mib: rss.finish(),
    })
}
