//! The test harness, after zero-to-production's `spawn_app`: each test gets its own data folder,
//! database, SMTP listener and server, and talks to them only as a browser and a mailbox would
//! (plus the database, to prove what was or was not kept).

use chrono::{NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use mailin_embedded::{Handler, Response, Server, response};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use reviewwatch::config::Settings;
use reviewwatch::db::{DbPool, PooledDb, schema};
use reviewwatch::domain::Lang;
use reviewwatch::i18n::{Messages, messages};
use reviewwatch::startup::Application;
use scraper::{Html, Selector};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// The longest any test waits for something that happens in the background (an email, a retry).
pub const WAIT: Duration = Duration::from_secs(15);

/// The address every report with an email uses (each test has its own SMTP listener).
pub const SHOPPER: &str = "shopper@example.com";

pub fn zh() -> &'static Messages {
    messages(Lang::ZhCn)
}

pub fn en() -> &'static Messages {
    messages(Lang::En)
}

/// `TEST_LOG=1` shows the application's logs (off by default: tests run in parallel).
fn init_tracing() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
                .with_test_writer()
                .try_init();
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Storage: the data folder and the database, which outlive one run of the application.

/// A PostgreSQL database made for one test, dropped when the test is over.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // Best effort: a leftover test database is untidy, not wrong.
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

/// DATA_DIR and DATABASE_URL of one test. Shared by the runs of the application on it (a
/// restart), removed when the last of them is gone.
pub struct Storage {
    pub dir: tempfile::TempDir,
    pub database_url: String,
    _pg: Option<PgDatabase>,
}

impl Storage {
    pub fn fresh() -> Arc<Storage> {
        let dir = tempfile::tempdir().expect("a temporary DATA_DIR");
        let (database_url, pg) = match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
        {
            Some(admin_url) => {
                let (url, db) = create_pg_database(admin_url.trim());
                (url, Some(db))
            }
            None => (
                Settings::for_data_dir(dir.path().to_path_buf()).database_url,
                None,
            ),
        };
        Arc::new(Storage {
            dir,
            database_url,
            _pg: pg,
        })
    }

    /// Settings for this storage: every default, except that forms may be sent at once.
    pub fn settings(&self) -> Settings {
        let mut s = Settings::for_data_dir(self.dir.path().to_path_buf());
        s.database_url = self.database_url.clone();
        s.min_form_seconds = 0;
        s
    }
}

fn create_pg_database(admin_url: &str) -> (String, PgDatabase) {
    use rand::Rng;
    let mut conn = diesel::PgConnection::establish(admin_url)
        .unwrap_or_else(|e| panic!("cannot connect to TEST_DATABASE_URL {admin_url}: {e}"));
    let suffix: String = (0..12)
        .map(|_| {
            char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rand::rng().random_range(0..36)])
        })
        .collect();
    let name = format!("rw_test_{suffix}");
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    let mut url = url::Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    (
        url.to_string(),
        PgDatabase {
            admin_url: admin_url.to_string(),
            name,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// The SMTP listener.

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

#[derive(Clone)]
struct SmtpHandler {
    tx: UnboundedSender<Received>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for SmtpHandler {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to
            .iter()
            .map(|a| {
                a.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_lowercase()
            })
            .collect();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let message = Received {
            to: std::mem::take(&mut self.to),
            raw: std::mem::take(&mut self.data),
        };
        let _ = self.tx.send(message);
        response::OK
    }
}

/// A decoded email.
#[derive(Debug, Clone)]
pub struct ParsedMail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl ParsedMail {
    fn parse(received: &Received) -> Self {
        let message = mail_parser::MessageParser::default()
            .parse(&received.raw)
            .unwrap_or_else(|| {
                panic!(
                    "not a parsable email: {}",
                    String::from_utf8_lossy(&received.raw)
                )
            });
        ParsedMail {
            to: received.to.clone(),
            subject: message.subject().unwrap_or_default().to_string(),
            text: message
                .body_text(0)
                .map(|b| b.into_owned())
                .unwrap_or_default(),
            html: message
                .body_html(0)
                .map(|b| b.into_owned())
                .unwrap_or_default(),
        }
    }

    /// The path of the confirmation link (`/confirm/{token}`) in the text body, whatever
    /// address it was made for.
    pub fn confirm_path(&self) -> String {
        let start = self
            .text
            .find("/confirm/")
            .unwrap_or_else(|| panic!("no confirmation link in:\n{}", self.text));
        self.text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
            .collect()
    }

    /// The confirmation link (`{base}/confirm/{token}`) in the text body.
    pub fn confirm_link(&self, base: &str) -> String {
        let prefix = format!("{base}/confirm/");
        let start = self
            .text
            .find(&prefix)
            .unwrap_or_else(|| panic!("no {prefix}… link in:\n{}", self.text));
        self.text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
            .collect()
    }
}

/// Mail the test's SMTP listener received, in arrival order.
pub struct Inbox {
    rx: tokio::sync::Mutex<UnboundedReceiver<Received>>,
    /// Messages taken off the channel while waiting for another address.
    held: Mutex<Vec<Received>>,
}

impl Inbox {
    /// Waits (at most `timeout`) for the next message to `addr`.
    pub async fn next_for(&self, addr: &str, timeout: Duration) -> ParsedMail {
        let addr = addr.to_lowercase();
        {
            let mut held = self.held.lock().unwrap();
            if let Some(i) = held.iter().position(|m| m.to.contains(&addr)) {
                return ParsedMail::parse(&held.remove(i));
            }
        }
        let deadline = tokio::time::Instant::now() + timeout;
        let mut rx = self.rx.lock().await;
        loop {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(m)) if m.to.contains(&addr) => return ParsedMail::parse(&m),
                Ok(Some(m)) => self.held.lock().unwrap().push(m),
                Ok(None) => panic!("the SMTP listener stopped"),
                Err(_) => panic!("no email to {addr} within {timeout:?}"),
            }
        }
    }

    /// Messages received so far and not yet taken.
    pub async fn received_so_far(&self) -> Vec<Received> {
        let mut all: Vec<Received> = std::mem::take(&mut *self.held.lock().unwrap());
        let mut rx = self.rx.lock().await;
        while let Ok(m) = rx.try_recv() {
            all.push(m);
        }
        all
    }
}

