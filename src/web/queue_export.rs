//! The queue's current view as a file: CSV (UTF-8 with a BOM, for Excel) or XLSX, in the
//! officer's language, at most `EXPORT_CAP` cases (a last line says when the view held more),
//! no reporter contact (a queue row holds none), every cell that a spreadsheet would run as a
//! formula neutralised. The route (`/officer/queue/export.{format}`) records each export.

use crate::domain::public_stats::neutralise_cell;
use crate::i18n::Messages;
use crate::web::queue_item::QueueItem;
use crate::workflow::exports::EXPORT_CAP;

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
pub fn table(m: &Messages, items: &[QueueItem], capped: bool) -> Vec<Vec<String>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_looking_cells_are_neutralised_in_both_files() {
        let rows = [
            vec![
                "=HYPERLINK(\"http://x\")".to_string(),
                "+1".into(),
                "-2".into(),
                "@SUM(A1)".into(),
            ],
            vec!["\tx".to_string(), "\rx".into(), "plain".into(), "".into()],
        ];
        let neutral: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(|c| neutralise_cell(c).into_owned()).collect())
            .collect();
        for row in &neutral {
            for cell in row {
                assert!(
                    !matches!(
                        cell.chars().next(),
                        Some('=' | '+' | '-' | '@' | '\t' | '\r')
                    ),
                    "{cell:?}"
                );
            }
        }
        let csv = String::from_utf8(csv_of(&neutral).expect("a CSV")).expect("UTF-8");
        assert!(csv.contains("'=HYPERLINK"), "{csv}");
        let xlsx = xlsx_of(&neutral, "Queue").expect("an XLSX");
        assert!(xlsx.starts_with(b"PK"), "an XLSX is a ZIP");
    }

    #[test]
    fn a_capped_export_says_so_on_its_last_line() {
        let m = crate::i18n::messages(crate::domain::Lang::En);
        let rows = table(m, &[], true);
        assert_eq!(rows[0].len(), COLUMNS.len());
        assert!(
            rows[0].iter().all(|h| !h.contains('.')),
            "labels, not keys: {:?}",
            rows[0]
        );
        let last = rows.last().expect("a last line");
        assert!(last[0].contains("10000"), "{last:?}");
        assert_eq!(table(m, &[], false).len(), 1);
    }
}
