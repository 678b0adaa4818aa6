//! The officer's decision on a regulator's request for an original evidence file.

use crate::db;
use crate::domain::CaseNumber;
use crate::domain::OriginalRequestId;
use crate::error::AppError;
use crate::web::case_page::show_refusal;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, see_other};
use crate::workflow::originals::decide_as_officer;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf_token: String,
}

/// `POST /officer/cases/{number}/originals/{id}/{approve|refuse}`.
pub async fn decide_original(
    ctx: crate::web::context::PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<(String, OriginalRequestId, String)>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let (raw, request_id, decision) = path.into_inner();
    let number = CaseNumber::parse(&raw).ok_or(AppError::NotFound)?;
    let approve = match decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => return Err(AppError::NotFound),
    };
    let acting = officer.acting();
    let links = state.links.clone();
    let result = db::run_with(&state.pool, move |conn| {
        decide_as_officer(conn, acting, &number, request_id, approve, &links)
    })
    .await;
    match result {
        Ok(()) => {
            state.wake_mailer();
            Ok(see_other(&format!(
                "/officer/cases/{number}#original-requests"
            )))
        }
        Err(e) => show_refusal(ctx, officer, &state, number, e.into()).await,
    }
}
