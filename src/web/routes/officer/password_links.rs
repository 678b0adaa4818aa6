//! An officer's one-time links: the invitation where a new officer sets their first password,
//! the reset link, and asking for one ("forgot password" on the login page). After setting a
//! password the officer signs in on the login page, the one way every password is checked.

use crate::domain::account::{LinkProblem, LinkPurpose};
use crate::domain::login::{MAX_EMAIL_BYTES, normalise_email};
use crate::error::AppError;
use crate::web::account_forms::new_password;
use crate::web::client::client_ip;
use crate::web::context::PageContext;
use crate::web::{AppState, render};
use crate::workflow::password_links::{self, LinkError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/officer/set_password.html")]
pub struct SetPasswordPage {
    pub ctx: PageContext,
    pub purpose: LinkPurpose,
    /// Where the form goes (this page's own path).
    pub action: String,
    pub name: String,
    pub problem: Option<String>,
    pub done: bool,
}

impl SetPasswordPage {
    pub fn key(&self, part: &str) -> String {
        format!("team.link.{}.{part}", self.purpose)
    }
}

#[derive(Template)]
#[template(path = "pages/officer/link_closed.html")]
pub struct LinkClosedPage {
    pub ctx: PageContext,
    pub problem: &'static str,
}

impl LinkClosedPage {
    pub fn message_key(&self) -> String {
        format!("team.link.{}", self.problem)
    }
}

/// The page for a link that does not work: 404 for one never made, 410 for a used or expired one.
fn closed(ctx: PageContext, problem: LinkProblem) -> Result<HttpResponse, AppError> {
    let (status, problem) = match problem {
        LinkProblem::Unknown => (StatusCode::NOT_FOUND, "unknown"),
        LinkProblem::Used => (StatusCode::GONE, "used"),
        LinkProblem::Expired => (StatusCode::GONE, "expired"),
    };
    render(status, &LinkClosedPage { ctx, problem })
}

fn purpose_of(req: &HttpRequest) -> LinkPurpose {
    if req.path().starts_with("/officer/invite/") {
        LinkPurpose::Invite
    } else {
        LinkPurpose::Reset
    }
}

pub async fn show_link(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let purpose = purpose_of(&req);
    let action = req.path().to_string();
    form_page(ctx, &state, purpose, token.into_inner(), action, None).await
}

/// The set-password form of a link that still works, with a problem to fix when there is one;
/// the closed-link page when it does not.
async fn form_page(
    ctx: PageContext,
    state: &AppState,
    purpose: LinkPurpose,
    token: String,
    action: String,
    problem: Option<String>,
) -> Result<HttpResponse, AppError> {
    match password_links::open_link(&state.pool, purpose, token).await {
        Ok(name) => {
            let status = if problem.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            let done = false;
            let page = SetPasswordPage {
                ctx,
                purpose,
                action,
                name,
                problem,
                done,
            };
            render(status, &page)
        }
        Err(LinkError::Link(problem)) => closed(ctx, problem),
        Err(LinkError::Failed(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct SetPasswordForm {
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat: String,
}

pub async fn set_password(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<SetPasswordForm>,
) -> Result<HttpResponse, AppError> {
    let (purpose, token) = (purpose_of(&req), token.into_inner());
    let action = req.path().to_string();
    let password = match new_password(ctx.m, &form.new_password, &form.repeat) {
        Ok(p) => p,
        // The link must still work for the problem to be worth showing.
        Err(problem) => {
            return form_page(ctx, &state, purpose, token, action, Some(problem)).await;
        }
    };
    match password_links::set_password(&state.pool, purpose, token, password).await {
        Ok(_) => {
            let (name, problem, done) = (String::new(), None, true);
            let page = SetPasswordPage {
                ctx,
                purpose,
                action,
                name,
                problem,
                done,
            };
            render(StatusCode::OK, &page)
        }
        Err(LinkError::Link(problem)) => closed(ctx, problem),
        Err(LinkError::Failed(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "pages/officer/forgot.html")]
pub struct ForgotPage {
    pub ctx: PageContext,
    pub problem: Option<String>,
    pub sent: bool,
}

pub async fn show_forgot(ctx: PageContext) -> Result<HttpResponse, AppError> {
    render(
        StatusCode::OK,
        &ForgotPage {
            ctx,
            problem: None,
            sent: false,
        },
    )
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// The same answer whether or not the address has an account; limited per client address.
pub async fn request_reset(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    state
        .limits
        .password_resets
        .check(client_ip(&req, state.settings.trust_proxy_headers))
        .await?;
    let typed = form.email.trim();
    if typed.is_empty()
        || typed.len() > MAX_EMAIL_BYTES
        || typed.parse::<lettre::Address>().is_err()
    {
        let problem = Some(ctx.m.t("team.bad_email").to_string());
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ForgotPage {
                ctx,
                problem,
                sent: false,
            },
        );
    }
    let email = normalise_email(typed);
    password_links::request_reset(&state.pool, email, state.links.clone()).await?;
    state.wake_mailer();
    render(
        StatusCode::OK,
        &ForgotPage {
            ctx,
            problem: None,
            sent: true,
        },
    )
}
