//! The regulator directory, kept by supervisors: who receives handoffs for which region, and
//! where each platform's operator is registered.

use crate::db::{self, regulators};
use crate::domain::RegulatorId;
use crate::domain::region::divisions;
use crate::domain::regulator::RegulatorKind;
use crate::domain::{Platform, RegionCode};
use crate::error::AppError;
use crate::web::context::PageContext;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, render, see_other};
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
    officer.require_supervisor()?;
    officer.check_csrf(&form.csrf_token)?;
    let form = form.into_inner();
    let m = ctx.m;
    let name = form.name.trim().to_string();
    let email = form.email.trim().to_lowercase();
    let region = form.region_code.trim();
    let kind = RegulatorKind::parse(&form.kind);
    let problem = if name.is_empty() || name.chars().count() > 200 {
        Some(m.t("directory.bad_name"))
    } else if email.parse::<lettre::Address>().is_err() {
        Some(m.t("directory.bad_email"))
    } else if !region.is_empty() && RegionCode::parse(region).is_none() {
        Some(m.t("directory.bad_region"))
    } else {
        None
    };
    let kind = match (kind, problem) {
        (Some(kind), None) => kind,
        (kind, problem) => {
            let p = problem
                .or(kind.is_none().then(|| m.t("directory.bad_kind")))
                .unwrap_or_default()
                .to_string();
            return page(
                ctx,
                officer,
                &state,
                Some(p),
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let region = RegionCode::parse(region).map(|c| c.to_string());
    let (active, id) = (form.active.is_some() || form.id.is_none(), form.id);
    db::run(&state.pool, move |conn| {
        let fields = regulators::RegulatorFields {
            name: &name,
            kind,
            region_code: region.as_deref(),
            email: &email,
            active,
        };
        match id {
            Some(id) => {
                regulators::update(conn, id, &fields)?;
            }
            None => {
                regulators::insert(conn, &fields, db::now())?;
            }
        }
        Ok(())
    })
    .await?;
    Ok(see_other("/officer/regulators"))
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
    officer.require_supervisor()?;
    officer.check_csrf(&form.csrf_token)?;
    let (Some(platform), Some(region)) = (
        Platform::parse(&form.platform),
        RegionCode::parse(&form.region_code),
    ) else {
        let p = ctx.m.t("directory.bad_region").to_string();
        return page(
            ctx,
            officer,
            &state,
            Some(p),
            RegulatorForm::default(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let operator: String = form.operator_name.trim().chars().take(200).collect();
    db::run(&state.pool, move |conn| {
        Ok(regulators::set_domicile(
            conn,
            platform,
            &operator,
            region.as_str(),
        )?)
    })
    .await?;
    Ok(see_other("/officer/regulators"))
}
