//! The regulator directory, kept by supervisors: who receives handoffs for which region, and
//! where each platform's operator is registered.

use crate::db::{self, regulators};
use crate::domain::RegionCode;
use crate::domain::RegulatorId;
use crate::domain::region::divisions;
use crate::domain::regulator::RegulatorKind;
use crate::error::AppError;
use crate::web::context::PageContext;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, render, see_other};
use crate::workflow::WorkflowError;
use crate::workflow::directory::{self, RegulatorEntry};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub struct RegulatorItem {
    pub row: regulators::RegulatorRow,
    pub region_name: String,
}

pub struct DomicileItem {
    pub row: regulators::DomicileRow,
    pub platform_name: String,
    pub region_name: String,
}

#[derive(Template)]
#[template(path = "pages/officer/regulators.html")]
pub struct RegulatorsPage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub items: Vec<RegulatorItem>,
    pub domiciles: Vec<DomicileItem>,
    pub kinds: &'static [RegulatorKind],
    pub problem: Option<String>,
    pub form: RegulatorForm,
}

impl RegulatorsPage {
    pub fn kind_key(&self, kind: &RegulatorKind) -> String {
        format!("directory.kind_{kind}")
    }
}

fn region_name(code: Option<&str>) -> String {
    code.and_then(RegionCode::parse)
        .and_then(|c| divisions().region(&c))
        .map(|r| r.full_name())
        .unwrap_or_default()
}

async fn page(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: &AppState,
    problem: Option<String>,
    form: RegulatorForm,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (rows, doms) = db::run(&state.pool, |conn| {
        Ok((regulators::all(conn)?, regulators::domiciles(conn)?))
    })
    .await?;
    let m = ctx.m;
    let items = rows
        .into_iter()
        .map(|row| RegulatorItem {
            region_name: region_name(row.region_code.as_deref()),
            row,
        })
        .collect();
    let domiciles = doms
        .into_iter()
        .map(|row| DomicileItem {
            platform_name: m.platform(row.platform).to_string(),
            region_name: region_name(Some(&row.region_code)),
            row,
        })
        .collect();
    render(
        status,
        &RegulatorsPage {
            ctx,
            officer,
            items,
            domiciles,
            kinds: RegulatorKind::ALL,
            problem,
            form,
        },
    )
}

pub async fn show_directory(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    officer.require_supervisor()?;
    page(
        ctx,
        officer,
        &state,
        None,
        RegulatorForm::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegulatorForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub id: Option<RegulatorId>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub region_code: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub active: Option<String>,
}

pub async fn save_regulator(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    form: web::Form<RegulatorForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let form = form.into_inner();
    let acting = officer.acting();
    let sent = form.clone();
    let saved = db::run_with(&state.pool, move |conn| {
        let entry = RegulatorEntry {
            id: sent.id,
            name: &sent.name,
            kind: &sent.kind,
            region_code: &sent.region_code,
            email: &sent.email,
            active: sent.active.is_some() || sent.id.is_none(),
        };
        directory::save_regulator(conn, acting, &entry)
    })
    .await;
    match saved {
        Ok(()) => Ok(see_other("/officer/regulators")),
        Err(WorkflowError::Invalid(key)) => {
            let problem = Some(ctx.m.t(key).to_string());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(ctx, officer, &state, problem, form, status).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct DomicileForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    platform: String,
    #[serde(default)]
    operator_name: String,
    #[serde(default)]
    region_code: String,
}

pub async fn save_domicile(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    form: web::Form<DomicileForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let (form, acting) = (form.into_inner(), officer.acting());
    let saved = db::run_with(&state.pool, move |conn| {
        directory::save_domicile(
            conn,
            acting,
            &form.platform,
            &form.operator_name,
            &form.region_code,
        )
    })
    .await;
    match saved {
        Ok(()) => Ok(see_other("/officer/regulators")),
        Err(WorkflowError::Invalid(key)) => {
            let problem = Some(ctx.m.t(key).to_string());
            let (empty, status) = (RegulatorForm::default(), StatusCode::UNPROCESSABLE_ENTITY);
            page(ctx, officer, &state, problem, empty, status).await
        }
        Err(e) => Err(e.into()),
    }
}
