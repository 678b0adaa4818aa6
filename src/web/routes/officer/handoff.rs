//! The officer's side of a handoff: hand off (builds and sends the package), re-send, download.

use crate::db::{self, cases, handoffs};
use crate::domain::CaseNumber;
use crate::domain::RegulatorId;
use crate::domain::audit::Actor;
use crate::domain::{HandoffId, OfficerId};
use crate::error::AppError;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, see_other};
use crate::workflow::handoff::{self, package_path};
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
        Err(e) => super::case::show_refusal(ctx, officer, &state, number, e.into()).await,
    }
}

/// Refuses unless handoff `handoff_id` belongs to case `number` and the officer may work it.
fn check_worked_handoff(
    conn: &mut db::DbConnection,
    number: &CaseNumber,
    handoff_id: HandoffId,
    officer_id: OfficerId,
    supervisor: bool,
) -> Result<(), AppError> {
    let case = cases::find_by_number(conn, number)?.ok_or(diesel::result::Error::NotFound)?;
    if handoffs::get(conn, handoff_id)?.case_id != case.id {
        return Err(AppError::NotFound);
    }
    if !case.may_be_worked_by(officer_id, supervisor) {
        return Err(AppError::Forbidden("review.not_yours"));
    }
    Ok(())
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
    let ctx = state.handoff.clone();
    let (me, supervisor) = (officer.id, officer.is_supervisor());
    db::run_with(&state.pool, move |conn| {
        check_worked_handoff(conn, &number, handoff_id, me, supervisor)?;
        handoff::resend(conn, &ctx, handoff_id, me).map_err(AppError::from)
    })
    .await?;
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

/// Sends the stored package of handoff `h` to `who`, with an audit entry, as for any download of
/// evidence.
pub async fn serve_package(
    state: &AppState,
    h: &handoffs::HandoffRow,
    who: Actor,
) -> Result<HttpResponse, AppError> {
    let file = package_path(&state.handoff.packages_dir, &h.package_sha256);
    let bytes = tokio::fs::read(&file).await.map_err(AppError::internal)?;
    let (case_id, seq, sha) = (h.case_id, h.seq, h.package_sha256.clone());
    db::run_with(&state.pool, move |conn| {
        handoff::record_package_download(conn, case_id, seq, &sha, who)
    })
    .await
    .map_err(AppError::from)?;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{}.zip\"", h.folder),
        ))
        .insert_header(("Cache-Control", "private, no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(bytes))
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
    let (me, supervisor) = (officer.id, officer.is_supervisor());
    let links = state.links.clone();
    db::run_with(&state.pool, move |conn| {
        check_worked_handoff(conn, &number, handoff_id, me, supervisor)?;
        handoff::record_outcome(
            conn,
            handoff_id,
            outcome,
            &details,
            crate::domain::audit::Actor::Officer(me),
            &links,
        )
        .map_err(AppError::from)
    })
    .await?;
    state.wake_mailer();
    Ok(see_other(&format!("/officer/cases/{number}")))
}