/// Starts an SMTP server on a free loopback port; it lives as long as the test process.
pub fn start_smtp() -> (u16, Inbox) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port for SMTP");
    let port = listener.local_addr().expect("its address").port();
    let (tx, rx) = unbounded_channel();
    let mut server = Server::new(SmtpHandler {
        tx,
        to: Vec::new(),
        data: Vec::new(),
    });
    server
        .with_name("smtp.test")
        .with_num_threads(8)
        .with_tcp_listener(listener);
    std::thread::Builder::new()
        .name(format!("smtp-{port}"))
        .spawn(move || {
            let _ = server.serve();
        })
        .expect("an SMTP thread");
    (
        port,
        Inbox {
            rx: tokio::sync::Mutex::new(rx),
            held: Mutex::new(Vec::new()),
        },
    )
}

/// A loopback port where no SMTP server answers: the socket is bound (so no other test can be
/// given the port while it lives) but never listens, so every connection is refused.
pub fn closed_port() -> (u16, socket2::Socket) {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
    let addr: std::net::SocketAddr = "127.0.0.1:0".parse().expect("an address");
    socket.bind(&addr.into()).expect("a loopback port");
    let port = socket
        .local_addr()
        .expect("its address")
        .as_socket()
        .expect("an IP address")
        .port();
    (port, socket)
}

// ---------------------------------------------------------------------------------------------
// The application.

/// The application running on a thread and runtime of its own, so that a test can stop it (a
/// restart) and nothing of it (server, mail worker) outlives its test.
struct Running {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn start_application(settings: Settings) -> (u16, DbPool, Running) {
    init_tracing();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Result<(u16, DbPool), String>>();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("reviewwatch".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            rt.block_on(async move {
                match Application::build(settings).await {
                    Ok(app) => {
                        let _ = ready_tx.send(Ok((app.port(), app.pool().clone())));
                        let server = tokio::spawn(app.run_until_stopped());
                        let _ = stop_rx.await;
                        // Dropping the server closes its listener and stops its workers.
                        server.abort();
                        let _ = server.await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(format!("{e:#}")));
                    }
                }
            });
            // Ends the mail worker and the maintenance loop.
            rt.shutdown_timeout(Duration::from_secs(5));
        })
        .expect("an application thread");
    let (port, pool) = tokio::time::timeout(Duration::from_secs(60), ready_rx)
        .await
        .expect("the application starts within a minute")
        .expect("the application thread answers")
        .unwrap_or_else(|e| panic!("Application::build failed: {e}"));
    (
        port,
        pool,
        Running {
            stop: Some(stop_tx),
            thread: Some(thread),
        },
    )
}

/// The database is the one the run asked for: PostgreSQL when `TEST_DATABASE_URL` is set (no
/// silent fallback to SQLite), SQLite otherwise.
pub fn assert_backend(pool: &DbPool) {
    let conn = pool.get().expect("a database connection");
    let want_postgres = std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.trim().is_empty());
    let is_postgres = matches!(&*conn, reviewwatch::db::DbConnection::Postgres(_));
    assert_eq!(
        is_postgres, want_postgres,
        "the tests run on the database TEST_DATABASE_URL asks for"
    );
}

pub struct TestApp {
    /// The default visitor (one browser with its cookies); `app.visitor()` makes others.
    pub visitor: Visitor,
    pub address: String,
    pub port: u16,
    pub data_dir: PathBuf,
    pub pool: DbPool,
    pub mail: Inbox,
    /// The settings it runs with (its storage among them).
    pub settings: Settings,
    running: Running,
    storage: Arc<Storage>,
}

impl std::ops::Deref for TestApp {
    type Target = Visitor;

    fn deref(&self) -> &Visitor {
        &self.visitor
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_on(Storage::fresh(), configure).await
}

/// Starts the application on existing storage (the same DATA_DIR and database as an earlier run),
/// with an SMTP listener of its own unless `configure` points `smtp_url` elsewhere.
pub async fn spawn_app_on(storage: Arc<Storage>, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let (smtp_port, inbox) = start_smtp();
    let mut settings = storage.settings();
    settings.smtp_url = Some(format!("smtp://127.0.0.1:{smtp_port}"));
    configure(&mut settings);
    let data_dir = settings.data_dir.clone();
    let kept = settings.clone();
    let (port, pool, running) = start_application(settings).await;
    assert_backend(&pool);
    let address = format!("http://127.0.0.1:{port}");
    TestApp {
        visitor: Visitor::new(&address, None),
        address,
        port,
        data_dir,
        pool,
        mail: inbox,
        settings: kept,
        running,
        storage,
    }
}

impl TestApp {
    /// Another browser, with a cookie jar of its own.
    pub fn visitor(&self) -> Visitor {
        Visitor::new(&self.address, None)
    }

    /// Another browser that asks for `lang` pages (`Accept-Language`).
    pub fn visitor_speaking(&self, lang: &str) -> Visitor {
        Visitor::new(&self.address, Some(lang))
    }

    /// Stops the application (its server, mail worker and maintenance loop) and hands back its
    /// storage, to start it again on the same data.
    pub fn stop(mut self) -> Arc<Storage> {
        self.running.stop();
        self.storage.clone()
    }

    /// The `DATABASE_URL` of this app's database (for running the command on it).
    /// The settings this app's storage gives (its data folder and database).
    pub fn settings(&self) -> Settings {
        self.storage.settings()
    }

    pub fn storage_url(&self) -> String {
        self.storage.database_url.clone()
    }

    pub fn db(&self) -> PooledDb {
        self.pool.get().expect("a database connection")
    }

