//! A year file of the official working-day calendar (the State Council's 放假调休 notice as
//! data): parsed and checked once, so that a malformed file never reaches the calendar.
//!
//! ```json
//! { "year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知",
//!   "holidays": { "元旦 New Year": ["2027-01-01", …], … },
//!   "adjusted_working_days": ["2027-02-…", …] }
//! ```

use super::keyword::keyword_enum;
use super::statutory;
use super::workdays::{Holiday, YearDays, is_weekend};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

keyword_enum! {
    /// How a year file came in.
    pub enum Origin {
        /// Inside the binary.
        Shipped => "shipped",
        /// A file in `DATA_DIR/calendar/`, read at start-up.
        DataDir => "data_dir",
        /// `reviewwatch calendar import FILE`.
        Command => "command",
        /// A supervisor's upload on `/officer/calendar`.
        Upload => "upload",
    }
}

/// A year file is a page of dates: anything larger is not one.
pub const MAX_FILE_BYTES: usize = 64 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYearFile {
    year: i32,
    #[serde(default)]
    source: Option<String>,
    /// Free text for people reading the file.
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    holidays: BTreeMap<String, Vec<NaiveDate>>,
    adjusted_working_days: Vec<NaiveDate>,
}

/// A checked year file.
#[derive(Debug, Clone)]
pub struct YearFile {
    pub days: YearDays,
    /// Which notice the dates come from, as the file says.
    pub source: String,
    /// SHA-256 of the file's bytes as given.
    pub sha256: String,
    /// The file's text as given (kept, so the calendar can be rebuilt and shown as imported).
    pub text: String,
}

impl YearFile {
    /// Statutory days (the law's own holidays) that this file leaves as working days: not an
    /// error — the notice is the law's word — but worth a second look before importing.
    pub fn statutory_days_not_off(&self) -> Vec<(&'static str, NaiveDate)> {
        statutory::statutory_days(self.days.year)
            .into_iter()
            .filter(|(_, d)| self.days.is_working_day(*d))
            .collect()
    }
}

/// One thing wrong with a year file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarFileError {
    #[error("the file is larger than {MAX_FILE_BYTES} bytes: it is not a year file")]
    TooLarge,
    #[error(
        "the file is not a year file ({0}); expected {{\"year\", \"holidays\": {{name: [dates]}}, \"adjusted_working_days\": [dates]}} with dates as YYYY-MM-DD"
    )]
    Unreadable(String),
    #[error("year {0} is outside 2000–2100")]
    YearOutOfRange(i32),
    #[error("the file names no holidays")]
    NoHolidays,
    #[error("a holiday has no name")]
    UnnamedHoliday,
    #[error("the holiday \"{0}\" lists no days")]
    EmptyHoliday(String),
    #[error("{date} (in \"{list}\") is not in {year}")]
    OutsideYear {
        year: i32,
        date: NaiveDate,
        list: String,
    },
    #[error("{0} is both a day off and a working day")]
    OffAndWorking(NaiveDate),
    #[error("{0} is listed as an adjusted working day but is not a Saturday or Sunday")]
    WorkingDayNotWeekend(NaiveDate),
}

impl CalendarFileError {
    /// The message key (`calendar.error.*`) and its argument, for pages in either language.
    pub fn key_and_arg(&self) -> (&'static str, String) {
        match self {
            Self::TooLarge => ("calendar.error.too_large", MAX_FILE_BYTES.to_string()),
            Self::Unreadable(e) => ("calendar.error.unreadable", e.clone()),
            Self::YearOutOfRange(y) => ("calendar.error.year_out_of_range", y.to_string()),
            Self::NoHolidays => ("calendar.error.no_holidays", String::new()),
            Self::UnnamedHoliday => ("calendar.error.unnamed_holiday", String::new()),
            Self::EmptyHoliday(n) => ("calendar.error.empty_holiday", n.clone()),
            Self::OutsideYear { date, list, .. } => {
                ("calendar.error.outside_year", format!("{date} ({list})"))
            }
            Self::OffAndWorking(d) => ("calendar.error.off_and_working", d.to_string()),
            Self::WorkingDayNotWeekend(d) => ("calendar.error.not_weekend", d.to_string()),
        }
    }
}

