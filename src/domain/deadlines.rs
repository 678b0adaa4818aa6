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

/// Working days a regulator has to acknowledge a handoff.
pub const ACKNOWLEDGE_WORKING_DAYS: u32 = 5;

/// What a case's deadlines are counted from: enough to count them again under another calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineBasis {
    pub submitted_on: NaiveDate,
    pub is_complaint: bool,
    /// Each finished wait for the reporter: (paused on, resumed on).
    pub pauses: Vec<(NaiveDate, NaiveDate)>,
    pub extended: bool,
    /// For a handed-off case: the day of the latest handoff (the acknowledgement clock).
    pub handed_off_on: Option<NaiveDate>,
}

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

    /// The deadlines of a case counted from scratch: its start, every finished pause and the
    /// extension. Adding working days composes (n then m is n + m), so this gives what the
    /// step-by-step counting gave under the same calendar.
    pub fn recount(cal: &Calendar, basis: &DeadlineBasis) -> Self {
        if let Some(day) = basis.handed_off_on {
            return Self::acknowledgement(cal, day);
        }
        let mut d = Self::starting(cal, basis.submitted_on, basis.is_complaint);
        for (paused_on, resumed_on) in &basis.pauses {
            d = d.after_pause(cal, *paused_on, *resumed_on);
        }
        if basis.extended { d.extended(cal) } else { d }
    }

    /// After a handoff: the regulator's acknowledgement is due in 5 working days.
    pub fn acknowledgement(cal: &Calendar, handed_off_on: NaiveDate) -> Self {
        Self {
            accept_by: None,
            decide_by: cal.add_working_days(handed_off_on, ACKNOWLEDGE_WORKING_DAYS),
        }
    }

    /// Whether any of these dates is counted on a provisional calendar year.
    pub fn is_provisional(&self, cal: &Calendar) -> bool {
        cal.is_provisional(self.decide_by) || self.accept_by.is_some_and(|a| cal.is_provisional(a))
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

    /// The last day a case in `status` is on time: the decision date while it is reviewed or
    /// handed off (then the day the regulator's acknowledgement is due), the earlier of its two
    /// dates while it waits to be taken, none while no clock runs (a case waiting for the
    /// reporter is paused). The database keeps the same rule in `case_deadlines.due_on`.
    pub fn due_on(&self, status: CaseStatus) -> Option<NaiveDate> {
        match status {
            CaseStatus::Submitted => Some(
                self.accept_by
                    .map_or(self.decide_by, |a| a.min(self.decide_by)),
            ),
            CaseStatus::InReview | CaseStatus::HandedOff => Some(self.decide_by),
            _ => None,
        }
    }

    /// Whether a case in `status` has passed a deadline that still applies to it on `today`.
    pub fn is_overdue(&self, status: CaseStatus, today: NaiveDate) -> bool {
        self.due_on(status).is_some_and(|d| d < today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar_file;
    use crate::domain::workdays::Calendar;

    fn official() -> Calendar {
        Calendar::shipped()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    /// A stand-in for the 2027 notice (not the real one): 元旦 1–3 Jan, 春节 5–13 Feb with the
    /// Saturdays 30 Jan and 20 Feb working.
    const TEST_OFFICIAL_2027: &str = r#"{"year": 2027, "source": "test notice",
        "holidays": {"元旦 New Year": ["2027-01-01", "2027-01-02", "2027-01-03"],
                     "春节 Spring Festival": ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08",
                        "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12", "2027-02-13"]},
        "adjusted_working_days": ["2027-01-30", "2027-02-20"]}"#;

    fn with_2027() -> Calendar {
        let f = calendar_file::parse(TEST_OFFICIAL_2027.as_bytes()).expect("valid");
        Calendar::new(official().official_years().cloned().chain([f.days]))
    }

    #[test]
    fn a_report_filed_on_20_december_is_due_after_new_year_on_either_calendar() {
        // Sun 20 Dec 2026. Working days: 21–25, 28–31 Dec (9), then 2027.
        // Provisional 2027: 1 Jan off; 4–8 Jan (14), 11 Jan is the 15th.
        let provisional = Deadlines::starting(&official(), d("2026-12-20"), true);
        assert_eq!(provisional.decide_by, d("2027-01-11"));
        assert_eq!(provisional.accept_by, Some(d("2026-12-29")));
        assert!(provisional.is_provisional(&official()));
        // The test notice also gives 2–3 Jan (a weekend anyway): the same day, now official.
        let official_2027 = Deadlines::starting(&with_2027(), d("2026-12-20"), true);
        assert_eq!(official_2027.decide_by, d("2027-01-11"));
        assert!(!official_2027.is_provisional(&with_2027()));
    }

    #[test]
    fn a_deadline_across_spring_festival_moves_when_the_notice_is_loaded() {
        // Mon 25 Jan 2027, 15 working days.
        // Provisional: 26–29 Jan (4), 1–4 Feb (8), 5–10 Feb off (除夕 to 初三 and two 补假),
        // 11, 12 (10), 15–19 (15): Fri 19 Feb.
        assert_eq!(
            official().add_working_days(d("2027-01-25"), 15),
            d("2027-02-19")
        );
        // Test notice: 26–29 Jan (4), Sat 30 Jan works (5), 1–4 Feb (9), 5–13 off, 14 Sun,
        // 15–19 Feb (14), Sat 20 Feb works (15).
        assert_eq!(
            with_2027().add_working_days(d("2027-01-25"), 15),
            d("2027-02-20")
        );
    }

    #[test]
    fn recounting_gives_what_counting_step_by_step_gave() {
        let cal = official();
        let basis = DeadlineBasis {
            submitted_on: d("2026-09-21"),
            is_complaint: true,
            pauses: vec![
                (d("2026-09-24"), d("2026-10-09")),
                (d("2026-10-20"), d("2026-10-22")),
            ],
            extended: true,
            handed_off_on: None,
        };
        let step = Deadlines::starting(&cal, basis.submitted_on, true)
            .after_pause(&cal, d("2026-09-24"), d("2026-10-09"))
            .extended(&cal)
            .after_pause(&cal, d("2026-10-20"), d("2026-10-22"));
        assert_eq!(Deadlines::recount(&cal, &basis), step);
        let handed = DeadlineBasis {
            handed_off_on: Some(d("2026-09-30")),
            ..basis
        };
        // 8, 9, 10 (adjusted Sat), 12, 13 Oct.
        assert_eq!(
            Deadlines::recount(&cal, &handed),
            Deadlines {
                accept_by: None,
                decide_by: d("2026-10-13")
            }
        );
    }

    #[test]
    fn a_complaint_filed_before_national_day_is_due_after_it() {
        let dl = Deadlines::starting(&official(), d("2026-09-29"), true);
        // 30 Sep, then 8, 9, 10 (adjusted Sat), 12, 13, 14 Oct.
        assert_eq!(dl.accept_by, Some(d("2026-10-14")));
        assert_eq!(dl.decide_by, d("2026-10-26"));
        assert_eq!(
            Deadlines::starting(&official(), d("2026-09-29"), false).accept_by,
            None
        );
    }

    #[test]
    fn a_pause_moves_the_deadlines_by_its_working_days() {
        let dl = Deadlines::starting(&official(), d("2026-11-02"), false);
        assert_eq!(dl.decide_by, d("2026-11-23"));
        // Paused Mon 9 Nov to Mon 16 Nov: five working days.
        let moved = dl.after_pause(&official(), d("2026-11-09"), d("2026-11-16"));
        assert_eq!(moved.decide_by, d("2026-11-30"));
    }

    #[test]
    fn overdue_depends_on_status() {
        let dl = Deadlines::starting(&official(), d("2026-11-02"), true);
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
        let dl = Deadlines::starting(&official(), d("2026-11-02"), false).extended(&official());
        assert_eq!(dl.decide_by, d("2026-12-14"));
    }
}
