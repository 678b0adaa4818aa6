//! Building the application: data folders, database and migrations, keys, the mail worker,
//! the job runner, and the HTTP server.

use crate::config::Settings;
use crate::db::{self, DbPool};
use crate::evidence::{EvidenceLimits, EvidenceStore};
use crate::handoff::signing::PortalKey;
use crate::jobs::{self, JobContext};
use crate::mail::transport::Transport;
use crate::mail::worker::MailWorker;
use crate::storage::PackageStore;
use crate::web::{self, AppState, Keys, limits};
use crate::workflow::Links;
use crate::workflow::handoff::HandoffContext;
use crate::workflow::retention::RetentionPeriods;
use actix_session::SessionMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{Key, SameSite, time::Duration as CookieDuration};
use actix_web::dev::{Server, Service};
use actix_web::middleware::{Compress, DefaultHeaders, ErrorHandlers};
use actix_web::{App, HttpServer, web as aweb};
use anyhow::Context;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub struct Application {
    port: u16,
    server: Server,
    pool: DbPool,
    base_url: String,
}

/// Security headers on every response. The CSP allows only this site's own scripts and styles,
/// and no inline style or script of any kind; HSTS once the portal is served over HTTPS.
fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        // Confirmation links carry a token in the path: never send it on as a referrer.
        .add(("Referrer-Policy", "no-referrer"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ))
        // The portal uses no device feature: a page cannot ask for the camera, the microphone,
        // the reporter's location, payment or USB.
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ))
        .add(("Cross-Origin-Opener-Policy", "same-origin"));
    if https {
        headers.add((
            "Strict-Transport-Security",
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        headers
    }
}

/// Opens the database (running migrations) and reads or creates the instance keys.
pub async fn open_database(settings: &Settings) -> anyhow::Result<(DbPool, Keys)> {
    crate::private_fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("cannot create DATA_DIR {}", settings.data_dir.display()))?;
    if !db::is_postgres_url(&settings.database_url) {
        restrict_sqlite_files(&settings.database_url)?;
    }
    let url = settings.database_url.clone();
    let size = settings.db_pool_size;
    let pool = tokio::task::spawn_blocking(move || db::connect(&url, size))
        .await?
        .context("cannot open the database (DATABASE_URL)")?;
    let keys = db::run(&pool, |conn| {
        Ok((
            db::secrets::get_or_create(conn, "receipt_hmac")?,
            db::secrets::get_or_create(conn, "form_hmac")?,
            db::secrets::get_or_create(conn, "session_cookie")?,
            db::secrets::get_or_create(conn, "handoff_links")?,
            // Made now, so that the first report does not make it inside its transaction.
            db::secrets::get_or_create(conn, crate::domain::contact::CONTACT_ACCOUNT_KEY)?,
        ))
    })
    .await?;
    let calendar_dir = settings.calendar_dir();
    db::run_with(&pool, move |conn| {
        crate::workflow::calendar::load_files_at_start(conn, &calendar_dir)
    })
    .await
    .context("cannot load the working-day calendar")?;
    let session =
        actix_web::cookie::Key::try_from(keys.2.as_slice()).context("session key too short")?;
    Ok((
        pool,
        Keys {
            receipt: keys.0,
            form: keys.1,
            session,
            handoff_links: keys.3,
        },
    ))
}

