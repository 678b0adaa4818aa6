//! Deadlines after SAMR's rules on complaints and reports (市场监督管理投诉举报处理暂行办法):
//! a complaint is accepted or refused within 7 working days of its submission, a report decided
//! within 15 (extendable once by 15); while a case waits for the reporter, its clock stops.

use super::CaseStatus;
use super::workdays::Calendar;
use chrono::NaiveDate;

pub const COMPLAINT_ACCEPT_DAYS: u32 = 7;
pub const REPORT_DECIDE_DAYS: u32 = 15;
pub const EXTENSION_DAYS: u32 = 15;
/// Calendar days a reporter has to answer a request for more information.
pub const REPORTER_ANSWER_DAYS: i64 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// For a case that is also a complaint: the day by which it must be accepted or refused.
    pub accept_by: Option<NaiveDate>,
    /// The day by which the report must be decided.
    pub decide_by: NaiveDate,
}

impl Deadlines {
    pub fn starting(cal: &Calendar, submitted_on: NaiveDate, is_complaint: bool) -> Self {
        Self {
            accept_by: is_complaint
                .then(|| cal.add_working_days(submitted_on, COMPLAINT_ACCEPT_DAYS)),
            decide_by: cal.add_working_days(submitted_on, REPORT_DECIDE_DAYS),
        }
    }

    /// After a pause (waiting for the reporter) from `paused_on` to `resumed_on`: every deadline
    /// moves by the working days the pause took.
    pub fn after_pause(self, cal: &Calendar, paused_on: NaiveDate, resumed_on: NaiveDate) -> Self {
        let paused = cal.working_days_between(paused_on, resumed_on);
        Self {
            accept_by: self.accept_by.map(|d| cal.add_working_days(d, paused)),
            decide_by: cal.add_working_days(self.decide_by, paused),
        }
    }

    pub fn extended(self, cal: &Calendar) -> Self {
        Self {
            decide_by: cal.add_working_days(self.decide_by, EXTENSION_DAYS),
            ..self
        }
    }

    /// Whether a case in `status` has passed a deadline that still applies to it on `today`.
    /// A case waiting for the reporter is paused and never overdue.
    pub fn is_overdue(&self, status: CaseStatus, today: NaiveDate) -> bool {
        match status {
            CaseStatus::Submitted => {
                self.decide_by < today || self.accept_by.is_some_and(|a| a < today)
            }
            // For a handed-off case, `decide_by` is the day the regulator's acknowledgement is due.
            CaseStatus::InReview | CaseStatus::HandedOff => self.decide_by < today,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workdays::official;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_complaint_filed_before_national_day_is_due_after_it() {
        let dl = Deadlines::starting(official(), d("2026-09-29"), true);
        // 30 Sep, then 8, 9, 10 (adjusted Sat), 12, 13, 14 Oct.
        assert_eq!(dl.accept_by, Some(d("2026-10-14")));
        assert_eq!(dl.decide_by, d("2026-10-26"));
        assert_eq!(
            Deadlines::starting(official(), d("2026-09-29"), false).accept_by,
            None
        );
    }

    #[test]
    fn a_pause_moves_the_deadlines_by_its_working_days() {
        let dl = Deadlines::starting(official(), d("2026-11-02"), false);
        assert_eq!(dl.decide_by, d("2026-11-23"));
        // Paused Mon 9 Nov to Mon 16 Nov: five working days.
        let moved = dl.after_pause(official(), d("2026-11-09"), d("2026-11-16"));
        assert_eq!(moved.decide_by, d("2026-11-30"));
    }

    #[test]
    fn overdue_depends_on_status() {
        let dl = Deadlines::starting(official(), d("2026-11-02"), true);
        let late = d("2026-12-01");
        assert!(dl.is_overdue(CaseStatus::Submitted, late));
        assert!(dl.is_overdue(CaseStatus::InReview, late));
        assert!(!dl.is_overdue(CaseStatus::AwaitingReporter, late));
        assert!(!dl.is_overdue(CaseStatus::Substantiated, late));
        assert!(!dl.is_overdue(CaseStatus::InReview, d("2026-11-23")));
        // The complaint's acceptance deadline is 11 Nov: a submitted case is late on the 12th.
        assert!(dl.is_overdue(CaseStatus::Submitted, d("2026-11-12")));
        assert!(!dl.is_overdue(CaseStatus::InReview, d("2026-11-12")));
    }

    #[test]
    fn an_extension_adds_fifteen_working_days() {
        let dl = Deadlines::starting(official(), d("2026-11-02"), false).extended(official());
        assert_eq!(dl.decide_by, d("2026-12-14"));
    }
}
