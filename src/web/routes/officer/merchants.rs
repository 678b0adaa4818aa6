//! A merchant's page for officers: every case against it, by status and category, over time.

use crate::db::merchants::{self, MerchantCase};
use crate::db::{self, officers};
use crate::domain::merchant::MerchantIdentity;
use crate::domain::{CaseStatus, Category, china_date};
use crate::error::AppError;
use crate::web::context::PageContext;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, render};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Datelike;
use std::collections::{BTreeMap, HashMap};

/// How many of the merchant's cases the page lists (the counts cover all).
pub const LISTED: i64 = 500;

/// One month's bar in the chart.
pub struct MonthBar {
    pub month: String,
    pub count: i64,
    /// Bar height in the chart's units (0–100).
    pub height: i64,
}

#[derive(Template)]
#[template(path = "pages/officer/merchant.html")]
pub struct MerchantPage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub identity: MerchantIdentity,
    pub key: String,
    pub names: Vec<String>,
    pub refs: Vec<String>,
    pub total: i64,
    pub by_status: Vec<(CaseStatus, i64)>,
    pub by_category: Vec<(Category, i64)>,
    pub months: Vec<MonthBar>,
    pub cases: Vec<MerchantCase>,
    pub assignees: HashMap<crate::domain::OfficerId, String>,
}

impl MerchantPage {
    pub fn assignee(&self, c: &MerchantCase) -> &str {
        c.assigned_officer_id
            .and_then(|id| self.assignees.get(&id))
            .map_or("—", String::as_str)
    }
}

#[derive(serde::Deserialize)]
pub struct MerchantQuery {
    #[serde(default)]
    key: String,
}

/// The merchant page's address for `identity`.
pub fn href(identity: &MerchantIdentity) -> String {
    let key: String =
        url::form_urlencoded::byte_serialize(identity.key_string().as_bytes()).collect();
    format!("/officer/merchants?key={key}")
}

pub async fn show_merchant(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    query: web::Query<MerchantQuery>,
) -> Result<HttpResponse, AppError> {
    let identity = MerchantIdentity::parse_key(&query.key).ok_or(AppError::NotFound)?;
    let key = identity.key_string();
    let k = key.clone();
    let (counts, cases, team) = db::run(&state.pool, move |conn| {
        Ok((
            merchants::counts_of(conn, &k)?,
            merchants::cases_of(conn, &k, LISTED)?,
            officers::list_all(conn)?,
        ))
    })
    .await?;
    if cases.is_empty() {
        return Err(AppError::NotFound);
    }
    let total = counts.by_status.iter().map(|(_, n)| n).sum();
    let mut by_status = counts.by_status;
    by_status.sort_by_key(|(s, _)| CaseStatus::ALL.iter().position(|x| x == s));
    let mut by_category = counts.by_category;
    by_category.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let page = MerchantPage {
        ctx,
        officer,
        names: distinct(cases.iter().map(|c| c.shop_name.clone())),
        refs: distinct(cases.iter().map(|c| c.shop_ref.clone())),
        months: month_bars(&counts.filed_at),
        assignees: team.into_iter().map(|o| (o.id, o.name)).collect(),
        identity,
        key,
        total,
        by_status,
        by_category,
        cases,
    };
    render(StatusCode::OK, &page)
}

fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for i in items {
        if !seen.contains(&i) && seen.len() < 10 {
            seen.push(i);
        }
    }
    seen
}

/// Cases filed per month (China time), from the first month to the last, empty months included.
pub fn month_bars(filed_at: &[chrono::NaiveDateTime]) -> Vec<MonthBar> {
    let mut per: BTreeMap<(i32, u32), i64> = BTreeMap::new();
    for t in filed_at {
        let d = china_date(*t);
        *per.entry((d.year(), d.month())).or_default() += 1;
    }
    let (Some(first), Some(last)) = (per.keys().next().copied(), per.keys().last().copied()) else {
        return Vec::new();
    };
    let max = per.values().copied().max().unwrap_or(1).max(1);
    let mut bars = Vec::new();
    let (mut y, mut m) = first;
    while (y, m) <= last && bars.len() < 120 {
        let count = per.get(&(y, m)).copied().unwrap_or(0);
        bars.push(MonthBar {
            month: format!("{y}-{m:02}"),
            count,
            height: count * 100 / max,
        });
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    bars
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32) -> chrono::NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(4, 0, 0)
            .unwrap()
    }

    #[test]
    fn months_without_cases_are_drawn_empty_and_the_tallest_is_full() {
        let bars = month_bars(&[at(2026, 10, 3), at(2026, 12, 1), at(2026, 12, 2)]);
        let got: Vec<(&str, i64, i64)> = bars
            .iter()
            .map(|b| (b.month.as_str(), b.count, b.height))
            .collect();
        assert_eq!(
            got,
            vec![("2026-10", 1, 50), ("2026-11", 0, 0), ("2026-12", 2, 100)]
        );
    }

    #[test]
    fn the_year_turns() {
        let bars = month_bars(&[at(2025, 12, 10), at(2026, 1, 10)]);
        assert_eq!(bars.len(), 2);
        assert_eq!(bars[1].month, "2026-01");
    }
}
