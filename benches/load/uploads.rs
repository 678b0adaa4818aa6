//! Report submission: 16 clients filing reports through the real multipart form, each with two
//! real-looking screenshots, and where a file's time goes on the request path.

use crate::queue::percentile;
use crate::servers::{Process, RssSampler};
use anyhow::{Context, bail};
use image::{ImageEncoder, Rgb, RgbImage};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const CLIENTS: usize = 16;
/// Distinct screenshot pairs; each report's files are made unique with a comment on top.
const PAIRS: usize = 8;
const PNG_SIZE: (u32, u32) = (1170, 2532);
const JPEG_SIZE: (u32, u32) = (1080, 2400);

/// A small deterministic generator (xorshift), enough for image noise.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A phone screenshot of a shop's page: a status bar, a product photo (smooth shapes, light and
/// sensor noise), then a list of reviews (text-like strokes on white, avatars, a banner).
fn screenshot(width: u32, height: u32, seed: u64, noise_mask: u64) -> RgbImage {
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15 ^ (seed + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let photo_end = height * 45 / 100;
    let (fx, fy) = (
        0.004 + (seed % 5) as f32 * 0.001,
        0.003 + (seed % 3) as f32 * 0.001,
    );
    let mut img = RgbImage::new(width, height);
    for y in 0..height {
        // Text rows: 60 px apart below the photo, strokes in runs like glyphs.
        let row = (y.saturating_sub(photo_end)) / 60;
        let in_text_row = y > photo_end + 40 && (y - photo_end) % 60 < 30;
        let mut stroke_left = 0u32;
        for x in 0..width {
            let n = noise.next();
            let px = if y < 90 {
                Rgb([250, 250, 250])
            } else if y < photo_end {
                let (xf, yf) = (x as f32, y as f32);
                let r = 120.0 + 80.0 * (xf * fx + seed as f32).sin() * (yf * fy).cos();
                let g = 110.0 + 70.0 * (yf * fx * 1.3 + xf * 0.002).sin();
                let b = 100.0 + 60.0 * ((xf + yf) * fy * 0.8).cos();
                let half = (noise_mask / 2) as f32;
                let jitter = |v: f32, k: u64| {
                    (v + ((n >> k) & noise_mask) as f32 - half).clamp(0.0, 255.0) as u8
                };
                Rgb([jitter(r, 0), jitter(g, 8), jitter(b, 16)])
            } else if in_text_row && x > 140 && x < width - 40 {
                if stroke_left == 0 && n.is_multiple_of(9) {
                    stroke_left = 3 + (n >> 8) as u32 % 18;
                }
                if stroke_left > 0 {
                    stroke_left -= 1;
                    let shade = 40 + ((n >> 20) & 3) as u8 * 8;
                    Rgb([shade, shade, shade])
                } else {
                    Rgb([255, 255, 255])
                }
            } else if in_text_row && (30..110).contains(&x) {
                // An avatar.
                let c = (row as u64 * 37 + seed * 11) % 200;
                Rgb([55 + c as u8, 120, 200 - c as u8 / 2])
            } else if (y - photo_end) % 600 < 90 && y > photo_end {
                Rgb([255, 236, 230])
            } else {
                Rgb([255, 255, 255])
            };
            img.put_pixel(x, y, px);
        }
    }
    img
}

/// The screenshots, made once and kept in `bench-data/screens`.
pub struct Screens {
    pub pngs: Vec<Vec<u8>>,
    pub jpegs: Vec<Vec<u8>>,
}

impl Screens {
    pub fn load_or_make(root: &Path) -> anyhow::Result<Self> {
        let dir = root.join("screens");
        std::fs::create_dir_all(&dir)?;
        let mut pngs = Vec::new();
        let mut jpegs = Vec::new();
        for i in 0..PAIRS {
            let png = dir.join(format!("screen-{i}.png"));
            if !png.exists() {
                let img = screenshot(PNG_SIZE.0, PNG_SIZE.1, i as u64, 7);
                let mut out = Vec::new();
                image::codecs::png::PngEncoder::new_with_quality(
                    &mut out,
                    image::codecs::png::CompressionType::Best,
                    image::codecs::png::FilterType::Adaptive,
                )
                .write_image(
                    &img,
                    img.width(),
                    img.height(),
                    image::ExtendedColorType::Rgb8,
                )?;
                std::fs::write(&png, out)?;
            }
            let jpeg = dir.join(format!("photo-{i}.jpg"));
            if !jpeg.exists() {
                let img = screenshot(JPEG_SIZE.0, JPEG_SIZE.1, 100 + i as u64, 31);
                let mut out = Vec::new();
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92).write_image(
                    &img,
                    img.width(),
                    img.height(),
                    image::ExtendedColorType::Rgb8,
                )?;
                std::fs::write(&jpeg, out)?;
            }
            pngs.push(std::fs::read(&png)?);
            jpegs.push(std::fs::read(&jpeg)?);
        }
        Ok(Self { pngs, jpegs })
    }

    /// Report `n`'s two files: a pair's bytes with a comment naming `n` (so no two reports send
    /// the same file, as no two reporters do).
    pub fn pair(&self, n: usize) -> (Vec<u8>, Vec<u8>) {
        let i = n % self.pngs.len();
        let tag = format!("bench report {n}");
        (
            png_with_text(&self.pngs[i], &tag),
            jpeg_with_comment(&self.jpegs[i], &tag),
        )
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The PNG with a `tEXt` chunk before its `IEND`.
fn png_with_text(png: &[u8], text: &str) -> Vec<u8> {
    let iend = png.len().saturating_sub(12);
    let mut data = b"Comment\0".to_vec();
    data.extend_from_slice(text.as_bytes());
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    let mut typed = b"tEXt".to_vec();
    typed.extend_from_slice(&data);
    chunk.extend_from_slice(&typed);
    chunk.extend_from_slice(&crc32(&typed).to_be_bytes());
    let mut out = png[..iend].to_vec();
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[iend..]);
    out
}

/// The JPEG with a COM segment right after its SOI.
fn jpeg_with_comment(jpeg: &[u8], text: &str) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&((text.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn seen_on() -> String {
    let china_today = (chrono::Utc::now() + chrono::TimeDelta::hours(8)).date_naive();
    (china_today - chrono::TimeDelta::days(2))
        .format("%Y-%m-%d")
        .to_string()
}

/// The report form's fields, as a reporter fills them in (tests/journeys/helpers.rs `zh_cn`).
pub(crate) fn report_form(
    token: &str,
    n: usize,
    png: Vec<u8>,
    jpeg: Vec<u8>,
) -> anyhow::Result<reqwest::multipart::Form> {
    let mut form = reqwest::multipart::Form::new().text("form_token", token.to_string());
    for (k, v) in [
        ("platform", "taobao".to_string()),
        ("shop_name", format!("某某数码旗舰店{}", n % 97)),
        (
            "shop_url",
            format!("https://shop{}.taobao.com/", 100_000 + n % 997),
        ),
        ("region_province", "330000".into()),
        ("region_city", "330100".into()),
        ("region_code", "330110".into()),
        (
            "product_url",
            format!("https://item.taobao.com/item.htm?id={}", 6_543_210 + n),
        ),
        (
            "order_number",
            format!("{}", 2_026_112_512_345_678u64 + n as u64),
        ),
        ("category", "cashback_for_review".into()),
        (
            "description",
            "收到的包裹里有一张好评返现卡：五星好评并晒图，联系客服返现 5 元。随附截图。".into(),
        ),
        ("language", "zh-CN".into()),
        ("seen_on", seen_on()),
    ] {
        form = form.text(k, v);
    }
    let part = |bytes: Vec<u8>, name: &str, mime: &str| {
        reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str(mime)
    };
    Ok(form
        .part(
            "evidence",
            part(png, "Screenshot_20261201.png", "image/png")?,
        )
        .part("evidence", part(jpeg, "IMG_20261201.jpg", "image/jpeg")?))
}

pub(crate) fn form_token(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("input[name=form_token]").ok()?;
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_string)
}

pub(crate) fn text_of(html: &str, css: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).ok()?;
    doc.select(&sel)
        .next()
        .map(|e| e.text().collect::<String>().trim().to_string())
}

/// A reporter's browser: shows the form, sends report `n`; the time of the POST.
async fn file(
    base: &str,
    screens: &Screens,
    n: usize,
) -> anyhow::Result<(reqwest::Client, Duration)> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()?;
    let form = client
        .get(format!("{base}/reports/new"))
        .send()
        .await?
        .text()
        .await?;
    let token = form_token(&form).context("the report form has no form_token")?;
    let (png, jpeg) = screens.pair(n);
    let multipart = report_form(&token, n, png, jpeg)?;
    let started = Instant::now();
    let res = client
        .post(format!("{base}/reports"))
        .multipart(multipart)
        .send()
        .await?;
    let status = res.status();
    let body = res.text().await?;
    let took = started.elapsed();
    if status != reqwest::StatusCode::SEE_OTHER {
        let problem = text_of(&body, ".problems, .error, #problems").unwrap_or_default();
        bail!("POST /reports answered {status} {problem}");
    }
    Ok((client, took))
}

