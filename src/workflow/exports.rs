//! Exports of the queue's current view (CSV, XLSX): the view's first `EXPORT_CAP` cases, never
//! a reporter's contact (a queue row holds none), and who exported what view, when, in the
//! exporting officer's account trail.

use super::WorkflowError;
use super::account_events::{AccountChange, record};
use crate::db::queue::{self, QueueFilter, QueueRow};
use crate::db::{self, DbConnection};
use crate::domain::OfficerId;
use crate::domain::account::AccountAction;
use serde_json::json;

/// The most cases one export holds; the file and the page say so when a view holds more.
pub const EXPORT_CAP: i64 = 10_000;

/// What an export is of: its format and the view's filters (the search term itself is not
/// recorded: it may be a phone number or a name).
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub officer: OfficerId,
    pub format: &'static str,
    pub filter: QueueFilter,
    /// The view's query string without the search term.
    pub view: String,
}

pub struct Export {
    pub rows: Vec<QueueRow>,
    /// The view holds more than `EXPORT_CAP` cases.
    pub capped: bool,
}

/// Reads the view from its start (any page cursor is ignored) and records the export.
pub fn queue_view(conn: &mut DbConnection, req: ExportRequest) -> Result<Export, WorkflowError> {
    let mut filter = req.filter;
    filter.after = None;
    let searched = filter.search.is_some();
    let mut rows = queue::page(conn, &filter, EXPORT_CAP + 1)?.rows;
    let capped = rows.len() as i64 > EXPORT_CAP;
    rows.truncate(EXPORT_CAP as usize);
    let change = AccountChange {
        actor: Some(req.officer),
        subject: req.officer,
        action: AccountAction::QueueExported,
        detail: json!({
            "format": req.format,
            "rows": rows.len(),
            "capped": capped,
            "view": req.view,
            "searched": searched,
        }),
    };
    db::write_transaction(conn, |conn| {
        record(conn, &change, db::now())?;
        Ok::<_, WorkflowError>(())
    })?;
    tracing::info!(
        format = req.format,
        rows = rows.len(),
        capped,
        "queue exported"
    );
    Ok(Export { rows, capped })
}
