//! Template filters.

use chrono::{NaiveDateTime, TimeDelta};

/// A UTC database time shown in China time (UTC+8), as people there read it.
pub fn china_time(t: &NaiveDateTime) -> String {
    (*t + TimeDelta::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A byte count as people read it.
pub fn human_bytes(n: impl std::borrow::Borrow<i64>) -> String {
    const KIB: f64 = 1024.0;
    let n = *n.borrow() as f64;
    if n < KIB {
        format!("{n} B")
    } else if n < KIB * KIB {
        format!("{:.1} KiB", n / KIB)
    } else {
        format!("{:.1} MiB", n / KIB / KIB)
    }
}
