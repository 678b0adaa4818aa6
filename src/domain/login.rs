//! The rules of password checks: how many failures lock what, for how long, and how long a field
//! may be before it is refused unchecked.

use super::keyword::keyword_enum;
use chrono::{NaiveDateTime, TimeDelta};

/// RFC 5321 allows no longer address; a longer email field is refused before any other work.
pub const MAX_EMAIL_BYTES: usize = 254;

/// An account is locked after this many failed checks within `ACCOUNT_LOCK_WINDOW` from browsers
/// it has not signed in from.
pub const ACCOUNT_LOCK_FAILURES: u32 = 5;
pub const ACCOUNT_LOCK_WINDOW: TimeDelta = TimeDelta::minutes(15);
/// A browser the officer signed in from before has a budget of its own, so that guesses from
/// elsewhere cannot keep the officer out; past it, that browser is locked too.
pub const DEVICE_LOCK_FAILURES: u32 = 5;
pub const DEVICE_LOCK_WINDOW: TimeDelta = TimeDelta::minutes(15);
/// Failed checks per client address are counted over this window (the limit is configured).
pub const ADDRESS_WINDOW: TimeDelta = TimeDelta::hours(1);
/// How long a browser stays known after the sign-in that made it known.
pub const DEVICE_LIFETIME: TimeDelta = TimeDelta::days(180);
/// Attempts older than this are of no use to any rule and are deleted.
pub const ATTEMPTS_KEPT: TimeDelta = TimeDelta::days(1);

keyword_enum! {
    /// Where a password check stands. A `Pending` check counts as a failure until it is marked
    /// `Succeeded`, so a check whose request was cut off still counts. `Refused`: turned away by
    /// a lock, without a check; it counts for nothing.
    pub enum AttemptOutcome {
        Pending => "pending",
        Failed => "failed",
        Succeeded => "succeeded",
        Refused => "refused",
    }
}

impl AttemptOutcome {
    /// The outcomes that count toward a lock.
    pub const COUNTED: [AttemptOutcome; 2] = [AttemptOutcome::Pending, AttemptOutcome::Failed];
}

/// At most `failures` counted failures within `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    pub failures: u32,
    pub window: TimeDelta,
}

impl Throttle {
    pub const ACCOUNT: Throttle = Throttle {
        failures: ACCOUNT_LOCK_FAILURES,
        window: ACCOUNT_LOCK_WINDOW,
    };
    pub const DEVICE: Throttle = Throttle {
        failures: DEVICE_LOCK_FAILURES,
        window: DEVICE_LOCK_WINDOW,
    };

    /// `per_hour` failures per address; 0 turns the limit off.
    pub fn per_address(per_hour: u32) -> Option<Throttle> {
        (per_hour > 0).then_some(Throttle {
            failures: per_hour,
            window: ADDRESS_WINDOW,
        })
    }

    /// The earliest failure that still counts at `now`.
    pub fn since(&self, now: NaiveDateTime) -> NaiveDateTime {
        now - self.window
    }

    /// Whether another check may be made, given the `counted` failures since `since(now)` and
    /// the oldest of them; if not, how long until the oldest leaves the window.
    pub fn wait(
        &self,
        counted: i64,
        oldest: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> Option<std::time::Duration> {
        if counted < i64::from(self.failures) {
            return None;
        }
        let left = oldest.map_or(self.window, |t| self.window - (now - t));
        Some(left.to_std().unwrap_or_default())
    }
}

/// The email as attempts are counted by: trimmed, lower-case (an unknown one alike).
pub fn normalise_email(input: &str) -> String {
    input.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_locked_at_the_limit_until_its_oldest_failure_leaves_the_window() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .expect("a time")
            .naive_utc();
        let t = Throttle::ACCOUNT;
        assert_eq!(t.wait(4, Some(now), now), None);
        let wait = t.wait(5, Some(now - TimeDelta::minutes(5)), now);
        assert_eq!(wait, Some(std::time::Duration::from_secs(600)));
        assert_eq!(Throttle::per_address(0), None);
    }

    #[test]
    fn emails_are_counted_however_they_are_typed() {
        assert_eq!(
            normalise_email("  Li.Ming@AMR.example "),
            "li.ming@amr.example"
        );
    }
}
