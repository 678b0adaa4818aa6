//! Refreshing the public statistics: counts read from the cases, suppressed, stored as one
//! snapshot that `/stats` serves, so no request reads the cases themselves.

use super::WorkflowError;
use crate::db::{self, DbConnection, DbPool, public_stats as rows};
use crate::domain::audit::AuditAction;
use crate::domain::dashboard::Period;
use crate::domain::ids::CaseId;
use crate::domain::public_stats::{
    Crosstab, DECISIONS, MONTHS, NoticeTally, PlatformNotices, SCHEMA_VERSION, Snapshot,
    median_days, publish_platforms, published, share_percent,
};
use crate::domain::region::divisions;
use crate::domain::{Category, Platform, china_time};
use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use std::collections::HashMap;

/// Computes the statistics as of `now` and stores them in place of the last ones.
pub async fn refresh(pool: &DbPool, now: NaiveDateTime) -> Result<Snapshot, WorkflowError> {
    db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let snapshot = compute(conn, now)?;
            let body = serde_json::to_string(&snapshot).map_err(WorkflowError::internal)?;
            rows::replace(conn, now, &body)?;
            Ok(snapshot)
        })
    })
    .await
}

/// The stored snapshot; on a portal that has none yet (before the first refresh job ran), or
/// only one stored before the `platforms` block existed, one computed and stored now.
pub async fn latest_or_refresh(pool: &DbPool) -> Result<Snapshot, WorkflowError> {
    let stored = db::run(pool, |conn| Ok(rows::latest(conn)?)).await?;
    if let Some((_, body)) = stored {
        let s: Snapshot = serde_json::from_str(&body).map_err(WorkflowError::internal)?;
        if !s.platforms.is_empty() {
            return Ok(s);
        }
    }
    refresh(pool, db::now()).await
}

/// The first days of the last `MONTHS` China months, the oldest first, `today`'s last.
fn month_starts(today: NaiveDate) -> Vec<NaiveDate> {
    let mut first = today.with_day(1).unwrap_or(today);
    let mut out = vec![first];
    while out.len() < MONTHS {
        first = (first - TimeDelta::days(1)).with_day(1).unwrap_or(first);
        out.push(first);
    }
    out.reverse();
    out
}

