//! The days off the law itself gives, for a year whose official notice (放假调休通知) is not out
//! yet: the 全国年节及纪念日放假办法 as revised in 2024 (in force from 2025), with the lunar dates
//! and the 清明 solar term computed by `tyme4rs`, and a weekday 补假 for each statutory day that
//! falls on a weekend (Art. 6). No 调休 swaps: only the State Council's notice makes those.

use super::workdays::{Holiday, YearDays, is_weekend};
use chrono::NaiveDate;
use std::collections::BTreeSet;
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

/// The years a provisional calendar is computed for (the lunar tables are sound far beyond).
pub const PROVISIONAL_YEARS: std::ops::RangeInclusive<i32> = 2025..=2100;

/// The statutory holidays of `year` with their 补假, or `None` outside [`PROVISIONAL_YEARS`].
pub fn provisional_year(year: i32) -> Option<YearDays> {
    let festivals = festivals(year)?;
    let mut taken: BTreeSet<NaiveDate> = festivals.iter().flat_map(|(_, d)| d.clone()).collect();
    let holidays = festivals
        .into_iter()
        .map(|(name, days)| {
            let mut all = days.clone();
            // Each statutory day on a weekend gives the first free weekday after it.
            for d in days.iter().filter(|d| is_weekend(**d)) {
                let mut c = *d;
                while let Some(next) = c.succ_opt() {
                    c = next;
                    if !is_weekend(c) && taken.insert(c) {
                        all.push(c);
                        break;
                    }
                }
            }
            all.sort();
            Holiday {
                name: name.to_string(),
                days: all,
            }
        })
        .collect();
    Some(YearDays::new(year, holidays, BTreeSet::new()))
}

/// The statutory days themselves (without 补假), by festival: what any notice must give off.
pub fn statutory_days(year: i32) -> Vec<(&'static str, NaiveDate)> {
    festivals(year)
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(name, days)| days.into_iter().map(move |d| (name, d)))
        .collect()
}

fn festivals(year: i32) -> Option<Vec<(&'static str, Vec<NaiveDate>)>> {
    if !PROVISIONAL_YEARS.contains(&year) {
        return None;
    }
    let y = year as isize;
    let new_year = solar(LunarDay::from_ymd(y, 1, 1).get_solar_day())?;
    let date = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    Some(vec![
        ("元旦 New Year", vec![date(1, 1)?]),
        (
            "春节 Spring Festival",
            vec![
                new_year.pred_opt()?,
                new_year,
                new_year.succ_opt()?,
                new_year.succ_opt()?.succ_opt()?,
            ],
        ),
        (
            "清明节 Qingming",
            vec![solar(SolarTerm::from_name(y, "清明").get_solar_day())?],
        ),
        ("劳动节 Labour Day", vec![date(5, 1)?, date(5, 2)?]),
        (
            "端午节 Dragon Boat",
            vec![solar(LunarDay::from_ymd(y, 5, 5).get_solar_day())?],
        ),
        (
            "中秋节 Mid-Autumn",
            vec![solar(LunarDay::from_ymd(y, 8, 15).get_solar_day())?],
        ),
        (
            "国庆节 National Day",
            vec![date(10, 1)?, date(10, 2)?, date(10, 3)?],
        ),
    ])
}

