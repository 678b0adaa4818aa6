//! The C allocator's settings for a server that decodes screenshots of several megabytes on
//! many threads (request threads, the blocking pool, background jobs).
//!
//! glibc's malloc gives each thread that allocates an arena of its own (up to eight per core)
//! and keeps what is freed in each for reuse; and after a large block is freed it raises the size
//! from which blocks are mapped on their own, so that later image buffers come from those
//! arenas too. The process then holds the peak of every arena at once: serving pages at a
//! million cases measured 77–79 MiB where one connection's worth of work needs ~30, and taking
//! uploads 224 MiB.

/// Two arenas, and blocks of 256 KiB and more mapped on their own (given back to the system
/// when freed). Call before any thread is started.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune_allocator() {
    // SAFETY: `mallopt` only sets parameters of glibc's allocator; it is called at the start of
    // `main`, before any other thread exists, and its result (0 on a refused value) leaves the
    // defaults in place.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

/// Other C libraries keep their own defaults.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune_allocator() {}