/// Parses and checks a year file; every problem found is returned, not only the first.
pub fn parse(bytes: &[u8]) -> Result<YearFile, Vec<CalendarFileError>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(vec![CalendarFileError::TooLarge]);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| vec![CalendarFileError::Unreadable("not UTF-8 text".into())])?;
    let raw: RawYearFile = serde_json::from_str(text)
        .map_err(|e| vec![CalendarFileError::Unreadable(e.to_string())])?;
    let year = raw.year;
    if !(2000..=2100).contains(&year) {
        return Err(vec![CalendarFileError::YearOutOfRange(year)]);
    }
    let mut problems = Vec::new();
    if raw.holidays.is_empty() {
        problems.push(CalendarFileError::NoHolidays);
    }
    let outside = |date: &NaiveDate, list: &str| CalendarFileError::OutsideYear {
        year,
        date: *date,
        list: list.to_string(),
    };
    let mut off = BTreeSet::new();
    let mut holidays = Vec::new();
    for (name, days) in raw.holidays {
        let name = name.trim().to_string();
        if name.is_empty() {
            problems.push(CalendarFileError::UnnamedHoliday);
        } else if days.is_empty() {
            problems.push(CalendarFileError::EmptyHoliday(name.clone()));
        }
        for d in days.iter().filter(|d| d.year() != year) {
            problems.push(outside(d, &name));
        }
        off.extend(days.iter().copied());
        let mut days = days;
        days.sort();
        days.dedup();
        holidays.push(Holiday { name, days });
    }
    let mut working = BTreeSet::new();
    for d in &raw.adjusted_working_days {
        if d.year() != year {
            problems.push(outside(d, "adjusted_working_days"));
        }
        if off.contains(d) {
            problems.push(CalendarFileError::OffAndWorking(*d));
        }
        if !is_weekend(*d) {
            problems.push(CalendarFileError::WorkingDayNotWeekend(*d));
        }
        working.insert(*d);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(YearFile {
        days: YearDays::new(year, holidays, working),
        source: raw
            .source
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("{year}")),
        sha256: hex::encode(Sha256::digest(bytes)),
        text: text.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workdays::SHIPPED_YEAR_FILES;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_shipped_2026_file_parses_and_gives_every_statutory_day_off() {
        for (name, text) in SHIPPED_YEAR_FILES {
            let f = parse(text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(f.days.year, 2026);
            assert_eq!(f.days.holidays.len(), 7);
            assert_eq!(f.days.holidays[0].name, "元旦 New Year");
            assert!(f.statutory_days_not_off().is_empty());
            assert_eq!(f.sha256.len(), 64);
        }
    }

    #[test]
    fn every_problem_of_a_malformed_file_is_named() {
        let bad = r#"{"year": 2027,
            "holidays": {"": ["2027-01-01"], "春节": [], "国庆节": ["2028-10-01", "2027-10-02"]},
            "adjusted_working_days": ["2027-10-02", "2027-02-03", "2026-12-26"]}"#;
        let problems = parse(bad.as_bytes()).expect_err("refused");
        assert!(problems.contains(&CalendarFileError::UnnamedHoliday));
        assert!(problems.contains(&CalendarFileError::EmptyHoliday("春节".into())));
        assert!(problems.contains(&CalendarFileError::OutsideYear {
            year: 2027,
            date: d("2028-10-01"),
            list: "国庆节".into()
        }));
        assert!(problems.contains(&CalendarFileError::OffAndWorking(d("2027-10-02"))));
        assert!(problems.contains(&CalendarFileError::WorkingDayNotWeekend(d("2027-02-03"))));
        assert!(problems.contains(&CalendarFileError::OutsideYear {
            year: 2027,
            date: d("2026-12-26"),
            list: "adjusted_working_days".into()
        }));
    }

    #[test]
    fn files_that_are_not_year_files_are_refused_with_a_reason() {
        for bad in [
            &b"not json"[..],
            br#"{"year": 2027}"#,
            br#"{"year": 2027, "holidays": {"x": ["2027-13-01"]}, "adjusted_working_days": []}"#,
            br#"{"year": 2027, "holidays": {"x": ["2027-01-01"]}, "adjusted_working_days": [], "extra": 1}"#,
            &[0xff, 0xfe][..],
        ] {
            assert!(matches!(
                parse(bad).expect_err("refused")[..],
                [CalendarFileError::Unreadable(_)]
            ));
        }
        assert_eq!(
            parse(br#"{"year": 1999, "holidays": {}, "adjusted_working_days": []}"#)
                .expect_err("refused"),
            vec![CalendarFileError::YearOutOfRange(1999)]
        );
        assert_eq!(
            parse(br#"{"year": 2027, "holidays": {}, "adjusted_working_days": []}"#)
                .expect_err("refused"),
            vec![CalendarFileError::NoHolidays]
        );
        assert_eq!(
            parse(&vec![b' '; MAX_FILE_BYTES + 1]).expect_err("refused"),
            vec![CalendarFileError::TooLarge]
        );
    }

    #[test]
    fn a_file_that_keeps_a_statutory_day_working_is_accepted_with_a_warning() {
        let f = parse(
            r#"{"year": 2027, "holidays": {"元旦": ["2027-01-01"]}, "adjusted_working_days": []}"#
                .as_bytes(),
        )
        .expect("valid");
        let missing = f.statutory_days_not_off();
        assert!(missing.contains(&("春节 Spring Festival", d("2027-02-05"))));
        assert!(!missing.iter().any(|(_, day)| *day == d("2027-01-01")));
    }
}