    pub fn case_count(&self) -> i64 {
        reviewwatch::db::cases::count(&mut self.db()).expect("count cases")
    }

    /// The stored status of a case, by its number.
    pub fn case_status(&self, number: &str) -> String {
        use schema::cases::dsl as c;
        c::cases
            .filter(c::case_number.eq(number))
            .select(c::status)
            .first(&mut self.db())
            .expect("the case exists")
    }

    /// The description as stored.
    pub fn case_description(&self, number: &str) -> String {
        use schema::cases::dsl as c;
        c::cases
            .filter(c::case_number.eq(number))
            .select(c::description)
            .first(&mut self.db())
            .expect("the case exists")
    }

    pub fn case_id(&self, number: &str) -> reviewwatch::domain::CaseId {
        use schema::cases::dsl as c;
        c::cases
            .filter(c::case_number.eq(number))
            .select(c::id)
            .first(&mut self.db())
            .expect("the case exists")
    }

    pub fn outbox(&self) -> Vec<OutboxRow> {
        use schema::outbox::dsl as o;
        o::outbox
            .order(o::id.asc())
            .select((
                o::id,
                o::case_id,
                o::kind,
                o::to_address,
                o::body_text,
                o::body_html,
                o::attempts,
                o::sent_at,
                o::next_attempt_at,
                o::last_error,
            ))
            .load::<OutboxRow>(&mut self.db())
            .expect("read the outbox")
    }

    pub fn evidence_rows(&self) -> Vec<reviewwatch::db::evidence::EvidenceRow> {
        use schema::evidence::dsl as e;
        e::evidence
            .order(e::id.asc())
            .select(reviewwatch::db::evidence::EvidenceRow::as_select())
            .load(&mut self.db())
            .expect("read evidence rows")
    }

    /// Runs the background jobs due now, as the app's runner does on its next pass (every 15 s):
    /// above all the making of screenshots' copies, and what follows from them (the
    /// near-identical index, the reading of their text). Waits for any copies the app's own
    /// runner took first.
    pub async fn run_due_jobs(&self) {
        use reviewwatch::domain::jobs::{JobKind, JobState};
        let settings = self.settings.clone();
        let (_, keys) = reviewwatch::startup::open_database(&settings)
            .await
            .expect("the test's database");
        let handoff = reviewwatch::startup::handoff_context(&settings, &keys, &self.address)
            .await
            .expect("a handoff context");
        let ctx = reviewwatch::startup::job_context(
            &settings,
            handoff,
            Arc::new(tokio::sync::Notify::new()),
        );
        reviewwatch::jobs::run_due(&self.pool, &ctx, "test-runner", reviewwatch::db::now())
            .await
            .expect("a pass of the job runner");
        poll_until("the screenshots' copies", WAIT, || {
            let pending: i64 = schema::jobs::table
                .filter(schema::jobs::kind.eq(JobKind::MakeScreenshotCopies.as_str()))
                .filter(schema::jobs::state.eq(JobState::Pending.as_str()))
                .count()
                .get_result(&mut self.db())
                .expect("count the pending jobs");
            (pending == 0).then_some(())
        })
        .await;
    }

    /// Waits until the app's job runner has done the jobs due when it started (the housekeeping):
    /// its pass then ends, and it runs nothing before its next one, 15 s later. For a test that
    /// looks at what is there before a background job runs.
    pub async fn wait_for_the_job_runner(&self) {
        use reviewwatch::domain::jobs::JobState;
        poll_until("the job runner's first pass", WAIT, || {
            let due: i64 = schema::jobs::table
                .filter(schema::jobs::state.eq(JobState::Pending.as_str()))
                .filter(schema::jobs::run_at.le(reviewwatch::db::now()))
                .count()
                .get_result(&mut self.db())
                .expect("count the due jobs");
            (due == 0).then_some(())
        })
        .await;
    }

    /// Every file under DATA_DIR/evidence (or a sub-folder of it), at any depth.
    pub fn evidence_files(&self, sub: &str) -> Vec<PathBuf> {
        files_under(&self.data_dir.join("evidence").join(sub))
    }

    pub fn tmp_files(&self) -> Vec<PathBuf> {
        files_under(&self.data_dir.join("tmp"))
    }

