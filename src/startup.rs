//! Building the application: data folders, database and migrations, keys, the mail worker,
//! the maintenance loop, and the HTTP server.

use crate::config::Settings;
use crate::db::{self, DbPool};
use crate::evidence::{EvidenceLimits, EvidenceStore};
use crate::handoff::signing::PortalKey;
use crate::mail::transport::Transport;
use crate::mail::worker::MailWorker;
use crate::web::{self, AppState, Keys, limits};
use crate::workflow::Links;
use crate::workflow::handoff::HandoffContext;
use actix_session::SessionMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{SameSite, time::Duration as CookieDuration};
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
        for dir in [settings.evidence_dir(), settings.tmp_dir()] {
            crate::private_fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let (pool, keys) = open_database(&settings).await?;

        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let address = listener.local_addr()?;
        let base_url = settings
            .base_url
            .clone()
            .unwrap_or_else(|| format!("http://{address}"));
        let secure_cookies = base_url.starts_with("https://");

        let mail_wakeup = Arc::new(Notify::new());
        let transport =
            Transport::from_settings(settings.smtp_url.as_deref(), settings.mail_dir())?;
        let from = settings
            .mail_from
            .parse()
            .context("MAIL_FROM is not an email address")?;
        let host = url::Url::parse(&base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "localhost".into());
        tokio::spawn(
            MailWorker {
                pool: pool.clone(),
                transport,
                from,
                host,
                wakeup: mail_wakeup.clone(),
                packages: settings.packages_dir(),
            }
            .run(),
        );

        let store = EvidenceStore::new(settings.evidence_dir());
        let key_path = settings.signing_key_path();
        let portal_key =
            tokio::task::spawn_blocking(move || PortalKey::load_or_create(&key_path)).await??;
        let handoff = HandoffContext {
            key: Arc::new(portal_key),
            link_key: keys.handoff_links.clone(),
            packages_dir: settings.packages_dir(),
            store: store.clone(),
            links: Links {
                base_url: base_url.clone(),
            },
        };
        tokio::spawn(maintenance(
            pool.clone(),
            store.clone(),
            handoff.clone(),
            mail_wakeup.clone(),
            crate::workflow::retention::RetentionPeriods {
                reporter_ip_days: settings.retain_reporter_ip_days,
                contact_days: settings.retain_contact_days,
            },
        ));

        let session_key = keys.session.clone();
        let idle_timeout = settings.request_idle_timeout();
        let state = aweb::Data::new(AppState {
            limits: limits::RateLimits {
                reports: limits::Limiter::per_hour(settings.rate_limit_reports_per_hour),
                track: limits::Limiter::per_hour(settings.rate_limit_track_per_hour),
                replies: limits::Limiter::per_hour(settings.rate_limit_replies_per_hour),
            },
            links: Links {
                base_url: base_url.clone(),
            },
            evidence_limits: EvidenceLimits::default(),
            inspect_slots: Arc::new(tokio::sync::Semaphore::new(2)),
            password_checks: limits::PasswordChecks::new(settings.password_check_slots),
            handoff,
            pool: pool.clone(),
            keys,
            store,
            mail_wakeup,
            settings,
        });

        let server = HttpServer::new(move || {
            let sessions =
                SessionMiddleware::builder(CookieSessionStore::default(), session_key.clone())
                    .cookie_name("rw_session".into())
                    .cookie_http_only(true)
                    .cookie_same_site(SameSite::Strict)
                    .cookie_secure(secure_cookies)
                    .cookie_content_security(CookieContentSecurity::Private)
                    .session_lifecycle(
                        PersistentSession::default().session_ttl(CookieDuration::hours(12)),
                    )
                    .build();
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
                .wrap(sessions)
                .wrap(security_headers(secure_cookies))
                .wrap(Compress::default())
                .wrap(tracing_actix_web::TracingLogger::<
                    web::request_log::RouteOnlySpan,
                >::new())
                .configure(web::routes::configure)
        })
        .listen(listener)?
        .shutdown_timeout(10)
        .run();

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

/// Hourly housekeeping (and once at start): purge reports never confirmed; forget reporter
/// sessions that ended; remind regulators who have not acknowledged a handoff in 5 working days;
/// forget sign-in attempts no rule counts; apply the retention periods.
async fn maintenance(
    pool: DbPool,
    store: EvidenceStore,
    handoff: HandoffContext,
    mail_wakeup: Arc<Notify>,
    retention: crate::workflow::retention::RetentionPeriods,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = crate::workflow::purge::purge_unconfirmed(&pool, &store).await {
            tracing::warn!(error = %e, "purge of unconfirmed reports failed");
        }
        let ended_before = db::now() - chrono::TimeDelta::days(1);
        if let Err(e) = db::run(&pool, move |conn| {
            Ok(db::reporter_sessions::delete_ended(conn, ended_before)?)
        })
        .await
        {
            tracing::warn!(error = %e, "removing ended reporter sessions failed");
        }
        match crate::workflow::handoff::send_reminders(&pool, &handoff).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(reminders = n, "handoff reminders queued");
                mail_wakeup.notify_one();
            }
            Err(e) => tracing::warn!(error = %e, "handoff reminders failed"),
        }
        if let Err(e) = crate::workflow::sign_in::purge_old_attempts(&pool).await {
            tracing::warn!(error = %e, "purge of old sign-in attempts failed");
        }
        if let Err(e) = crate::workflow::retention::apply(&pool, retention).await {
            tracing::warn!(error = %e, "applying the retention periods failed");
        }
    }
}
