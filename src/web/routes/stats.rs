//! The public statistics: `/stats` (charts with their tables), `/stats/data.csv` and
//! `/stats/data.json`, all served from the snapshot the refresh job keeps (docs/OPEN-DATA.md).

use crate::domain::public_stats::{Crosstab, DECISIONS, Published, Snapshot, neutralise_cell};
use crate::domain::region::divisions;
use crate::domain::{Category, Platform};
use crate::error::AppError;
use crate::i18n::Messages;
use crate::web::context::PageContext;
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
    pub count: Published,
    /// Length in the chart's units (suppressed: 0).
    pub length: i64,
}

/// The longest bar, in the SVG's units.
const BAR_MAX: i64 = 300;

fn bars(keys: &[String], counts: &[Published], label: impl Fn(&str) -> String) -> Vec<Bar> {
    let most = counts.iter().flatten().copied().max().unwrap_or(0).max(1);
    keys.iter()
        .zip(counts)
        .map(|(key, &count)| Bar {
            key: key.clone(),
            label: label(key),
            count,
            length: count.unwrap_or(0) * BAR_MAX / most,
        })
        .collect()
}

/// Names of the published keys in one language: platforms, categories, provinces, months.
pub fn platform_name(m: &Messages, key: &str) -> String {
    Platform::parse(key).map_or_else(|| key.to_string(), |p| m.platform(p).to_string())
}

pub fn category_name(m: &Messages, key: &str) -> String {
    Category::parse(key).map_or_else(|| key.to_string(), |c| m.category(c).to_string())
}

pub fn province_name(key: &str) -> String {
    divisions()
        .provinces()
        .iter()
        .find(|d| d.code == key)
        .map_or_else(|| key.to_string(), |d| d.name.clone())
}

fn decision_name(m: &Messages, key: &str) -> String {
    m.t(&format!("stats.decision_{key}")).to_string()
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

fn view(t: &Crosstab, row_label: impl Fn(&str) -> String, column_label: impl Fn(&str) -> String) -> TableView {
    let keyed = |counts: &[Published]| -> Vec<(String, Published)> {
        t.columns.iter().cloned().zip(counts.iter().copied()).collect()
    };
    TableView {
        columns: t.columns.iter().map(|c| (c.clone(), column_label(c))).collect(),
        rows: t
            .rows
            .iter()
            .zip(&t.cells)
            .zip(&t.row_totals)
            .map(|((key, cells), &total)| RowView {
                label: row_label(key),
                cells: keyed(cells),
                total,
                share: crate::domain::public_stats::share_percent(cells.first().copied().flatten(), total),
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
        n.map_or_else(|| self.ctx.m.t("stats.suppressed").to_string(), |n| n.to_string())
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
        p.map_or_else(|| self.ctx.m.t("stats.not_published").to_string(), |p| format!("{p}%"))
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
        decisions: view(&s.decisions, |k| platform_name(m, k), |k| decision_name(m, k)),
        province_month: view(pm, province_name, |k| k.to_string()),
        computed_at: crate::domain::china_time::parse_rfc3339(&s.computed_at)
            .map(|t| crate::domain::china_time::format_with_offset(&t))
            .unwrap_or_else(|| s.computed_at.clone()),
        platforms: bars(&pc.rows, &pc.row_totals, |k| platform_name(m, k)),
        categories: bars(&pc.columns, &pc.column_totals, |k| category_name(m, k)),
        months: bars(&pm.columns, &pm.column_totals, |k| k.to_string()),
        provinces: bars(&pm.rows, &pm.row_totals, province_name),
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
        .insert_header(("Content-Disposition", "attachment; filename=\"reviewwatch-stats.csv\""))
        .insert_header(("Cache-Control", DATA_CACHE))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .body(body))
}

/// The CSV's columns (docs/OPEN-DATA.md).
pub const CSV_HEADER: [&str; 8] = [
    "table", "row", "row_label", "column", "column_label", "value", "suppressed", "computed_at",
];

/// The snapshot as CSV: RFC 4180 (CRLF, quoted where needed), UTF-8 with a BOM for Excel, one
/// line per published entry, every cell neutralised against formulas.
pub fn csv_of(s: &Snapshot, m: &Messages) -> anyhow::Result<Vec<u8>> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(CSV_HEADER)?;
    let tables: [(&str, &Crosstab, Box<dyn Fn(&str) -> String>, Box<dyn Fn(&str) -> String>); 3] = [
        ("platform_category", &s.platform_category, Box::new(|k| platform_name(m, k)), Box::new(|k| category_name(m, k))),
        ("province_month", &s.province_month, Box::new(province_name), Box::new(|k: &str| k.to_string())),
        ("decisions", &s.decisions, Box::new(|k| platform_name(m, k)), Box::new(|k| decision_name(m, k))),
    ];
    let total = m.t("stats.total").to_string();
    for (name, t, row_label, column_label) in &tables {
        let mut line = |row: &str, rl: String, col: &str, cl: String, v: &Published| {
            let value = v.map(|n| n.to_string()).unwrap_or_default();
            let flag = if v.is_none() { "1" } else { "0" };
            let cells = [*name, row, &rl, col, &cl, &value, flag, &s.computed_at];
            out.write_record(cells.map(neutralise_cell).iter().map(|c| c.as_ref()))
        };
        for (r, row) in t.rows.iter().enumerate() {
            for (c, col) in t.columns.iter().enumerate() {
                let v = t.cells.get(r).and_then(|cells| cells.get(c)).copied().flatten();
                line(row, row_label(row), col, column_label(col), &v)?;
            }
            line(row, row_label(row), "total", total.clone(), &t.row_totals[r])?;
        }
        for (c, col) in t.columns.iter().enumerate() {
            line("total", total.clone(), col, column_label(col), &t.column_totals[c])?;
        }
        line("total", total.clone(), "total", total.clone(), &t.total)?;
    }
    let figures = [
        ("share_substantiated_percent", s.share_substantiated_percent),
        ("median_days_to_decision", s.median_days_to_decision),
        ("median_days_to_handoff", s.median_days_to_handoff),
    ];
    for (key, v) in figures {
        let value = v.map(|f| f.to_string()).unwrap_or_default();
        let flag = if v.is_none() { "1" } else { "0" };
        let label = m.t(&format!("stats.figure_{key}")).to_string();
        let cells = ["summary", key, &label, "all", "", &value, flag, &s.computed_at];
        out.write_record(cells.map(neutralise_cell).iter().map(|c| c.as_ref()))?;
    }
    Ok(out.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)
}

/// The decisions table's columns, in order, for the template.
pub fn decision_keys() -> [&'static str; 2] {
    DECISIONS
}
