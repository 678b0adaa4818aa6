//! Erasing a reporter's contact on request: by the reporter on their case page (signed in with
//! the receipt code), or by an officer for a request made another way.

use crate::db;
use crate::domain::CaseNumber;
use crate::domain::audit::Actor;
use crate::error::AppError;
use crate::web::case_page::show_refusal;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, reporter_session, see_other};
use crate::workflow::retention::{ErasureCause, erase_contact, erase_on_request};
use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    csrf_token: String,
}

/// `POST /track/case/erase-contact`: the reporter's own request.
pub async fn erase_my_contact(
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<EraseForm>,
) -> Result<HttpResponse, AppError> {
    reporter_session::check_csrf(&session, &form.csrf_token)?;
    let Some(case_id) = reporter_session::current_case(&session, &state.pool).await? else {
        return Ok(see_other("/track"));
    };
    db::run_with(&state.pool, move |conn| {
        erase_contact(
            conn,
            case_id,
            Actor::Reporter,
            ErasureCause::ReporterRequest,
        )
    })
    .await
    .map_err(AppError::from)?;
    Ok(see_other("/track/case"))
}

/// `POST /officer/cases/{number}/erase-contact`: an officer who may work the case, on the
/// reporter's request made another way (a letter, a call).
pub async fn erase_contact_on_request(
    ctx: crate::web::context::PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<EraseForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let number = CaseNumber::parse(&path).ok_or(AppError::NotFound)?;
    let acting = officer.acting();
    let result = db::run_with(&state.pool, move |conn| {
        erase_on_request(conn, acting, &number)
    })
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/officer/cases/{number}"))),
        Err(e) => show_refusal(ctx, officer, &state, number, e.into()).await,
    }
}
