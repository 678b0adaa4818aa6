//! Platform notices: a handed-off case told to the platform that hosts the fake reviews, timed so
//! that no merchant under investigation is tipped off, and the platform's one answer.
//!
//! The rules here are pure: when a notice may go, what state it is in, what an answer must hold.

use super::keyword::keyword_enum;
use super::workdays::Calendar;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Working days after the handoff before the notice goes without the regulator's acknowledgement.
pub const SEND_AFTER_WORKING_DAYS: u32 = 5;

/// Working days a desk has to answer, unless configured otherwise (`PLATFORM_ANSWER_WORKING_DAYS`).
pub const DEFAULT_ANSWER_WORKING_DAYS: u32 = 5;

/// What every notice says of itself: a lead from a report, not an administrative finding.
pub const NOT_AN_ADMINISTRATIVE_FINDING: &str = "举报线索，非行政认定";

/// How long the desk's link works from the moment it is sent (a reminder sends a fresh one).
pub const LINK_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(90);

/// The longest text a desk may give with its answer.
pub const MAX_DETAILS: usize = 5000;

/// More removed reviews than any one case can concern: a typo, refused.
pub const MAX_REVIEWS_REMOVED: i32 = 1_000_000;

keyword_enum! {
    /// What the platform did with the notice.
    pub enum PlatformResponse {
        ReviewsRemoved => "reviews_removed",
        ShopPenalised => "shop_penalised",
        NoViolation => "no_violation",
        Disputed => "disputed",
    }
}

/// A desk's answer, checked: reviews removed with how many, reasons for a dispute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformAnswer {
    pub response: PlatformResponse,
    pub reviews_removed_count: Option<i32>,
    pub details: String,
}

impl PlatformAnswer {
    /// Reads the `platform_response` form; the error is the message key of what is wrong.
    pub fn parse(response: &str, count: &str, details: &str) -> Result<Self, &'static str> {
        let response =
            PlatformResponse::parse(response.trim()).ok_or("platform_notice.response_required")?;
        let details: String = details
            .replace("\r\n", "\n")
            .trim()
            .chars()
            .take(MAX_DETAILS)
            .collect();
        let reviews_removed_count = match response {
            PlatformResponse::ReviewsRemoved => {
                let n: i32 = count
                    .trim()
                    .parse()
                    .map_err(|_| "platform_notice.count_required")?;
                if !(1..=MAX_REVIEWS_REMOVED).contains(&n) {
                    return Err("platform_notice.count_required");
                }
                Some(n)
            }
            _ => None,
        };
        if response == PlatformResponse::Disputed && details.is_empty() {
            return Err("platform_notice.reasons_required");
        }
        Ok(Self {
            response,
            reviews_removed_count,
            details,
        })
    }
}

/// The moment a notice may go at the latest without an acknowledgement: the start (China time)
/// of the day after the 5th working day following the handoff.
pub fn send_after(cal: &Calendar, handed_off_at: NaiveDateTime) -> NaiveDateTime {
    let last = cal.add_working_days(super::china_date(handed_off_at), SEND_AFTER_WORKING_DAYS);
    let next = last.succ_opt().unwrap_or(last);
    super::china_time::to_utc(next.and_time(NaiveTime::MIN))
        .unwrap_or_else(|| next.and_time(NaiveTime::MIN))
}

/// The day by which a notice sent at `sent_at` must be answered.
pub fn answer_due_on(cal: &Calendar, sent_at: NaiveDateTime, working_days: u32) -> NaiveDate {
    cal.add_working_days(super::china_date(sent_at), working_days)
}

/// Where a notice stands, read off its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeState {
    /// Waiting for its time: the regulator's acknowledgement or `not_before`.
    Scheduled,
    /// The regulator held it; it goes when released or when the outcome is recorded.
    Held,
    /// Its time has come, but no desk covers the platform.
    WaitingForDesk,
    /// Sent, not answered, within its deadline.
    Sent,
    /// Sent, not answered, past its deadline.
    Overdue,
    Answered,
    Withdrawn,
}

impl NoticeState {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeState::Scheduled => "scheduled",
            NoticeState::Held => "held",
            NoticeState::WaitingForDesk => "waiting_for_desk",
            NoticeState::Sent => "sent",
            NoticeState::Overdue => "overdue",
            NoticeState::Answered => "answered",
            NoticeState::Withdrawn => "withdrawn",
        }
    }
}

