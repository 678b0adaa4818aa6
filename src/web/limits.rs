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
    pub logins: Limiter,
}
