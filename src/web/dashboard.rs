//! The officers' dashboard as the page shows it: each section's counts read once, with the
//! length of every bar the server draws for them.

use crate::db::dashboard::{self as reads, CampaignCount, ContactCount, MerchantCount};
use crate::db::{DbConnection, DbError};
use crate::domain::CaseStatus;
use crate::domain::dashboard::{Growth, Windows};
use chrono::NaiveDate;

/// How many rows each top list shows.
pub const TOP: usize = 10;

/// The longest bar of a top list, in the chart's units; the others are to scale.
pub const FULL_BAR: i64 = 100;

/// The tallest day of the daily chart, in the chart's units.
pub const FULL_DAY: i64 = 100;

/// One day's bar.
pub struct DayBar {
    pub day: NaiveDate,
    pub count: i64,
    /// Height in the chart's units (0–`FULL_DAY`).
    pub height: i64,
}

impl DayBar {
    /// `MM-DD`, under the bar and in the table.
    pub fn label(&self) -> String {
        self.day.format("%m-%d").to_string()
    }
}

/// A row of a top list and its bar's length (0–`FULL_BAR`).
pub struct Ranked<T> {
    pub item: T,
    pub width: i64,
}

/// Everything the dashboard shows.
pub struct Dashboard {
    pub today: NaiveDate,
    /// Every status officers see (not `unconfirmed`), in lifecycle order.
    pub statuses: Vec<(CaseStatus, i64)>,
    pub overdue: i64,
    pub days: Vec<DayBar>,
    pub days_total: i64,
    pub merchants: Vec<Ranked<MerchantCount>>,
    pub contacts: Vec<Ranked<ContactCount>>,
    pub campaigns: Vec<Ranked<CampaignCount>>,
    /// The increase's bar beside each growing chain.
    pub growing: Vec<Ranked<Growth>>,
}

/// Reads every section for the windows ending today.
pub fn load(conn: &mut DbConnection, w: &Windows) -> Result<Dashboard, DbError> {
    let status = reads::status_counts(conn, w.today)?;
    let days = reads::daily(conn, &w.days())?;
    let month = w.month();
    let top = TOP as i64;
    let merchants = reads::top_merchants(conn, month, top)?;
    let contacts = reads::top_contacts(conn, month, top)?;
    let campaigns = reads::top_campaigns(conn, month, top)?;
    let growing = reads::growing(conn, w, TOP)?;
    Ok(Dashboard {
        today: w.today,
        statuses: every_status(&status.by_status),
        overdue: status.overdue,
        days_total: days.iter().map(|(_, n)| n).sum(),
        days: day_bars(&days),
        merchants: ranked(merchants, |m| m.reports),
        contacts: ranked(contacts, |c| c.cases),
        campaigns: ranked(campaigns, |c| c.cases),
        growing: ranked(growing, Growth::increase),
    })
}

/// Each status officers see with its count (0 where no case has it), in lifecycle order.
pub fn every_status(counts: &[(CaseStatus, i64)]) -> Vec<(CaseStatus, i64)> {
    CaseStatus::ALL
        .iter()
        .filter(|s| **s != CaseStatus::Unconfirmed)
        .map(|s| {
            let n = counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
            (*s, n)
        })
        .collect()
}

/// The daily bars, the busiest day full height (an empty month draws no bar at all).
pub fn day_bars(days: &[(NaiveDate, i64)]) -> Vec<DayBar> {
    let max = days.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    days.iter()
        .map(|&(day, count)| DayBar {
            day,
            count,
            height: count * FULL_DAY / max,
        })
        .collect()
}

/// Rows with bars to scale, the largest `FULL_BAR` long.
pub fn ranked<T>(items: Vec<T>, value: impl Fn(&T) -> i64) -> Vec<Ranked<T>> {
    let max = items.iter().map(&value).max().unwrap_or(0).max(1);
    items
        .into_iter()
        .map(|item| Ranked {
            width: value(&item).max(0) * FULL_BAR / max,
            item,
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_busiest_day_is_full_height_and_an_empty_day_has_no_bar() {
        let d = |n| NaiveDate::from_ymd_opt(2026, 12, n).unwrap();
        let bars = day_bars(&[(d(1), 0), (d(2), 4), (d(3), 1)]);
        let got: Vec<(String, i64, i64)> = bars
            .iter()
            .map(|b| (b.label(), b.count, b.height))
            .collect();
        assert_eq!(
            got,
            vec![
                ("12-01".to_string(), 0, 0),
                ("12-02".to_string(), 4, 100),
                ("12-03".to_string(), 1, 25)
            ]
        );
        assert!(day_bars(&[(d(1), 0)]).iter().all(|b| b.height == 0));
    }

    #[test]
    fn top_list_bars_are_to_scale() {
        let rows = ranked(vec![8_i64, 2, 0], |n| *n);
        let widths: Vec<i64> = rows.iter().map(|r| r.width).collect();
        assert_eq!(widths, vec![100, 25, 0]);
    }

    #[test]
    fn every_status_but_unconfirmed_is_listed_in_lifecycle_order() {
        let all = every_status(&[
            (CaseStatus::Unconfirmed, 5),
            (CaseStatus::InReview, 2),
            (CaseStatus::Submitted, 3),
        ]);
        assert_eq!(all.len(), CaseStatus::ALL.len() - 1);
        assert_eq!(all[0], (CaseStatus::Submitted, 3));
        assert_eq!(all[1], (CaseStatus::InReview, 2));
        assert!(all.iter().all(|(s, _)| *s != CaseStatus::Unconfirmed));
        assert_eq!(all.iter().map(|(_, n)| n).sum::<i64>(), 5);
    }
}
