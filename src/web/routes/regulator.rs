//! The regulator's pages, reached only through the signed links in the handoff email: download
//! the package, acknowledge receipt (a page with a button, then POST), record the outcome.

use crate::db::{self, cases, handoffs, regulators};
use crate::domain::audit::Actor;
use crate::domain::outcome::Outcome;
use crate::error::AppError;
use crate::handoff::links::{self, LinkAction, LinkError};
use crate::web::context::PageContext;
use crate::web::{AppState, render};
use crate::workflow::handoff::{self, RegulatorAnswer};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

type LinkPath = web::Path<(i64, String, i64, String)>;

#[derive(Template)]
#[template(path = "pages/regulator.html")]
pub struct RegulatorPage {
    pub ctx: PageContext,
    pub action: &'static str,
    pub handoff: handoffs::HandoffRow,
    pub case_number: String,
    pub regulator_name: String,
    pub path: String,
    pub done: Option<bool>,
    pub outcomes: &'static [Outcome],
}

impl RegulatorPage {
    pub fn outcome_key(&self, o: &Outcome) -> String {
        format!("outcome.{}", o.as_str())
    }
}

/// Checks the link; a forged or expired one is refused with its own page and status.
fn check(state: &AppState, path: &LinkPath, want: LinkAction) -> Result<(), AppError> {
    let (id, action, expires, sig) = (path.0, &path.1, path.2, &path.3);
    if LinkAction::parse(action) != Some(want) {
        return Err(AppError::NotFound);
    }
    match links::check(
        &state.keys.handoff_links,
        id,
        want,
        expires,
        sig,
        chrono::Utc::now().timestamp(),
    ) {
        Ok(()) => Ok(()),
        Err(LinkError::Forged) => Err(AppError::Forbidden("handoff.link_forged")),
        Err(LinkError::Expired) => Err(AppError::Gone("handoff.link_expired")),
    }
}

async fn page(
    ctx: PageContext,
    state: &AppState,
    path: &LinkPath,
    action: &'static str,
    done: Option<bool>,
) -> Result<HttpResponse, AppError> {
    let id = path.0;
    let (h, case_number, regulator_name) = db::run(&state.pool, move |conn| {
        let h = handoffs::get(conn, id)?;
        let case = cases::get(conn, h.case_id)?;
        let r = regulators::get(conn, h.regulator_id)?;
        Ok((h, case.case_number, r.name))
    })
    .await?;
    let link = format!("/handoff/{}/{}/{}/{}", path.0, path.1, path.2, path.3);
    render(
        StatusCode::OK,
        &RegulatorPage {
            ctx,
            action,
            handoff: h,
            case_number,
            regulator_name,
            path: link,
            done,
            outcomes: Outcome::ALL,
        },
    )
}

pub async fn show(
    ctx: PageContext,
    state: web::Data<AppState>,
    path: LinkPath,
) -> Result<HttpResponse, AppError> {
    match LinkAction::parse(&path.1) {
        Some(LinkAction::Package) => {
            check(&state, &path, LinkAction::Package)?;
            let id = path.0;
            let h = db::run(&state.pool, move |conn| Ok(handoffs::get(conn, id)?)).await?;
            super::officer::handoff::serve_package(&state, &h, Actor::Regulator(h.id)).await
        }
        Some(LinkAction::Acknowledge) => {
            check(&state, &path, LinkAction::Acknowledge)?;
            page(ctx, &state, &path, "acknowledge", None).await
        }
        Some(LinkAction::Outcome) => {
            check(&state, &path, LinkAction::Outcome)?;
            page(ctx, &state, &path, "outcome", None).await
        }
        None => Err(AppError::NotFound),
    }
}

#[derive(Deserialize)]
pub struct RegulatorForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    details: String,
}

pub async fn answer(
    ctx: PageContext,
    state: web::Data<AppState>,
    path: LinkPath,
    form: Option<web::Form<RegulatorForm>>,
) -> Result<HttpResponse, AppError> {
    // Acknowledging needs no fields: a POST without a form body is fine.
    let form = form.map(|f| f.into_inner()).unwrap_or(RegulatorForm {
        outcome: String::new(),
        details: String::new(),
    });
    let id = path.0;
    let links = state.links.clone();
    let (action, answer) = match LinkAction::parse(&path.1) {
        Some(LinkAction::Acknowledge) => {
            check(&state, &path, LinkAction::Acknowledge)?;
            let a = db::run_with(&state.pool, move |conn| {
                handoff::acknowledge(conn, id, &links)
            })
            .await
            .map_err(AppError::from)?;
            ("acknowledge", a)
        }
        Some(LinkAction::Outcome) => {
            check(&state, &path, LinkAction::Outcome)?;
            let outcome = Outcome::parse(&form.outcome)
                .ok_or(AppError::BadRequest("handoff.outcome_required"))?;
            let details = form.details.clone();
            let a = db::run_with(&state.pool, move |conn| {
                handoff::record_outcome(conn, id, outcome, &details, Actor::Regulator(id), &links)
            })
            .await
            .map_err(AppError::from)?;
            ("outcome", a)
        }
        _ => return Err(AppError::NotFound),
    };
    state.wake_mailer();
    page(
        ctx,
        &state,
        &path,
        action,
        Some(answer == RegulatorAnswer::Done),
    )
    .await
}
