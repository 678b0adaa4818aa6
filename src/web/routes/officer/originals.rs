//! The officer's decision on a regulator's request for an original evidence file.

use crate::db::{self, cases};
use crate::domain::CaseNumber;
use crate::domain::OriginalRequestId;
use crate::domain::audit::Actor;
use crate::error::AppError;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, see_other};
use crate::workflow::WorkflowError;
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
    let (me, supervisor) = (officer.id, officer.is_supervisor());
    let links = state.links.clone();
    let result = db::run_with(&state.pool, move |conn| {
        let case = cases::find_by_number(conn, &number)?.ok_or(diesel::result::Error::NotFound)?;
        if !case.may_be_worked_by(me, supervisor) {
            return Err(WorkflowError::NotAllowed("review.not_yours"));
        }
        crate::workflow::originals::decide(
            conn,
            case.id,
            request_id,
            Actor::Officer(me),
            me,
            approve,
            &links,
        )
    })
    .await;
    match result {
        Ok(()) => {
            state.wake_mailer();
            Ok(see_other(&format!(
                "/officer/cases/{number}#original-requests"
            )))
        }
        Err(e) => super::case::show_refusal(ctx, officer, &state, number, e.into()).await,
    }
}