/// The SQLite database file, created owner-only before SQLite opens it (SQLite gives its -wal and
/// -shm files the database file's permissions), and tightened if an older release made it.
fn restrict_sqlite_files(database_url: &str) -> anyhow::Result<()> {
    let path = database_url
        .strip_prefix("sqlite://")
        .unwrap_or(database_url);
    if path.is_empty() || path == ":memory:" || path.starts_with("file:") {
        return Ok(());
    }
    let path = std::path::Path::new(path);
    crate::private_fs::create_private_file(path)
        .with_context(|| format!("cannot create the database file {}", path.display()))?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        crate::private_fs::restrict_file(std::path::Path::new(&side))?;
    }
    Ok(())
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        create_data_folders(&settings)?;
        let (pool, keys) = open_database(&settings).await?;
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let address = listener.local_addr()?;
        let base_url = public_base_url(&settings, address);
        let handoff = handoff_context(&settings, &keys, &base_url).await?;
        check_storage(&handoff).await?;
        let mail_wakeup = start_mail_worker(&settings, &pool, &base_url, &handoff.packages)?;
        start_job_runner(
            pool.clone(),
            job_context(&settings, handoff.clone(), mail_wakeup.clone()),
        );
        let state = app_state(
            settings,
            pool.clone(),
            keys,
            handoff,
            mail_wakeup,
            &base_url,
        );
        let server = http_server(listener, state)?;
        tracing::info!(%address, %base_url, "ReviewWatch is listening");
        Ok(Self {
            port: address.port(),
            server,
            pool,
            base_url,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The address links in emails use: `BASE_URL`, else the address the server listens on.
fn public_base_url(settings: &Settings, address: std::net::SocketAddr) -> String {
    settings
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"))
}

/// The folders under DATA_DIR that the database does not make: evidence, temporary uploads.
/// Temporary files an hour old are what a process killed mid-upload left: they go.
fn create_data_folders(settings: &Settings) -> anyhow::Result<()> {
    for dir in [settings.evidence_dir(), settings.tmp_dir()] {
        crate::private_fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let removed = remove_stale_files(&settings.tmp_dir(), STALE_SCRATCH)?;
    if removed > 0 {
        tracing::info!(
            removed,
            "temporary files left by an earlier run were removed"
        );
    }
    Ok(())
}

/// How old a temporary file must be to count as left behind (an upload at 200 KiB/s of ten
/// 10 MiB screenshots takes under nine minutes; two instances may share the folder).
const STALE_SCRATCH: Duration = Duration::from_secs(3600);

/// Removes the files directly in `dir` last changed more than `age` ago; returns how many.
fn remove_stale_files(dir: &std::path::Path, age: Duration) -> std::io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|elapsed| elapsed > age);
        if meta.is_file() && old {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Refuses to start on a storage that does not answer (a wrong bucket, endpoint or key is
/// better found now than at the first report).
async fn check_storage(handoff: &HandoffContext) -> anyhow::Result<()> {
    let storage = handoff.store.storage().clone();
    let place = storage.describe();
    tokio::task::spawn_blocking(move || storage.check())
        .await?
        .with_context(|| format!("the storage at {place} does not answer"))?;
    tracing::info!(storage = %place, "evidence and packages are kept here");
    Ok(())
}

/// Starts the worker that sends the outbox; what wakes it when a change queued mail.
fn start_mail_worker(
    settings: &Settings,
    pool: &DbPool,
    base_url: &str,
    packages: &crate::storage::PackageStore,
) -> anyhow::Result<Arc<Notify>> {
    let wakeup = Arc::new(Notify::new());
    let transport = Transport::from_settings(
        settings.smtp_url.as_deref(),
        settings.smtp_connections,
        settings.mail_dir(),
    )?;
    let from = settings
        .mail_from
        .parse()
        .context("MAIL_FROM is not an email address")?;
    // The host name in Message-IDs: the portal's own.
    let host = url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "localhost".into());
    tokio::spawn(
        MailWorker {
            pool: pool.clone(),
            transport,
            from,
            host,
            wakeup: wakeup.clone(),
            packages: packages.clone(),
            // The files transport writes each mail as it comes: one at a time is enough.
            sends_at_once: match settings.smtp_url {
                Some(_) => settings.smtp_connections as usize,
                None => 1,
            },
        }
        .run(),
    );
    Ok(wakeup)
}

/// The portal's signing key: `SIGNING_KEY_FILE` when set; else, with object storage, the key
/// kept in it (`keys/signing-key.pem`: every instance signs with one key); else
/// `DATA_DIR/signing-key.pem`. Made on first start where there is none.
pub async fn signing_key(
    settings: &Settings,
    storage: &crate::storage::Storage,
) -> anyhow::Result<PortalKey> {
    let key_path = settings.signing_key_path();
    let in_storage =
        (settings.signing_key_file.is_none() && !storage.is_local()).then(|| storage.clone());
    let key = tokio::task::spawn_blocking(move || match in_storage {
        Some(storage) => {
            let key = crate::storage::StorageKey::parse(crate::backup::STORED_SIGNING_KEY)
                .ok_or_else(|| anyhow::anyhow!("bad key name"))?;
            Ok::<_, anyhow::Error>(PortalKey::load_or_create_in(&storage, &key)?)
        }
        None => Ok(PortalKey::load_or_create(&key_path)?),
    })
    .await??;
    Ok(key)
}

/// Everything a handoff needs: the signing key (made on first start), the link key, where
/// packages and evidence are kept, the public address for links.
pub async fn handoff_context(
    settings: &Settings,
    keys: &Keys,
    base_url: &str,
) -> anyhow::Result<HandoffContext> {
    let storage = settings
        .storage()
        .map_err(|e| anyhow::anyhow!("STORAGE_URL: {e}"))?;
    let portal_key = signing_key(settings, &storage).await?;
    Ok(HandoffContext {
        key: Arc::new(portal_key),
        link_key: keys.handoff_links.clone(),
        packages: PackageStore::on(&storage),
        store: EvidenceStore::on(&storage),
        scratch_dir: settings.tmp_dir(),
        links: Links {
            base_url: base_url.to_string(),
        },
        platform_answer_working_days: settings.platform_answer_working_days,
    })
}

/// What the background jobs need besides the database.
pub fn job_context(
    settings: &Settings,
    handoff: HandoffContext,
    mail_wakeup: Arc<Notify>,
) -> JobContext {
    JobContext {
        store: handoff.store.clone(),
        held: crate::evidence::held::HeldUploads::on(handoff.store.storage()),
        handoff,
        mail_wakeup,
        retention: RetentionPeriods {
            reporter_ip_days: settings.retain_reporter_ip_days,
            contact_days: settings.retain_contact_days,
        },
        ocr: jobs::ocr::OcrEngine::new(&settings.ocr_command),
    }
}

/// How often the job runner looks for due jobs.
const JOB_POLL: Duration = Duration::from_secs(15);

/// Starts this instance's job runner: the housekeeping jobs are scheduled (due at once on a new
/// database), then every `JOB_POLL` a pass runs whatever is due. Other instances on the same
/// database share the jobs: each runs once.
fn start_job_runner(pool: DbPool, ctx: JobContext) {
    let worker = jobs::worker_id();
    tracing::info!(%worker, "job runner started");
    tokio::spawn(run_jobs(pool, Arc::new(ctx), worker));
}

async fn run_jobs(pool: DbPool, ctx: Arc<JobContext>, worker: String) {
    let mut tick = tokio::time::interval(JOB_POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = db::now();
        // Every time, not once: a housekeeping job that went missing comes back.
        if let Err(e) = jobs::schedule_housekeeping(&pool, now).await {
            tracing::warn!(error = %e, "job runner could not schedule the housekeeping jobs");
        }
        // A pass is a task of its own: a handler that panics ends its pass, not the runner (the
        // job's lease runs out and it is retried).
        let pass = tokio::spawn({
            let (pool, ctx, worker) = (pool.clone(), ctx.clone(), worker.clone());
            async move { jobs::run_due(&pool, &ctx, &worker, now).await }
        });
        match pass.await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "job runner could not reach the jobs table"),
            Err(e) => tracing::error!(error = %e, "a job pass panicked"),
        }
    }
}

/// Requests per client address per hour, counted in the database (shared by every instance).
fn rate_limits(settings: &Settings, pool: &DbPool) -> limits::RateLimits {
    use crate::domain::rate_limit::LimitedAction;
    let limit = |action, n| limits::Limiter::per_hour(action, n, pool);
    limits::RateLimits {
        reports: limit(LimitedAction::Report, settings.rate_limit_reports_per_hour),
        track: limit(LimitedAction::Track, settings.rate_limit_track_per_hour),
        replies: limit(LimitedAction::Reply, settings.rate_limit_replies_per_hour),
        password_resets: limit(
            LimitedAction::PasswordReset,
            settings.rate_limit_logins_per_hour,
        ),
    }
}

/// What every handler gets.
fn app_state(
    settings: Settings,
    pool: DbPool,
    keys: Keys,
    handoff: HandoffContext,
    mail_wakeup: Arc<Notify>,
    base_url: &str,
) -> aweb::Data<AppState> {
    aweb::Data::new(AppState {
        limits: rate_limits(&settings, &pool),
        links: Links {
            base_url: base_url.to_string(),
        },
        evidence_limits: EvidenceLimits::default(),
        inspect_slots: Arc::new(tokio::sync::Semaphore::new(2)),
        password_checks: limits::PasswordChecks::new(settings.password_check_slots),
        official_years: Arc::default(),
        store: handoff.store.clone(),
        handoff,
        pool,
        keys,
        mail_wakeup,
        settings,
    })
}

/// The session cookie: encrypted (private), HTTP only, same-site strict, `Secure` over HTTPS,
/// at most 12 hours.
fn session_middleware(key: Key, secure: bool) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name("rw_session".into())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Strict)
        .cookie_secure(secure)
        .cookie_content_security(CookieContentSecurity::Private)
        .session_lifecycle(PersistentSession::default().session_ttl(CookieDuration::hours(12)))
        .build()
}

/// The HTTP server on `listener`: the routes with their middleware, started.
fn http_server(listener: TcpListener, state: aweb::Data<AppState>) -> std::io::Result<Server> {
    let session_key = state.keys.session.clone();
    let secure = state.links.base_url.starts_with("https://");
    let idle_timeout = state.settings.request_idle_timeout();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(
                aweb::FormConfig::default()
                    .limit(64 * 1024)
                    .error_handler(web::idle_body::form_error),
            )
            // Every request body, multipart or urlencoded, is cut when it stalls.
            .wrap_fn(move |mut req, srv| {
                if let Some(idle) = idle_timeout {
                    web::idle_body::guard_body(&mut req, idle);
                }
                srv.call(req)
            })
            .wrap(ErrorHandlers::new().default_handler(web::error_page::render_error_page))
            .wrap(session_middleware(session_key.clone(), secure))
            .wrap(security_headers(secure))
            .wrap(Compress::default())
            .wrap(web::request_log::AccessLog)
            .configure(web::routes::configure)
    })
    .listen(listener)?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}
