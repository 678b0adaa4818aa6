//! A campaign package of 200 cases with 10 screenshots each (over 100 MiB) is written as a
//! stream: the heap grows by a few MiB at most while it is written and while it is verified,
//! and the package checks with `reviewwatch verify`'s code and with `sha256sum -c`.
//!
//! Its own test binary, with a counting allocator: every heap allocation of the process is
//! counted, so nothing else may run beside the one test.

use reviewwatch::handoff::campaign_package::CampaignPackageWriter;
use reviewwatch::handoff::signing::{self, PortalKey};
use reviewwatch::handoff::verify;
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting the bytes live on the heap and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::SeqCst) + bytes;
    PEAK.fetch_max(live, Ordering::SeqCst);
}

fn shrank(bytes: usize) {
    LIVE.fetch_sub(bytes, Ordering::SeqCst);
}

// SAFETY: every call is passed on to `System` unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as the caller promised for `layout`.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as the caller promised for `layout`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as the caller promised for `ptr`, `layout` and `new_size`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1024 * 1024;
/// The most the heap may grow while the package is written, or verified.
const BOUND: usize = 16 * MIB;
const CASES: usize = 200;
const SCREENSHOTS: usize = 10;
/// 2,000 screenshots of 53 KiB: 103.5 MiB.
const SCREENSHOT_BYTES: usize = 53 * 1024;
const FOLDER: &str = "CAMPAIGN-1-H1";

/// What `f` gives, and how far the live heap rose above where it was when `f` began.
fn peak_growth<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst).saturating_sub(base))
}

/// `left` bytes that no compressor can shrink (xorshift64*), made as they are read: the test
/// holds no screenshot either.
struct Noise {
    state: u64,
    left: usize,
}

impl Read for Noise {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.left);
        for chunk in buf[..n].chunks_mut(8) {
            self.state ^= self.state >> 12;
            self.state ^= self.state << 25;
            self.state ^= self.state >> 27;
            let word = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        self.left -= n;
        Ok(n)
    }
}

fn number(case: usize) -> String {
    format!("RW-2026-{:06}", case + 1)
}

