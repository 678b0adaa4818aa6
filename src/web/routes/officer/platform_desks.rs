//! The platform desk directory, kept by supervisors: each platform's governance desk (and, for
//! shops elsewhere, a desk by domain), and the search engines' complaint desks for pages that
//! impersonate a platform's hotline. A platform without a desk is listed as such.

use crate::db::{self, platform_desks, platform_notices};
use crate::domain::Platform;
use crate::domain::ids::PlatformDeskId;
use crate::domain::platform_desk::{DeskKind, HOTLINE_PAGES_CHANNEL, SEARCH_ENGINES};
use crate::error::AppError;
use crate::web::context::PageContext;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, render, see_other};
use crate::workflow::WorkflowError;
use crate::workflow::platform_desks::{DeskEntry, save_desk as save_entry};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/officer/platform_desks.html")]
pub struct DesksPage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub desks: Vec<platform_desks::DeskRow>,
    /// Platforms (but "other") with no active desk: their notices wait for one.
    pub without_desk: Vec<Platform>,
    pub platforms: &'static [Platform],
    pub kinds: &'static [DeskKind],
    pub search_engines: &'static [(&'static str, &'static str)],
    pub hotline_channel: &'static str,
    pub problem: Option<String>,
    pub form: DeskForm,
    /// Notices due but without a desk: (case number, platform, shop link, due since).
    pub waiting: Vec<WaitingNotice>,
    /// Sent notices whose answer is overdue: (case number, answer due on).
    pub overdue: Vec<(String, String)>,
}

/// A notice whose time has come, waiting for its platform's desk.
pub struct WaitingNotice {
    pub case_number: String,
    pub platform: Platform,
    pub shop_ref: String,
    pub since: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeskForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub id: Option<PlatformDeskId>,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub platform: String,
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub active: Option<String>,
}

async fn page(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: &AppState,
    problem: Option<String>,
    form: DeskForm,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (desks, waiting, overdue) = db::run(&state.pool, |conn| {
        let now = db::now();
        let waiting = platform_notices::waiting_for_desk(conn, now)?;
        let overdue = platform_notices::overdue(conn, crate::domain::china_date(now))?;
        Ok((platform_desks::all(conn)?, waiting, overdue))
    })
    .await?;
    let waiting = waiting
        .into_iter()
        .map(|(n, case_number, platform, shop_ref)| WaitingNotice {
            case_number,
            platform,
            shop_ref,
            since: crate::web::filters::china_time(&n.not_before),
        })
        .collect();
    let overdue = overdue
        .into_iter()
        .map(|(n, number)| {
            (
                number,
                n.answer_due_on.map(|d| d.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let without_desk = Platform::ALL
        .iter()
        .copied()
        .filter(|p| *p != Platform::Other)
        .filter(|p| !desks.iter().any(|d| d.active && d.platform == Some(*p)))
        .collect();
    let page = DesksPage {
        ctx,
        officer,
        desks,
        without_desk,
        platforms: Platform::ALL,
        kinds: DeskKind::ALL,
        search_engines: SEARCH_ENGINES,
        hotline_channel: HOTLINE_PAGES_CHANNEL,
        problem,
        form,
        waiting,
        overdue,
    };
    render(status, &page)
}

pub async fn show_desks(
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
        DeskForm::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn save_desk(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    form: web::Form<DeskForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let (form, acting) = (form.into_inner(), officer.acting());
    let sent = form.clone();
    let saved = db::run_with(&state.pool, move |conn| {
        let entry = DeskEntry {
            id: sent.id,
            kind: &sent.kind,
            platform: &sent.platform,
            domain: &sent.domain,
            name: &sent.name,
            email: &sent.email,
            active: sent.active.is_some() || sent.id.is_none(),
        };
        save_entry(conn, acting, &entry)
    })
    .await;
    match saved {
        Ok(_) => {
            // Notices that waited for this desk go now.
            crate::workflow::platform_notices::send_now(
                &state.pool,
                &state.handoff,
                crate::workflow::platform_notices::JustDue::WaitingForDesk,
            )
            .await;
            state.wake_mailer();
            Ok(see_other("/officer/platform-desks"))
        }
        Err(WorkflowError::Invalid(key)) => {
            let problem = Some(ctx.m.t(key).to_string());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(ctx, officer, &state, problem, form, status).await
        }
        Err(e) => Err(e.into()),
    }
}
