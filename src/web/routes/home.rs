//! The landing page: what to report, how it works, report or track.

use crate::domain::Category;
use crate::error::AppError;
use crate::web::context::PageContext;
use crate::web::{AppState, render};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/home.html")]
pub struct HomePage {
    pub ctx: PageContext,
    pub categories: &'static [Category],
}

pub async fn show_home(ctx: PageContext) -> Result<HttpResponse, AppError> {
    render(
        StatusCode::OK,
        &HomePage {
            ctx,
            categories: Category::ALL,
        },
    )
}

/// For load balancers: answers 200 when the database answers.
pub async fn health(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    crate::db::run(&state.pool, |conn| Ok(crate::db::cases::ping(conn)?)).await?;
    Ok(HttpResponse::Ok().content_type("text/plain").body("ok"))
}

/// The public key handoff packages are signed with, as PEM (OpenSSL and `reviewwatch verify` read it).
pub async fn signing_key(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/x-pem-file")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(state.handoff.key.public_pem())
}
