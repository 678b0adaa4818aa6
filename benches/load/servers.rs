//! The measured processes: the real portal (`reviewwatch serve`, release build) and the bare
//! baseline server, their data, and their memory.

pub mod bare;

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The portal binary cargo built for this bench (same profile: release for `cargo bench`).
pub const REVIEWWATCH: &str = env!("CARGO_BIN_EXE_reviewwatch");

/// The bench's own supervisor account, added with `reviewwatch officer add` on every dataset.
pub const SUPERVISOR_EMAIL: &str = "bench.supervisor@bench.reviewwatch.cn";
pub const SUPERVISOR_PASSWORD: &str = "Bench-load-Supervisor-2026";

/// `CARGO_TARGET_DIR`, or the target folder this binary was built in
/// (`<target>/release/deps/load-…`).
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    Path::new(REVIEWWATCH)
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"))
}

#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// A PostgreSQL URL; each size gets a database `bench_<N>` on that server.
    Postgres(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres(_) => "PostgreSQL",
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

/// The URL of database `name` on the server `url` names.
fn with_database(url: &str, name: &str) -> anyhow::Result<String> {
    let mut u = url::Url::parse(url).context("BENCH_DATABASE_URL is not a URL")?;
    u.set_path(&format!("/{name}"));
    Ok(u.to_string())
}

fn psql(url: &str, sql: &str) -> anyhow::Result<String> {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-tAc", sql])
        .stderr(Stdio::piped())
        .output()
        .context("psql is needed to create the PostgreSQL bench databases")?;
    if !out.status.success() {
        bail!("psql: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A seeded database of one size on one backend, kept between runs.
pub struct Dataset {
    pub backend: Backend,
    pub cases: usize,
    pub data_dir: PathBuf,
    /// For PostgreSQL.
    pub database_url: Option<String>,
    /// The seeded example case to track: (case number, receipt code).
    pub example: Option<(String, String)>,
    /// How long `seed-demo` took when the dataset was made ("123.4 s").
    pub seeded_in: Option<String>,
}

impl Dataset {
    pub fn label(&self) -> String {
        format!("{} {}", self.backend.name(), thousands(self.cases))
    }

    /// The SQLite file of a SQLite dataset (for the bare server's primary-key lookup).
    pub fn sqlite_file(&self) -> PathBuf {
        self.data_dir.join("reviewwatch.sqlite3")
    }

    /// Seeds the dataset unless an earlier run left it complete.
    pub async fn prepare(
        config: &crate::Config,
        backend: &Backend,
        cases: usize,
    ) -> anyhow::Result<Self> {
        let dir = config
            .data_root
            .join(format!("{}-{}", backend.slug(), cases));
        let marker = dir.join("seed-demo.txt");
        let data_dir = dir.join("data");
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres(url) => Some(with_database(url, &format!("bench_{cases}"))?),
        };
        let mut complete = marker.exists();
        if let (Some(db_url), Backend::Postgres(admin)) = (&database_url, backend) {
            let have = psql(
                admin,
                &format!("SELECT count(*) FROM pg_database WHERE datname = 'bench_{cases}'"),
            )?;
            complete = complete
                && have == "1"
                && psql(db_url, "SELECT count(*) FROM cases")
                    .ok()
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| n >= cases);
            if !complete {
                psql(admin, &format!("DROP DATABASE IF EXISTS bench_{cases}"))?;
                psql(admin, &format!("CREATE DATABASE bench_{cases}"))?;
            }
        }
        if !complete {
            if dir.exists() {
                std::fs::remove_dir_all(&dir)?;
            }
            std::fs::create_dir_all(&data_dir)?;
            eprintln!(
                "   seeding {cases} cases (reviewwatch seed-demo; kept in {} for later runs)",
                dir.display()
            );
            let started = Instant::now();
            let mut cmd = Command::new(REVIEWWATCH);
            cmd.args(["seed-demo", "--cases", &cases.to_string()]);
            portal_env(&mut cmd, &data_dir, database_url.as_deref());
            let data_dir2 = data_dir.clone();
            let out = tokio::task::spawn_blocking(move || {
                cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).output()
            })
            .await??;
            if !out.status.success() {
                bail!("seed-demo failed in {}", data_dir2.display());
            }
            let took = started.elapsed().as_secs_f64();
            eprintln!("   seeded in {took:.0} s");
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            std::fs::write(&marker, format!("{text}\nseeded in {took:.1} s\n"))?;
        }
        // The bench's own supervisor (fails harmlessly when it exists).
        let _ = add_supervisor(&data_dir, database_url.as_deref()).await?;

        let seeded = std::fs::read_to_string(&marker).unwrap_or_default();
        let field = |label: &str| {
            seeded
                .lines()
                .find_map(|l| l.trim().strip_prefix(label))
                .map(|v| v.trim().to_string())
        };
        let example = field("case number").zip(field("receipt code"));
        let seeded_in = field("seeded in");
        Ok(Self {
            seeded_in,
            backend: backend.clone(),
            cases,
            data_dir,
            database_url,
            example,
        })
    }
}

/// The environment every portal command of the bench gets: its data, no rate limits or form
/// delay (the bench is one client address), no OCR (a background job; the bench measures the
/// request path), the logs to the caller's `RUST_LOG` or the portal's default.
fn portal_env(cmd: &mut Command, data_dir: &Path, database_url: Option<&str>) {
    cmd.env("DATA_DIR", data_dir)
        .env("MIN_FORM_SECONDS", "0")
        .env("RATE_LIMIT_REPORTS_PER_HOUR", "0")
        .env("RATE_LIMIT_TRACK_PER_HOUR", "0")
        .env("RATE_LIMIT_LOGINS_PER_HOUR", "0")
        .env("RATE_LIMIT_REPLIES_PER_HOUR", "0")
        .env("OCR_COMMAND", "/nonexistent/ocr-off-in-bench")
        .env_remove("SMTP_URL")
        .env_remove("BASE_URL")
        .env_remove("BIND");
    match database_url {
        Some(url) => cmd.env("DATABASE_URL", url),
        None => cmd.env_remove("DATABASE_URL"),
    };
}

/// Adds the bench's supervisor with `reviewwatch officer add`; whether the command succeeded
/// (it fails when the account exists).
pub async fn add_supervisor(data_dir: &Path, database_url: Option<&str>) -> anyhow::Result<bool> {
    let mut add = Command::new(REVIEWWATCH);
    add.args(["officer", "add", "--email", SUPERVISOR_EMAIL])
        .args(["--name", "Bench", "--role", "supervisor"])
        .env("REVIEWWATCH_PASSWORD", SUPERVISOR_PASSWORD)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    portal_env(&mut add, data_dir, database_url);
    Ok(tokio::task::spawn_blocking(move || add.status())
        .await??
        .success())
}

pub fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// A server process, stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Process {
    child: Child,
    pub base: String,
}

