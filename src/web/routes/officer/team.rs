//! The team page for supervisors: every officer with their role, status, last sign-in and open
//! cases; invitations, deactivation and reactivation, role changes, reset links; the account
//! trail.

use crate::domain::OfficerId;
use crate::domain::account::AccountStatus;
use crate::domain::officer::Role;
use crate::error::AppError;
use crate::web::context::PageContext;
use crate::web::filters;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, render, see_other};
use crate::workflow::WorkflowError;
use crate::workflow::team::{self, Invitation, Team};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use std::collections::HashMap;

/// One officer's line on the page.
pub struct MemberView {
    pub id: OfficerId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub status: AccountStatus,
    pub last_sign_in: Option<String>,
    pub open_cases: i64,
    pub second_factor: bool,
}

/// One account trail entry as supervisors read it.
pub struct TrailView {
    pub at: String,
    pub actor: Option<String>,
    pub subject: String,
    pub action: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "pages/officer/team.html")]
pub struct TeamPage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub members: Vec<MemberView>,
    pub trail: Vec<TrailView>,
    pub roles: &'static [Role],
    pub problem: Option<String>,
    pub form: InviteForm,
}

impl TeamPage {
    pub fn role_label(&self, role: &Role) -> String {
        self.ctx.m.t(&format!("team.role.{role}")).to_string()
    }

    pub fn status_label(&self, status: &AccountStatus) -> String {
        self.ctx.m.t(&format!("team.status.{status}")).to_string()
    }
}

fn views(ctx: &PageContext, team: Team) -> (Vec<MemberView>, Vec<TrailView>) {
    let names: HashMap<OfficerId, String> = team
        .members
        .iter()
        .map(|m| (m.officer.id, m.officer.name.clone()))
        .collect();
    let name = |id: OfficerId| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
    let trail = team
        .trail
        .iter()
        .map(|e| TrailView {
            at: filters::china_time(&e.at),
            actor: e.actor_id.map(name),
            subject: name(e.subject_id),
            action: ctx.m.t(&format!("team.action.{}", e.action)).to_string(),
            detail: crate::web::trail_words::account_sentence(
                ctx.m,
                e.action,
                &serde_json::from_str(&e.detail).unwrap_or_default(),
            ),
        })
        .collect();
    let members = team
        .members
        .into_iter()
        .map(|m| MemberView {
            id: m.officer.id,
            name: m.officer.name,
            email: m.officer.email,
            role: m.officer.role,
            status: m.status,
            last_sign_in: m.officer.last_sign_in_at.as_ref().map(filters::china_time),
            open_cases: m.open_cases,
            second_factor: m.second_factor,
        })
        .collect();
    (members, trail)
}

/// Refuses anyone but a supervisor, with the team page's own message.
fn supervisors_only(officer: &CurrentOfficer) -> Result<(), AppError> {
    if officer.is_supervisor() {
        Ok(())
    } else {
        Err(AppError::Forbidden("team.supervisors_only"))
    }
}

async fn page(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: &AppState,
    problem: Option<String>,
    form: InviteForm,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let team = team::team(&state.pool, officer.acting()).await?;
    let (members, trail) = views(&ctx, team);
    let page = TeamPage {
        ctx,
        officer,
        members,
        trail,
        roles: Role::ALL,
        problem,
        form,
    };
    render(status, &page)
}

pub async fn show_team(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    supervisors_only(&officer)?;
    page(
        ctx,
        officer,
        &state,
        None,
        InviteForm::default(),
        StatusCode::OK,
    )
    .await
}

/// Back to the team page after a change; the page again with the problem (422) when the
/// change was refused for a reason the supervisor can act on.
async fn after(
    done: Result<(), WorkflowError>,
    ctx: PageContext,
    officer: CurrentOfficer,
    state: &AppState,
    form: InviteForm,
) -> Result<HttpResponse, AppError> {
    match done {
        Ok(()) => {
            state.wake_mailer();
            Ok(see_other("/officer/team"))
        }
        Err(WorkflowError::Invalid(key)) => {
            let problem = Some(ctx.m.t(key).to_string());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(ctx, officer, state, problem, form, status).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
}

pub async fn invite_officer(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    supervisors_only(&officer)?;
    let form = form.into_inner();
    let invitation = Invitation {
        email: form.email.clone(),
        name: form.name.clone(),
        role: form.role.clone(),
    };
    let links = state.links.clone();
    let done = team::invite_officer(&state.pool, officer.acting(), invitation, links).await;
    after(done.map(drop), ctx, officer, &state, form).await
}

/// A per-officer form: deactivate, reactivate, change the role, send a reset link.
#[derive(Debug, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    officer_id: String,
    #[serde(default)]
    role: String,
}

#[derive(Debug, Deserialize)]
pub struct MemberAction {
    action: String,
}

pub async fn act_on_member(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<MemberAction>,
    form: web::Form<MemberForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    supervisors_only(&officer)?;
    let (acting, pool) = (officer.acting(), &state.pool);
    let Ok(id) = form.officer_id.trim().parse::<OfficerId>() else {
        let done = Err(WorkflowError::Invalid("team.unknown_officer"));
        return after(done, ctx, officer, &state, InviteForm::default()).await;
    };
    let done = match path.action.as_str() {
        "deactivate" => team::deactivate_officer(pool, acting, id).await.map(drop),
        "reactivate" => team::reactivate_officer(pool, acting, id).await,
        "role" => team::change_role(pool, acting, id, &form.role).await,
        "reset" => team::send_reset_link(pool, acting, id, state.links.clone()).await,
        _ => return Err(AppError::NotFound),
    };
    after(done, ctx, officer, &state, InviteForm::default()).await
}
