//! Near-identical screenshots: the labelled set, recall and precision per threshold, and the
//! index's lookup latency.
//!
//! `cargo bench --bench chains_images` draws phone screenshots (`seed::images::draw_screen`: chat,
//! review list, photo of a 好评返现 card, order page, with CJK-like glyphs), several screens of
//! each app layout with other content (the hard negatives), and copies of each: resized 50–100 %,
//! JPEG at quality 40–95, WebP, the status bar cropped away, and all of these at once. Every file
//! goes through the portal's own decoding and hash source (`evidence::inspect::hash_source`).
//! For each candidate hash it prints recall and precision over every pair of the set at each
//! threshold; for the chosen one (`domain::screenshots`) the table, recall per kind of copy, and
//! a photo of the screen taken with another phone on its own line.
//!
//! `cargo bench --bench chains_images -- latency [N…]` fills a SQLite database (PostgreSQL instead
//! when `BENCH_DATABASE_URL` is set) with N indexed screenshots and times the lookup of a new one.
//! Results go in docs/PERFORMANCE.md.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::webp::WebPEncoder;
use image::imageops::{self, FilterType};
use image::{DynamicImage, ExtendedColorType, ImageEncoder, Rgb, RgbImage};
use image_hasher::HashAlg;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reviewwatch::evidence::fingerprint::{HashSpec, hash_with};
use reviewwatch::evidence::inspect::hash_source;
use reviewwatch::seed::images::{HEIGHT, Layout, STATUS_BAR, WIDTH, draw_screen};
use std::time::Instant;

/// Layouts per kind of screen, screens (contents) per layout.
const LAYOUTS_PER_SCREEN: u64 = 8;
const CONTENTS_PER_LAYOUT: u64 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Copy {
    Original,
    Resized,
    Jpeg,
    Webp,
    StatusBarCropped,
    All,
    PhotoOfScreen,
}

struct Item {
    group: usize,
    copy: Copy,
    /// The pixels the portal hashes, decoded from the file as uploaded.
    source: RgbImage,
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgb8,
        )
        .expect("jpeg");
    out
}

fn webp(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgb8,
        )
        .expect("webp");
    out
}

fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    out
}

fn resize(img: &RgbImage, scale: f32) -> RgbImage {
    let w = ((img.width() as f32) * scale).round().max(1.0) as u32;
    let h = ((img.height() as f32) * scale).round().max(1.0) as u32;
    imageops::resize(img, w, h, FilterType::CatmullRom)
}

fn crop_status_bar(img: &RgbImage) -> RgbImage {
    let bar = STATUS_BAR * img.height() / HEIGHT;
    imageops::crop_imm(img, 0, bar, img.width(), img.height() - bar).to_image()
}

/// The portal's view of an uploaded file: decoded, then its hash source.
fn as_uploaded(bytes: &[u8]) -> RgbImage {
    let img = image::load_from_memory(bytes).expect("decode");
    hash_source(&img)
}