/// The timing and answer columns of a notice, as the state rules read them.
#[derive(Debug, Clone, Copy)]
pub struct NoticeClock {
    pub not_before: NaiveDateTime,
    pub held: bool,
    pub has_desk: bool,
    pub sent: bool,
    pub answer_due_on: Option<NaiveDate>,
    pub answered: bool,
    pub withdrawn: bool,
}

impl NoticeClock {
    pub fn state(&self, now: NaiveDateTime) -> NoticeState {
        if self.withdrawn {
            NoticeState::Withdrawn
        } else if self.answered {
            NoticeState::Answered
        } else if self.sent {
            match self.answer_due_on {
                Some(due) if due < super::china_date(now) => NoticeState::Overdue,
                _ => NoticeState::Sent,
            }
        } else if self.held {
            NoticeState::Held
        } else if self.not_before > now {
            NoticeState::Scheduled
        } else if !self.has_desk {
            NoticeState::WaitingForDesk
        } else {
            // Due and sendable: the next pass of the sender takes it.
            NoticeState::Scheduled
        }
    }

    /// Whether the sender should send it now (given a desk).
    pub fn due(&self, now: NaiveDateTime) -> bool {
        !self.withdrawn && !self.sent && !self.held && self.not_before <= now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
    }

    #[test]
    fn an_answer_needs_its_count_or_its_reasons() {
        let a = PlatformAnswer::parse("reviews_removed", " 37 ", "").expect("ok");
        assert_eq!(a.reviews_removed_count, Some(37));
        for bad in ["", "0", "-3", "x", "2000000"] {
            assert_eq!(
                PlatformAnswer::parse("reviews_removed", bad, ""),
                Err("platform_notice.count_required"),
                "{bad}"
            );
        }
        assert_eq!(
            PlatformAnswer::parse("disputed", "", "  "),
            Err("platform_notice.reasons_required")
        );
        let d = PlatformAnswer::parse("disputed", "12", "评价为真实购买\r\n").expect("ok");
        assert_eq!(
            (d.reviews_removed_count, d.details.as_str()),
            (None, "评价为真实购买")
        );
        assert_eq!(
            PlatformAnswer::parse("nonsense", "", ""),
            Err("platform_notice.response_required")
        );
        assert!(PlatformAnswer::parse("no_violation", "", "").is_ok());
    }

    #[test]
    fn a_notice_goes_after_five_working_days_counted_in_china_time() {
        let cal = Calendar::shipped();
        // Handed off Monday 2026-11-30 10:00 China time (02:00 UTC): five working days end on
        // Monday 2026-12-07; it may go from 00:00 China time on Tuesday 2026-12-08.
        assert_eq!(
            send_after(&cal, at("2026-11-30 02:00")),
            at("2026-12-07 16:00")
        );
    }

    #[test]
    fn the_state_follows_withdrawal_answer_sending_hold_and_time() {
        let now = at("2026-12-10 08:00");
        let base = NoticeClock {
            not_before: at("2026-12-08 16:00"),
            held: false,
            has_desk: true,
            sent: false,
            answer_due_on: None,
            answered: false,
            withdrawn: false,
        };
        assert!(base.due(now));
        let no_desk = NoticeClock {
            has_desk: false,
            ..base
        };
        assert_eq!(no_desk.state(now), NoticeState::WaitingForDesk);
        let held = NoticeClock { held: true, ..base };
        assert_eq!(held.state(now), NoticeState::Held);
        assert!(!held.due(now));
        let early = NoticeClock {
            not_before: at("2026-12-11 00:00"),
            ..base
        };
        assert_eq!(early.state(now), NoticeState::Scheduled);
        assert!(!early.due(now));
        let sent = NoticeClock {
            sent: true,
            answer_due_on: NaiveDate::from_ymd_opt(2026, 12, 9),
            ..base
        };
        assert_eq!(sent.state(now), NoticeState::Overdue);
        assert!(!sent.due(now));
        let answered = NoticeClock {
            answered: true,
            ..sent
        };
        assert_eq!(answered.state(now), NoticeState::Answered);
        let withdrawn = NoticeClock {
            withdrawn: true,
            ..answered
        };
        assert_eq!(withdrawn.state(now), NoticeState::Withdrawn);
    }
}
