//! Template filters.

/// A UTC database time shown in China time, as people there read it (for templates).
pub use crate::domain::china_time::format as china_time;

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