/// A photo of the screen held up to another phone's camera: a dark bezel around it, seen at a
/// slant (perspective), a little blurred, moiré stripes, a glare, on a table, as a JPEG.
fn photo_of_screen(img: &RgbImage, rng: &mut StdRng) -> RgbImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (ow, oh) = (540u32, 960u32);
    // Where the screen's corners land in the photo (tl, tr, br, bl), jittered.
    let mut j = |x: f32, y: f32| {
        (
            x + rng.random_range(-22.0..22.0),
            y + rng.random_range(-22.0..22.0),
        )
    };
    let corners = [
        j(80.0, 105.0),
        j(458.0, 90.0),
        j(472.0, 862.0),
        j(68.0, 878.0),
    ];
    let glare = (
        rng.random_range(110.0..430.0),
        rng.random_range(150.0..750.0),
    );
    let phase = rng.random_range(0.0..std::f32::consts::TAU);
    let blurred = imageops::blur(img, 1.2);
    RgbImage::from_fn(ow, oh, |x, y| {
        let (px, py) = (x as f32, y as f32);
        // Inverse bilinear mapping of the quad, by a few Newton steps.
        let (mut u, mut v) = (0.5f32, 0.5f32);
        for _ in 0..4 {
            let p = |u: f32, v: f32| {
                let top = (
                    corners[0].0 + (corners[1].0 - corners[0].0) * u,
                    corners[0].1 + (corners[1].1 - corners[0].1) * u,
                );
                let bot = (
                    corners[3].0 + (corners[2].0 - corners[3].0) * u,
                    corners[3].1 + (corners[2].1 - corners[3].1) * u,
                );
                (top.0 + (bot.0 - top.0) * v, top.1 + (bot.1 - top.1) * v)
            };
            let (fx, fy) = p(u, v);
            let (ux, uy) = {
                let a = p(u + 1e-3, v);
                ((a.0 - fx) / 1e-3, (a.1 - fy) / 1e-3)
            };
            let (vx, vy) = {
                let a = p(u, v + 1e-3);
                ((a.0 - fx) / 1e-3, (a.1 - fy) / 1e-3)
            };
            let det = ux * vy - uy * vx;
            if det.abs() < 1e-6 {
                break;
            }
            let (dx, dy) = (px - fx, py - fy);
            u += (dx * vy - dy * vx) / det;
            v += (ux * dy - uy * dx) / det;
        }
        let bezel = 0.03;
        let base = if (-bezel..1.0 + bezel).contains(&u)
            && (-bezel * 0.6..1.0 + bezel * 0.6).contains(&v)
        {
            if (0.0..1.0).contains(&u) && (0.0..1.0).contains(&v) {
                let sx = ((u * w) as u32).min(img.width() - 1);
                let sy = ((v * h) as u32).min(img.height() - 1);
                let p = blurred.get_pixel(sx, sy).0;
                let moire = 1.0 + 0.06 * ((px * 0.9 + py * 0.35 + phase).sin());
                [
                    p[0] as f32 * moire * 0.92,
                    p[1] as f32 * moire * 0.92,
                    p[2] as f32 * moire * 0.95,
                ]
            } else {
                [18.0, 18.0, 20.0]
            }
        } else {
            [140.0 + (py * 0.05).sin() * 10.0, 120.0, 100.0]
        };
        let d2 = (px - glare.0).powi(2) + (py - glare.1).powi(2);
        let g = 90.0 * (-d2 / (2.0 * 160.0f32.powi(2))).exp();
        Rgb([
            (base[0] + g).clamp(0.0, 255.0) as u8,
            (base[1] + g).clamp(0.0, 255.0) as u8,
            (base[2] + g).clamp(0.0, 255.0) as u8,
        ])
    })
}

/// One original and its copies, as the portal sees each.
fn group(group: usize, layout: &Layout, content: u64) -> Vec<Item> {
    let original = draw_screen(layout, content);
    let mut rng = StdRng::seed_from_u64(content ^ 0x5eed);
    let mut items = vec![Item {
        group,
        copy: Copy::Original,
        source: as_uploaded(&png(&original)),
    }];
    let mut add = |copy: Copy, bytes: Vec<u8>| {
        items.push(Item {
            group,
            copy,
            source: as_uploaded(&bytes),
        })
    };
    add(
        Copy::Resized,
        png(&resize(&original, rng.random_range(0.5..1.0))),
    );
    add(Copy::Jpeg, jpeg(&original, rng.random_range(40..=95)));
    add(
        Copy::Webp,
        webp(&resize(&original, rng.random_range(0.5..1.0))),
    );
    add(Copy::StatusBarCropped, png(&crop_status_bar(&original)));
    let all = crop_status_bar(&resize(&original, rng.random_range(0.5..1.0)));
    add(Copy::All, jpeg(&all, rng.random_range(40..=95)));
    add(
        Copy::PhotoOfScreen,
        jpeg(&photo_of_screen(&original, &mut rng), 85),
    );
    items
}

fn labelled_set() -> Vec<Item> {
    let mut jobs = Vec::new();
    for screen in 0..4u64 {
        for l in 0..LAYOUTS_PER_SCREEN {
            let layout = Layout::new(screen, 1000 + screen * 100 + l);
            for c in 0..CONTENTS_PER_LAYOUT {
                jobs.push((layout, 77_000 + screen * 10_000 + l * 100 + c));
            }
        }
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunks: Vec<Vec<(usize, (Layout, u64))>> = {
        let mut c = vec![Vec::new(); threads];
        for (i, j) in jobs.into_iter().enumerate() {
            c[i % threads].push((i, j));
        }
        c
    };
    let mut items: Vec<Item> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .flat_map(|(i, (layout, content))| group(i, &layout, content))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect()
    });
    items.sort_by_key(|i| i.group);
    items
}

