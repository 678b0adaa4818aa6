//! Database access: one connection type over SQLite and PostgreSQL, the pool, migrations,
//! and the helper that runs blocking queries off the async executor.

pub mod account_events;
pub mod audit;
pub mod bulk;
pub mod calendar;
pub mod campaigns;
pub mod case_links;
pub mod case_page;
pub mod case_search;
pub mod cases;
pub mod contacts;
pub mod dashboard;
pub mod desk;
pub mod evidence;
pub mod evidence_texts;
pub mod explain;
pub mod findings;
pub mod handoffs;
pub mod image_index;
pub mod jobs;
pub mod login_attempts;
pub mod merchants;
pub mod notes;
pub mod officer_links;
pub mod officers;
pub mod originals;
pub mod outbox;
pub mod platform_desks;
pub mod platform_notices;
pub mod pool_check;
pub mod public_stats;
pub mod queue;
pub mod rate_limits;
pub mod record;
pub mod regulators;
pub mod reporter_sessions;
pub mod retention;
pub mod saved_filters;
pub mod schema;
pub mod second_factor;
pub mod secrets;
pub mod sql_types;
pub mod sqlite_process;
pub mod text_index;
pub mod tokens;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to whichever backend `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Runs `$body` with `$c` bound to the concrete connection under a [`DbConnection`], for reads
/// on hot pages. Through the `MultiConnection` diesel writes out each query's SQL anew on every
/// run (to hand it to the backend); on the concrete connection a query of fixed shape is taken
/// from the connection's statement cache as it is, only its values bound. The body is compiled
/// once per backend, so it must be backend-neutral (it always is when it only builds a query).
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_backend;

pub type DbPool = Pool<pool_check::Manager>;
pub type PooledDb = PooledConnection<pool_check::Manager>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("background task failed: {0}")]
    Task(String),
}

/// Which backend a URL selects: `postgres://` or `postgresql://` is PostgreSQL, anything else a
/// SQLite file path (an optional `sqlite://` prefix is dropped).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

#[derive(Debug, Clone, Copy)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(c) = conn {
            // busy_timeout first, so that the pool's connections, opened at once, queue for the
            // lock that switching to WAL takes; WAL lets readers go on during a write; foreign
            // keys are off by default in SQLite.
            c.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// A connection to the backend `url` names. Not `DbConnection::establish`: the derived
/// `MultiConnection` tries each backend in turn and, when all fail, says only "Invalid connection
/// url for multiconnection", which hides a PostgreSQL server that is down or refuses us. Here a
/// `postgres://` URL goes to PostgreSQL alone, and its failure names the server (never the
/// password) with the driver's own words.
pub fn establish(url: &str) -> diesel::ConnectionResult<DbConnection> {
    use diesel::Connection;
    if is_postgres_url(url) {
        PgConnection::establish(url)
            .map(DbConnection::Postgres)
            .map_err(|e| {
                diesel::ConnectionError::BadConnection(format!(
                    "PostgreSQL at {} could not be reached or refused the connection: {e}",
                    postgres_address(url)
                ))
            })
    } else {
        SqliteConnection::establish(url).map(DbConnection::Sqlite)
    }
}

/// `host:port` of a `postgres://` URL, for messages (no user, no password).
fn postgres_address(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match u.host_str().filter(|h| !h.is_empty()) {
            Some(host) => format!("{host}:{}", u.port().unwrap_or(5432)),
            None => "the local socket".into(),
        },
        Err(_) => "the address in DATABASE_URL".into(),
    }
}

/// Builds the pool and runs pending migrations on one of its connections.
pub fn connect(database_url: &str, max_size: u32) -> Result<DbPool, DbError> {
    let pool = pool_without_migrating(database_url, max_size)?;
    let mut conn = pool.get()?;
    run_migrations(&mut conn)?;
    Ok(pool)
}

/// The pool alone, the schema left as it is (for tests that migrate step by step).
pub fn pool_without_migrating(database_url: &str, max_size: u32) -> Result<DbPool, DbError> {
    let url = database_url
        .strip_prefix("sqlite://")
        .unwrap_or(database_url);
    let manager = pool_check::Manager {
        inner: ConnectionManager::<DbConnection>::new(url),
        url: url.to_string(),
    };
    Ok(Pool::builder()
        .max_size(max_size)
        // A PostgreSQL connection the server closed is found before a request meets it, by a
        // query on checkouts while that is likely (`pool_check`); a SQLite file's connection
        // cannot break.
        .test_on_check_out(is_postgres_url(url))
        .connection_customizer(Box::new(SqlitePragmas))
        .build(manager)?)
}

/// Runs the pending migrations up to and including `last` (a version such as
/// `2026-12-02-000010`): a database as an older release left it, for tests of the migrations
/// that follow.
pub fn run_migrations_through(conn: &mut DbConnection, last: &str) -> Result<usize, DbError> {
    fn through<C: MigrationHarness<B>, B: diesel::backend::Backend>(
        c: &mut C,
        source: EmbeddedMigrations,
        last: &str,
    ) -> diesel::migration::Result<usize> {
        use diesel::migration::MigrationSource;
        let applied = c.applied_migrations()?;
        let mut ran = 0;
        for m in MigrationSource::<B>::migrations(&source)? {
            let version = m.name().version().to_string();
            let version = version.replace('-', "");
            if version.as_str() > last.replace('-', "").as_str()
                || applied
                    .iter()
                    .any(|a| a.to_string().replace('-', "") == version)
            {
                continue;
            }
            c.run_migration(&*m)?;
            ran += 1;
        }
        Ok(ran)
    }
    match conn {
        DbConnection::Sqlite(c) => through(c, SQLITE_MIGRATIONS, last),
        DbConnection::Postgres(c) => through(c, POSTGRES_MIGRATIONS, last),
    }
    .map_err(|e| DbError::Migration(e.to_string()))
}

