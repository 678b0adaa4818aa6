//! Campaigns for officers: start or join one from a case page (`link_campaign`), the campaign
//! page (its cases, merchants, contacts, evidence, timeline and graph), adding and removing
//! cases, substantiating the open members with one finding, and the campaign's handoff.

use crate::db;
use crate::domain::campaign::CampaignName;
use crate::domain::{CampaignHandoffId, CampaignId, CaseNumber, RegulatorId};
use crate::error::AppError;
use crate::web::campaign_view;
use crate::web::case_page::show_refusal;
use crate::web::context::PageContext;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, render, see_other};
use crate::workflow::campaign_facts::{self, CampaignFacts};
use crate::workflow::campaigns::{self, CampaignChoice};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/officer/campaign.html")]
pub struct CampaignPage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub facts: CampaignFacts,
    pub graph: crate::handoff::campaign_graph::Graph,
    pub input: crate::handoff::campaign_graph::GraphInput,
    pub problem: Option<String>,
}

impl CampaignPage {
    /// The members still to substantiate before the campaign can go.
    pub fn pending(&self) -> Vec<&crate::workflow::campaign_facts::MemberView> {
        self.facts
            .members
            .iter()
            .filter(|m| m.needs_substantiating)
            .collect()
    }

    pub fn blocked(&self) -> bool {
        self.pending().iter().any(|m| m.blocker.is_some())
    }

    /// Every member substantiated, and this officer may work each.
    pub fn ready_to_hand_off(&self) -> bool {
        let (me, supervisor) = (self.officer.id, self.officer.is_supervisor());
        self.facts
            .members
            .iter()
            .all(|m| !m.needs_substantiating && m.case.may_be_worked_by(me, supervisor))
    }

    pub fn is_proposed(&self, regulator_id: &RegulatorId) -> bool {
        self.facts
            .proposals
            .iter()
            .any(|p| p.regulator.id == *regulator_id)
    }

    pub fn basis_key(&self, p: &crate::handoff::routing::Proposal) -> &'static str {
        match p.basis {
            crate::handoff::routing::Basis::MerchantRegion { .. } => "handoff.basis_merchant",
            crate::handoff::routing::Basis::PlatformDomicile => "handoff.basis_platform",
        }
    }
}

#[derive(Template)]
#[template(path = "pages/officer/campaigns.html")]
pub struct CampaignListPage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub campaigns: Vec<db::campaigns::CampaignSummary>,
}

/// The fields of `link_campaign`: `campaign_name` or `campaign_id`, and `also` (repeated).
fn parse_link_form(body: &[u8]) -> (String, Option<CampaignChoice>, Vec<CaseNumber>) {
    let (mut csrf, mut name, mut id, mut also) = (String::new(), None, None, Vec::new());
    for (k, v) in url::form_urlencoded::parse(body) {
        match k.as_ref() {
            "csrf_token" => csrf = v.into_owned(),
            "campaign_name" => name = CampaignName::parse(&v),
            "campaign_id" => id = v.trim().parse::<CampaignId>().ok().or(id),
            "also" => also.extend(CaseNumber::parse(v.trim())),
            _ => {}
        }
    }
    let choice = match (id, name) {
        (Some(id), _) => Some(CampaignChoice::Existing(id)),
        (None, Some(name)) => Some(CampaignChoice::New(name)),
        (None, None) => None,
    };
    (csrf, choice, also)
}

pub async fn link_campaign(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    number: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let number = CaseNumber::parse(&number).ok_or(AppError::NotFound)?;
    let (csrf, choice, also) = parse_link_form(&body);
    officer.check_csrf(&csrf)?;
    let acting = officer.acting();
    let n = number;
    let result = match choice {
        None => Err(AppError::BadRequest("campaign.name_or_choice")),
        Some(choice) => db::run_with(&state.pool, move |conn| {
            campaigns::link(conn, &n, &choice, &also, acting)
        })
        .await
        .map_err(AppError::from),
    };
    match result {
        Ok(id) => Ok(see_other(&format!("/officer/campaigns/{id}"))),
        Err(e) => show_refusal(ctx, officer, &state, number, e).await,
    }
}

pub async fn list_campaigns(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let campaigns = db::run(&state.pool, |conn| Ok(db::campaigns::recent(conn, 200)?)).await?;
    render(
        StatusCode::OK,
        &CampaignListPage {
            ctx,
            officer,
            campaigns,
        },
    )
}

pub async fn show_campaign(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    id: web::Path<CampaignId>,
) -> Result<HttpResponse, AppError> {
    page(ctx, officer, &state, *id, None, StatusCode::OK).await
}

