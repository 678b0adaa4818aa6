//! The public statistics: `/stats` (charts with their tables), `/stats/data.csv` and
//! `/stats/data.json`, all served from the snapshot the refresh job keeps (docs/OPEN-DATA.md).

use crate::domain::public_stats::{Crosstab, PlatformNotices, Published, Snapshot};
use crate::error::AppError;
use crate::i18n::Messages;
use crate::web::context::PageContext;
use crate::web::open_data::{category_name, csv_of, decision_name, platform_name, province_name};
use crate::web::{AppState, render};
use crate::workflow::public_stats;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

/// How long a client may keep the open data (the snapshot changes once an hour).
const DATA_CACHE: &str = "public, max-age=300";

/// One bar of a chart and its row of the table beside it.
pub struct Bar {
    pub key: String,
    pub label: String,
    /// The figure as the chart writes it ("<5" where suppressed).
    pub text: String,
    /// Length in the chart's units (suppressed: 0).
    pub length: i64,
}

/// The longest bar, in the SVG's units.
const BAR_MAX: i64 = 300;

fn bars(
    m: &Messages,
    keys: &[String],
    counts: &[Published],
    label: impl Fn(&str) -> String,
) -> Vec<Bar> {
    let most = counts.iter().flatten().copied().max().unwrap_or(0).max(1);
    keys.iter()
        .zip(counts)
        .map(|(key, &count)| Bar {
            key: key.clone(),
            label: label(key),
            text: count.map_or_else(|| m.t("stats.suppressed").to_string(), |n| n.to_string()),
            length: count.unwrap_or(0) * BAR_MAX / most,
        })
        .collect()
}

/// Each platform's response rate, a full bar for 100 % (not published: none).
fn rate_bars(m: &Messages, platforms: &[PlatformNotices]) -> Vec<Bar> {
    platforms
        .iter()
        .map(|p| {
            let percent = p.response_percent();
            Bar {
                key: p.platform.clone(),
                label: platform_name(m, &p.platform),
                text: rate_text(m, percent),
                length: (percent.unwrap_or(0.0) * BAR_MAX as f64 / 100.0).round() as i64,
            }
        })
        .collect()
}

/// A response rate in percent as the page writes it.
fn rate_text(m: &Messages, percent: Option<f64>) -> String {
    percent.map_or_else(
        || m.t("stats_platforms.not_published").to_string(),
        |p| format!("{p}%"),
    )
}

/// A table as the page shows it: labels beside keys, each cell with its column's key.
pub struct TableView {
    pub columns: Vec<(String, String)>,
    pub rows: Vec<RowView>,
    pub column_totals: Vec<(String, Published)>,
    pub total: Published,
}

pub struct RowView {
    pub key: String,
    pub label: String,
    pub cells: Vec<(String, Published)>,
    pub total: Published,
    /// Substantiated of decided, for the decisions table.
    pub share: Option<f64>,
}

fn view(
    t: &Crosstab,
    row_label: impl Fn(&str) -> String,
    column_label: impl Fn(&str) -> String,
) -> TableView {
    let keyed = |counts: &[Published]| -> Vec<(String, Published)> {
        t.columns
            .iter()
            .cloned()
            .zip(counts.iter().copied())
            .collect()
    };
    TableView {
        columns: t
            .columns
            .iter()
            .map(|c| (c.clone(), column_label(c)))
            .collect(),
        rows: t
            .rows
            .iter()
            .zip(&t.cells)
            .zip(&t.row_totals)
            .map(|((key, cells), &total)| RowView {
                label: row_label(key),
                cells: keyed(cells),
                total,
                share: crate::domain::public_stats::share_percent(
                    cells.first().copied().flatten(),
                    total,
                ),
                key: key.clone(),
            })
            .collect(),
        column_totals: keyed(&t.column_totals),
        total: t.total,
    }
}

