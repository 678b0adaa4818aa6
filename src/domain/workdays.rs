//! Working days after China's official calendar: weekends off, public holidays off, and the
//! adjusted working weekends (调休) on. One data file per year (`facts/cn-workdays-YYYY.json`,
//! from the State Council's notice); for a year without one, weekdays count and pages say so.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

#[derive(Deserialize)]
struct YearFile {
    year: i32,
    holidays: BTreeMap<String, Vec<NaiveDate>>,
    adjusted_working_days: Vec<NaiveDate>,
}

pub struct Calendar {
    years: HashSet<i32>,
    days_off: HashSet<NaiveDate>,
    working_weekends: HashSet<NaiveDate>,
}

/// The years the portal has an official calendar for; add a file here when a notice is published.
const YEAR_FILES: &[&str] = &[include_str!("facts/cn-workdays-2026.json")];

static OFFICIAL: LazyLock<Calendar> = LazyLock::new(|| {
    Calendar::from_files(YEAR_FILES)
        .expect("the embedded working-day calendars parse (checked by a unit test)")
});

pub fn official() -> &'static Calendar {
    &OFFICIAL
}

impl Calendar {
    fn from_files(files: &[&str]) -> Result<Self, serde_json::Error> {
        let mut c = Calendar {
            years: HashSet::new(),
            days_off: HashSet::new(),
            working_weekends: HashSet::new(),
        };
        for f in files {
            let y: YearFile = serde_json::from_str(f)?;
            c.years.insert(y.year);
            c.days_off.extend(y.holidays.into_values().flatten());
            c.working_weekends.extend(y.adjusted_working_days);
        }
        Ok(c)
    }

    /// Whether the official calendar of `year` is known (else weekdays are counted).
    pub fn knows_year(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.working_weekends.contains(&d) {
            return true;
        }
        if self.days_off.contains(&d) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The day on which `n` working days after `start` have passed: the n-th working day after
    /// `start` (the day of `start` itself does not count, as in the rules' 之日起 counting).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            match d.succ_opt() {
                Some(next) => d = next,
                None => return d,
            }
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not later).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_2026_calendar_is_known_and_2027_is_not() {
        assert!(official().knows_year(2026));
        assert!(!official().knows_year(2027));
    }

    #[test]
    fn spring_festival_2026_is_off_and_its_adjusted_saturdays_work() {
        let c = official();
        for day in ["2026-02-16", "2026-02-18", "2026-02-20", "2026-02-23"] {
            assert!(!c.is_working_day(d(day)), "{day} is a holiday");
        }
        assert!(
            c.is_working_day(d("2026-02-14")),
            "Saturday 14 Feb is an adjusted working day"
        );
        assert!(
            c.is_working_day(d("2026-02-28")),
            "Saturday 28 Feb is an adjusted working day"
        );
        assert!(c.is_working_day(d("2026-02-13")));
        assert!(c.is_working_day(d("2026-02-24")));
    }

    #[test]
    fn seven_working_days_across_spring_festival() {
        // Filed Thu 12 Feb: 13 (Fri), 14 (adjusted Sat), the holiday 15–23, then 24, 25, 26, 27
        // and the adjusted Saturday 28 Feb is the seventh.
        assert_eq!(
            official().add_working_days(d("2026-02-12"), 7),
            d("2026-02-28")
        );
        // The eighth is Monday 2 March: Sunday 1 March is an ordinary day off.
        assert_eq!(
            official().add_working_days(d("2026-02-12"), 8),
            d("2026-03-02")
        );
    }

    #[test]
    fn fifteen_working_days_across_national_day() {
        let c = official();
        // 30 Sep (Wed): National Day holiday 1–7 Oct, 10 Oct (Sat) is an adjusted working day.
        // Working days: 8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27 Oct.
        assert_eq!(c.add_working_days(d("2026-09-30"), 15), d("2026-10-27"));
        assert!(c.is_working_day(d("2026-10-10")));
        assert!(!c.is_working_day(d("2026-10-11")));
        assert_eq!(c.working_days_between(d("2026-09-30"), d("2026-10-09")), 2);
    }

    #[test]
    fn ordinary_weeks_count_weekdays() {
        let c = official();
        assert_eq!(c.add_working_days(d("2026-11-20"), 5), d("2026-11-27"));
        assert_eq!(c.working_days_between(d("2026-11-20"), d("2026-11-27")), 5);
        assert_eq!(c.working_days_between(d("2026-11-27"), d("2026-11-20")), 0);
        // A year without a calendar: weekdays only.
        assert_eq!(c.add_working_days(d("2027-03-05"), 1), d("2027-03-08"));
    }
}