    /// Proves a refused submission kept nothing: no case, no queued mail, no evidence file, no
    /// temporary file.
    pub fn assert_nothing_left_behind(&self) {
        assert_eq!(self.case_count(), 0, "no case may be stored");
        assert!(
            self.outbox().is_empty(),
            "no mail may be queued: {:?}",
            self.outbox()
        );
        let evidence = self.evidence_files("");
        assert!(
            evidence.is_empty(),
            "no evidence file may be kept: {evidence:?}"
        );
        let tmp = self.tmp_files();
        assert!(tmp.is_empty(), "no temporary file may be left: {tmp:?}");
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct OutboxRow {
    pub id: reviewwatch::domain::MailId,
    pub case_id: Option<reviewwatch::domain::CaseId>,
    pub kind: reviewwatch::domain::mail_kind::MailKind,
    pub to_address: String,
    pub body_text: String,
    pub body_html: String,
    pub attempts: i32,
    pub sent_at: Option<NaiveDateTime>,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
}

pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// Checks `check` until it gives a value, at most `timeout`.
pub async fn poll_until<T>(
    what: &str,
    timeout: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    loop {
        tick.tick().await;
        if let Some(v) = check() {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A visitor: a browser with a cookie jar that does not follow redirects.

#[derive(Clone)]
pub struct Visitor {
    pub client: reqwest::Client,
    base: String,
}

/// A response, its body read as text.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

/// A response whose body is bytes (images).
#[derive(Debug)]
pub struct BinaryReply {
    pub status: StatusCode,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A filed report as its receipt page showed it.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub number: String,
    pub code: String,
}

pub type File = (&'static str, Vec<u8>, &'static str);

impl Visitor {
    pub fn new(base: &str, lang: Option<&str>) -> Self {
        let mut headers = HeaderMap::new();
        if let Some(lang) = lang {
            headers.insert(
                reqwest::header::ACCEPT_LANGUAGE,
                lang.parse().expect("a header value"),
            );
        }
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client");
        Self {
            client,
            base: base.to_string(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The same browser (its cookies too) on another instance of the portal at `base`.
    pub fn at(&self, base: &str) -> Visitor {
        Visitor {
            client: self.client.clone(),
            base: base.to_string(),
        }
    }

    async fn read(res: reqwest::Response) -> Reply {
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.text().await.expect("a response body");
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A multipart POST of a form the test builds itself.
    pub async fn post_multipart(&self, path: &str, form: reqwest::multipart::Form) -> Reply {
        Self::read(
            self.client
                .post(self.url(path))
                .multipart(form)
                .send()
                .await
                .expect("POST is answered"),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Reply {
        Self::read(
            self.client
                .get(self.url(path))
                .send()
                .await
                .expect("GET is answered"),
        )
        .await
    }

    pub async fn get_bytes(&self, path: &str) -> BinaryReply {
        let res = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("GET is answered");
        let status = res.status();
        let content_type = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = res.bytes().await.expect("a response body").to_vec();
        BinaryReply {
            status,
            content_type,
            bytes,
        }
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        Self::read(
            self.client
                .post(self.url(path))
                .form(form)
                .send()
                .await
                .expect("POST is answered"),
        )
        .await
    }

    /// Sends a form found on a page (`Reply::form`).
    pub async fn submit(&self, form: &PageForm) -> Reply {
        assert_eq!(
            form.method, "post",
            "the form changes state, so it is a POST: {form:?}"
        );
        let pairs: Vec<(&str, &str)> = form
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post_form(&form.action, &pairs).await
    }

    /// The hidden `form_token` of a freshly shown report form.
    pub async fn form_token(&self) -> String {
        let page = self.get("/reports/new").await;
        assert_eq!(page.status, StatusCode::OK, "the report form is shown");
        page.attr_of("form#report-form input[name=form_token]", "value")
            .expect("the report form carries a form_token")
    }

    /// Shows the report form (for its token and cookies), then sends it with `files`.
    pub async fn submit_report(&self, form: &ReportFields, files: Vec<File>) -> Reply {
        let token = self.form_token().await;
        self.submit_report_with_token(form, files, Some(&token))
            .await
    }

    /// Sends the report form with the given `form_token` (or none at all).
    pub async fn submit_report_with_token(
        &self,
        form: &ReportFields,
        files: Vec<File>,
        token: Option<&str>,
    ) -> Reply {
        let mut multipart = reqwest::multipart::Form::new();
        if let Some(token) = token {
            multipart = multipart.text("form_token", token.to_string());
        }
        for (name, value) in &form.fields {
            multipart = multipart.text(name.clone(), value.clone());
        }
        for (name, bytes, mime) in files {
            let part = reqwest::multipart::Part::bytes(bytes)
                .file_name(name)
                .mime_str(mime)
                .expect("a MIME type");
            multipart = multipart.part("evidence", part);
        }
        let res = self
            .client
            .post(self.url("/reports"))
            .multipart(multipart)
            .send()
            .await
            .expect("POST /reports is answered");
        Self::read(res).await
    }

    /// Files a report that must be accepted, and reads its receipt.
    pub async fn file_report(&self, form: &ReportFields, files: Vec<File>) -> Receipt {
        let reply = self.submit_report(form, files).await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "the report is accepted; problems: {:?}",
            reply.problems()
        );
        assert_eq!(reply.location().as_deref(), Some("/reports/receipt"));
        let receipt = self.get("/reports/receipt").await;
        assert_eq!(receipt.status, StatusCode::OK);
        let number = receipt
            .text_of("#case-number")
            .expect("the receipt shows the case number");
        let code = receipt
            .text_of("#receipt-code")
            .expect("the receipt shows the receipt code");
        Receipt { number, code }
    }

    /// Enters a case number and receipt code on the tracking form.
    pub async fn track(&self, number: &str, code: &str) -> Reply {
        self.post_form("/track", &[("case_number", number), ("receipt_code", code)])
            .await
    }

    /// Opens a case (which must open) and returns its page.
    pub async fn open_case(&self, number: &str, code: &str) -> Reply {
        let reply = self.track(number, code).await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "the case opens with its number and code"
        );
        assert_eq!(reply.location().as_deref(), Some("/track/case"));
        let page = self.get("/track/case").await;
        assert_eq!(page.status, StatusCode::OK);
        page
    }
}

impl Reply {
    pub fn location(&self) -> Option<String> {
        self.headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    pub fn doc(&self) -> Html {
        Html::parse_document(&self.body)
    }

    fn selector(css: &str) -> Selector {
        Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e:?}"))
    }

    /// The trimmed text of the first element matching `css`.
    pub fn text_of(&self, css: &str) -> Option<String> {
        self.doc()
            .select(&Self::selector(css))
            .next()
            .map(|e| e.text().collect::<String>().trim().to_string())
    }

    pub fn texts_of(&self, css: &str) -> Vec<String> {
        self.doc()
            .select(&Self::selector(css))
            .map(|e| e.text().collect::<String>().trim().to_string())
            .collect()
    }

    pub fn attr_of(&self, css: &str, attr: &str) -> Option<String> {
        self.doc()
            .select(&Self::selector(css))
            .next()
            .and_then(|e| e.value().attr(attr))
            .map(str::to_string)
    }

    pub fn attrs_of(&self, css: &str, attr: &str) -> Vec<String> {
        self.doc()
            .select(&Self::selector(css))
            .filter_map(|e| e.value().attr(attr))
            .map(str::to_string)
            .collect()
    }

    pub fn count(&self, css: &str) -> usize {
        self.doc().select(&Self::selector(css)).count()
    }

    pub fn html_lang(&self) -> Option<String> {
        self.attr_of("html", "lang")
    }

    /// The list of problems on a refused report form.
    pub fn problems(&self) -> Vec<String> {
        self.texts_of("#form-problems li")
    }

    /// The status the case page shows.
    pub fn case_status(&self) -> Option<String> {
        self.attr_of("#case-status", "data-status")
    }

    pub fn content_type(&self) -> String {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }

    /// The form with `data-action="{action}"`, as a browser would send it from the page at
    /// `page_path`: where it goes and the values of its inputs.
    pub fn form(&self, action: &str, page_path: &str) -> Option<PageForm> {
        self.form_in(&format!("form[data-action=\"{action}\"]"), page_path)
    }

    /// The first form `css` selects, as `form` reads it.
    pub fn form_in(&self, css: &str, page_path: &str) -> Option<PageForm> {
        let doc = self.doc();
        let form_selector = Self::selector(css);
        let form = doc.select(&form_selector).next()?;
        let target = form
            .value()
            .attr("action")
            .filter(|a| !a.is_empty())
            .unwrap_or(page_path)
            .to_string();
        let method = form
            .value()
            .attr("method")
            .unwrap_or("get")
            .to_ascii_lowercase();
        let mut fields = Vec::new();
        for input in form.select(&Self::selector("input[name], textarea[name]")) {
            let kind = input.value().attr("type").unwrap_or("text");
            // As a browser sends it: a box only when ticked, nothing disabled.
            let ticked = input.value().attr("checked").is_some();
            if input.value().attr("disabled").is_some()
                || (matches!(kind, "checkbox" | "radio") && !ticked)
            {
                continue;
            }
            let name = input.value().attr("name").unwrap_or_default().to_string();
            let value = match input.value().name() {
                "textarea" => input.text().collect(),
                _ => input.value().attr("value").unwrap_or_default().to_string(),
            };
            fields.push((name, value));
        }
        Some(PageForm {
            action: target,
            method,
            fields,
        })
    }
}

/// A form on a page: where it is sent, how, and the values it carries.
#[derive(Debug, Clone)]
pub struct PageForm {
    pub action: String,
    pub method: String,
    pub fields: Vec<(String, String)>,
}

impl PageForm {
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets (or adds) a field, as a person filling it in would.
    pub fn fill(mut self, name: &str, value: &str) -> Self {
        match self.fields.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.fields.push((name.to_string(), value.to_string())),
        }
        self
    }

    /// Leaves a field out (a forged request).
    pub fn without(mut self, name: &str) -> Self {
        self.fields.retain(|(k, _)| k != name);
        self
    }
}

// ---------------------------------------------------------------------------------------------
// The report form.

/// The text fields of the report form, as a browser would send them.
#[derive(Debug, Clone)]
pub struct ReportFields {
    pub fields: Vec<(String, String)>,
}

/// The date in China (the portal's users' date), `days` ago.
pub fn china_date(days_ago: i64) -> String {
    ((Utc::now() + TimeDelta::hours(8)).date_naive() - TimeDelta::days(days_ago))
        .format("%Y-%m-%d")
        .to_string()
}

impl ReportFields {
    /// A complete, valid, anonymous report in zh-CN.
    pub fn zh_cn() -> Self {
        Self {
            fields: [
                ("platform", "taobao"),
                ("shop_name", "某某数码旗舰店"),
                ("shop_url", "https://shop123456.taobao.com/"),
                ("region_province", "330000"),
                ("region_city", "330100"),
                ("region_code", "330110"),
                ("product_url", "https://item.taobao.com/item.htm?id=6543210"),
                ("order_number", "2026112512345678"),
                ("category", "cashback_for_review"),
                (
                    "description",
                    "收到的包裹里有一张好评返现卡：五星好评并晒图，联系客服返现 5 元。随附截图。",
                ),
                ("language", "zh-CN"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .chain([("seen_on".to_string(), china_date(2))])
            .collect(),
        }
    }

    /// The same report, by a reader who wants English mail.
    pub fn english() -> Self {
        Self::zh_cn()
            .set("description", "A card in the parcel promised a 5 yuan cashback for a five-star review with photos.")
            .set("language", "en")
    }

    /// Sets (or adds) a field.
    pub fn set(mut self, name: &str, value: &str) -> Self {
        match self.fields.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.fields.push((name.to_string(), value.to_string())),
        }
        self
    }

    pub fn email(self, addr: &str) -> Self {
        self.set("email", addr)
    }

    /// Leaves a field out of the submission.
    pub fn without(mut self, name: &str) -> Self {
        self.fields.retain(|(k, _)| k != name);
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Screenshots made in code: real PNGs and JPEGs, every one with its own pixels.

fn pattern(seed: u32, width: u32, height: u32) -> image::RgbImage {
    image::RgbImage::from_fn(width, height, |x, y| {
        let v = x
            .wrapping_mul(31)
            .wrapping_add(y.wrapping_mul(17))
            .wrapping_add(seed.wrapping_mul(97));
        image::Rgb([
            (v % 251) as u8,
            ((x ^ y).wrapping_add(seed * 13) % 256) as u8,
            ((y * 3 + seed * 7) % 256) as u8,
        ])
    })
}

/// A PNG "screenshot" whose pixels depend on `seed`.
pub fn png_screenshot(seed: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    pattern(seed, 180, 120)
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode PNG");
    out.into_inner()
}

/// A PNG "screenshot" of `width`×`height` whose pixels depend on `seed` (a large one takes its
/// copies a while to make).
pub fn png_screenshot_of(seed: u32, width: u32, height: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    pattern(seed, width, height)
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode PNG");
    out.into_inner()
}

/// A JPEG "photo" whose pixels depend on `seed`.
pub fn jpeg_photo(seed: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    pattern(seed, 160, 200)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode JPEG");
    out.into_inner()
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

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in bytes {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(
        &u32::try_from(data.len())
            .expect("a small chunk")
            .to_be_bytes(),
    );
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

/// A decompression bomb, built cheaply by hand: a valid PNG signature and IHDR (with its CRC)
/// announcing `width`×`height` 1-bit greyscale pixels, then a small IDAT (a zlib stream holding
/// the first row) and IEND. Decoding it in full would take width×height bytes of memory.
pub fn decompression_bomb_png(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]); // bit depth 1, greyscale, deflate, no filter, no interlace
    png_chunk(&mut png, b"IHDR", &ihdr);
    let row_len = 1 + width.div_ceil(8) as usize; // filter byte + packed pixels
    let row = vec![0u8; row_len];
    let len = u16::try_from(row_len).expect("a row fits a stored block");
    let mut zlib = vec![0x78, 0x01, 0x01]; // zlib header, then a final stored deflate block
    zlib.extend_from_slice(&len.to_le_bytes());
    zlib.extend_from_slice(&(!len).to_le_bytes());
    zlib.extend_from_slice(&row);
    zlib.extend_from_slice(&adler32(&row).to_be_bytes());
    png_chunk(&mut png, b"IDAT", &zlib);
    png_chunk(&mut png, b"IEND", &[]);
    png
}

// ---------------------------------------------------------------------------------------------
// Small checks shared by the journeys.

/// `RW-YYYY-NNNNNN`, numbered by the year in China.
pub fn assert_case_number(number: &str) {
    let parts: Vec<&str> = number.split('-').collect();
    assert!(
        parts.len() == 3
            && parts[0] == "RW"
            && parts[1].len() == 4
            && parts[2].len() == 6
            && parts[1..]
                .iter()
                .all(|p| p.bytes().all(|b| b.is_ascii_digit())),
        "{number:?} is not RW-YYYY-NNNNNN"
    );
    let year: i32 = parts[1].parse().unwrap();
    let china_year: i32 = (Utc::now() + TimeDelta::hours(8))
        .format("%Y")
        .to_string()
        .parse()
        .unwrap();
    assert!(
        year == china_year || year == china_year - 1,
        "{number} is numbered in {year}, not {china_year}"
    );
}

/// Five groups of four symbols of Crockford's base 32.
pub fn assert_receipt_code(code: &str) {
    let groups: Vec<&str> = code.split('-').collect();
    assert!(
        groups.len() == 5
            && groups.iter().all(|g| g.len() == 4
                && g.bytes()
                    .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b))),
        "{code:?} is not a receipt code"
    );
}

pub fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

// ---------------------------------------------------------------------------------------------
// Officers: their accounts, their browsers, and the forms of their case pages.

/// The password every test officer starts with (the portal wants at least 12 characters).
pub const OFFICER_PASSWORD: &str = "correct horse battery staple";

/// An officer account as `reviewwatch officer add` would make it.
#[derive(Debug, Clone)]
pub struct OfficerAccount {
    pub id: reviewwatch::domain::OfficerId,
    pub email: String,
    pub name: String,
}

/// An officer's browser: its own cookie jar, signed in as `account`.
pub struct OfficerBrowser {
    pub visitor: Visitor,
    pub account: OfficerAccount,
}

impl std::ops::Deref for OfficerBrowser {
    type Target = Visitor;

    fn deref(&self) -> &Visitor {
        &self.visitor
    }
}

/// An officer account (`officer` or `supervisor`) made with the application's own function on
/// the database of `pool` (whichever instance or process serves it).
pub async fn add_officer(pool: &DbPool, email: &str, name: &str, role: &str) -> OfficerAccount {
    let id =
        reviewwatch::workflow::accounts::add_officer(pool, email, name, role, OFFICER_PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("cannot create officer {email}: {e}"));
    OfficerAccount {
        id,
        email: email.to_lowercase(),
        name: name.to_string(),
    }
}

/// Signs `account` in with its password in a new browser on the portal at `address`.
pub async fn sign_in_at(address: &str, account: &OfficerAccount) -> OfficerBrowser {
    let visitor = Visitor::new(address, None);
    let reply = visitor.log_in(&account.email, OFFICER_PASSWORD).await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "{} signs in: {}",
        account.email,
        reply.text_of("#login-problem").unwrap_or_default()
    );
    OfficerBrowser {
        visitor,
        account: account.clone(),
    }
}

/// What a case looks like in the database: compared before and after a refused request to prove
/// that nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseState {
    pub status: reviewwatch::domain::CaseStatus,
    pub version: i32,
    pub assignee: Option<reviewwatch::domain::OfficerId>,
    pub closed_reason: Option<reviewwatch::domain::status::ClosedReason>,
    pub last_activity_at: NaiveDateTime,
    pub audit_entries: i64,
    pub messages: i64,
    pub notes: i64,
    pub evidence: i64,
    pub redactions: i64,
    pub outbox: i64,
}

impl TestApp {
    /// Creates an account with the application's own function (`officer` or `supervisor`).
    pub async fn create_officer(&self, email: &str, name: &str, role: &str) -> OfficerAccount {
        add_officer(&self.pool, email, name, role).await
    }

    /// A new officer, signed in in a browser of their own.
    pub async fn officer(&self, email: &str, name: &str) -> OfficerBrowser {
        let account = self.create_officer(email, name, "officer").await;
        self.sign_in(&account).await
    }

    /// A new supervisor, signed in in a browser of their own.
    pub async fn supervisor(&self, email: &str, name: &str) -> OfficerBrowser {
        let account = self.create_officer(email, name, "supervisor").await;
        self.sign_in(&account).await
    }

    /// Signs `account` in with its password in a new browser.
    pub async fn sign_in(&self, account: &OfficerAccount) -> OfficerBrowser {
        sign_in_at(&self.address, account).await
    }

    /// Files a report with an email address and confirms it from the confirmation email, as its
    /// reporter would; the "submitted" status email is read too.
    pub async fn file_confirmed_report(
        &self,
        reporter: &Visitor,
        form: &ReportFields,
        files: Vec<File>,
    ) -> Receipt {
        let addr = form
            .fields
            .iter()
            .find(|(k, _)| k == "email")
            .map(|(_, v)| v.clone())
            .expect("a report with an email address");
        let receipt = reporter.file_report(form, files).await;
        let mail = self.mail.next_for(&addr, WAIT).await;
        let path = mail.confirm_path();
        let confirmed = reporter.post_form(&path, &[]).await;
        assert_eq!(
            confirmed
                .attr_of("#confirm-result", "data-result")
                .as_deref(),
            Some("confirmed")
        );
        let submitted = self.mail.next_for(&addr, WAIT).await;
        assert_eq!(
            submitted.subject,
            zh().t2(
                "email.status.subject",
                &receipt.number,
                zh().status(reviewwatch::domain::CaseStatus::Submitted)
            )
        );
        receipt
    }

    pub fn case_row(&self, number: &str) -> reviewwatch::db::cases::CaseRow {
        reviewwatch::db::cases::get(&mut self.db(), self.case_id(number)).expect("the case row")
    }

    /// The actions of the case's audit trail, in order.
    pub fn audit_actions(&self, number: &str) -> Vec<String> {
        use schema::audit_events::dsl as a;
        a::audit_events
            .filter(a::case_id.eq(self.case_id(number)))
            .order(a::seq.asc())
            .select(a::action)
            .load(&mut self.db())
            .expect("read the audit trail")
    }

    pub fn case_state(&self, number: &str) -> CaseState {
        let row = self.case_row(number);
        let id = row.id;
        let mut conn = self.db();
        let audit_entries = schema::audit_events::table
            .filter(schema::audit_events::case_id.eq(id))
            .count()
            .get_result(&mut conn)
            .expect("count audit entries");
        let messages = schema::case_messages::table
            .filter(schema::case_messages::case_id.eq(id))
            .count()
            .get_result(&mut conn)
            .expect("count messages");
        let notes = schema::case_notes::table
            .filter(schema::case_notes::case_id.eq(id))
            .count()
            .get_result(&mut conn)
            .expect("count notes");
        let evidence = schema::evidence::table
            .filter(schema::evidence::case_id.eq(id))
            .count()
            .get_result(&mut conn)
            .expect("count evidence");
        let redactions = schema::evidence_redactions::table
            .inner_join(schema::evidence::table)
            .filter(schema::evidence::case_id.eq(id))
            .count()
            .get_result(&mut conn)
            .expect("count redactions");
        let outbox = schema::outbox::table
            .filter(schema::outbox::case_id.eq(id))
            .count()
            .get_result(&mut conn)
            .expect("count mail");
        CaseState {
            status: row.status,
            version: row.version,
            assignee: row.assigned_officer_id,
            closed_reason: row.closed_reason,
            last_activity_at: row.last_activity_at,
            audit_entries,
            messages,
            notes,
            evidence,
            redactions,
            outbox,
        }
    }
}

/// A response whose body is bytes, with its headers.
#[derive(Debug)]
pub struct Download {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Download {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

impl Visitor {
    /// Sends the officer login form.
    pub async fn log_in(&self, email: &str, password: &str) -> Reply {
        self.post_form(
            "/officer/login",
            &[("email", email), ("password", password), ("next", "")],
        )
        .await
    }

    /// A GET with a Cookie header of the caller's choosing (a copied cookie, replayed).
    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> Reply {
        Self::read(
            self.client
                .get(self.url(path))
                .header(reqwest::header::COOKIE, cookie)
                .send()
                .await
                .expect("GET is answered"),
        )
        .await
    }

    /// A GET whose body is kept as bytes, with the response headers.
    pub async fn download(&self, path: &str) -> Download {
        let res = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("GET is answered");
        Download {
            status: res.status(),
            headers: res.headers().clone(),
            bytes: res.bytes().await.expect("a response body").to_vec(),
        }
    }

    /// Sends a multipart form found on a page (`Reply::form`) with `files` as its `evidence`.
    pub async fn submit_multipart(&self, form: &PageForm, files: Vec<File>) -> Reply {
        assert_eq!(form.method, "post", "{form:?}");
        let mut multipart = reqwest::multipart::Form::new();
        for (name, value) in &form.fields {
            // The file input itself: its files are added below.
            if name != "evidence" {
                multipart = multipart.text(name.clone(), value.clone());
            }
        }
        for (name, bytes, mime) in files {
            let part = reqwest::multipart::Part::bytes(bytes)
                .file_name(name)
                .mime_str(mime)
                .expect("a MIME type");
            multipart = multipart.part("evidence", part);
        }
        Self::read(
            self.client
                .post(self.url(&form.action))
                .multipart(multipart)
                .send()
                .await
                .expect("POST is answered"),
        )
        .await
    }
}

impl OfficerBrowser {
    /// The officer case page, which must be shown.
    pub async fn case_page(&self, number: &str) -> Reply {
        let page = self.get(&format!("/officer/cases/{number}")).await;
        assert_eq!(page.status, StatusCode::OK, "the officer case page opens");
        page
    }

    /// Opens the case page and sends its `data-action` form, filled in with `fields`.
    pub async fn act(&self, number: &str, action: &str, fields: &[(&str, &str)]) -> Reply {
        let page = self.case_page(number).await;
        self.act_from(&page, number, action, fields).await
    }

    /// Sends the `data-action` form of a case page loaded earlier (its version may be stale).
    pub async fn act_from(
        &self,
        page: &Reply,
        number: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Reply {
        let path = format!("/officer/cases/{number}");
        let mut form = page
            .form(action, &path)
            .unwrap_or_else(|| panic!("{} sees no {action} form on {path}", self.account.name));
        assert!(
            form.value("csrf_token").is_some_and(|t| !t.is_empty()),
            "the {action} form carries the CSRF token"
        );
        assert!(
            form.value("version").is_some_and(|v| !v.is_empty()),
            "the {action} form carries the case version"
        );
        for (name, value) in fields {
            form = form.fill(name, value);
        }
        self.submit(&form).await
    }

    /// Posts `action` on the case as a hand-made request (the page shows no such form), with this
    /// session's CSRF token and the case version of the page as it is now.
    pub async fn forge(&self, number: &str, action: &str, fields: &[(&str, &str)]) -> Reply {
        let page = self.case_page(number).await;
        let csrf = page
            .attr_of("form[data-action=logout] input[name=csrf_token]", "value")
            .expect("the officer pages carry the CSRF token");
        let version = page
            .attr_of("form input[name=version]", "value")
            .expect("the case page carries the case version");
        let mut pairs = vec![("csrf_token", csrf.as_str()), ("version", version.as_str())];
        pairs.extend_from_slice(fields);
        self.post_form(&format!("/officer/cases/{number}/actions/{action}"), &pairs)
            .await
    }

    /// The queue with a query string (without the `?`).
    pub async fn queue(&self, query: &str) -> Reply {
        let path = if query.is_empty() {
            "/officer/cases".to_string()
        } else {
            format!("/officer/cases?{query}")
        };
        let page = self.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        page
    }

    /// The CSRF token of this officer's session, as the pages carry it.
    pub async fn csrf(&self) -> String {
        self.queue("")
            .await
            .attr_of("form[data-action=logout] input[name=csrf_token]", "value")
            .expect("the officer pages carry the CSRF token")
    }
}

/// The case numbers a queue page lists, in order.
pub fn queue_numbers(page: &Reply) -> Vec<String> {
    page.attrs_of("#queue tr[data-case]", "data-case")
}

/// The `Set-Cookie` headers of a response for the cookie `name`.
pub fn set_cookies(reply: &Reply, name: &str) -> Vec<String> {
    reply
        .headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
        .collect()
}

/// The value a `Set-Cookie` header gives its cookie.
pub fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// A redirect to the officer login page (with or without a `next`).
pub fn assert_to_login(reply: &Reply, what: &str) {
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "{what}: {}",
        reply.body
    );
    let location = reply.location().unwrap_or_default();
    assert!(
        location == "/officer/login" || location.starts_with("/officer/login?"),
        "{what} goes to the login page, not {location:?}"
    );
}

/// The path of the case link (`/track/link/{token}`) in an email's text.
pub fn access_link_path(mail: &ParsedMail) -> String {
    let start = mail
        .text
        .find("/track/link/")
        .unwrap_or_else(|| panic!("no /track/link/ link in:\n{}", mail.text));
    mail.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Mail with attachments (handoff packages).

/// A decoded email and its attachments (file name, bytes), in the order they come.
#[derive(Debug, Clone)]
pub struct MailWithAttachments {
    pub mail: ParsedMail,
    pub attachments: Vec<(String, Vec<u8>)>,
}

impl Received {
    /// The message decoded, with its attachments.
    pub fn with_attachments(&self) -> MailWithAttachments {
        use mail_parser::MimeHeaders;
        let message = mail_parser::MessageParser::default()
            .parse(&self.raw)
            .expect("a parsable email");
        let attachments = message
            .attachments()
            .map(|part| {
                (
                    part.attachment_name().unwrap_or_default().to_string(),
                    part.contents().to_vec(),
                )
            })
            .collect();
        MailWithAttachments {
            mail: ParsedMail::parse(self),
            attachments,
        }
    }
}

impl Inbox {
    /// Waits (at most `timeout`) for the next message to `addr`, as `next_for` does, and keeps
    /// its attachments.
    pub async fn next_with_attachments_for(
        &self,
        addr: &str,
        timeout: Duration,
    ) -> MailWithAttachments {
        let addr = addr.to_lowercase();
        {
            let mut held = self.held.lock().unwrap();
            if let Some(i) = held.iter().position(|m| m.to.contains(&addr)) {
                return held.remove(i).with_attachments();
            }
        }
        let deadline = tokio::time::Instant::now() + timeout;
        let mut rx = self.rx.lock().await;
        loop {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(m)) if m.to.contains(&addr) => return m.with_attachments(),
                Ok(Some(m)) => self.held.lock().unwrap().push(m),
                Ok(None) => panic!("the SMTP listener stopped"),
                Err(_) => panic!("no email to {addr} within {timeout:?}"),
            }
        }
    }

    /// Waits for the next message to `addr` whose subject is `subject`, passing over (and
    /// dropping) earlier messages to `addr` with other subjects.
    pub async fn next_with_subject(&self, addr: &str, subject: &str) -> ParsedMail {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            assert!(
                !left.is_zero(),
                "no email {subject:?} to {addr} within {WAIT:?}"
            );
            let mail = self.next_for(addr, left).await;
            if mail.subject == subject {
                return mail;
            }
        }
    }
}

impl TestApp {
    /// The database this app runs on, for running the real binary against it.
    pub fn database_url(&self) -> &str {
        &self.storage.database_url
    }
}

/// Runs the `reviewwatch` command with `args` on `data_dir` (and `database_url`, else the
/// SQLite file there): its exit code and all it printed.
pub fn run_reviewwatch(
    args: &[&std::ffi::OsStr],
    data_dir: &Path,
    database_url: Option<&str>,
) -> (i32, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_reviewwatch"));
    command
        .args(args)
        .env("DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .env_remove("SIGNING_KEY_FILE");
    match database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    let out = command.output().expect("reviewwatch runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().expect("an exit code"), text)
}

/// A refusal for going too fast, as a person sees it: 429, the zh-CN page saying so, and a
/// `Retry-After` within the hour.
pub fn assert_too_many_requests_page(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = reply
        .headers
        .get(reqwest::header::RETRY_AFTER)
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    assert_eq!(reply.html_lang().as_deref(), Some("zh-CN"));
    assert_eq!(
        reply.text_of("#error-message").as_deref(),
        Some(zh().t("error.too_many_requests"))
    );
}
