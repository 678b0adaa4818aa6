//! Time as the portal's users count it: China time, UTC+8, all year (no daylight saving).
//! The database holds UTC; deadlines, case-number years, "today" and every time shown to a
//! person are in China time. The one place the offset is written.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

/// China Standard Time's offset from UTC.
pub const OFFSET: TimeDelta = TimeDelta::hours(8);

/// The wall-clock time in China at a UTC time.
pub fn local(utc: NaiveDateTime) -> NaiveDateTime {
    utc + OFFSET
}

/// The UTC time of a wall-clock time in China (`None` past the calendar's ends).
pub fn to_utc(local: NaiveDateTime) -> Option<NaiveDateTime> {
    local.checked_sub_signed(OFFSET)
}

/// The date in China at a UTC time: deadlines and "today" are counted there.
pub fn date(utc: NaiveDateTime) -> NaiveDate {
    local(utc).date()
}

/// Today in China.
pub fn today() -> NaiveDate {
    date(chrono::Utc::now().naive_utc())
}

/// A UTC time as people in China read it: `2026-12-02 13:17`.
pub fn format(utc: &NaiveDateTime) -> String {
    local(*utc).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utc_evening_is_the_next_morning_in_china() {
        let utc = NaiveDate::from_ymd_opt(2026, 12, 31)
            .and_then(|d| d.and_hms_opt(17, 30, 0))
            .expect("a time");
        assert_eq!(
            date(utc),
            NaiveDate::from_ymd_opt(2027, 1, 1).expect("a date")
        );
        assert_eq!(format(&utc), "2027-01-01 01:30");
        assert_eq!(to_utc(local(utc)), Some(utc));
    }
}