fn distance(a: &[u8], b: &[u8]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// Over every pair of the set except photos of a screen (positives: two files of one group), how
/// many pairs lie at each distance: (same group, other groups).
fn histograms(items: &[Item], hashes: &[Vec<u8>], bits: u32) -> (Vec<u64>, Vec<u64>) {
    let mut same = vec![0u64; bits as usize + 1];
    let mut other = vec![0u64; bits as usize + 1];
    for i in 0..items.len() {
        if items[i].copy == Copy::PhotoOfScreen {
            continue;
        }
        for j in i + 1..items.len() {
            if items[j].copy == Copy::PhotoOfScreen {
                continue;
            }
            let d = distance(&hashes[i], &hashes[j]) as usize;
            if items[i].group == items[j].group {
                same[d] += 1;
            } else {
                other[d] += 1;
            }
        }
    }
    (same, other)
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

fn evaluate(items: &[Item], name: &str, spec: &HashSpec, full: bool) {
    let t0 = Instant::now();
    let hashes: Vec<Vec<u8>> = items.iter().map(|i| hash_with(spec, &i.source)).collect();
    let per_image = t0.elapsed().as_secs_f64() * 1000.0 / items.len() as f64;
    let bits = hashes.first().map_or(0, |h| h.len() as u32 * 8);
    // Same-group and different-group distance ranges, for orientation.
    let (same, other) = histograms(items, &hashes, bits);
    let positives: u64 = same.iter().sum();
    let mut best: Option<(u32, f64, f64)> = None;
    let mut rows = Vec::new();
    let (mut tp, mut fp) = (0u64, 0u64);
    for t in 0..=bits / 3 {
        tp += same[t as usize];
        fp += other[t as usize];
        let (recall, precision) = (ratio(tp, positives), ratio(tp, tp + fp));
        rows.push((t, recall, precision, fp));
        if precision >= 0.99 && best.is_none_or(|b| recall > b.1) {
            best = Some((t, recall, precision));
        }
    }
    let closest_other = other.iter().position(|&n| n > 0).unwrap_or(0);
    match best {
        Some((t, r, p)) => println!(
            "{name:<34} {bits:>4} bits  {per_image:>5.2} ms/hash  best at precision ≥ 0.99: t={t:<3} recall {r:.3} precision {p:.4}  (closest other screenshot: {closest_other})"
        ),
        None => println!("{name:<34} {bits:>4} bits  never reaches precision 0.99"),
    }
    if !full {
        return;
    }
    println!("\n  threshold  recall  precision  false pairs");
    for (t, r, p, fp) in &rows {
        println!("  {t:>9}  {r:>6.3}  {p:>9.4}  {fp:>11}");
        if *r >= 0.9999 {
            break;
        }
    }
    // The portal's threshold (below the best one here, for a margin of precision at scale).
    let t = reviewwatch::domain::screenshots::THRESHOLD;
    println!("\n  at the portal's threshold t={t}: recall against the original, per kind of copy");
    for copy in [
        Copy::Resized,
        Copy::Jpeg,
        Copy::Webp,
        Copy::StatusBarCropped,
        Copy::All,
        Copy::PhotoOfScreen,
    ] {
        let (mut found, mut total, mut dist_sum, mut false_links) = (0, 0, 0u64, 0);
        for (i, item) in items.iter().enumerate().filter(|(_, it)| it.copy == copy) {
            let Some(orig) = items
                .iter()
                .position(|o| o.group == item.group && o.copy == Copy::Original)
            else {
                continue;
            };
            let d = distance(&hashes[i], &hashes[orig]);
            total += 1;
            dist_sum += u64::from(d);
            found += usize::from(d <= t);
            false_links += items
                .iter()
                .enumerate()
                .filter(|(j, o)| {
                    o.group != item.group
                        && o.copy != Copy::PhotoOfScreen
                        && distance(&hashes[i], &hashes[*j]) <= t
                })
                .count();
        }
        println!(
            "  {:<20} recall {:.3} ({found}/{total})  mean distance {:.1}  links to other screenshots {false_links}",
            format!("{copy:?}"),
            ratio(found as u64, total as u64),
            dist_sum as f64 / total.max(1) as f64
        );
    }
}

fn candidates() -> Vec<(&'static str, HashSpec)> {
    let spec = |alg, width, height, dct, window| HashSpec {
        alg,
        width,
        height,
        dct,
        window,
    };
    let bottom = Some(1.6);
    vec![
        (
            "gradient 8x8 whole (today)",
            spec(HashAlg::Gradient, 8, 8, false, None),
        ),
        (
            "gradient 16x16 bottom",
            spec(HashAlg::Gradient, 16, 16, false, bottom),
        ),
        (
            "double gradient 16x16 bottom",
            spec(HashAlg::DoubleGradient, 16, 16, false, bottom),
        ),
        (
            "blockhash 16x16 bottom",
            spec(HashAlg::Blockhash, 16, 16, false, bottom),
        ),
        (
            "dct mean 16x16 bottom",
            spec(HashAlg::Mean, 16, 16, true, bottom),
        ),
        (
            "dct gradient 16x16 bottom",
            spec(HashAlg::Gradient, 16, 16, true, bottom),
        ),
        (
            "dct median 8x8 bottom",
            spec(HashAlg::Median, 8, 8, true, bottom),
        ),
        (
            "dct median 16x16 whole",
            spec(HashAlg::Median, 16, 16, true, None),
        ),
        (
            "dct median 16x16 bottom",
            spec(HashAlg::Median, 16, 16, true, bottom),
        ),
        (
            "dct median 16x16 bottom 1.2",
            spec(HashAlg::Median, 16, 16, true, Some(1.2)),
        ),
        (
            "dct median 16x16 bottom 1.3",
            spec(HashAlg::Median, 16, 16, true, Some(1.3)),
        ),
        (
            "dct median 16x16 bottom 1.5",
            spec(HashAlg::Median, 16, 16, true, Some(1.5)),
        ),
        (
            "dct median 12x12 bottom 1.4",
            spec(HashAlg::Median, 12, 12, true, Some(1.4)),
        ),
        (
            "dct median 20x20 bottom 1.4",
            spec(HashAlg::Median, 20, 20, true, Some(1.4)),
        ),
        (
            "dct median 24x24 bottom",
            spec(HashAlg::Median, 24, 24, true, bottom),
        ),
        (
            "dct median 32x32 bottom",
            spec(HashAlg::Median, 32, 32, true, bottom),
        ),
        (
            "dct median 16x16 bottom 1.4",
            spec(HashAlg::Median, 16, 16, true, Some(1.4)),
        ),
    ]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("latency") {
        latency::run(&args[1..]);
        return;
    }
    let t0 = Instant::now();
    let items = labelled_set();
    let originals = items.iter().filter(|i| i.copy == Copy::Original).count();
    println!(
        "labelled set: {originals} screenshots ({} layouts × {CONTENTS_PER_LAYOUT} contents, {WIDTH}×{HEIGHT}), {} files with their copies, drawn and decoded in {:.1} s\n",
        4 * LAYOUTS_PER_SCREEN,
        items.len(),
        t0.elapsed().as_secs_f64()
    );
    let chosen = std::env::var("CHOSEN").unwrap_or_else(|_| "dct median 16x16 bottom 1.4".into());
    for (name, spec) in candidates() {
        evaluate(&items, name, &spec, name == chosen);
    }
    let _ = DynamicImage::new_rgb8(1, 1);
}

mod latency {
    //! Lookup latency: N fingerprints in the index, then the lookup of a new screenshot (a copy of
    //! an indexed one a few bits away, and one unlike any) as the case page makes it.
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use reviewwatch::db::image_index::{NewImageHash, insert_all, near};
    use reviewwatch::db::{self, DbConnection};
    use reviewwatch::domain::ids::{CaseId, EvidenceId};
    use reviewwatch::domain::screenshots::{BITS, ScreenHash};
    use std::time::{Duration, Instant};

    fn random_hash(rng: &mut StdRng) -> ScreenHash {
        let bytes: Vec<u8> = (0..BITS / 8).map(|_| rng.random()).collect();
        ScreenHash::from_bits_lossy(&bytes)
    }

    /// `h` with each bit flipped with probability `p`.
    fn flip(h: &ScreenHash, p: f64, rng: &mut StdRng) -> ScreenHash {
        let mut bytes = hex::decode(h.to_hex()).expect("hex");
        for b in &mut bytes {
            for i in 0..8 {
                if rng.random_bool(p) {
                    *b ^= 1 << i;
                }
            }
        }
        ScreenHash::from_bits_lossy(&bytes)
    }

    /// How the indexed fingerprints spread: uniformly, or as screens of a few apps (CENTRES
    /// screens, each fingerprint 10 % of its bits away from its screen's, like screenshots of one
    /// app screen with other content).
    #[derive(Clone, Copy, Debug)]
    enum Spread {
        Uniform,
        Clustered,
    }
    const CENTRES: usize = 1000;

    fn fill(conn: &mut DbConnection, n: usize, spread: Spread) -> Vec<ScreenHash> {
        let mut rng = StdRng::seed_from_u64(42);
        let centres: Vec<ScreenHash> = (0..CENTRES).map(|_| random_hash(&mut rng)).collect();
        let mut kept = Vec::new();
        // No case and evidence rows behind the fingerprints: foreign keys off for the load.
        match conn {
            DbConnection::Sqlite(_) => {
                diesel::RunQueryDsl::execute(diesel::sql_query("PRAGMA foreign_keys = OFF"), conn)
                    .expect("pragma");
            }
            DbConnection::Postgres(_) => {
                diesel::RunQueryDsl::execute(
                    diesel::sql_query("SET session_replication_role = replica"),
                    conn,
                )
                .expect("replica role");
            }
        }
        let t0 = Instant::now();
        for start in (0..n).step_by(50_000) {
            let rows: Vec<NewImageHash> = (start..(start + 50_000).min(n))
                .map(|i| {
                    let hash = match spread {
                        Spread::Uniform => random_hash(&mut rng),
                        Spread::Clustered => flip(&centres[i % CENTRES], 0.10, &mut rng),
                    };
                    if i % (n / 200).max(1) == 0 {
                        kept.push(hash);
                    }
                    NewImageHash {
                        evidence_id: EvidenceId(i as i64 + 1),
                        case_id: CaseId(i as i64 / 2 + 1),
                        hash,
                    }
                })
                .collect();
            db::write_transaction(conn, |conn| insert_all(conn, &rows)).expect("insert");
        }
        eprintln!(
            "  loaded {n} fingerprints ({spread:?}) in {:.0} s",
            t0.elapsed().as_secs_f64()
        );
        if let DbConnection::Sqlite(_) = conn {
            diesel::RunQueryDsl::execute(diesel::sql_query("ANALYZE"), conn).expect("analyze");
        } else {
            diesel::RunQueryDsl::execute(diesel::sql_query("ANALYZE"), conn).expect("analyze");
        }
        kept
    }

    fn percentile(l: &mut [Duration], p: f64) -> f64 {
        l.sort();
        l[((l.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
    }

    fn measure(conn: &mut DbConnection, label: &str, n: usize, spread: Spread) {
        let kept = fill(conn, n, spread);
        let mut rng = StdRng::seed_from_u64(7);
        for (what, queries) in [
            (
                "a copy (3 % of bits flipped)",
                kept.iter()
                    .map(|h| flip(h, 0.03, &mut rng))
                    .collect::<Vec<_>>(),
            ),
            (
                "a new screenshot",
                (0..kept.len()).map(|_| random_hash(&mut rng)).collect(),
            ),
        ] {
            let mut times = Vec::new();
            let mut found = 0;
            for q in &queries {
                let t = Instant::now();
                found += near(conn, q, CaseId(0), 50).expect("lookup").len();
                times.push(t.elapsed());
            }
            println!(
                "{label:<10} {n:>9} {spread:<9?} {what:<30} p50 {:>6.2} ms  p95 {:>6.2} ms  found {:.2} per lookup",
                percentile(&mut times, 0.5),
                percentile(&mut times, 0.95),
                found as f64 / queries.len() as f64,
            );
        }
    }

    pub fn run(args: &[String]) {
        let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
        let sizes = if sizes.is_empty() {
            vec![100_000, 1_000_000]
        } else {
            sizes
        };
        let postgres = std::env::var("BENCH_DATABASE_URL").ok();
        for &n in &sizes {
            // With BENCH_DATABASE_URL, PostgreSQL alone.
            for spread in [Spread::Uniform, Spread::Clustered]
                .iter()
                .filter(|_| postgres.is_none())
            {
                let spread = *spread;
                let dir = tempfile::tempdir().expect("tempdir");
                let url = dir.path().join("bench.db").display().to_string();
                let pool = db::connect(&url, 1).expect("sqlite");
                let mut conn = pool.get().expect("connection");
                measure(&mut conn, "SQLite", n, spread);
            }
            if let Some(url) = &postgres {
                for spread in [Spread::Uniform, Spread::Clustered] {
                    let pool = db::connect(url, 1).expect("postgres");
                    let mut conn = pool.get().expect("connection");
                    diesel::RunQueryDsl::execute(
                        diesel::sql_query("TRUNCATE image_hash_chunks, image_hashes"),
                        &mut conn,
                    )
                    .expect("truncate");
                    measure(&mut conn, "PostgreSQL", n, spread);
                }
            }
        }
    }
}
