//! Settings from the environment, with defaults that work on a fresh machine.

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to listen on (`BIND`). Port 0 picks a free port (tests).
    pub bind: String,
    /// Where the SQLite file, evidence, mail files and keys live (`DATA_DIR`).
    pub data_dir: PathBuf,
    /// `DATABASE_URL`: a SQLite file path, or a `postgres://` URL.
    pub database_url: String,
    /// The address people reach the portal at, used in emails (`BASE_URL`). Without it, the
    /// bound address is used.
    pub base_url: Option<String>,
    /// `SMTP_URL`; without it, mail is written as `.eml` files to `DATA_DIR/mail`.
    pub smtp_url: Option<String>,
    /// `MAIL_FROM`.
    pub mail_from: String,
    /// Mails sent at once, each over its own SMTP connection (`SMTP_CONNECTIONS`, 4; at least
    /// 1). A relay that allows one connection per client wants 1.
    pub smtp_connections: u32,
    pub rate_limit_reports_per_hour: u32,
    pub rate_limit_track_per_hour: u32,
    /// Failed password checks per client address and hour (`RATE_LIMIT_LOGINS_PER_HOUR`).
    pub rate_limit_logins_per_hour: u32,
    /// Password checks at once (`PASSWORD_CHECK_SLOTS`); 0, the default, is one per core.
    pub password_check_slots: usize,
    /// Answers to a request for more information per client address (`RATE_LIMIT_REPLIES_PER_HOUR`).
    pub rate_limit_replies_per_hour: u32,
    /// A request body that sends nothing for this long is cut with 408
    /// (`REQUEST_IDLE_TIMEOUT_SECONDS`; 0 turns it off). Idle, not total: a slow but steady
    /// upload is never cut.
    pub request_idle_timeout_secs: u64,
    /// The least time between showing the report form and accepting it (`MIN_FORM_SECONDS`).
    pub min_form_seconds: u64,
    /// How many proxies in front append to `X-Forwarded-For` (`TRUST_PROXY_HEADERS`: `1`/`true`
    /// for one, a number for several, unset for none). The client address is the entry that many
    /// from the right; entries further left are the client's own words and are never believed.
    pub trust_proxy_headers: u8,
    pub db_pool_size: u32,
    /// Days a report's client address is kept (`RETAIN_REPORTER_IP_DAYS`, 30; 0 keeps it).
    pub retain_reporter_ip_days: u32,
    /// Days a reporter's email is kept once the case is finished (`RETAIN_CONTACT_DAYS`, 1095,
    /// three years; 0 keeps it).
    pub retain_contact_days: u32,
    /// `SIGNING_KEY_FILE`: an Ed25519 PKCS#8 PEM key to sign handoff packages with.
    pub signing_key_file: Option<PathBuf>,
    /// `STORAGE_URL`: `s3://bucket/prefix` keeps evidence and packages in S3-compatible object
    /// storage (endpoint and keys from the `AWS_*` variables); unset, they stay in `DATA_DIR`.
    pub storage_url: Option<String>,
    /// The object storage's endpoint, over `AWS_ENDPOINT_URL` (tests reach the store through a
    /// proxy of their own; not read from the environment).
    pub storage_endpoint: Option<String>,
    /// The clock the second factor reads (TOTP steps, how long a sign-in waits for its code):
    /// the system's, or one a test sets and moves.
    pub clock: Clock,
    /// The OCR command (`OCR_COMMAND`, default `tesseract` on the PATH): run with
    /// `chi_sim+eng` on each screenshot; where it is missing, evidence says OCR is unavailable.
    pub ocr_command: String,
    /// Where people write about their personal information (`PRIVACY_CONTACT`, shown on
    /// `/privacy`); without it, the address mail comes from.
    pub privacy_contact: Option<String>,
    /// Working days a platform desk has to answer a notice before it is reminded and flagged
    /// overdue (`PLATFORM_ANSWER_WORKING_DAYS`, 5).
    pub platform_answer_working_days: u32,
}

/// What time it is, for the steps that take a `now`: the system clock, or a fixed one that a
/// test moves by hand (no sleeping to get to the next TOTP step).
#[derive(Debug, Clone, Default)]
pub struct Clock {
    fixed_micros: Option<std::sync::Arc<std::sync::atomic::AtomicI64>>,
}

impl Clock {
    /// A clock standing at `at` until it is moved.
    pub fn fixed(at: chrono::NaiveDateTime) -> Self {
        Self {
            fixed_micros: Some(std::sync::Arc::new(std::sync::atomic::AtomicI64::new(
                at.and_utc().timestamp_micros(),
            ))),
        }
    }

