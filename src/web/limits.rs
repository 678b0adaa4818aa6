//! Per-address rate limits for the actions people could abuse (configured, 0 turns one off).

use crate::error::AppError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

pub struct Limiter {
    inner: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl Limiter {
    pub fn per_hour(n: u32) -> Self {
        Self {
            inner: NonZeroU32::new(n).map(|n| RateLimiter::keyed(Quota::per_hour(n))),
        }
    }

    /// Counts one attempt from `ip`; refuses with the time to wait once the hour's quota is spent.
    pub fn check(&self, ip: IpAddr) -> Result<(), AppError> {
        let Some(limiter) = &self.inner else {
            return Ok(());
        };
        limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }
}

pub struct RateLimits {
    pub reports: Limiter,
    pub track: Limiter,
    /// Answers to a request for more information (`RATE_LIMIT_REPLIES_PER_HOUR`), counted
    /// before the body is read.
    pub replies: Limiter,
    /// Failed officer logins per client address (`RATE_LIMIT_LOGINS_PER_HOUR`).
    pub login_failures_by_address: FailureWindow,
    /// Failed logins per account email, known or not, so a lock says nothing about existence.
    pub login_failures_by_account: FailureWindow,
}

/// An account is locked after this many failed logins within `ACCOUNT_LOCK_WINDOW`.
pub const ACCOUNT_LOCK_FAILURES: usize = 5;
pub const ACCOUNT_LOCK_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Failures counted per key (an address, an account) in a sliding window: past `limit` failures
/// in `window` the key is blocked until the oldest failure leaves the window. Only failures
/// count, so a person who gets it right is never slowed down.
pub struct FailureWindow {
    limit: usize,
    window: std::time::Duration,
    failures: std::sync::Mutex<
        std::collections::HashMap<String, std::collections::VecDeque<std::time::Instant>>,
    >,
}

impl FailureWindow {
    pub fn new(limit: usize, window: std::time::Duration) -> Self {
        Self {
            limit,
            window,
            failures: Default::default(),
        }
    }

    /// How long `key` must still wait, if it is blocked.
    pub fn blocked_for(&self, key: &str) -> Option<std::time::Duration> {
        if self.limit == 0 {
            return None;
        }
        let now = std::time::Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let times = map.get_mut(key)?;
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        (times.len() >= self.limit).then(|| {
            times
                .front()
                .map(|t| self.window.saturating_sub(now.duration_since(*t)))
                .unwrap_or_default()
        })
    }

    pub fn record(&self, key: &str) {
        let now = std::time::Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Forget keys whose failures have all aged out, so the map cannot grow without bound.
        if map.len() > 10_000 {
            let window = self.window;
            map.retain(|_, t| {
                t.back()
                    .is_some_and(|last| now.duration_since(*last) < window)
            });
        }
        map.entry(key.to_string()).or_default().push_back(now);
    }

    pub fn clear(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_key_is_blocked_after_the_limit_and_cleared_on_success() {
        let w = FailureWindow::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            w.record("a");
        }
        assert!(w.blocked_for("a").is_none());
        w.record("a");
        assert!(
            w.blocked_for("a")
                .is_some_and(|d| d <= Duration::from_secs(60))
        );
        assert!(w.blocked_for("b").is_none());
        w.clear("a");
        assert!(w.blocked_for("a").is_none());
    }

    #[test]
    fn failures_age_out_of_the_window() {
        let w = FailureWindow::new(1, Duration::from_millis(0));
        w.record("a");
        assert!(w.blocked_for("a").is_none());
    }
}
