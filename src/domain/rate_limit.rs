//! The per-address limits as a rule: each limited action has a quota per hour, spent and
//! regained with the generic cell rate algorithm (GCRA). A quota of `n` lets `n` requests through
//! at once and then one every `3600 / n` seconds, the way the in-memory limiter did before the
//! count moved to the database (one row per action and address, shared by every instance).
//!
//! The state is one instant, the "theoretical arrival time" (`tat`): when everything taken so far
//! will have been regained. A request at `now` passes while `tat - now` is at most the tolerance
//! (`(n - 1)` intervals), and moves `tat` to `max(tat, now) + interval`; a refused request
//! changes nothing. Times are milliseconds since the Unix epoch, so the database can add them.

use super::keyword::keyword_enum;
use std::num::NonZeroU32;

keyword_enum! {
    /// What a per-address limit counts; each has its own quota and its own rows.
    pub enum LimitedAction {
        /// Filing a report, or asking for a correction of the public record
        /// (`RATE_LIMIT_REPORTS_PER_HOUR`).
        Report => "report",
        /// Opening a case with its number and receipt code (`RATE_LIMIT_TRACK_PER_HOUR`).
        Track => "track",
        /// A reporter's answer to a request for more information (`RATE_LIMIT_REPLIES_PER_HOUR`).
        Reply => "reply",
        /// Asking for a password reset link (`RATE_LIMIT_LOGINS_PER_HOUR`).
        PasswordReset => "password_reset",
    }
}

const HOUR_MS: i64 = 3_600_000;

/// A quota of requests per hour; a quota of 0 is no limit (no `HourlyQuota` at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourlyQuota {
    per_hour: NonZeroU32,
}

impl HourlyQuota {
    /// `None` for 0: the limit is off.
    pub fn per_hour(n: u32) -> Option<Self> {
        NonZeroU32::new(n).map(|per_hour| Self { per_hour })
    }

    /// What one request takes from the quota: the time it needs to be regained.
    pub fn interval_ms(self) -> i64 {
        (HOUR_MS / i64::from(self.per_hour.get())).max(1)
    }

    /// How far `tat` may lie ahead of now for one more request to pass: room for the other
    /// `n - 1` of a burst.
    pub fn tolerance_ms(self) -> i64 {
        self.interval_ms() * (i64::from(self.per_hour.get()) - 1)
    }

    /// The latest `tat` at which a request at `now_ms` still passes.
    pub fn passes_until_ms(self, now_ms: i64) -> i64 {
        now_ms.saturating_add(self.tolerance_ms())
    }

    /// Whole seconds (at least 1) until a request refused at `now_ms`, with `tat_ms` stored,
    /// would pass.
    pub fn retry_after_secs(self, tat_ms: i64, now_ms: i64) -> u64 {
        let wait_ms = tat_ms - self.tolerance_ms() - now_ms;
        u64::try_from(wait_ms).map_or(1, |ms| ms.div_ceil(1000).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule as the database applies it, for one address.
    fn take(quota: HourlyQuota, tat: &mut Option<i64>, now: i64) -> bool {
        match *tat {
            Some(t) if t > quota.passes_until_ms(now) => false,
            Some(t) => {
                *tat = Some(t.max(now) + quota.interval_ms());
                true
            }
            None => {
                *tat = Some(now + quota.interval_ms());
                true
            }
        }
    }

    #[test]
    fn zero_is_no_limit() {
        assert_eq!(HourlyQuota::per_hour(0), None);
    }

    #[test]
    fn a_quota_passes_a_burst_of_n_then_one_per_interval() {
        let quota = HourlyQuota::per_hour(3).expect("a quota");
        let mut tat = None;
        let now = 1_700_000_000_000;
        assert!((0..3).all(|_| take(quota, &mut tat, now)));
        assert!(
            !take(quota, &mut tat, now),
            "the fourth in the same instant"
        );
        let stored = tat.expect("a stored tat");
        // One interval (20 minutes) regains one request.
        assert_eq!(quota.retry_after_secs(stored, now), 20 * 60);
        assert!(!take(quota, &mut tat, now + 20 * 60_000 - 1));
        assert!(take(quota, &mut tat, now + 20 * 60_000));
        assert!(!take(quota, &mut tat, now + 20 * 60_000));
        // After an hour of quiet the whole burst is there again.
        let later = now + 2 * HOUR_MS;
        assert!((0..3).all(|_| take(quota, &mut tat, later)));
        assert!(!take(quota, &mut tat, later));
    }

    #[test]
    fn the_wait_is_whole_seconds_and_never_zero() {
        let quota = HourlyQuota::per_hour(1).expect("a quota");
        assert_eq!(quota.tolerance_ms(), 0);
        assert_eq!(quota.retry_after_secs(10_500, 10_000), 1);
        assert_eq!(quota.retry_after_secs(10_000, 10_000), 1);
        assert_eq!(quota.retry_after_secs(3_610_001, 10_000), 3_601);
        let many = HourlyQuota::per_hour(u32::MAX).expect("a quota");
        assert_eq!(many.interval_ms(), 1);
    }
}