impl Process {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `GET {base}{path}` answers 200.
    async fn wait_ready(&mut self, path: &str, within: Duration) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("the server exited ({status}) before it answered");
            }
            if let Ok(r) = client.get(format!("{}{path}", self.base)).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            if started.elapsed() > within {
                bail!("the server did not answer within {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The real portal on a free port; its log goes to `log`.
    pub async fn portal(
        data_dir: &Path,
        database_url: Option<&str>,
        smtp_url: Option<&str>,
        log: &Path,
    ) -> anyhow::Result<Self> {
        let port = free_port()?;
        let log_file = std::fs::File::create(log)?;
        let mut cmd = Command::new(REVIEWWATCH);
        cmd.arg("serve");
        portal_env(&mut cmd, data_dir, database_url);
        cmd.env("BIND", format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file);
        if let Some(smtp) = smtp_url {
            cmd.env("SMTP_URL", smtp);
        }
        let mut p = Self {
            child: cmd.spawn().context("cannot start reviewwatch serve")?,
            base: format!("http://127.0.0.1:{port}"),
        };
        p.wait_ready("/healthz", Duration::from_secs(600))
            .await
            .with_context(|| format!("reviewwatch serve (log: {})", log.display()))?;
        Ok(p)
    }

    pub async fn portal_for(dataset: &Dataset, log: &Path) -> anyhow::Result<Self> {
        Self::portal(
            &dataset.data_dir,
            dataset.database_url.as_deref(),
            None,
            log,
        )
        .await
    }

    /// This binary again as a bare actix-web + askama server (see `bare`).
    pub async fn bare(args: &[String]) -> anyhow::Result<Self> {
        let port = free_port()?;
        let exe = std::env::current_exe()?;
        let mut cmd = Command::new(exe);
        cmd.arg("--bare-server")
            .arg(&args[0])
            .arg(port.to_string())
            .args(&args[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        let mut p = Self {
            child: cmd.spawn().context("cannot start the bare server")?,
            base: format!("http://127.0.0.1:{port}"),
        };
        p.wait_ready("/", Duration::from_secs(60)).await?;
        Ok(p)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `/proc/<pid>/status` field in KiB.
pub fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim_start_matches(':').split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Samples a process's resident memory (VmRSS) every 20 ms until finished: the peak of a phase.
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    pub fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(proc_status_kib(pid, "VmRSS").unwrap_or(0)));
        let thread = std::thread::spawn({
            let (stop, peak) = (stop.clone(), peak.clone());
            move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Some(kib) = proc_status_kib(pid, "VmRSS") {
                        peak.fetch_max(kib, Ordering::Relaxed);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        });
        Self {
            stop,
            peak,
            thread: Some(thread),
        }
    }

    /// The peak in MiB.
    pub fn finish(mut self) -> f64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.peak.load(Ordering::Relaxed) as f64 / 1024.0
    }
}

pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
