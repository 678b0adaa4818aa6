//! Working days after China's official calendar: weekends off, public holidays off, and the
//! adjusted working weekends (调休) on. An official year comes from the State Council's notice as
//! a data file (shipped, dropped into `DATA_DIR`, or imported); a year without one counts the
//! statutory holidays alone (`statutory`), and pages mark its deadlines provisional.

use super::statutory;
use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

/// One named holiday of a year: its days off, in date order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub name: String,
    pub days: Vec<NaiveDate>,
}

/// The days off and the adjusted working weekends of one year.
#[derive(Debug, Clone)]
pub struct YearDays {
    pub year: i32,
    /// In the order of their first day.
    pub holidays: Vec<Holiday>,
    pub working_weekends: BTreeSet<NaiveDate>,
    days_off: HashSet<NaiveDate>,
}

impl YearDays {
    pub fn new(
        year: i32,
        mut holidays: Vec<Holiday>,
        working_weekends: BTreeSet<NaiveDate>,
    ) -> Self {
        holidays.sort_by_key(|h| h.days.first().copied());
        let days_off = holidays
            .iter()
            .flat_map(|h| h.days.iter().copied())
            .collect();
        Self {
            year,
            holidays,
            working_weekends,
            days_off,
        }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.working_weekends.contains(&d) {
            return true;
        }
        !self.days_off.contains(&d) && !is_weekend(d)
    }
}

pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Where the working days of a year come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearStatus {
    /// The State Council's notice for the year is loaded.
    Official,
    /// Only the statutory holidays and their 补假, computed: no 调休 until the notice is loaded.
    Provisional,
    /// Outside every table: Monday to Friday.
    WeekdaysOnly,
}

/// The working-day calendar in force: the official years loaded (shipped, from `DATA_DIR`, or
/// imported), and for every other year the provisional statutory calendar.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    official: BTreeMap<i32, YearDays>,
}

/// How long before a year starts supervisors are told its official calendar is missing.
pub const WARN_DAYS_BEFORE_YEAR: i64 = 60;

/// The official years that ship inside the binary (the operator adds later ones as data).
pub const SHIPPED_YEAR_FILES: &[(&str, &str)] = &[(
    "cn-workdays-2026.json",
    include_str!("facts/cn-workdays-2026.json"),
)];

/// Provisional years, computed once each: a pure function of the year.
static PROVISIONAL: LazyLock<Mutex<HashMap<i32, Option<Arc<YearDays>>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn provisional(year: i32) -> Option<Arc<YearDays>> {
    let mut memo = PROVISIONAL.lock().unwrap_or_else(|e| e.into_inner());
    memo.entry(year)
        .or_insert_with(|| statutory::provisional_year(year).map(Arc::new))
        .clone()
}

impl Calendar {
    pub fn new(official: impl IntoIterator<Item = YearDays>) -> Self {
        Self {
            official: official.into_iter().map(|y| (y.year, y)).collect(),
        }
    }

    /// The calendar of the shipped year files alone (what a fresh database starts with).
    pub fn shipped() -> Self {
        Self::new(SHIPPED_YEAR_FILES.iter().filter_map(|(_, text)| {
            super::calendar_file::parse(text.as_bytes())
                .ok()
                .map(|f| f.days)
        }))
    }

    pub fn year_status(&self, year: i32) -> YearStatus {
        if self.official.contains_key(&year) {
            YearStatus::Official
        } else if statutory::PROVISIONAL_YEARS.contains(&year) {
            YearStatus::Provisional
        } else {
            YearStatus::WeekdaysOnly
        }
    }

    /// Whether a date's year is counted without the official notice (pages mark it so).
    pub fn is_provisional(&self, d: NaiveDate) -> bool {
        self.year_status(d.year()) != YearStatus::Official
    }

    pub fn official_years(&self) -> impl Iterator<Item = &YearDays> {
        self.official.values()
    }

    /// The days of `year`: the official ones, else the provisional ones.
    pub fn year(&self, year: i32) -> Option<Arc<YearDays>> {
        match self.official.get(&year) {
            Some(y) => Some(Arc::new(y.clone())),
            None => provisional(year),
        }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if let Some(y) = self.official.get(&d.year()) {
            return y.is_working_day(d);
        }
        match provisional(d.year()) {
            Some(y) => y.is_working_day(d),
            None => !is_weekend(d),
        }
    }

    /// The years supervisors must be warned about on `today`: this year, and from 60 days before
    /// it starts the next one, while they have no official calendar.
    pub fn years_missing_notice(&self, today: NaiveDate) -> Vec<i32> {
        let this = today.year();
        let mut years = vec![this];
        if NaiveDate::from_ymd_opt(this + 1, 1, 1)
            .is_some_and(|next| (next - today).num_days() <= WARN_DAYS_BEFORE_YEAR)
        {
            years.push(this + 1);
        }
        years.retain(|y| self.year_status(*y) != YearStatus::Official);
        years
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

    fn official() -> Calendar {
        Calendar::shipped()
    }

    #[test]
    fn the_2026_calendar_is_official_and_2027_is_provisional() {
        assert_eq!(official().year_status(2026), YearStatus::Official);
        assert_eq!(official().year_status(2027), YearStatus::Provisional);
        assert_eq!(official().year_status(2200), YearStatus::WeekdaysOnly);
        assert!(official().is_provisional(d("2027-01-04")));
        assert!(!official().is_provisional(d("2026-12-31")));
    }

    #[test]
    fn supervisors_are_warned_sixty_days_before_a_year_without_a_notice() {
        let c = official();
        assert_eq!(c.years_missing_notice(d("2026-11-01")), Vec::<i32>::new());
        assert_eq!(c.years_missing_notice(d("2026-11-02")), vec![2027]);
        assert_eq!(c.years_missing_notice(d("2026-12-31")), vec![2027]);
        assert_eq!(c.years_missing_notice(d("2027-01-01")), vec![2027]);
        let with_2027 = Calendar::new(
            official()
                .official_years()
                .cloned()
                .chain(crate::domain::statutory::provisional_year(2027)),
        );
        assert_eq!(
            with_2027.years_missing_notice(d("2026-12-02")),
            Vec::<i32>::new()
        );
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
        // A provisional year: an ordinary week still counts Monday to Friday.
        assert_eq!(c.add_working_days(d("2027-03-05"), 1), d("2027-03-08"));
        // Beyond every table: weekdays only.
        assert_eq!(c.add_working_days(d("2201-03-06"), 1), d("2201-03-09"));
    }
}
