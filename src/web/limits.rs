//! Per-address rate limits for the actions people could abuse (configured, 0 turns one off), and
//! the slots password checks run in. Sign-in throttling itself lives in the database
//! (`workflow::sign_in`), so that every instance counts the same attempts.

use crate::error::AppError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

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
    /// Requests for a password reset link, per address (`RATE_LIMIT_LOGINS_PER_HOUR`).
    pub password_resets: Limiter,
}

/// Password checks (argon2id, 19 MiB and tens of milliseconds each) run at most one per core at
/// a time, each in working memory kept for its slot; a check that finds every slot taken is
/// answered 429 at once, so a burst of sign-ins can neither queue up nor take the server's memory.
pub struct PasswordChecks {
    slots: Arc<tokio::sync::Semaphore>,
    /// Argon2 working memory, one block per slot at most, reused from check to check.
    memory: Arc<Mutex<Vec<Vec<argon2::Block>>>>,
}

/// A slot taken for one check; the check runs holding it.
pub struct PasswordSlot {
    _permit: tokio::sync::OwnedSemaphorePermit,
    memory: Arc<Mutex<Vec<Vec<argon2::Block>>>>,
}

impl PasswordChecks {
    /// `slots` checks at once; 0 means one per core.
    pub fn new(slots: usize) -> Self {
        let slots = if slots == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            slots
        };
        Self {
            slots: Arc::new(tokio::sync::Semaphore::new(slots)),
            memory: Arc::default(),
        }
    }

    /// A free slot, or 429: try again in a second.
    pub fn try_slot(&self) -> Result<PasswordSlot, AppError> {
        let permit = self.slots.clone().try_acquire_owned().map_err(|_| {
            tracing::info!("password check refused: every slot is busy");
            AppError::TooManyRequests {
                retry_after_secs: 1,
            }
        })?;
        Ok(PasswordSlot {
            _permit: permit,
            memory: self.memory.clone(),
        })
    }
}

impl PasswordSlot {
    /// Checks `password` against the stored hash off the async executor, holding the slot until
    /// the work is done (even if the request is dropped meanwhile). Without a hash (no such
    /// account, or an inactive one) the check runs against a decoy: the same work, and no match.
    pub async fn verify(self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        use crate::domain::officer::{decoy_hash, verify_password_in};
        tokio::task::spawn_blocking(move || {
            let pool = &self.memory;
            // Never more blocks than slots: each holder of a slot takes one and puts it back.
            let mut memory = pool
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop()
                .unwrap_or_default();
            let hash = stored.as_deref().unwrap_or_else(|| decoy_hash());
            let matched = verify_password_in(&mut memory, &password, hash);
            pool.lock().unwrap_or_else(|p| p.into_inner()).push(memory);
            matched && stored.is_some()
        })
        .await
        .map_err(AppError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_beyond_the_slots_is_refused_with_a_retry_time() {
        let checks = PasswordChecks::new(1);
        let first = checks.try_slot().expect("a free slot");
        assert!(matches!(
            checks.try_slot(),
            Err(AppError::TooManyRequests {
                retry_after_secs: 1
            })
        ));
        drop(first);
        assert!(checks.try_slot().is_ok());
    }
}
