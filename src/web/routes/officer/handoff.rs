//! The officer's side of a handoff: hand off (builds and sends the package), re-send, download.

use crate::db::{self, cases, handoffs};
use crate::domain::CaseNumber;
use crate::domain::HandoffId;
use crate::domain::RegulatorId;
use crate::domain::audit::Actor;
use crate::error::AppError;
use crate::web::case_page::show_refusal;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, see_other, serve_package};
use crate::workflow::{handoff, handoff_desk};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct HandOffForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    version: i32,
    #[serde(default)]
    regulator_id: Option<RegulatorId>,
}

pub async fn hand_off_case(
    ctx: crate::web::context::PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<HandOffForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let number = CaseNumber::parse(&path).ok_or(AppError::NotFound)?;
    let regulator_id = form
        .regulator_id
        .ok_or(AppError::BadRequest("handoff.unknown_regulator"))?;
    let (me, supervisor) = (officer.id, officer.is_supervisor());
    let may_work = move |c: &cases::CaseRow| c.may_be_worked_by(me, supervisor);
    let result = handoff::hand_off(
        &state.pool,
        &state.handoff,
        number,
        form.version,
        officer.id,
        may_work,
        regulator_id,
    )
    .await;
    match result {
        Ok(_) => {
            state.wake_mailer();
            Ok(see_other(&format!("/officer/cases/{number}")))
        }
        Err(e) => show_refusal(ctx, officer, &state, number, e.into()).await,
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf_token: String,
}

pub async fn resend_handoff(
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<(String, HandoffId)>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let (raw, handoff_id) = path.into_inner();
    let number = CaseNumber::parse(&raw).ok_or(AppError::NotFound)?;
    let (ctx, acting) = (state.handoff.clone(), officer.acting());
    db::run_with(&state.pool, move |conn| {
        handoff_desk::resend(conn, &ctx, acting, &number, handoff_id)
    })
    .await
    .map_err(AppError::from)?;
    state.wake_mailer();
    Ok(see_other(&format!("/officer/cases/{number}")))
}

/// The package as it was sent (officers may check what the regulator got).
pub async fn download_package(
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<(String, HandoffId)>,
) -> Result<HttpResponse, AppError> {
    let (raw, handoff_id) = path.into_inner();
    let number = CaseNumber::parse(&raw).ok_or(AppError::NotFound)?;
    let h = db::run(&state.pool, move |conn| {
        let case = cases::find_by_number(conn, &number)?.ok_or(diesel::result::Error::NotFound)?;
        let h = handoffs::get(conn, handoff_id)?;
        if h.case_id != case.id {
            return Err(db::DbError::Query(diesel::result::Error::NotFound));
        }
        Ok(h)
    })
    .await?;
    serve_package(&state, &h, Actor::Officer(officer.id)).await
}

#[derive(Deserialize)]
pub struct OutcomeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    details: String,
}

/// An officer records the outcome a regulator reported another way (letter, phone).
pub async fn record_outcome(
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<(String, HandoffId)>,
    form: web::Form<OutcomeForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let (raw, handoff_id) = path.into_inner();
    let number = CaseNumber::parse(&raw).ok_or(AppError::NotFound)?;
    let outcome = crate::domain::outcome::Outcome::parse(&form.outcome)
        .ok_or(AppError::BadRequest("handoff.outcome_required"))?;
    let details = form.details.clone();
    let (acting, links) = (officer.acting(), state.links.clone());
    db::run_with(&state.pool, move |conn| {
        handoff_desk::record_outcome(conn, acting, &number, handoff_id, outcome, &details, &links)
    })
    .await
    .map_err(AppError::from)?;
    // A held platform notice goes with the outcome.
    crate::workflow::platform_notices::send_now(
        &state.pool,
        &state.handoff,
        crate::workflow::platform_notices::JustDue::Handoff(handoff_id),
    )
    .await;
    state.wake_mailer();
    Ok(see_other(&format!("/officer/cases/{number}")))
}

#[derive(Deserialize)]
pub struct WithdrawNoticeForm {
    csrf_token: String,
    #[serde(default)]
    reason: String,
}

/// An officer takes the case's platform notice back (`withdraw_platform_notice`, `reason`).
pub async fn withdraw_platform_notice(
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<WithdrawNoticeForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let number = CaseNumber::parse(&path.into_inner()).ok_or(AppError::NotFound)?;
    let (acting, reason) = (officer.acting(), form.reason.clone());
    db::run_with(&state.pool, move |conn| {
        crate::workflow::platform_notices::withdraw(conn, acting, &number, &reason)
    })
    .await
    .map_err(AppError::from)?;
    Ok(see_other(&format!(
        "/officer/cases/{number}#platform-notice"
    )))
}
