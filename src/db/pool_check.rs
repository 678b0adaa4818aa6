//! When a pooled PostgreSQL connection is tested before use. r2d2 can test every checkout (a
//! `SELECT 1`: a round trip, one statement in seven of the reporter's case page) or none (a
//! connection the server closed — a restart, a fail-over — would then fail request after
//! request until the pool retires it). Here a checkout is tested only while a broken connection
//! is likely: in the seconds after a database error, and when the pool was idle long enough for
//! the server or the network to have dropped its connections. And a connection found lost after
//! a failed piece of work (`retire_if_lost`) leaves the pool instead of going back to it: after
//! a restart each pooled connection fails at most the one request that met it (a page's reads
//! are read again at once, `db::read_briefly`). A SQLite file's connection cannot break and is
//! never tested.

use super::DbConnection;
use diesel::r2d2::{ConnectionManager, ManageConnection};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long checkouts are tested after a database error.
const AFTER_AN_ERROR: Duration = Duration::from_secs(10);

/// How long the pool may go without a checkout before the next one is tested.
const IDLE: Duration = Duration::from_secs(30);

/// Milliseconds since `EPOCH` (the process's own clock; never 0 once set).
static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);
static LAST_CHECKOUT: AtomicU64 = AtomicU64::new(0);
static TEST_UNTIL: AtomicU64 = AtomicU64::new(0);

fn now_ms() -> u64 {
    u64::try_from(EPOCH.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A database error was met: connections may be broken, so checkouts are tested for a while.
/// Process-wide (several pools in one process only test a little more).
pub fn suspect_broken_connections() {
    TEST_UNTIL.fetch_max(now_ms() + millis(AFTER_AN_ERROR), Ordering::Relaxed);
}

thread_local! {
    /// The connection this thread is about to give back was found lost: r2d2 asks
    /// `has_broken` on the same thread, as the connection is dropped.
    static LOST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// After work on `conn` failed: if it is a PostgreSQL connection and no longer answers, it is
/// not given back to the pool when dropped (on this thread, next), and the next checkouts are
/// tested.
pub fn retire_if_lost(conn: &mut DbConnection) {
    use diesel::connection::SimpleConnection;
    suspect_broken_connections();
    if let DbConnection::Postgres(c) = conn
        && c.batch_execute("SELECT 1").is_err()
    {
        LOST.with(|lost| lost.set(true));
    }
}

/// Whether this checkout is tested (and notes the checkout).
fn test_this_checkout() -> bool {
    let now = now_ms();
    let last = LAST_CHECKOUT.swap(now, Ordering::Relaxed);
    last == 0 || now.saturating_sub(last) > millis(IDLE) || now < TEST_UNTIL.load(Ordering::Relaxed)
}

/// Whether an error says the connection to the server is gone.
pub fn is_connection_lost(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        e,
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        ) | Error::BrokenTransactionManager
    )
}

/// diesel's connection manager, testing checkouts only when `test_this_checkout` says so (the
/// pool asks on every checkout: `test_on_check_out(true)` for PostgreSQL).
#[derive(Debug)]
pub struct Manager {
    pub(super) inner: ConnectionManager<DbConnection>,
    pub(super) url: String,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        super::establish(&self.url).map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        if test_this_checkout() {
            self.inner.is_valid(conn)
        } else {
            Ok(())
        }
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        LOST.with(|lost| lost.replace(false)) || self.inner.has_broken(conn)
    }
}