pub fn run_migrations(conn: &mut DbConnection) -> Result<(), DbError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConnection::Postgres(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    }
    .map_err(|e| DbError::Migration(e.to_string()))?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    Ok(())
}

/// Runs every migration down and up again (used by tests to prove the down scripts work).
pub fn redo_all_migrations(conn: &mut DbConnection) -> Result<(), DbError> {
    fn redo<C: MigrationHarness<B>, B: diesel::backend::Backend>(
        c: &mut C,
        migrations: fn() -> EmbeddedMigrations,
    ) -> diesel::migration::Result<()> {
        c.revert_all_migrations(migrations())?;
        c.run_pending_migrations(migrations())?;
        Ok(())
    }
    match conn {
        DbConnection::Sqlite(c) => redo(c, || SQLITE_MIGRATIONS),
        DbConnection::Postgres(c) => redo(c, || POSTGRES_MIGRATIONS),
    }
    .map_err(|e| DbError::Migration(e.to_string()))
}

/// Runs blocking database work on the blocking thread pool.
pub async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, DbError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    T: Send + 'static,
{
    run_with(pool, f).await
}

/// `run` for work whose errors are of another layer (a workflow's).
pub async fn run_with<T, E, F>(pool: &DbPool, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().map_err(DbError::from)?;
        let done = f(&mut conn);
        if done.is_err() {
            // Perhaps the connection broke: if so it leaves the pool, and the next checkouts
            // are tested.
            pool_check::retire_if_lost(&mut conn);
        }
        done
    })
    .await
    .map_err(|e| DbError::Task(e.to_string()))?
}

/// A few indexed reads for a page (a case and what hangs off it: microseconds of SQLite work).
/// On SQLite with a connection idle in the pool they run on the caller's own thread: handing
/// them to the blocking pool and back (a thread woken there, the request's thread woken again)
/// cost more than the reads themselves (the reporter's case page spent a fifth of its time in
/// task switches). A WAL reader never waits for a writer, so the thread is not held up. Without
/// an idle connection, and on PostgreSQL (where every read is a round trip to the server, and a
/// checkout may be tested with one), they run as `run` runs them, once more on another
/// connection if the server had closed the first (reads can be repeated). `local` says whether
/// the pool is SQLite's (`!is_postgres_url`): asking the pool would check a connection out.
pub async fn read_briefly<T, F>(pool: &DbPool, local: bool, f: F) -> Result<T, DbError>
where
    F: Fn(&mut DbConnection) -> Result<T, DbError> + Send + Sync + 'static,
    T: Send + 'static,
{
    if local && let Some(mut conn) = pool.try_get() {
        return f(&mut conn);
    }
    let f = std::sync::Arc::new(f);
    let first = {
        let f = f.clone();
        run(pool, move |conn| f(conn)).await
    };
    match first {
        Err(DbError::Query(e)) if pool_check::is_connection_lost(&e) => {
            tracing::warn!(error = %e, "a pooled connection was lost; reading again");
            run(pool, move |conn| f(conn)).await
        }
        other => other,
    }
}

/// The current time as stored in the database: UTC, microsecond precision (PostgreSQL keeps
/// microseconds, so hashing a value read back gives the same result as hashing the one written).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}

/// Several reads for one page. On SQLite they run in one read transaction: one snapshot, and one
/// WAL read lock taken for all of them instead of one per statement (a third of the reporter's
/// case page went to taking and releasing those). On PostgreSQL they run as they are: each read
/// is a round trip already, and a transaction would add two.
pub fn read_together<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::Connection;
    if matches!(conn, DbConnection::Sqlite(_)) {
        conn.transaction(f)
    } else {
        f(conn)
    }
}

/// A transaction for a change. On SQLite the first statement takes the write lock, so that two
/// writers queue on `busy_timeout` instead of one failing when it upgrades a read lock.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::Connection;
    conn.transaction(|conn| {
        if matches!(conn, DbConnection::Sqlite(_)) {
            use diesel::prelude::*;
            use schema::instance_secrets::dsl::*;
            diesel::update(instance_secrets.filter(name.eq("")))
                .set(name.eq(name))
                .execute(conn)?;
        }
        f(conn)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgresql_server_that_is_not_there_is_named_with_the_drivers_words_and_no_password() {
        // A port nothing listens on: bound, then let go.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let url = format!("postgres://rw:s3cret@127.0.0.1:{port}/reviewwatch");
        let Err(e) = establish(&url) else {
            panic!("nothing listens on {port}");
        };
        let said = e.to_string();
        assert!(
            said.contains(&format!(
                "PostgreSQL at 127.0.0.1:{port} could not be reached or refused the connection"
            )),
            "{said}"
        );
        // libpq's own words follow ("connection to server at …, port N failed: …").
        assert!(
            said.contains(&format!("port {port} failed")),
            "the driver's own words: {said}"
        );
        assert!(!said.contains("s3cret"), "{said}");
        assert!(!said.contains("multiconnection"), "{said}");
    }

    #[test]
    fn a_postgres_url_names_its_server_and_port() {
        assert_eq!(
            postgres_address("postgres://u:p@db.internal/x"),
            "db.internal:5432"
        );
        assert_eq!(
            postgres_address("postgresql://u@10.0.0.5:6432/x"),
            "10.0.0.5:6432"
        );
        assert_eq!(
            postgres_address("postgres:///x?host=/run/postgresql"),
            "the local socket"
        );
    }
}
