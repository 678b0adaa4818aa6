//! Per-address rate limits for the actions people could abuse (configured, 0 turns one off), and
//! the slots password checks run in. Both the limits and sign-in throttling (`workflow::sign_in`)
//! are counted in the database, so that every instance behind a load balancer counts the same
//! requests: a limit of 10 an hour is 10 an hour however many instances serve them.

use crate::db::{self, DbPool};
use crate::domain::rate_limit::{HourlyQuota, LimitedAction};
use crate::error::AppError;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// One per-address limit: a quota per hour (`domain::rate_limit`), kept in `rate_limit_buckets`.
pub struct Limiter {
    action: LimitedAction,
    /// `None`: the limit is off, and checking it does no database work at all.
    quota: Option<HourlyQuota>,
    pool: DbPool,
}

impl Limiter {
    pub fn per_hour(action: LimitedAction, n: u32, pool: &DbPool) -> Self {
        Self {
            action,
            quota: HourlyQuota::per_hour(n),
            pool: pool.clone(),
        }
    }

    /// Counts one request from `ip` (one statement, off the async executor); refuses with the
    /// time to wait once the quota is spent. A refused request is not counted.
    pub async fn check(&self, ip: IpAddr) -> Result<(), AppError> {
        let Some(quota) = self.quota else {
            return Ok(());
        };
        let (action, address) = (self.action, ip.to_string());
        let now_ms = chrono::Utc::now().timestamp_millis();
        let refused = db::run(&self.pool, move |conn| {
            if db::rate_limits::take(conn, action, &address, quota, now_ms)? {
                return Ok(None);
            }
            Ok(Some(db::rate_limits::tat_ms(conn, action, &address)?))
        })
        .await?;
        let Some(tat_ms) = refused else {
            return Ok(());
        };
        tracing::info!(limit = %action, "request refused: the address's quota is spent");
        Err(AppError::TooManyRequests {
            retry_after_secs: quota.retry_after_secs(tat_ms.unwrap_or(now_ms), now_ms),
        })
    }
}

pub struct RateLimits {
    /// Reports and requests for a correction of the public record (`RATE_LIMIT_REPORTS_PER_HOUR`).
    pub reports: Limiter,
    /// Opening a case to track it (`RATE_LIMIT_TRACK_PER_HOUR`).
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