fn campaign_json() -> String {
    let cases: Vec<String> = (0..CASES)
        .map(|c| {
            let n = number(c);
            format!(
                r#"{{"number":"{n}","folder":"{n}","platform":"taobao","shop":"店{c}","merchant_key":"taobao:{c}","category":"clothing","status":"handed_off","filed_at":"2026-11-30T02:15:07Z"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"schema":"reviewwatch.campaign.v1","generated_at":"2026-12-02T05:17:05Z","portal":"http://127.0.0.1","signing_key_sha256":"00","campaign":{{"id":1,"name":"好评返现卡","created_at":"2026-12-01T00:00:00Z","finding":"同一张返现卡"}},"handoff":{{"seq":1,"regulator":{{"name":"番禺区市场监督管理局","kind":"market","region_code":"440113"}}}},"cases":[{}],"merchants":[],"contacts":[]}}"#,
        cases.join(",")
    )
}

fn case_json(case: usize) -> String {
    format!(
        r#"{{"schema":"reviewwatch.case.v1","handoff":{{"seq":1}},"case":{{"number":"{}"}},"audit_trail":{{"chain_intact":true,"entries":[{{"seq":1,"at":"2026-11-30T02:15:07.123456","at_rfc3339":"2026-11-30T02:15:07.123456Z"}}]}}}}"#,
        number(case)
    )
}

/// Writes the campaign through the writer, case by case, screenshot by screenshot.
fn write_campaign(
    dir: &Path,
    key: &PortalKey,
) -> reviewwatch::handoff::campaign_package::WrittenPackage {
    let at = chrono::NaiveDateTime::default();
    let mut w = CampaignPackageWriter::create(dir, FOLDER, at).expect("create");
    w.add("campaign.json", campaign_json().as_bytes())
        .expect("campaign.json");
    w.add("summary.html", "<h1>好评返现卡</h1>".as_bytes())
        .expect("summary.html");
    for case in 0..CASES {
        let n = number(case);
        w.add(&format!("{n}/case.json"), case_json(case).as_bytes())
            .expect("case.json");
        w.add(
            &format!("{n}/summary.html"),
            format!("<h1>{n}</h1>").as_bytes(),
        )
        .expect("summary.html");
        for shot in 0..SCREENSHOTS {
            let seed = (case * SCREENSHOTS + shot) as u64 + 1;
            let mut noise = Noise {
                state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
                left: SCREENSHOT_BYTES,
            };
            let path = format!("{n}/evidence/{:02}-{seed:012x}-copy.jpg", shot + 1);
            w.add_reader(&path, &mut noise).expect("screenshot");
        }
    }
    w.finish(key).expect("finish")
}

/// Takes the package apart with `unzip`, or else Python's zipfile; `false` when neither is here.
fn extract(zip: &Path, into: &Path) -> bool {
    let unzip = Command::new("unzip")
        .arg("-q")
        .arg(zip)
        .arg("-d")
        .arg(into)
        .output();
    match unzip {
        Ok(out) => {
            assert!(
                out.status.success(),
                "unzip: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return true;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => panic!("cannot run unzip: {e}"),
    }
    let python = Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(zip)
        .arg(into)
        .output();
    match python {
        Ok(out) => {
            assert!(
                out.status.success(),
                "python3 -m zipfile: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => panic!("cannot run python3: {e}"),
    }
}

#[test]
fn a_campaign_of_200_cases_is_written_and_verified_in_a_few_mib_of_heap() {
    let keys = tempfile::tempdir().expect("tempdir");
    let key = PortalKey::load_or_create(&keys.path().join("key.pem")).expect("key");
    let dir = tempfile::tempdir().expect("tempdir");
    let packages = dir.path().join("packages");

    let (written, writing) = peak_growth(|| write_campaign(&packages, &key));
    let size = written.size as usize;
    println!(
        "package: {:.1} MiB; heap growth while writing: {:.2} MiB",
        size as f64 / MIB as f64,
        writing as f64 / MIB as f64
    );
    assert!(
        size >= 100 * MIB,
        "the package is {size} bytes, not the 100 MiB meant"
    );
    assert!(
        writing < BOUND,
        "writing a {} MiB package grew the heap by {writing} bytes, more than the {} MiB bound",
        size / MIB,
        BOUND / MIB
    );

    // `reviewwatch verify` reads it from the file, as a stream.
    let (report, verifying) = peak_growth(|| {
        let file = std::fs::File::open(&written.path).expect("open");
        verify::verify(
            std::io::BufReader::with_capacity(64 * 1024, file),
            &key.verifying_key(),
        )
    });
    println!(
        "heap growth while verifying: {:.2} MiB",
        verifying as f64 / MIB as f64
    );
    assert!(report.is_valid(), "{:?}", report.findings);
    assert_eq!(report.folder, FOLDER);
    assert_eq!(report.files_checked, 2 + CASES * (2 + SCREENSHOTS));
    assert!(
        verifying < BOUND,
        "verifying a {} MiB package grew the heap by {verifying} bytes, more than the {} MiB bound",
        size / MIB,
        BOUND / MIB
    );

    // And by hand, with standard tools, where they are installed.
    let out = dir.path().join("out");
    if !extract(&written.path, &out) {
        println!("neither unzip nor python3 is installed: skipping `sha256sum -c SHA256SUMS`");
        return;
    }
    let folder = out.join(FOLDER);
    match Command::new("sha256sum")
        .args(["-c", "--strict", "--quiet", "SHA256SUMS"])
        .current_dir(&folder)
        .output()
    {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("sha256sum is not installed: skipping `sha256sum -c SHA256SUMS`");
        }
        Err(e) => panic!("cannot run sha256sum: {e}"),
        Ok(result) => assert!(
            result.status.success(),
            "sha256sum -c: {}{}",
            String::from_utf8_lossy(&result.stdout),
            String::from_utf8_lossy(&result.stderr)
        ),
    }
    let sums = std::fs::read(folder.join("SHA256SUMS")).expect("SHA256SUMS");
    assert_eq!(
        sums.iter().filter(|b| **b == b'\n').count(),
        2 + CASES * (2 + SCREENSHOTS)
    );
    let signature = std::fs::read(folder.join("SHA256SUMS.sig")).expect("signature");
    assert!(signing::verify(&key.verifying_key(), &sums, &signature));
}
