//! The officers' dashboard's rules: which China days it counts, and which chains are growing.

use super::china_time;
use super::contact::ContactKind;
use super::ids::CampaignId;
use super::merchant::MerchantIdentity;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

/// How many China days the daily chart and the top lists cover (today included).
pub const DAYS: i64 = 30;

/// How many China days a week of the growth comparison is (today included in the last one).
pub const WEEK: i64 = 7;

/// The fewest reports in the last week for a chain to be listed as growing: one report more
/// than the week before is noise, not a chain at work.
pub const MIN_LAST_WEEK: i64 = 2;

/// A span of time as the database stores it (UTC): from `from` (inclusive) until `until`
/// (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDateTime,
    pub until: NaiveDateTime,
}

impl Period {
    /// The China days `first..=last`.
    pub fn china_days(first: NaiveDate, last: NaiveDate) -> Self {
        Period {
            from: start_of(first),
            until: start_of(last + TimeDelta::days(1)),
        }
    }
}

/// When a China day starts, in UTC (the Unix epoch past the calendar's ends, which no case
/// reaches).
fn start_of(day: NaiveDate) -> NaiveDateTime {
    china_time::to_utc(day.and_time(NaiveTime::MIN)).unwrap_or_default()
}

/// The dashboard's windows, counted back from today's China date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub today: NaiveDate,
}

impl Windows {
    pub fn new(today: NaiveDate) -> Self {
        Windows { today }
    }

    /// The days of the daily chart, oldest first, today last.
    pub fn days(&self) -> Vec<NaiveDate> {
        (0..DAYS)
            .rev()
            .map(|back| self.today - TimeDelta::days(back))
            .collect()
    }

    /// The top lists' span: the chart's days.
    pub fn month(&self) -> Period {
        Period::china_days(self.today - TimeDelta::days(DAYS - 1), self.today)
    }

    /// The last `WEEK` days, today included.
    pub fn last_week(&self) -> Period {
        Period::china_days(self.today - TimeDelta::days(WEEK - 1), self.today)
    }

    /// The `WEEK` days before `last_week`.
    pub fn week_before(&self) -> Period {
        Period::china_days(
            self.today - TimeDelta::days(2 * WEEK - 1),
            self.today - TimeDelta::days(WEEK),
        )
    }
}

/// A chain that reports can share: a merchant, a contact or a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chain {
    /// A merchant, with the shop name its latest report gave.
    Merchant {
        identity: MerchantIdentity,
        shop_name: String,
    },
    /// A contact, as officers see it (payment accounts masked).
    Contact {
        kind: ContactKind,
        shown: String,
    },
    Campaign {
        id: CampaignId,
        name: String,
    },
}

impl Chain {
    /// The chain's kind as a keyword: `merchant`, `contact` or `campaign`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Chain::Merchant { .. } => "merchant",
            Chain::Contact { .. } => "contact",
            Chain::Campaign { .. } => "campaign",
        }
    }

    /// What tells chains of one kind apart (the tie-break of the ranking).
    fn sort_key(&self) -> String {
        match self {
            Chain::Merchant { identity, .. } => identity.key_string(),
            Chain::Contact { kind, shown } => format!("{kind}:{shown}"),
            Chain::Campaign { id, .. } => format!("{:020}", id.get()),
        }
    }
}

/// A chain's reports in the last week and in the week before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Growth {
    pub chain: Chain,
    pub last_week: i64,
    pub week_before: i64,
}

impl Growth {
    /// How many more reports the last week brought than the week before.
    pub fn increase(&self) -> i64 {
        self.last_week - self.week_before
    }
}

/// The `limit` fastest-growing chains: those with at least `MIN_LAST_WEEK` reports in the last
/// week and more than in the week before, the largest increase first (then the busiest last
/// week, then kind and name, so the order is stable).
pub fn fastest_growing(candidates: Vec<Growth>, limit: usize) -> Vec<Growth> {
    let mut growing: Vec<Growth> = candidates
        .into_iter()
        .filter(|g| g.last_week >= MIN_LAST_WEEK && g.increase() > 0)
        .collect();
    growing.sort_by(|a, b| {
        b.increase()
            .cmp(&a.increase())
            .then(b.last_week.cmp(&a.last_week))
            .then(a.chain.kind_name().cmp(b.chain.kind_name()))
            .then(a.chain.sort_key().cmp(&b.chain.sort_key()))
    });
    growing.truncate(limit);
    growing
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn campaign(id: i64, last_week: i64, week_before: i64) -> Growth {
        Growth {
            chain: Chain::Campaign {
                id: CampaignId(id),
                name: format!("c{id}"),
            },
            last_week,
            week_before,
        }
    }

    #[test]
    fn a_china_day_starts_at_four_in_the_afternoon_utc_the_day_before() {
        let p = Period::china_days(day(2026, 12, 1), day(2026, 12, 1));
        assert_eq!(p.from, day(2026, 11, 30).and_hms_opt(16, 0, 0).unwrap());
        assert_eq!(p.until, day(2026, 12, 1).and_hms_opt(16, 0, 0).unwrap());
    }

    #[test]
    fn the_windows_meet_without_gap_or_overlap() {
        let w = Windows::new(day(2026, 12, 2));
        let days = w.days();
        assert_eq!(days.len(), 30);
        assert_eq!(days.first(), Some(&day(2026, 11, 3)));
        assert_eq!(days.last(), Some(&day(2026, 12, 2)));
        assert_eq!(
            w.month().from,
            Period::china_days(day(2026, 11, 3), day(2026, 11, 3)).from
        );
        assert_eq!(w.week_before().until, w.last_week().from);
        assert_eq!(w.last_week().until, w.month().until);
        assert_eq!(w.last_week().until - w.last_week().from, TimeDelta::days(7));
        assert_eq!(
            w.week_before().until - w.week_before().from,
            TimeDelta::days(7)
        );
    }

    #[test]
    fn only_chains_busy_last_week_and_busier_than_before_grow_largest_increase_first() {
        let ranked = fastest_growing(
            vec![
                campaign(1, 1, 0), // one report: noise
                campaign(2, 3, 3), // steady
                campaign(3, 2, 5), // shrinking
                campaign(4, 3, 0),
                campaign(5, 6, 1),
                campaign(6, 4, 1),
            ],
            10,
        );
        let order: Vec<(i64, i64)> = ranked
            .iter()
            .map(|g| match g.chain {
                Chain::Campaign { id, .. } => (id.get(), g.increase()),
                _ => (0, 0),
            })
            .collect();
        // 4 and 6 both grew by 3: the busier last week first.
        assert_eq!(order, vec![(5, 5), (6, 3), (4, 3)]);
        assert_eq!(fastest_growing(ranked, 2).len(), 2);
    }
}
