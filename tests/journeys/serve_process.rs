//! `reviewwatch serve` as a process of its own, for the journeys that need a real one: a fault
//! that SIGKILLs it (`faults.rs`), several instances on one database and one object store
//! (`object_storage.rs`). Each gets a free loopback port, the database of a test's `Storage`, and
//! what `ServeOptions` adds: its own DATA_DIR, SMTP_URL, STORAGE_URL with the `AWS_*` variables,
//! any other setting from the environment.

use crate::helpers::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The `AWS_*` variables an S3-compatible store is reached with (`tests/object_storage.sh` sets
/// them for the test process; a `serve` gets them only through `ServeOptions::object_storage`).
const AWS_VARIABLES: [&str; 6] = [
    "AWS_ENDPOINT_URL",
    "AWS_ALLOW_HTTP",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
];

/// How one `serve` runs, besides the test's database: by default on the `Storage`'s folder,
/// mail to `.eml` files there, evidence there too, forms accepted at once.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    data_dir: Option<PathBuf>,
    smtp_url: Option<String>,
    env: Vec<(String, String)>,
}

impl ServeOptions {
    pub fn new() -> Self {
        Self::default()
    }

    /// A DATA_DIR of its own (an instance that shares no folder with another).
    pub fn data_dir(mut self, dir: &Path) -> Self {
        self.data_dir = Some(dir.to_path_buf());
        self
    }

    /// Mail to the SMTP server at `url` (else to files).
    pub fn smtp(mut self, url: &str) -> Self {
        self.smtp_url = Some(url.to_string());
        self
    }

    /// Evidence and packages in the object store at `url` (`s3://bucket/prefix`), reached with
    /// the test process's `AWS_*` variables (an `env` given later overrides one of them).
    pub fn object_storage(mut self, url: &str) -> Self {
        self.env.push(("STORAGE_URL".into(), url.to_string()));
        for name in AWS_VARIABLES {
            if let Ok(value) = std::env::var(name) {
                self.env.push((name.into(), value));
            }
        }
        self
    }

    /// Any other variable (`RATE_LIMIT_TRACK_PER_HOUR`, …).
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }
}

/// A running `reviewwatch serve`; SIGKILLed when dropped.
pub struct Serve {
    child: std::process::Child,
    pub address: String,
}

impl Serve {
    /// On `storage`'s data folder and database, mail to files.
    pub async fn start(storage: &Storage) -> Serve {
        Self::start_with(storage, ServeOptions::new()).await
    }

    /// On `storage`'s database, as `options` say; answers `/healthz` when this returns.
    pub async fn start_with(storage: &Storage, options: ServeOptions) -> Serve {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            l.local_addr().expect("its address").port()
        };
        let data_dir = options
            .data_dir
            .unwrap_or_else(|| storage.dir.path().to_path_buf());
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_reviewwatch"));
        // Nothing the test process happens to have set decides where things go.
        for name in
            AWS_VARIABLES
                .iter()
                .chain(&["STORAGE_URL", "SMTP_URL", "BASE_URL", "SIGNING_KEY_FILE"])
        {
            command.env_remove(name);
        }
        if let Some(url) = &options.smtp_url {
            command.env("SMTP_URL", url);
        }
        command
            .arg("serve")
            .env("DATA_DIR", &data_dir)
            .env("DATABASE_URL", &storage.database_url)
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("MIN_FORM_SECONDS", "0")
            .env("RUST_LOG", "warn")
            .envs(options.env.iter().map(|(k, v)| (k, v)))
            .stdout(std::process::Stdio::null());
        let mut child = command.spawn().expect("reviewwatch serve starts");
        let address = format!("http://127.0.0.1:{port}");
        let probe = reqwest::Client::new();
        let healthz = format!("{address}/healthz");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = probe.get(&healthz).send().await
                && r.status().is_success()
            {
                break;
            }
            if let Ok(Some(exit)) = child.try_wait() {
                panic!("reviewwatch serve ended before it answered: {exit}");
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "serve did not answer"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Serve { child, address }
    }

    /// A browser of its own on this instance.
    pub fn visitor(&self) -> Visitor {
        Visitor::new(&self.address, None)
    }

    /// SIGSTOP: the process stands still (its connections and leases held) until `resume`.
    pub fn pause(&self) {
        self.signal(libc::SIGSTOP);
    }

    /// SIGCONT, after `pause`.
    pub fn resume(&self) {
        self.signal(libc::SIGCONT);
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a process id");
        // SAFETY: a signal to our own child, which has not been reaped (`kill` takes `self`).
        let rc = unsafe { libc::kill(pid, signal) };
        assert_eq!(rc, 0, "signal {signal} to serve");
    }

    /// SIGKILL: no chance to clean anything up.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A row of the `jobs` table as the tests look at it.
#[derive(Debug, Clone, diesel::Queryable)]
pub struct JobSeen {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub state: String,
    pub attempts: i32,
    /// Set while a worker holds the job (cleared when it is done or waits for a retry).
    pub lease_until: Option<chrono::NaiveDateTime>,
    pub last_error: Option<String>,
}

impl JobSeen {
    /// Claimed by a worker and not finished: being run, or its worker died.
    pub fn in_progress(&self) -> bool {
        self.state == "pending" && self.lease_until.is_some()
    }
}

/// Every job, oldest first.
pub fn jobs_seen(pool: &reviewwatch::db::DbPool) -> Vec<JobSeen> {
    use diesel::prelude::*;
    use reviewwatch::db::schema::jobs;
    jobs::table
        .order(jobs::id.asc())
        .select((
            jobs::id,
            jobs::kind,
            jobs::payload,
            jobs::state,
            jobs::attempts,
            jobs::lease_until,
            jobs::last_error,
        ))
        .load(&mut pool.get().expect("a connection"))
        .expect("the jobs table")
}

/// The jobs of `kind`, oldest first.
pub fn jobs_of(pool: &reviewwatch::db::DbPool, kind: &str) -> Vec<JobSeen> {
    jobs_seen(pool)
        .into_iter()
        .filter(|j| j.kind == kind)
        .collect()
}

/// Waits (at most `timeout`) until no job of `kind` is left to do: done, or failed for good.
pub async fn until_no_job_left(pool: &reviewwatch::db::DbPool, kind: &str, timeout: Duration) {
    poll_until(&format!("the {kind} jobs to be done"), timeout, || {
        jobs_of(pool, kind)
            .iter()
            .all(|j| j.state != "pending")
            .then_some(())
    })
    .await;
}