fn solar(d: SolarDay) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        d.get_solar_month().get_year() as i32,
        d.get_month() as u32,
        d.get_day() as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn days_of(y: &YearDays, name: &str) -> Vec<NaiveDate> {
        y.holidays
            .iter()
            .find(|h| h.name.starts_with(name))
            .map(|h| h.days.clone())
            .unwrap_or_default()
    }

    /// 春节 (正月初一), 清明, 端午 and 中秋 for 2026–2035, as published almanacs give them
    /// (万年历; the 2026 ones also in the State Council's notice of 2025-11-04).
    const ALMANAC: &[(i32, &str, &str, &str, &str)] = &[
        (2026, "2026-02-17", "2026-04-05", "2026-06-19", "2026-09-25"),
        (2027, "2027-02-06", "2027-04-05", "2027-06-09", "2027-09-15"),
        (2028, "2028-01-26", "2028-04-04", "2028-05-28", "2028-10-03"),
        (2029, "2029-02-13", "2029-04-04", "2029-06-16", "2029-09-22"),
        (2030, "2030-02-03", "2030-04-05", "2030-06-05", "2030-09-12"),
        (2031, "2031-01-23", "2031-04-05", "2031-06-24", "2031-10-01"),
        (2032, "2032-02-11", "2032-04-04", "2032-06-12", "2032-09-19"),
        (2033, "2033-01-31", "2033-04-04", "2033-06-01", "2033-09-08"),
        (2034, "2034-02-19", "2034-04-05", "2034-06-20", "2034-09-27"),
        (2035, "2035-02-08", "2035-04-05", "2035-06-10", "2035-09-16"),
    ];

    #[test]
    fn lunar_festivals_and_qingming_match_the_almanac_2026_to_2035() {
        for (year, spring, qingming, dragon, autumn) in ALMANAC {
            let days: Vec<NaiveDate> = statutory_days(*year).into_iter().map(|(_, d)| d).collect();
            for (what, day) in [
                ("正月初一", spring),
                ("清明", qingming),
                ("端午", dragon),
                ("中秋", autumn),
            ] {
                assert!(
                    days.contains(&d(day)),
                    "{year} {what} should be {day}: {days:?}"
                );
            }
            let spring = d(spring);
            assert!(
                days.contains(&(spring - chrono::TimeDelta::days(1))),
                "{year} 除夕"
            );
            assert_eq!(days.len(), 13, "{year}: 13 statutory days");
        }
    }

    #[test]
    fn the_2026_notice_gives_every_statutory_day_off() {
        // The official 2026 file must contain every statutory day the law gives.
        let official = super::super::workdays::Calendar::shipped();
        for (name, day) in statutory_days(2026) {
            assert!(!official.is_working_day(day), "{name} {day} is off in 2026");
        }
    }

    #[test]
    fn provisional_2027_gives_new_year_and_spring_festival_with_weekday_make_up_days() {
        let y = provisional_year(2027).expect("2027");
        assert_eq!(days_of(&y, "元旦"), vec![d("2027-01-01")]);
        // 除夕 Fri 5 Feb, 初一 Sat 6, 初二 Sun 7, 初三 Mon 8: two fall on the weekend, so Tue 9 and
        // Wed 10 are 补假.
        assert_eq!(
            days_of(&y, "春节"),
            [
                "2027-02-05",
                "2027-02-06",
                "2027-02-07",
                "2027-02-08",
                "2027-02-09",
                "2027-02-10"
            ]
            .map(d)
            .to_vec()
        );
        // 劳动节 1–2 May 2027 is a weekend: Mon 3 and Tue 4 May.
        assert_eq!(
            days_of(&y, "劳动节"),
            ["2027-05-01", "2027-05-02", "2027-05-03", "2027-05-04"]
                .map(d)
                .to_vec()
        );
        // 国庆 Fri 1 Oct, Sat 2, Sun 3: Mon 4 and Tue 5.
        assert_eq!(
            days_of(&y, "国庆节"),
            [
                "2027-10-01",
                "2027-10-02",
                "2027-10-03",
                "2027-10-04",
                "2027-10-05"
            ]
            .map(d)
            .to_vec()
        );
        assert!(y.working_weekends.is_empty(), "no 调休 without a notice");
    }

    #[test]
    fn make_up_days_never_land_on_another_holiday() {
        // 2028: 中秋 is Tue 3 Oct, inside National Day (Sun 1 Oct gives a 补假); the 补假 must
        // skip 2 and 3 Oct and land on Wed 4 Oct.
        let y = provisional_year(2028).expect("2028");
        assert_eq!(
            days_of(&y, "国庆节"),
            ["2028-10-01", "2028-10-02", "2028-10-03", "2028-10-04"]
                .map(d)
                .to_vec()
        );
        assert_eq!(days_of(&y, "中秋节"), vec![d("2028-10-03")]);
        assert_eq!(provisional_year(2200).map(|y| y.year), None);
    }
}
