//! SQLite's settings for the whole process, made once before any connection is opened.
//!
//! - **Multi-thread mode** (`SQLITE_CONFIG_MULTITHREAD`): the bundled SQLite is built
//!   serialized, taking a connection's mutex in every call (bind, step, each column read). A
//!   diesel connection is used by one thread at a time (`&mut`, not `Sync`; the pool hands it
//!   from thread to thread, never to two at once), which is what multi-thread mode asks.
//! - **No memory statistics** (`SQLITE_CONFIG_MEMSTATUS` 0): with them every allocation SQLite
//!   makes takes a process-wide mutex to count bytes that nothing here reads.
//!
//! Together they were 4 % of the reporter's case page's CPU (perf: `pthread_mutex_lock` and
//! `unlock` under `sqlite3_*` calls, `sqlite3DbMallocRawNN`).

use libsqlite3_sys as ffi;

/// Applies the settings. `main` calls it first, before the runtime's threads exist and before
/// any connection is opened. Called after SQLite has initialised (a test that opened a
/// connection first), `sqlite3_config` answers `SQLITE_MISUSE` and changes nothing: returns
/// whether both settings took.
pub fn configure() -> bool {
    // SAFETY: `sqlite3_config` changes process-wide settings and may only be called while no
    // other thread uses SQLite and before `sqlite3_initialize`; `main` calls this before starting
    // any thread. Each call passes the one argument its option expects (none; an int).
    unsafe {
        ffi::sqlite3_config(ffi::SQLITE_CONFIG_MULTITHREAD) == ffi::SQLITE_OK
            && ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int)
                == ffi::SQLITE_OK
    }
}