/// The campaign page, with `problem` above its forms.
async fn page(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: &AppState,
    id: CampaignId,
    problem: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let acting = officer.acting();
    let facts = db::run(&state.pool, move |conn| {
        campaign_facts::load(conn, id, acting)
    })
    .await?
    .ok_or(AppError::NotFound)?;
    let input = campaign_view::graph_input(&facts);
    let graph = crate::handoff::campaign_graph::layout(&input);
    let page = CampaignPage {
        ctx,
        officer,
        facts,
        graph,
        input,
        problem,
    };
    render(status, &page)
}

/// After a step: back to the campaign page, or the page again with the refusal.
async fn after(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: &AppState,
    id: CampaignId,
    result: Result<(), AppError>,
    anchor: &str,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(()) => Ok(see_other(&format!("/officer/campaigns/{id}#{anchor}"))),
        Err(err) => {
            let status = actix_web::ResponseError::status_code(&err);
            if status.is_server_error() || status == StatusCode::NOT_FOUND {
                return Err(err);
            }
            let message = ctx.m.t(err.message_key()).to_string();
            page(ctx, officer, state, id, Some(message), status).await
        }
    }
}

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    case: String,
}

/// A workflow step that adds a case to a campaign or takes one out.
type MemberStep = fn(
    &mut db::DbConnection,
    CampaignId,
    &CaseNumber,
    crate::workflow::ActingOfficer,
) -> Result<(), crate::workflow::WorkflowError>;

/// Adds or removes the case the form names, then back to the campaign's cases.
async fn change_members(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: &AppState,
    id: CampaignId,
    form: MemberForm,
    step: MemberStep,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let acting = officer.acting();
    let result = match CaseNumber::parse(form.case.trim()) {
        None => Err(AppError::BadRequest("campaign.unknown_case")),
        Some(n) => db::run_with(&state.pool, move |conn| step(conn, id, &n, acting))
            .await
            .map_err(AppError::from),
    };
    after(ctx, officer, state, id, result, "campaign-members").await
}

pub async fn add_case(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    id: web::Path<CampaignId>,
    form: web::Form<MemberForm>,
) -> Result<HttpResponse, AppError> {
    change_members(ctx, officer, &state, *id, form.into_inner(), campaigns::add).await
}

pub async fn remove_case(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    id: web::Path<CampaignId>,
    form: web::Form<MemberForm>,
) -> Result<HttpResponse, AppError> {
    change_members(
        ctx,
        officer,
        &state,
        *id,
        form.into_inner(),
        campaigns::remove,
    )
    .await
}

#[derive(Deserialize)]
pub struct SubstantiateForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    finding: String,
    #[serde(default)]
    note: String,
}

pub async fn substantiate_members(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    id: web::Path<CampaignId>,
    form: web::Form<SubstantiateForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let (id, acting, links) = (*id, officer.acting(), state.links.clone());
    let form = form.into_inner();
    let result = db::run_with(&state.pool, move |conn| {
        campaigns::substantiate_members(conn, id, &form.finding, &form.note, acting, &links)
    })
    .await
    .map(|_| ())
    .map_err(AppError::from);
    if result.is_ok() {
        state.wake_mailer();
    }
    after(ctx, officer, &state, id, result, "campaign-substantiate").await
}

#[derive(Deserialize)]
pub struct HandOffCampaignForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    regulator_id: Option<RegulatorId>,
}

pub async fn hand_off_campaign(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    id: web::Path<CampaignId>,
    form: web::Form<HandOffCampaignForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let id = *id;
    let result = match form.regulator_id {
        None => Err(AppError::BadRequest("handoff.unknown_regulator")),
        Some(regulator_id) => crate::workflow::campaign_handoff::hand_off(
            &state.pool,
            &state.handoff,
            id,
            officer.acting(),
            regulator_id,
        )
        .await
        .map(|_| ())
        .map_err(AppError::from),
    };
    if result.is_ok() {
        state.wake_mailer();
    }
    after(ctx, officer, &state, id, result, "campaign-handoffs").await
}

pub async fn download_campaign_package(
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<(CampaignId, CampaignHandoffId)>,
) -> Result<HttpResponse, AppError> {
    let (id, handoff_id) = path.into_inner();
    let h = db::run(&state.pool, move |conn| {
        Ok(db::campaigns::get_handoff(conn, handoff_id)?)
    })
    .await?;
    if h.campaign_id != id {
        return Err(AppError::NotFound);
    }
    crate::web::serve_campaign_package(&state, &h, Some(officer.id)).await
}