/// Files one report and reads its receipt: (case number, receipt code).
pub async fn file_one(base: &str, screens: &Screens, n: usize) -> anyhow::Result<(String, String)> {
    let (client, _) = file(base, screens, n).await?;
    read_receipt(&client, base).await
}

/// The receipt page the browser `client` was sent to: (case number, receipt code).
pub(crate) async fn read_receipt(
    client: &reqwest::Client,
    base: &str,
) -> anyhow::Result<(String, String)> {
    let receipt = client
        .get(format!("{base}/reports/receipt"))
        .send()
        .await?
        .text()
        .await?;
    Ok((
        text_of(&receipt, "#case-number").context("no case number on the receipt")?,
        text_of(&receipt, "#receipt-code").context("no receipt code on the receipt")?,
    ))
}

/// Where one file's time goes (ms, median of a few runs in this process, with the portal's own
/// functions).
pub struct FileSplit {
    pub file: String,
    pub bytes: usize,
    pub sniff_ms: f64,
    pub decode_ms: f64,
    /// SHA-256 of the bytes and writing them to the store.
    pub hash_write_ms: f64,
    /// What the request path runs on the file: `evidence::intake::take_in` (type from the
    /// bytes, full decode, then the original hashed and written with fsync).
    pub request_path_ms: f64,
    /// The display copy, thumbnail and hashes, made by the background job
    /// (`evidence::intake::make_copies`).
    pub copies_ms: f64,
}

