//! An officer's verdict on a suggested link between two cases (`#related-cases`).

use crate::db;
use crate::domain::CaseNumber;
use crate::domain::links::{LinkReason, LinkVerdict};
use crate::error::AppError;
use crate::web::case_page::show_refusal;
use crate::web::context::PageContext;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, see_other};
use crate::workflow::case_links;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    other: String,
    #[serde(default)]
    verdict: String,
    /// The reasons the page showed, comma-separated keywords.
    #[serde(default)]
    reasons: String,
}

pub async fn decide_link(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    number: web::Path<String>,
    form: web::Form<LinkForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let number = CaseNumber::parse(&number).ok_or(AppError::NotFound)?;
    let other =
        CaseNumber::parse(form.other.trim()).ok_or(AppError::BadRequest("links.unknown_case"))?;
    let verdict =
        LinkVerdict::parse(&form.verdict).ok_or(AppError::BadRequest("links.unknown_verdict"))?;
    let reasons: Vec<LinkReason> = form
        .reasons
        .split(',')
        .filter_map(|r| LinkReason::parse(r.trim()))
        .collect();
    let acting = officer.acting();
    let (n, o) = (number, other);
    let result = db::run_with(&state.pool, move |conn| {
        case_links::decide(conn, &n, &o, verdict, &reasons, acting)
    })
    .await;
    match result {
        Ok(()) => Ok(see_other(&format!("/officer/cases/{number}#related-cases"))),
        Err(e) => show_refusal(ctx, officer, &state, number, e.into()).await,
    }
}
