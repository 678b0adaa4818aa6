//! The officers' dashboard: the caseload by status and overdue, new reports per day, and the
//! chains (merchants, contacts, campaigns) with the most and the fastest-growing reports.

use crate::db;
use crate::domain::dashboard::{Chain, Windows};
use crate::domain::{CampaignId, CaseStatus, china_date};
use crate::error::AppError;
use crate::web::context::PageContext;
use crate::web::dashboard::{self, Dashboard};
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, render};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/officer/dashboard.html")]
pub struct DashboardPage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub dash: Dashboard,
}

impl DashboardPage {
    /// The queue showing the cases in `status`.
    pub fn status_href(&self, status: &CaseStatus) -> String {
        format!("/officer/cases?status={status}")
    }

    pub fn campaign_href(&self, id: &CampaignId) -> String {
        campaign_href(*id)
    }

    /// A growing chain's kind in words.
    pub fn chain_kind(&self, chain: &Chain) -> &str {
        self.ctx.m.t(match chain {
            Chain::Merchant { .. } => "dashboard.chain_merchant",
            Chain::Contact { .. } => "dashboard.chain_contact",
            Chain::Campaign { .. } => "dashboard.chain_campaign",
        })
    }

    /// The x of the daily chart's `i`th bar.
    pub fn day_x(&self, i: &usize) -> usize {
        i * DAY_STEP + 4
    }

    pub fn chart_width(&self) -> usize {
        self.dash.days.len() * DAY_STEP + 8
    }
}

/// The daily chart's distance between bars.
const DAY_STEP: usize = 24;

/// A campaign's page.
pub fn campaign_href(id: CampaignId) -> String {
    format!("/officer/campaigns/{id}")
}

pub async fn show_dashboard(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let windows = Windows::new(china_date(db::now()));
    let dash = db::run(&state.pool, move |conn| dashboard::load(conn, &windows)).await?;
    render(StatusCode::OK, &DashboardPage { ctx, officer, dash })
}
