//! The officer queue: whole-page time per view for a signed-in supervisor.

use crate::servers::{Dataset, Process, RssSampler, SUPERVISOR_EMAIL, SUPERVISOR_PASSWORD};
use anyhow::{Context, bail};
use std::time::Instant;

pub struct ViewTime {
    pub view: String,
    /// Fewer than asked when the view took over 2 s.
    pub requests: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub goal_p99_ms: f64,
}

pub struct QueueFigures {
    pub dataset: String,
    pub requests: usize,
    pub views: Vec<ViewTime>,
    pub rss_peak_mib: f64,
}

/// (label, query string, goal p99 ms).
const VIEWS: &[(&str, &str, f64)] = &[
    ("default (open, by activity)", "", 50.0),
    ("`status=all`", "status=all", 50.0),
    ("`sort=oldest`", "sort=oldest", 50.0),
    (
        "`platform=pinduoduo&category=cashback_for_review&province=440000`",
        "platform=pinduoduo&category=cashback_for_review&province=440000",
        50.0,
    ),
    ("`overdue=1`", "overdue=1", 50.0),
    ("`assignee=nobody`", "assignee=nobody", 50.0),
    ("`status=submitted`", "status=submitted", 50.0),
    ("`sort=deadline`", "sort=deadline", 50.0),
    ("search 好评返现", "q=好评返现", 150.0),
    ("search 体验官", "q=体验官", 150.0),
    ("search 旗舰店", "q=旗舰店", 150.0),
    ("search 返现 (two characters)", "q=返现", 150.0),
];

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The `href` of the page's `a[rel=next]`, if any.
fn next_link(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("a[rel=next]").ok()?;
    doc.select(&sel)
        .next()
        .and_then(|a| a.value().attr("href"))
        .map(str::to_string)
}

fn absolute(base: &str, href: &str) -> String {
    if href.starts_with("http") {
        href.to_string()
    } else if href.starts_with('/') {
        format!("{base}{href}")
    } else {
        format!("{base}/officer/cases{href}")
    }
}

async fn page(client: &reqwest::Client, url: &str) -> anyhow::Result<(f64, String)> {
    let started = Instant::now();
    let res = client.get(url).send().await?;
    let status = res.status();
    let body = res.text().await?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if status != reqwest::StatusCode::OK {
        bail!("{url} answered {status}");
    }
    Ok((ms, body))
}

/// Signs the bench's supervisor in through the login form: a client holding the session.
pub async fn signed_in(base: &str) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()?;
    let res = client
        .post(format!("{base}/officer/login"))
        .form(&[
            ("email", SUPERVISOR_EMAIL),
            ("password", SUPERVISOR_PASSWORD),
            ("next", ""),
        ])
        .send()
        .await?;
    if res.status() != reqwest::StatusCode::SEE_OTHER {
        bail!("the supervisor's sign-in answered {}", res.status());
    }
    Ok(client)
}

pub async fn measure(
    config: &crate::Config,
    dataset: &Dataset,
    portal: &Process,
) -> anyhow::Result<QueueFigures> {
    let client = signed_in(&portal.base).await?;
    let base = &portal.base;
    let queue = format!("{base}/officer/cases");
    let rss = RssSampler::start(portal.pid());

    let mut urls: Vec<(String, String, f64)> = VIEWS
        .iter()
        .map(|(label, q, goal)| {
            let url = if q.is_empty() {
                queue.clone()
            } else {
                let mut u = url::Url::parse(&queue).expect("a URL");
                u.set_query(Some(q));
                u.to_string()
            };
            (label.to_string(), url, *goal)
        })
        .collect();
    // The deep keyset page: follow "next" from the default view.
    let mut deep = queue.clone();
    let mut depth = 0;
    for _ in 0..config.deep_pages {
        let (_, body) = page(&client, &deep).await?;
        match next_link(&body) {
            Some(href) => {
                deep = absolute(base, &href);
                depth += 1;
            }
            None => break,
        }
    }
    urls.insert(
        3,
        (
            format!("deep keyset page (page {} of the default view)", depth + 1),
            deep,
            50.0,
        ),
    );

    let mut views = Vec::new();
    for (label, url, goal) in urls {
        let (warm_ms, _) = page(&client, &url)
            .await
            .with_context(|| format!("queue view {label}"))?;
        // A view that takes seconds is measured fewer times (its figure is far off the goal
        // anyway), so that one slow view does not hold the run for minutes.
        let requests = if warm_ms > 2000.0 {
            config.queue_requests.min(3)
        } else {
            config.queue_requests
        };
        let mut times = Vec::with_capacity(requests);
        for _ in 0..requests {
            times.push(page(&client, &url).await?.0);
        }
        times.sort_by(f64::total_cmp);
        let v = ViewTime {
            view: label,
            requests,
            p50_ms: percentile(&times, 0.5),
            p99_ms: percentile(&times, 0.99),
            goal_p99_ms: goal,
        };
        eprintln!(
            "   queue {:<70} p50 {:>8.1} ms  p99 {:>8.1} ms",
            v.view, v.p50_ms, v.p99_ms
        );
        views.push(v);
    }
    Ok(QueueFigures {
        dataset: dataset.label(),
        requests: config.queue_requests,
        views,
        rss_peak_mib: rss.finish(),
    })
}