fn compute(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Snapshot, WorkflowError> {
    let platforms: Vec<String> = Platform::ALL.iter().map(|p| p.as_str().into()).collect();
    let categories: Vec<String> = Category::ALL.iter().map(|c| c.as_str().into()).collect();
    let mut by_pc = vec![vec![0; categories.len()]; platforms.len()];
    for (p, c, n) in rows::platform_category(conn)? {
        let (pi, ci) = (index_of(Platform::ALL, p), index_of(Category::ALL, c));
        if let (Some(pi), Some(ci)) = (pi, ci) {
            by_pc[pi][ci] += n;
        }
    }
    let Milestones {
        decisions,
        to_decision,
        to_handoff,
    } = milestones(conn, &platforms)?;
    let (platform_rows, platforms_total) = platform_answers(conn, &platforms)?;
    let decided: i64 = decisions.iter().flatten().sum();
    let handed_off = to_handoff.len() as i64;
    let decisions = Crosstab::publish(
        platforms.clone(),
        DECISIONS.iter().map(|d| d.to_string()).collect(),
        &decisions,
    );
    Ok(Snapshot {
        schema_version: SCHEMA_VERSION,
        computed_at: china_time::utc_rfc3339(&now),
        platform_category: Crosstab::publish(platforms, categories, &by_pc),
        province_month: province_month(conn, china_time::date(now))?,
        share_substantiated_percent: share_percent(
            decisions.column_total(DECISIONS[0]).flatten(),
            decisions.total,
        ),
        decisions,
        median_days_to_decision: median_days(to_decision),
        median_days_to_handoff: median_days(to_handoff),
        decided_cases: published(decided),
        handed_off_cases: published(handed_off),
        platforms: platform_rows,
        platforms_total,
    })
}

/// Each platform's notices sent (not withdrawn) and answered, published (`platforms`).
fn platform_answers(
    conn: &mut DbConnection,
    platforms: &[String],
) -> Result<(Vec<PlatformNotices>, PlatformNotices), WorkflowError> {
    let mut tallies: Vec<(String, NoticeTally)> = platforms
        .iter()
        .map(|k| (k.clone(), NoticeTally::default()))
        .collect();
    for (platform, sent_at, responded_at) in rows::notices_sent(conn)? {
        let tally = platforms.iter().position(|k| k == platform.as_str());
        if let Some((_, t)) = tally.and_then(|i| tallies.get_mut(i)) {
            t.add(sent_at, responded_at);
        }
    }
    Ok(publish_platforms(tallies))
}

fn index_of<T: PartialEq>(all: &[T], x: T) -> Option<usize> {
    all.iter().position(|a| *a == x)
}

/// Reports by province (every province, then any code the divisions do not know) and month.
fn province_month(conn: &mut DbConnection, today: NaiveDate) -> Result<Crosstab, WorkflowError> {
    let starts = month_starts(today);
    let mut rows_: Vec<String> = divisions()
        .provinces()
        .iter()
        .map(|d| d.code.clone())
        .collect();
    let mut counts: HashMap<(String, usize), i64> = HashMap::new();
    for (m, &start) in starts.iter().enumerate() {
        let next = starts
            .get(m + 1)
            .copied()
            .unwrap_or_else(|| (start + TimeDelta::days(32)).with_day(1).unwrap_or(start));
        let period = Period::china_days(start, next - TimeDelta::days(1));
        for (code, n) in rows::provinces_in(conn, period)? {
            if !rows_.contains(&code) {
                rows_.push(code.clone());
            }
            *counts.entry((code, m)).or_default() += n;
        }
    }
    let grid: Vec<Vec<i64>> = rows_
        .iter()
        .map(|code| {
            (0..starts.len())
                .map(|m| counts.get(&(code.clone(), m)).copied().unwrap_or(0))
                .collect()
        })
        .collect();
    let months = starts
        .iter()
        .map(|d| d.format("%Y-%m").to_string())
        .collect();
    Ok(Crosstab::publish(rows_, months, &grid))
}

/// The first decision of a case: when, on which platform, which, and when it entered the queue.
struct Decision {
    at: NaiveDateTime,
    platform: Platform,
    action: AuditAction,
    submitted: NaiveDateTime,
}

/// Decided cases per platform (substantiated, dismissed) by each case's first decision, and the
/// times from entering the queue to the first decision and to the first handoff.
struct Milestones {
    decisions: Vec<Vec<i64>>,
    to_decision: Vec<TimeDelta>,
    to_handoff: Vec<TimeDelta>,
}

fn milestones(conn: &mut DbConnection, platforms: &[String]) -> Result<Milestones, WorkflowError> {
    let mut first: HashMap<CaseId, Decision> = HashMap::new();
    let mut handoffs: HashMap<CaseId, TimeDelta> = HashMap::new();
    for m in rows::milestones(conn)? {
        let (Some(submitted), at) = (m.submitted_at, m.at) else {
            continue;
        };
        if m.action == AuditAction::HandOff {
            let since = (at - submitted).max(TimeDelta::zero());
            let shorter = handoffs.get(&m.case_id).is_none_or(|&d| since < d);
            if shorter {
                handoffs.insert(m.case_id, since);
            }
            continue;
        }
        let earlier = first.get(&m.case_id).is_none_or(|d| at < d.at);
        if earlier {
            let (platform, action) = (m.platform, m.action);
            first.insert(
                m.case_id,
                Decision {
                    at,
                    platform,
                    action,
                    submitted,
                },
            );
        }
    }
    let mut decisions = vec![vec![0; DECISIONS.len()]; platforms.len()];
    let mut to_decision = Vec::with_capacity(first.len());
    for d in first.into_values() {
        let column = usize::from(d.action == AuditAction::Dismiss);
        if let Some(row) = platforms.iter().position(|k| k == d.platform.as_str()) {
            decisions[row][column] += 1;
        }
        to_decision.push((d.at - d.submitted).max(TimeDelta::zero()));
    }
    Ok(Milestones {
        decisions,
        to_decision,
        to_handoff: handoffs.into_values().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_table_covers_twelve_months_ending_with_this_one() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        let starts = month_starts(d(2026, 3, 31));
        assert_eq!(starts.len(), MONTHS);
        assert_eq!(starts.first(), Some(&d(2025, 4, 1)));
        assert_eq!(starts.last(), Some(&d(2026, 3, 1)));
    }
}
