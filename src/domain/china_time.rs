//! Time as the portal's users count it: China time, UTC+8, all year (no daylight saving).
//! The database holds UTC; deadlines, case-number years, "today" and every time shown to a
//! person are in China time. The one place the offset is written, and the one place a time that
//! leaves the portal (packages, emails, regulators' pages, command output) gets the offset it
//! is read with.

use chrono::{Datelike, NaiveDate, NaiveDateTime, SecondsFormat, TimeDelta, Timelike};

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

/// A UTC time as people in China read it: `2026-12-02 13:17`. Written out from the numbers:
/// chrono's `format("%Y-%m-%d %H:%M")` parses its pattern on every call, which cost a case page
/// (a time for every entry of its trail) 2 % of its CPU.
pub fn format(utc: &NaiveDateTime) -> String {
    let t = local(*utc);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// [`OFFSET`] as RFC 3339 writes it.
pub const OFFSET_RFC3339: &str = "+08:00";

/// A UTC time as people in China read it, with the offset, for text that leaves the portal
/// (emails, the package summary, regulators' pages): `2026-12-02 13:17 +08:00`.
pub fn format_with_offset(utc: &NaiveDateTime) -> String {
    format!("{} {OFFSET_RFC3339}", format(utc))
}

/// A UTC time in China time as RFC 3339, to the second: `2026-12-02T13:17:05+08:00` (for
/// `<time datetime>` beside [`format_with_offset`]).
pub fn rfc3339(utc: &NaiveDateTime) -> String {
    let t = local(*utc);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{OFFSET_RFC3339}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A UTC time as RFC 3339 in UTC, to the second: `2026-12-02T05:17:05Z` (what machines read:
/// `case.json`, command output).
pub fn utc_rfc3339(utc: &NaiveDateTime) -> String {
    utc.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A UTC time as RFC 3339 in UTC to the microsecond, `2026-12-02T05:17:05.123456Z`: the audit
/// trail's `at` (`%Y-%m-%dT%H:%M:%S%.6f`, which the hash chain covers and which has no offset)
/// with the `Z` it is meant with.
pub fn utc_rfc3339_micros(utc: &NaiveDateTime) -> String {
    utc.and_utc().to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Reads an RFC 3339 time with any offset as the UTC time it names.
pub fn parse_rfc3339(s: &str) -> Option<NaiveDateTime> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.naive_utc())
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

    #[test]
    fn written_out_as_chrono_would_write_them() {
        let mut utc = NaiveDate::from_ymd_opt(2000, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("a time");
        // Every 2 h 12 min from 2000 to 2039, New Year's Eves and leap days among them.
        while utc.and_utc().timestamp() < 2_200_000_000 {
            let t = local(utc);
            assert_eq!(format(&utc), t.format("%Y-%m-%d %H:%M").to_string());
            assert_eq!(
                rfc3339(&utc),
                format!("{}+08:00", t.format("%Y-%m-%dT%H:%M:%S"))
            );
            utc += TimeDelta::seconds(7_919);
        }
    }

    #[test]
    fn times_that_leave_the_portal_carry_their_offset() {
        let utc = NaiveDate::from_ymd_opt(2026, 12, 31)
            .and_then(|d| d.and_hms_micro_opt(17, 30, 5, 123_456))
            .expect("a time");
        assert_eq!(format_with_offset(&utc), "2027-01-01 01:30 +08:00");
        assert_eq!(rfc3339(&utc), "2027-01-01T01:30:05+08:00");
        assert_eq!(utc_rfc3339(&utc), "2026-12-31T17:30:05Z");
        assert_eq!(utc_rfc3339_micros(&utc), "2026-12-31T17:30:05.123456Z");
        // The audit trail's `at` and its RFC 3339 form are the same digits, with the Z.
        assert_eq!(
            format!("{}Z", utc.format("%Y-%m-%dT%H:%M:%S%.6f")),
            utc_rfc3339_micros(&utc)
        );
        for s in [rfc3339(&utc), utc_rfc3339_micros(&utc)] {
            assert_eq!(
                parse_rfc3339(&s).map(|t| t.and_utc().timestamp()),
                Some(utc.and_utc().timestamp())
            );
        }
        assert_eq!(parse_rfc3339(&utc_rfc3339_micros(&utc)), Some(utc));
        assert_eq!(parse_rfc3339("2026-12-31 17:30:05"), None);
    }
}
