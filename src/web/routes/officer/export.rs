//! The queue's current view as a file: CSV (UTF-8 with a BOM, for Excel) or XLSX, in the
//! officer's language, at most `EXPORT_CAP` cases (a last line says when the view held more),
//! no reporter contact, every cell that a spreadsheet would run as a formula neutralised, and
//! each export recorded in the officer's account trail.

use super::queue::{QueueItem, QueueQuery, queue_item};
use crate::db;
use crate::domain::china_date;
use crate::domain::public_stats::neutralise_cell;
use crate::error::AppError;
use crate::i18n::Messages;
use crate::web::context::PageContext;
use crate::web::officer_session::CurrentOfficer;
use crate::web::AppState;
use crate::workflow::exports::{self, EXPORT_CAP, ExportRequest};
use actix_web::{HttpResponse, web};

/// The columns, by their label keys.
const COLUMNS: [&str; 12] = [
    "track.case_number",
    "queue.col_status",
    "field.platform",
    "field.shop_name",
    "field.region_code",
    "field.category",
    "queue.complaint",
    "queue.col_filed",
    "export.activity",
    "queue.col_due",
    "queue.overdue",
    "queue.assignee",
];

fn cells(m: &Messages, i: &QueueItem) -> [String; 12] {
    let yes_no = |b: bool| m.t(if b { "ocase.yes" } else { "ocase.no" }).to_string();
    [
        i.number.clone(),
        m.status(i.status).to_string(),
        i.platform.clone(),
        i.shop_name.clone(),
        i.region.clone(),
        i.category.clone(),
        yes_no(i.is_complaint),
        i.filed.clone(),
        i.activity.clone(),
        i.due
            .as_ref()
            .map(|d| format!("{d} ({})", m.t(i.due_meaning)))
            .unwrap_or_default(),
        yes_no(i.overdue),
        i.assignee.clone().unwrap_or_default(),
    ]
}

/// The header, the rows and, when capped, a last line saying so: every cell neutralised.
fn table(m: &Messages, items: &[QueueItem], capped: bool) -> Vec<Vec<String>> {
    let mut out = vec![COLUMNS.iter().map(|k| m.t(k).to_string()).collect()];
    out.extend(items.iter().map(|i| cells(m, i).to_vec()));
    if capped {
        out.push(vec![m.t1("export.capped", EXPORT_CAP)]);
    }
    for row in &mut out {
        for cell in row.iter_mut() {
            *cell = neutralise_cell(cell).into_owned();
        }
    }
    out
}

pub fn csv_of(rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    for row in rows {
        out.write_record(row)?;
    }
    out.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

pub fn xlsx_of(rows: &[Vec<String>], sheet: &str) -> anyhow::Result<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // Strings always: a spreadsheet never reads a cell of this file as a formula.
            ws.write_string(u32::try_from(r)?, u16::try_from(c)?, cell)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(book.save_to_buffer()?)
}

/// `GET /officer/queue/export.csv` and `.xlsx`, with the queue's own query string.
pub async fn export_queue(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    format: web::Path<String>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    let format: &'static str = match format.as_str() {
        "csv" => "csv",
        "xlsx" => "xlsx",
        _ => return Err(AppError::NotFound),
    };
    let query = query.into_inner();
    let today = china_date(db::now());
    let req = ExportRequest {
        officer: officer.id,
        format,
        filter: query.filter(officer.id, today),
        view: QueueQuery { q: String::new(), after: String::new(), ..query.clone() }.with_after(""),
    };
    let (export, cal) = db::run_with(&state.pool, move |conn| {
        Ok::<_, crate::workflow::WorkflowError>((
            exports::queue_view(conn, req)?,
            db::calendar::current(conn)?,
        ))
    })
    .await?;
    let m = ctx.m;
    let items: Vec<QueueItem> = export.rows.iter().map(|r| queue_item(m, r, today, &cal)).collect();
    let rows = table(m, &items, export.capped);
    let (body, content_type) = match format {
        "csv" => (csv_of(&rows).map_err(AppError::Internal)?, "text/csv; charset=utf-8; header=present"),
        _ => (
            xlsx_of(&rows, m.t("export.sheet")).map_err(AppError::Internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    };
    let name = format!("reviewwatch-queue-{}.{format}", today.format("%Y%m%d"));
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .insert_header(("Cache-Control", "no-store"))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_looking_cells_are_neutralised_in_both_files() {
        let rows = vec![
            vec!["=HYPERLINK(\"http://x\")".to_string(), "+1".into(), "-2".into(), "@SUM(A1)".into()],
            vec!["\tx".to_string(), "\rx".into(), "plain".into(), "".into()],
        ];
        let neutral: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(|c| neutralise_cell(c).into_owned()).collect())
            .collect();
        for row in &neutral {
            for cell in row {
                assert!(
                    !matches!(cell.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r')),
                    "{cell:?}"
                );
            }
        }
        let csv = String::from_utf8(csv_of(&neutral).unwrap()).unwrap();
        assert!(csv.contains("'=HYPERLINK"), "{csv}");
        let xlsx = xlsx_of(&neutral, "Queue").unwrap();
        assert!(xlsx.starts_with(b"PK"), "an XLSX is a ZIP");
    }

    #[test]
    fn a_capped_export_says_so_on_its_last_line() {
        let m = crate::i18n::messages(crate::domain::Lang::En);
        let rows = table(m, &[], true);
        assert_eq!(rows[0].len(), COLUMNS.len());
        assert!(rows[0].iter().all(|h| !h.contains('.')), "labels, not keys: {:?}", rows[0]);
        let last = rows.last().unwrap();
        assert!(last[0].contains("10000"), "{last:?}");
        assert_eq!(table(m, &[], false).len(), 1);
    }
}
