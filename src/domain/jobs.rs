//! Background jobs as rules: which kinds exist, which recur, how many tries each gets and how
//! long a failed one waits. The runner in `jobs/` does the work; `db::jobs` keeps the rows.

use chrono::TimeDelta;

/// What a job does. The `jobs.kind` column is an open set checked here, not by the database:
/// a later kind (derived images, OCR, notices) is a new variant and a handler, no migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// Remove reports never confirmed within 7 days.
    PurgeUnconfirmed,
    /// Forget reporter sessions that ended more than a day ago.
    PurgeReporterSessions,
    /// Remove the screenshots held for refused reports (`evidence::held`) after an hour.
    ForgetHeldUploads,
    /// Remind regulators who have not acknowledged a handoff in 5 working days.
    HandoffReminders,
    /// Forget sign-in attempts no rule counts any more, and browsers past their lifetime.
    PurgeSignInAttempts,
    /// Apply the retention periods (client addresses, finished cases' contacts).
    ApplyRetention,
    /// Forget finished jobs once nobody needs to see them.
    PurgeFinishedJobs,
    /// Read the merchant and index the description of cases filed before chains were kept.
    IndexEarlierCases,
    /// Read the text of one screenshot (OCR); payload `{"evidence_id": …}`.
    ReadScreenshotText,
    /// Put screenshots recorded before the near-identical index existed into it.
    IndexEarlierScreenshots,
    /// Recompute the public statistics (`/stats`) into their snapshot.
    RefreshPublicStats,
    /// Send the platform notices whose time has come, and remind desks of overdue answers.
    PlatformNotices,
    /// Make one screenshot's display copy, thumbnail and hashes, index it and queue its reading;
    /// payload `{"evidence_id": …}`.
    MakeScreenshotCopies,
    /// Remove stored files (evidence, packages) no row refers to, a day old, one shard an hour.
    SweepStoredFiles,
    /// Forget the per-address rate limit rows whose quota is wholly regained.
    PurgeRateLimits,
}

impl JobKind {
    pub const ALL: [JobKind; 15] = [
        JobKind::PurgeUnconfirmed,
        JobKind::PurgeReporterSessions,
        JobKind::ForgetHeldUploads,
        JobKind::HandoffReminders,
        JobKind::PurgeSignInAttempts,
        JobKind::ApplyRetention,
        JobKind::PurgeFinishedJobs,
        JobKind::IndexEarlierCases,
        JobKind::ReadScreenshotText,
        JobKind::IndexEarlierScreenshots,
        JobKind::RefreshPublicStats,
        JobKind::PlatformNotices,
        JobKind::MakeScreenshotCopies,
        JobKind::SweepStoredFiles,
        JobKind::PurgeRateLimits,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::PurgeUnconfirmed => "purge_unconfirmed",
            JobKind::PurgeReporterSessions => "purge_reporter_sessions",
            JobKind::ForgetHeldUploads => "forget_held_uploads",
            JobKind::HandoffReminders => "handoff_reminders",
            JobKind::PurgeSignInAttempts => "purge_sign_in_attempts",
            JobKind::ApplyRetention => "apply_retention",
            JobKind::PurgeFinishedJobs => "purge_finished_jobs",
            JobKind::IndexEarlierCases => "index_earlier_cases",
            JobKind::ReadScreenshotText => "read_screenshot_text",
            JobKind::IndexEarlierScreenshots => "index_earlier_screenshots",
            JobKind::RefreshPublicStats => "refresh_public_stats",
            JobKind::PlatformNotices => "platform_notices",
            JobKind::MakeScreenshotCopies => "make_screenshot_copies",
            JobKind::SweepStoredFiles => "sweep_stored_files",
            JobKind::PurgeRateLimits => "purge_rate_limits",
        }
    }

    /// The kind a stored name stands for; `None` for a name this build does not know.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How often a recurring kind runs (each run schedules the next); `None` for a job that runs
    /// once. Recurring jobs exist once at a time, keyed by their name.
    pub fn every(self) -> Option<TimeDelta> {
        match self {
            JobKind::PurgeUnconfirmed
            | JobKind::PurgeReporterSessions
            | JobKind::ForgetHeldUploads
            | JobKind::HandoffReminders
            | JobKind::PurgeSignInAttempts
            | JobKind::ApplyRetention
            | JobKind::PurgeFinishedJobs
            | JobKind::IndexEarlierCases
            | JobKind::IndexEarlierScreenshots
            | JobKind::RefreshPublicStats
            | JobKind::SweepStoredFiles
            | JobKind::PurgeRateLimits
            // Notices go at once after an acknowledgement, a release, an outcome or a new desk;
            // only the 5-working-days path waits for this pass, within the hour.
            | JobKind::PlatformNotices => Some(HOUSEKEEPING_PERIOD),
            JobKind::ReadScreenshotText | JobKind::MakeScreenshotCopies => None,
        }
    }

    /// How many times a job of this kind is started before it is left failed.
    pub fn max_attempts(self) -> i32 {
        match self {
            // Housekeeping that keeps failing is retried within the hour, then waits for its
            // next period (a new job), leaving the failed one to be seen.
            JobKind::PurgeUnconfirmed
            | JobKind::PurgeReporterSessions
            | JobKind::ForgetHeldUploads
            | JobKind::HandoffReminders
            | JobKind::PurgeSignInAttempts
            | JobKind::ApplyRetention
            | JobKind::PurgeFinishedJobs
            | JobKind::IndexEarlierCases
            | JobKind::IndexEarlierScreenshots
            | JobKind::RefreshPublicStats
            | JobKind::SweepStoredFiles
            | JobKind::PurgeRateLimits
            | JobKind::PlatformNotices => 5,
            // Tesseract failing on a file fails the same way again; a crash or a full disk may not.
            JobKind::ReadScreenshotText => 3,
            // A file that decoded once decodes again: what fails is the disk or the database.
            JobKind::MakeScreenshotCopies => 5,
        }
    }

    /// The kinds that keep the database tidy, each running once per period across instances.
    pub fn housekeeping() -> impl Iterator<Item = JobKind> {
        Self::ALL.into_iter().filter(|k| k.every().is_some())
    }
}

