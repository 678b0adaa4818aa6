//! The confirmation link: a page with one button (mail scanners open links by themselves, so a
//! GET never confirms), and the POST that does.

use crate::error::AppError;
use crate::web::context::PageContext;
use crate::web::{AppState, render};
use crate::workflow::confirm::{self, LinkState};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/confirm.html")]
pub struct ConfirmPage {
    pub ctx: PageContext,
    pub state: LinkState,
    pub token: String,
}

fn status_for(state: &LinkState) -> StatusCode {
    match state {
        LinkState::Ready { .. } | LinkState::Confirmed { .. } | LinkState::AlreadyUsed { .. } => {
            StatusCode::OK
        }
        LinkState::Expired => StatusCode::GONE,
        LinkState::Unknown => StatusCode::NOT_FOUND,
    }
}

/// Tokens are 43 URL-safe characters; anything else is not worth a query.
fn plausible(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub async fn show_confirmation(
    ctx: PageContext,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let link = if plausible(&token) {
        let t = token.clone();
        crate::db::run_with(&state.pool, move |conn| confirm::inspect(conn, &t)).await?
    } else {
        LinkState::Unknown
    };
    render(
        status_for(&link),
        &ConfirmPage {
            ctx,
            state: link,
            token,
        },
    )
}

pub async fn confirm_report(
    ctx: PageContext,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let link = if plausible(&token) {
        let (t, links) = (token.clone(), state.links.clone());
        crate::db::run_with(&state.pool, move |conn| confirm::confirm(conn, &t, &links)).await?
    } else {
        LinkState::Unknown
    };
    state.wake_mailer();
    render(
        status_for(&link),
        &ConfirmPage {
            ctx,
            state: link,
            token,
        },
    )
}
