//! The public statistics as open data: the CSV (`/stats/data.csv`) and the names of the keys
//! the page and the CSV show (docs/OPEN-DATA.md).

use crate::domain::public_stats::{Crosstab, Published, Snapshot, neutralise_cell};
use crate::domain::region::divisions;
use crate::domain::{Category, Platform};
use crate::i18n::Messages;

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

pub fn decision_name(m: &Messages, key: &str) -> String {
    m.t(&format!("stats.decision_{key}")).to_string()
}

/// Names a table's row or column keys.
type Label<'a> = Box<dyn Fn(&str) -> String + 'a>;

/// The CSV's columns (docs/OPEN-DATA.md).
pub const CSV_HEADER: [&str; 8] = [
    "table",
    "row",
    "row_label",
    "column",
    "column_label",
    "value",
    "suppressed",
    "computed_at",
];

/// The snapshot as CSV: RFC 4180 (CRLF, quoted where needed), UTF-8 with a BOM for Excel, one
/// line per published entry, every cell neutralised against formulas.
pub fn csv_of(s: &Snapshot, m: &Messages) -> anyhow::Result<Vec<u8>> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(CSV_HEADER)?;
    let tables: [(&str, &Crosstab, Label, Label); 3] = [
        (
            "platform_category",
            &s.platform_category,
            Box::new(|k| platform_name(m, k)),
            Box::new(|k| category_name(m, k)),
        ),
        (
            "province_month",
            &s.province_month,
            Box::new(province_name),
            Box::new(|k: &str| k.to_string()),
        ),
        (
            "decisions",
            &s.decisions,
            Box::new(|k| platform_name(m, k)),
            Box::new(|k| decision_name(m, k)),
        ),
    ];
    for (name, t, row_label, column_label) in &tables {
        write_table(&mut out, s, m, name, t, row_label, column_label)?;
    }
    write_platforms(&mut out, s, m)?;
    write_figures(&mut out, s, m)?;
    out.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// One table's lines: each cell, each row's total, the column totals, the grand total.
fn write_table(
    out: &mut csv::Writer<Vec<u8>>,
    s: &Snapshot,
    m: &Messages,
    name: &str,
    t: &Crosstab,
    row_label: &Label,
    column_label: &Label,
) -> csv::Result<()> {
    let total = m.t("stats.total").to_string();
    {
        let mut line = |row: &str, rl: String, col: &str, cl: String, v: &Published| {
            let value = v.map(|n| n.to_string()).unwrap_or_default();
            let flag = if v.is_none() { "1" } else { "0" };
            let cells = [name, row, &rl, col, &cl, &value, flag, &s.computed_at];
            out.write_record(cells.map(neutralise_cell).iter().map(|c| c.as_ref()))
        };
        for ((row, cells), row_total) in t.rows.iter().zip(&t.cells).zip(&t.row_totals) {
            for (col, v) in t.columns.iter().zip(cells) {
                line(row, row_label(row), col, column_label(col), v)?;
            }
            line(row, row_label(row), "total", total.clone(), row_total)?;
        }
        for (col, v) in t.columns.iter().zip(&t.column_totals) {
            line("total", total.clone(), col, column_label(col), v)?;
        }
        line("total", total.clone(), "total", total.clone(), &t.total)?;
    }
    Ok(())
}

/// The columns of the `platforms` lines, as the JSON names them.
pub const PLATFORM_COLUMNS: [&str; 4] = [
    "notices_sent",
    "answered",
    "response_rate",
    "median_response_days",
];

/// The `platforms` lines: each platform's notice figures, then the totals' (row `total`).
fn write_platforms(out: &mut csv::Writer<Vec<u8>>, s: &Snapshot, m: &Messages) -> csv::Result<()> {
    let total = m.t("stats.total").to_string();
    let rows = s
        .platforms
        .iter()
        .map(|p| (p, platform_name(m, &p.platform)));
    for (p, row_label) in rows.chain([(&s.platforms_total, total)]) {
        let counts = |n: Published| n.map(|n| n.to_string());
        let figures = |f: Option<f64>| f.map(|f| f.to_string());
        let values = [
            counts(p.notices_sent),
            counts(p.answered),
            figures(p.response_rate),
            figures(p.median_response_days),
        ];
        for (column, value) in PLATFORM_COLUMNS.iter().zip(values) {
            let flag = if value.is_none() { "1" } else { "0" };
            let label = m.t(&format!("stats_platforms.{column}")).to_string();
            let value = value.unwrap_or_default();
            let cells = [
                "platforms",
                &p.platform,
                &row_label,
                column,
                &label,
                &value,
                flag,
                &s.computed_at,
            ];
            out.write_record(cells.map(neutralise_cell).iter().map(|c| c.as_ref()))?;
        }
    }
    Ok(())
}

/// The `summary` lines: the figures that are not counts.
fn write_figures(out: &mut csv::Writer<Vec<u8>>, s: &Snapshot, m: &Messages) -> csv::Result<()> {
    let figures = [
        ("share_substantiated_percent", s.share_substantiated_percent),
        ("median_days_to_decision", s.median_days_to_decision),
        ("median_days_to_handoff", s.median_days_to_handoff),
    ];
    for (key, v) in figures {
        let value = v.map(|f| f.to_string()).unwrap_or_default();
        let flag = if v.is_none() { "1" } else { "0" };
        let label = m.t(&format!("stats.figure_{key}")).to_string();
        let cells = [
            "summary",
            key,
            &label,
            "all",
            "",
            &value,
            flag,
            &s.computed_at,
        ];
        out.write_record(cells.map(neutralise_cell).iter().map(|c| c.as_ref()))?;
    }
    Ok(())
}