impl FileSplit {
    /// The goal: at most the decode time plus twice hashing and writing.
    pub fn goal_ms(&self) -> f64 {
        self.sniff_ms + self.decode_ms + 2.0 * self.hash_write_ms
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    percentile(&v, 0.5)
}

fn split(label: &str, name: &str, bytes: &[u8], dir: &Path) -> anyhow::Result<FileSplit> {
    use reviewwatch::evidence::intake::{Intake, Upload, make_copies, take_in};
    use reviewwatch::evidence::{BlobKind, EvidenceLimits, EvidenceStore, Sha256Hex, inspect};
    let path = dir.join(name);
    std::fs::write(&path, bytes)?;
    let limits = EvidenceLimits::default();
    let upload = Upload {
        name: name.to_string(),
        path: path.clone(),
    };
    let (mut sniff, mut decode, mut hash_write, mut request, mut copies) =
        (vec![], vec![], vec![], vec![], vec![]);
    for run in 0..5 {
        // A store of its own each run, so that every blob is written anew.
        let store = EvidenceStore::new(dir.join(format!("store-{run}")));
        let t = Instant::now();
        let kind = inspect::sniff(&bytes[..bytes.len().min(1024)])
            .map_err(|d| anyhow::anyhow!("not an image: {d}"))?;
        sniff.push(t.elapsed().as_secs_f64() * 1000.0);

        let format = match kind {
            reviewwatch::evidence::ImageKind::Png => image::ImageFormat::Png,
            reviewwatch::evidence::ImageKind::Jpeg => image::ImageFormat::Jpeg,
            reviewwatch::evidence::ImageKind::Webp => image::ImageFormat::WebP,
        };
        let t = Instant::now();
        let img = image::ImageReader::with_format(std::io::Cursor::new(bytes), format).decode()?;
        decode.push(t.elapsed().as_secs_f64() * 1000.0);
        drop(img);

        let t = Instant::now();
        let sha = Sha256Hex::of_bytes(bytes);
        store.put_file(BlobKind::Original, &path, &sha)?;
        hash_write.push(t.elapsed().as_secs_f64() * 1000.0);
        store.remove(BlobKind::Original, &sha)?;

        let t = Instant::now();
        let taken = take_in(std::slice::from_ref(&upload), &limits, &store)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        request.push(t.elapsed().as_secs_f64() * 1000.0);
        let Intake::Kept(kept, _) = taken else {
            bail!("the portal refused {label}");
        };
        let stored = kept.first().context("take_in kept no file")?;

        let t = Instant::now();
        make_copies(&store, &stored.sha256, kind, &limits)
            .map_err(|e| anyhow::anyhow!("copies of {label}: {e}"))?;
        copies.push(t.elapsed().as_secs_f64() * 1000.0);
        std::fs::remove_dir_all(dir.join(format!("store-{run}")))?;
    }
    Ok(FileSplit {
        file: label.to_string(),
        bytes: bytes.len(),
        sniff_ms: median(sniff),
        decode_ms: median(decode),
        hash_write_ms: median(hash_write),
        request_path_ms: median(request),
        copies_ms: median(copies),
    })
}

pub struct UploadFigures {
    pub reports: usize,
    pub failed: usize,
    pub first_failure: Option<String>,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub rss_peak_mib: f64,
    pub splits: Vec<FileSplit>,
}

impl UploadFigures {
    pub fn per_second(&self) -> f64 {
        (self.reports - self.failed) as f64 / self.seconds.max(f64::MIN_POSITIVE)
    }
}

pub async fn measure(config: &crate::Config) -> anyhow::Result<UploadFigures> {
    eprintln!(
        "== uploads: {} reports from {CLIENTS} clients",
        config.uploads
    );
    let screens = Arc::new(
        tokio::task::spawn_blocking({
            let root = config.data_root.clone();
            move || Screens::load_or_make(&root)
        })
        .await??,
    );
    let run_dir = config.data_root.join("uploads-run");
    if run_dir.exists() {
        std::fs::remove_dir_all(&run_dir)?;
    }
    std::fs::create_dir_all(run_dir.join("data"))?;
    let portal = Process::portal(
        &run_dir.join("data"),
        None,
        None,
        &run_dir.join("serve.log"),
    )
    .await?;
    // One report first: the portal's lazily built pages and caches are not what is measured.
    file(&portal.base, &screens, usize::MAX / 2).await?;

    let rss = RssSampler::start(portal.pid());
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (next, screens, base, total) = (
            next.clone(),
            screens.clone(),
            portal.base.clone(),
            config.uploads,
        );
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut failures = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    break;
                }
                match file(&base, &screens, n).await {
                    Ok((_, took)) => times.push(took.as_secs_f64() * 1000.0),
                    Err(e) => failures.push(format!("{e:#}")),
                }
            }
            (times, failures)
        }));
    }
    let mut times = Vec::new();
    let mut failures = Vec::new();
    for t in tasks {
        let (t, f) = t.await?;
        times.extend(t);
        failures.extend(f);
    }
    let seconds = started.elapsed().as_secs_f64();
    let rss_peak_mib = rss.finish();
    drop(portal);
    times.sort_by(f64::total_cmp);

    let split_dir = run_dir.join("split");
    std::fs::create_dir_all(&split_dir)?;
    let (png, jpeg) = screens.pair(0);
    let splits = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<FileSplit>> {
        Ok(vec![
            split("PNG 1170×2532", "screen.png", &png, &split_dir)?,
            split("JPEG 1080×2400", "photo.jpg", &jpeg, &split_dir)?,
        ])
    })
    .await??;
    let figures = UploadFigures {
        reports: config.uploads,
        failed: failures.len(),
        first_failure: failures.first().cloned(),
        seconds,
        p50_ms: percentile(&times, 0.5),
        p99_ms: percentile(&times, 0.99),
        rss_peak_mib,
        splits,
    };
    eprintln!(
        "   {:.2} reports/s, p50 {:.0} ms, p99 {:.0} ms, {} failed, RSS peak {:.0} MiB",
        figures.per_second(),
        figures.p50_ms,
        figures.p99_ms,
        figures.failed,
        figures.rss_peak_mib
    );
    Ok(figures)
}
