//! The supervisors' side of the public record: candidates to approve (`approve_record`),
//! published entries to take off (`record_withdrawal`), and merchants' correction requests,
//! each flagged with the 3 working days a withdrawal it calls for must be done in.

use crate::db::{self, record};
use crate::domain::record::RecordStatus;
use crate::domain::{RecordEntryId, china_date};
use crate::error::AppError;
use crate::web::context::PageContext;
use crate::web::officer_session::CurrentOfficer;
use crate::web::record_view::PublicEntry;
use crate::web::{AppState, render, see_other};
use crate::workflow::record as steps;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

/// Working days within which a withdrawal the portal learns of must be done.
pub const WITHDRAWAL_WORKING_DAYS: u32 = 3;

pub struct OfficerEntry {
    pub entry: PublicEntry,
    pub case_number: String,
    pub row_status: RecordStatus,
}

pub struct CorrectionItem {
    pub row: record::CorrectionRow,
    pub received: String,
    /// The last day a withdrawal it calls for may be done (3 working days on).
    pub due: String,
    /// Past due while its entry is still published.
    pub overdue: bool,
    pub entry_published: bool,
}

#[derive(Template)]
#[template(path = "pages/officer/record.html")]
pub struct RecordDeskPage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub entries: Vec<OfficerEntry>,
    pub corrections: Vec<CorrectionItem>,
}

pub async fn show_record_desk(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    officer.require_supervisor()?;
    let (rows, corrections, calendar) = db::run(&state.pool, |conn| {
        let rows = record::all(conn, 500)?
            .into_iter()
            .map(|r| Ok((crate::db::cases::get(conn, r.case_id)?.case_number, r)))
            .collect::<Result<Vec<_>, db::DbError>>()?;
        Ok((
            rows,
            record::corrections(conn, 200)?,
            db::calendar::current(conn)?,
        ))
    })
    .await?;
    let today = crate::domain::china_time::today();
    let corrections = corrections
        .into_iter()
        .map(|c| {
            let received = china_date(c.created_at);
            let due = calendar.add_working_days(received, WITHDRAWAL_WORKING_DAYS);
            let published = rows
                .iter()
                .any(|(_, r)| r.id == c.entry_id && r.status == RecordStatus::Approved);
            CorrectionItem {
                received: received.to_string(),
                due: due.to_string(),
                overdue: published && today > due,
                entry_published: published,
                row: c,
            }
        })
        .collect();
    let entries = rows
        .iter()
        .map(|(number, r)| OfficerEntry {
            entry: PublicEntry::of(ctx.m, r),
            case_number: number.clone(),
            row_status: r.status,
        })
        .collect();
    let page = RecordDeskPage {
        ctx,
        officer,
        entries,
        corrections,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct DeskForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    document_number: String,
}

/// `approve_record` and `record_withdrawal`, then back to the page.
pub async fn act_on_record(
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<(RecordEntryId, String)>,
    form: web::Form<DeskForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    officer.require_supervisor()?;
    let (id, action) = path.into_inner();
    let acting = officer.acting();
    let form = form.into_inner();
    match action.as_str() {
        "approve" => {
            db::run_with(&state.pool, move |conn| steps::approve(conn, acting, id)).await?;
        }
        "withdraw" => {
            db::run_with(&state.pool, move |conn| {
                steps::withdraw(conn, acting, id, &form.reason, &form.document_number)
            })
            .await?;
        }
        _ => return Err(AppError::NotFound),
    }
    Ok(see_other(&format!("/officer/record#record-{id}")))
}

/// The supervisors' record desk routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/officer/record", web::get().to(show_record_desk))
        .route(
            "/officer/record/{id}/{action}",
            web::post().to(act_on_record),
        );
}