    /// Moves a fixed clock on (a system clock moves by itself).
    pub fn advance(&self, by: chrono::TimeDelta) {
        if let (Some(t), Some(micros)) = (&self.fixed_micros, by.num_microseconds()) {
            t.fetch_add(micros, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Now: UTC, microseconds, as rows store it.
    pub fn now(&self) -> chrono::NaiveDateTime {
        use chrono::SubsecRound;
        let fixed = self.fixed_micros.as_ref().and_then(|t| {
            chrono::DateTime::from_timestamp_micros(t.load(std::sync::atomic::Ordering::SeqCst))
        });
        match fixed {
            Some(at) => at.naive_utc(),
            None => chrono::Utc::now().naive_utc().trunc_subsecs(6),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{name} must be {expected}, not {value:?}")]
pub struct ConfigError {
    name: &'static str,
    expected: &'static str,
    value: String,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn number<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| ConfigError {
            name,
            expected: "a whole number",
            value: v,
        }),
    }
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = var("DATABASE_URL").unwrap_or_else(|| default_sqlite_url(&data_dir));
        Ok(Self {
            bind: var("BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            database_url,
            base_url: var("BASE_URL").map(|u| u.trim_end_matches('/').to_string()),
            smtp_url: var("SMTP_URL"),
            mail_from: var("MAIL_FROM").unwrap_or_else(default_mail_from),
            smtp_connections: number("SMTP_CONNECTIONS", 4)?,
            rate_limit_reports_per_hour: number("RATE_LIMIT_REPORTS_PER_HOUR", 10)?,
            rate_limit_track_per_hour: number("RATE_LIMIT_TRACK_PER_HOUR", 30)?,
            rate_limit_logins_per_hour: number("RATE_LIMIT_LOGINS_PER_HOUR", 20)?,
            password_check_slots: number("PASSWORD_CHECK_SLOTS", 0)?,
            rate_limit_replies_per_hour: number("RATE_LIMIT_REPLIES_PER_HOUR", 20)?,
            request_idle_timeout_secs: number("REQUEST_IDLE_TIMEOUT_SECONDS", 30)?,
            min_form_seconds: number("MIN_FORM_SECONDS", 3)?,
            trust_proxy_headers: match var("TRUST_PROXY_HEADERS").as_deref() {
                None | Some("false" | "no") => 0,
                Some("true" | "yes") => 1,
                Some(_) => number("TRUST_PROXY_HEADERS", 0)?,
            },
            db_pool_size: number("DATABASE_POOL_SIZE", 8)?,
            retain_reporter_ip_days: number("RETAIN_REPORTER_IP_DAYS", 30)?,
            retain_contact_days: number("RETAIN_CONTACT_DAYS", 1095)?,
            signing_key_file: var("SIGNING_KEY_FILE").map(PathBuf::from),
            storage_url: var("STORAGE_URL"),
            storage_endpoint: None,
            clock: Clock::default(),
            ocr_command: var("OCR_COMMAND").unwrap_or_else(|| "tesseract".into()),
            privacy_contact: var("PRIVACY_CONTACT"),
            platform_answer_working_days: number(
                "PLATFORM_ANSWER_WORKING_DAYS",
                crate::domain::platform_notice::DEFAULT_ANSWER_WORKING_DAYS,
            )?,
            data_dir,
        })
    }

    /// Settings for a fresh data folder with every default (tests adjust the fields they need).
    pub fn for_data_dir(data_dir: PathBuf) -> Self {
        Self {
            bind: "127.0.0.1:0".into(),
            database_url: default_sqlite_url(&data_dir),
            base_url: None,
            smtp_url: None,
            mail_from: default_mail_from(),
            smtp_connections: 4,
            rate_limit_reports_per_hour: 10,
            rate_limit_track_per_hour: 30,
            rate_limit_logins_per_hour: 20,
            password_check_slots: 0,
            rate_limit_replies_per_hour: 20,
            request_idle_timeout_secs: 30,
            min_form_seconds: 3,
            trust_proxy_headers: 0,
            retain_reporter_ip_days: 30,
            retain_contact_days: 1095,
            db_pool_size: 8,
            signing_key_file: None,
            storage_url: None,
            storage_endpoint: None,
            clock: Clock::default(),
            ocr_command: "tesseract".into(),
            privacy_contact: None,
            platform_answer_working_days:
                crate::domain::platform_notice::DEFAULT_ANSWER_WORKING_DAYS,
            data_dir,
        }
    }

    /// `None` when the idle timeout is turned off.
    pub fn request_idle_timeout(&self) -> Option<std::time::Duration> {
        (self.request_idle_timeout_secs > 0)
            .then(|| std::time::Duration::from_secs(self.request_idle_timeout_secs))
    }

    /// Where evidence and packages are kept: `STORAGE_URL`'s object storage, else `DATA_DIR`.
    pub fn storage(&self) -> Result<crate::storage::Storage, String> {
        match &self.storage_url {
            Some(url) => crate::storage::Storage::object(url, self.storage_endpoint.as_deref()),
            None => Ok(crate::storage::Storage::local(self.data_dir.clone())),
        }
    }

    pub fn evidence_dir(&self) -> PathBuf {
        self.data_dir.join("evidence")
    }

    /// Official calendar year files (`*.json`) an operator drops in; loaded at start-up.
    pub fn calendar_dir(&self) -> PathBuf {
        self.data_dir.join("calendar")
    }

    pub fn tmp_dir(&self) -> PathBuf {
        self.data_dir.join("tmp")
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// Handoff packages, each kept once under its SHA-256.
    pub fn packages_dir(&self) -> PathBuf {
        self.data_dir.join("packages")
    }

    /// The portal's signing key: `SIGNING_KEY_FILE`, or `signing-key.pem` in DATA_DIR.
    pub fn signing_key_path(&self) -> PathBuf {
        self.signing_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("signing-key.pem"))
    }
}

fn default_sqlite_url(data_dir: &std::path::Path) -> String {
    data_dir
        .join("reviewwatch.sqlite3")
        .to_string_lossy()
        .into_owned()
}

fn default_mail_from() -> String {
    "ReviewWatch 虚假评价举报平台 <no-reply@reviewwatch.localhost>".into()
}