#[derive(Template)]
#[template(path = "pages/stats/show.html")]
pub struct StatsPage {
    pub ctx: PageContext,
    pub s: Snapshot,
    pub computed_at: String,
    pub platforms: Vec<Bar>,
    pub response_rates: Vec<Bar>,
    pub categories: Vec<Bar>,
    pub months: Vec<Bar>,
    pub provinces: Vec<Bar>,
    pub platform_category: TableView,
    pub decisions: TableView,
    pub province_month: TableView,
}

impl StatsPage {
    /// A published count as shown: the number, or "<5" where suppressed.
    pub fn shown(&self, n: &Published) -> String {
        n.map_or_else(
            || self.ctx.m.t("stats.suppressed").to_string(),
            |n| n.to_string(),
        )
    }

    pub fn platform(&self, key: &str) -> String {
        platform_name(self.ctx.m, key)
    }

    pub fn category(&self, key: &str) -> String {
        category_name(self.ctx.m, key)
    }

    pub fn province(&self, key: &str) -> String {
        province_name(key)
    }

    pub fn decision(&self, key: &str) -> String {
        decision_name(self.ctx.m, key)
    }

    pub fn days(&self, d: &Option<f64>) -> String {
        d.map_or_else(
            || self.ctx.m.t("stats.not_published").to_string(),
            |d| self.ctx.m.t1("stats.days", d),
        )
    }

    pub fn percent(&self, p: &Option<f64>) -> String {
        p.map_or_else(
            || self.ctx.m.t("stats.not_published").to_string(),
            |p| format!("{p}%"),
        )
    }

    /// A platform's response rate, in percent.
    pub fn response_rate(&self, p: &PlatformNotices) -> String {
        rate_text(self.ctx.m, p.response_percent())
    }

    /// A platform's median response time.
    pub fn response_days(&self, d: &Option<f64>) -> String {
        d.map_or_else(
            || self.ctx.m.t("stats_platforms.not_published").to_string(),
            |d| self.ctx.m.t1("stats.days", d),
        )
    }

    /// A chart's height for `n` bars.
    pub fn chart_height(&self, n: usize) -> usize {
        n * 22 + 8
    }
}

pub async fn show_stats(
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let s = public_stats::latest_or_refresh(&state.pool).await?;
    let m = ctx.m;
    let pc = &s.platform_category;
    let pm = &s.province_month;
    let page = StatsPage {
        platform_category: view(pc, |k| platform_name(m, k), |k| category_name(m, k)),
        decisions: view(
            &s.decisions,
            |k| platform_name(m, k),
            |k| decision_name(m, k),
        ),
        province_month: view(pm, province_name, |k| k.to_string()),
        computed_at: crate::domain::china_time::parse_rfc3339(&s.computed_at)
            .map(|t| crate::domain::china_time::format_with_offset(&t))
            .unwrap_or_else(|| s.computed_at.clone()),
        platforms: bars(m, &pc.rows, &pc.row_totals, |k| platform_name(m, k)),
        response_rates: rate_bars(m, &s.platforms),
        categories: bars(m, &pc.columns, &pc.column_totals, |k| category_name(m, k)),
        months: bars(m, &pm.columns, &pm.column_totals, |k| k.to_string()),
        provinces: bars(m, &pm.rows, &pm.row_totals, province_name),
        ctx,
        s,
    };
    render(StatusCode::OK, &page)
}

pub async fn stats_json(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let s = public_stats::latest_or_refresh(&state.pool).await?;
    let body = serde_json::to_string_pretty(&s).map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .insert_header(("Cache-Control", DATA_CACHE))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .body(body))
}

pub async fn stats_csv(
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let s = public_stats::latest_or_refresh(&state.pool).await?;
    let body = csv_of(&s, ctx.m).map_err(AppError::Internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8; header=present")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"reviewwatch-stats.csv\"",
        ))
        .insert_header(("Cache-Control", DATA_CACHE))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .body(body))
}
