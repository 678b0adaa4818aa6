//! Page throughput against a bare actix-web handler measured in the same run.
//!
//! `cargo bench --bench pages` starts the real application (SQLite in a temporary folder, mail
//! to files) and a bare actix-web server on loopback, drives both with the same client at the
//! same concurrency, and prints requests per second and latency for each scenario, with the
//! ratio to the bare handler. Results go in docs/PERFORMANCE.md.

use actix_web::{App, HttpResponse, HttpServer, web};
use reviewwatch::config::Settings;
use reviewwatch::startup::Application;
use std::io::Cursor;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 16;

struct Outcome {
    name: &'static str,
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Outcome {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
    fn percentile(&self, p: f64) -> Duration {
        let mut l = self.latencies.clone();
        l.sort();
        l.get(((l.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or_default()
    }
}

/// Runs `total` requests made by `make` with CONCURRENCY in flight.
async fn drive<F, Fut>(name: &'static str, total: usize, make: F) -> Outcome
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = reqwest::StatusCode> + Send,
{
    let make = Arc::new(make);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (make, next) = (make.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let t = Instant::now();
                let status = make(i).await;
                assert!(
                    status.is_success() || status.is_redirection() || status == 404,
                    "{name}: {status}"
                );
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("bench task"));
    }
    Outcome {
        name,
        requests: total,
        elapsed: start.elapsed(),
        latencies,
    }
}

fn screenshot_png(seed: u32) -> Vec<u8> {
    // A phone screenshot's size: 1080×2400, flat colour bands with some texture, like an app screen.
    let img = image::RgbImage::from_fn(1080, 2400, |x, y| {
        let band = (y / 120 + seed) % 5;
        let base = [
            [250, 250, 250],
            [255, 240, 235],
            [235, 245, 255],
            [245, 245, 245],
            [255, 255, 255],
        ][band as usize];
        let text = (x / 9 + y / 3 + seed).is_multiple_of(17) && x % 540 > 60;
        if text {
            image::Rgb([40, 40, 40])
        } else {
            image::Rgb(base)
        }
    });
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encode png");
    out
}

fn form_token(html: &str) -> String {
    let marker = "name=\"form_token\" value=\"";
    html.split(marker)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut settings = Settings::for_data_dir(dir.path().to_path_buf());
    settings.min_form_seconds = 0;
    settings.rate_limit_reports_per_hour = 0;
    settings.rate_limit_track_per_hour = 0;
    let app = Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());

    // The baseline: a bare actix-web handler returning a fixed page of the landing page's size.
    let landing_size = reqwest::get(format!("{base}/")).await?.bytes().await?.len();
    let fixed = "x".repeat(landing_size);
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let bare_port = listener.local_addr()?.port();
    let bare = HttpServer::new(move || {
        let body = fixed.clone();
        App::new().route(
            "/",
            web::get().to(move || {
                let body = body.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("text/html; charset=utf-8")
                        .body(body)
                }
            }),
        )
    })
    .listen(listener)?
    .run();
    tokio::spawn(bare);
    let bare_url = format!("http://127.0.0.1:{bare_port}/");

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()?;

    // One filed report to track, with its receipt code.
    let form = client
        .get(format!("{base}/reports/new"))
        .send()
        .await?
        .text()
        .await?;
    let png = screenshot_png(0);
    let filing = client
        .post(format!("{base}/reports"))
        .multipart(report_form(&form_token(&form), png.clone()))
        .send()
        .await?;
    assert_eq!(filing.status(), 303, "filing for the tracking scenario");
    let receipt = client
        .get(format!("{base}/reports/receipt"))
        .send()
        .await?
        .text()
        .await?;
    let pick = |id: &str| -> String {
        let marker = format!("id=\"{id}\"");
        receipt
            .split(&marker)
            .nth(1)
            .and_then(|r| r.split('>').nth(1))
            .and_then(|r| r.split('<').next())
            .unwrap_or_default()
            .to_string()
    };
    let (number, code) = (pick("case-number"), pick("receipt-code"));

    let mut results = Vec::new();
    let c = client.clone();
    let u = bare_url.clone();
    results.push(
        drive("bare actix-web handler (baseline)", 4000, move |_| {
            let (c, u) = (c.clone(), u.clone());
            async move {
                c.get(&u)
                    .send()
                    .await
                    .map(|r| r.status())
                    .unwrap_or(reqwest::StatusCode::IM_A_TEAPOT)
            }
        })
        .await,
    );
    for (name, path, n) in [
        ("GET / (landing)", "/", 4000),
        (
            "GET /reports/new (form, 3,429 regions)",
            "/reports/new",
            1000,
        ),
        ("GET /track (form)", "/track", 4000),
    ] {
        let c = client.clone();
        let u = format!("{base}{path}");
        results.push(
            drive(name, n, move |_| {
                let (c, u) = (c.clone(), u.clone());
                async move {
                    match c.get(&u).send().await {
                        Ok(r) => {
                            let s = r.status();
                            let _ = r.bytes().await;
                            s
                        }
                        Err(_) => reqwest::StatusCode::IM_A_TEAPOT,
                    }
                }
            })
            .await,
        );
    }
    {
        // Each request with its own cookie jar: opening a case renews the session.
        let u = format!("{base}/track");
        let (number, code) = (number.clone(), code.clone());
        results.push(
            drive("POST /track (open case: HMAC + lookup)", 2000, move |_| {
                let (u, number, code) = (u.clone(), number.clone(), code.clone());
                async move {
                    let c = reqwest::Client::builder()
                        .redirect(reqwest::redirect::Policy::none())
                        .build()
                        .expect("client");
                    c.post(&u)
                        .form(&[("case_number", number), ("receipt_code", code)])
                        .send()
                        .await
                        .map(|r| r.status())
                        .unwrap_or(reqwest::StatusCode::IM_A_TEAPOT)
                }
            })
            .await,
        );
    }
    {
        let c = client.clone();
        let u = format!("{base}/track/case");
        // The client's session holds the filed case.
        results.push(
            drive("GET /track/case (case page: 3 queries)", 2000, move |_| {
                let (c, u) = (c.clone(), u.clone());
                async move {
                    c.get(&u)
                        .send()
                        .await
                        .map(|r| r.status())
                        .unwrap_or(reqwest::StatusCode::IM_A_TEAPOT)
                }
            })
            .await,
        );
    }
    {
        let u = base.clone();
        let shots: Arc<Vec<Vec<u8>>> = Arc::new((1..=8).map(screenshot_png).collect());
        results.push(
            drive(
                "POST /reports (1 screenshot 1080×2400 PNG)",
                80,
                move |i| {
                    let (u, shots) = (u.clone(), shots.clone());
                    async move {
                        let c = reqwest::Client::builder()
                            .redirect(reqwest::redirect::Policy::none())
                            .cookie_store(true)
                            .build()
                            .expect("client");
                        let form = match c.get(format!("{u}/reports/new")).send().await {
                            Ok(r) => r.text().await.unwrap_or_default(),
                            Err(_) => return reqwest::StatusCode::IM_A_TEAPOT,
                        };
                        let png = shots[i % shots.len()].clone();
                        c.post(format!("{u}/reports"))
                            .multipart(report_form(&form_token(&form), png))
                            .send()
                            .await
                            .map(|r| r.status())
                            .unwrap_or(reqwest::StatusCode::IM_A_TEAPOT)
                    }
                },
            )
            .await,
        );
    }

    let baseline = results[0].rps();
    println!(
        "\nconcurrency {CONCURRENCY}, loopback, SQLite, {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!(
        "{:<48} {:>8} {:>10} {:>9} {:>9} {:>9}",
        "scenario", "requests", "req/s", "p50 ms", "p99 ms", "vs bare"
    );
    for r in &results {
        println!(
            "{:<48} {:>8} {:>10.0} {:>9.2} {:>9.2} {:>8.3}x",
            r.name,
            r.requests,
            r.rps(),
            r.percentile(0.5).as_secs_f64() * 1000.0,
            r.percentile(0.99).as_secs_f64() * 1000.0,
            r.rps() / baseline
        );
    }
    Ok(())
}

fn report_form(token: &str, png: Vec<u8>) -> reqwest::multipart::Form {
    let part = reqwest::multipart::Part::bytes(png)
        .file_name("screenshot.png")
        .mime_str("image/png")
        .expect("mime");
    reqwest::multipart::Form::new()
        .text("form_token", token.to_string())
        .text("platform", "pinduoduo")
        .text("shop_name", "某某旗舰店")
        .text(
            "shop_url",
            "https://mobile.yangkeduo.com/mall_page.html?mall_id=123",
        )
        .text("region_code", "440113")
        .text("category", "cashback_for_review")
        .text("seen_on", "2026-11-20")
        .text("description", "收到好评返现卡：五星好评截图返现 5 元。")
        .text("language", "zh-CN")
        .part("evidence", part)
}