/// How often each housekeeping job runs.
pub const HOUSEKEEPING_PERIOD: TimeDelta = TimeDelta::hours(1);

/// Where a job is. A closed set (a CHECK constraint in both migration sets): `Pending` covers
/// waiting and running, which a live lease tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Pending,
    Done,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [JobState::Pending, JobState::Done, JobState::Failed]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A job's kind as stored: one this build knows, or a name it does not (written by a newer
/// release). Reading never falls back to a known kind: the runner fails an unknown one loudly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredJobKind {
    Known(JobKind),
    Unknown(String),
}

impl StoredJobKind {
    pub fn as_str(&self) -> &str {
        match self {
            StoredJobKind::Known(k) => k.as_str(),
            StoredJobKind::Unknown(name) => name,
        }
    }

    /// Always a value: a name no variant has is kept as `Unknown`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(JobKind::parse(s).map_or_else(
            || StoredJobKind::Unknown(s.to_string()),
            StoredJobKind::Known,
        ))
    }

    pub fn known(&self) -> Option<JobKind> {
        match self {
            StoredJobKind::Known(k) => Some(*k),
            StoredJobKind::Unknown(_) => None,
        }
    }
}

impl std::fmt::Display for StoredJobKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// The first retry's delay; each further one doubles it.
pub const FIRST_RETRY: TimeDelta = TimeDelta::seconds(30);
/// The longest a failed job waits for its next attempt.
pub const LONGEST_RETRY: TimeDelta = TimeDelta::hours(1);

/// How long a job waits after its `attempts`-th attempt failed: 30 s, 1 min, 2 min, 4 min, …,
/// at most an hour.
pub fn backoff(attempts: i32) -> TimeDelta {
    let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
    let secs = FIRST_RETRY.num_seconds().saturating_mul(1i64 << doublings);
    TimeDelta::seconds(secs).min(LONGEST_RETRY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds() {
        assert_eq!(backoff(1), TimeDelta::seconds(30));
        assert_eq!(backoff(2), TimeDelta::minutes(1));
        assert_eq!(backoff(3), TimeDelta::minutes(2));
        assert_eq!(backoff(4), TimeDelta::minutes(4));
        assert_eq!(backoff(7), TimeDelta::minutes(32));
    }

    #[test]
    fn backoff_is_capped_at_an_hour() {
        assert_eq!(backoff(8), TimeDelta::hours(1));
        assert_eq!(backoff(21), TimeDelta::hours(1));
        assert_eq!(backoff(i32::MAX), TimeDelta::hours(1));
    }

    #[test]
    fn backoff_before_any_failure_is_the_first_delay() {
        assert_eq!(backoff(0), FIRST_RETRY);
        assert_eq!(backoff(-3), FIRST_RETRY);
    }

    #[test]
    fn backoff_never_shrinks() {
        for n in 0..40 {
            assert!(backoff(n + 1) >= backoff(n), "{n}");
        }
    }

    #[test]
    fn every_kind_reads_back_from_its_name_and_no_other_name_is_a_kind() {
        for kind in JobKind::ALL {
            assert_eq!(JobKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(JobKind::parse("ocr"), None);
        assert_eq!(JobKind::parse(""), None);
        assert_eq!(JobKind::parse("Purge_Unconfirmed"), None);
    }

    #[test]
    fn every_housekeeping_kind_recurs_hourly_with_retries() {
        assert_eq!(JobKind::housekeeping().count(), JobKind::ALL.len() - 2);
        for kind in JobKind::housekeeping() {
            assert_eq!(kind.every(), Some(TimeDelta::hours(1)));
            assert!(kind.max_attempts() > 1);
        }
    }

    #[test]
    fn states_read_back_from_their_names() {
        for s in [JobState::Pending, JobState::Done, JobState::Failed] {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobState::parse("running"), None);
    }
}
