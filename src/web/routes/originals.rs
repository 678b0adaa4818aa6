//! The single-use link that gives a regulator one original evidence file: a page with a button
//! (mail scanners open links by themselves; only the button uses it), then the file, once.

use crate::error::AppError;
use crate::evidence::BlobKind;
use crate::web::context::PageContext;
use crate::web::{AppState, render, serve_blob};
use crate::workflow::originals::{LinkRefused, OriginalLink, look_up, use_link};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/original.html")]
pub struct OriginalPage {
    pub ctx: PageContext,
    pub link: OriginalLink,
    pub path: String,
}

fn refused(r: LinkRefused) -> AppError {
    match r {
        LinkRefused::Unknown => AppError::NotFound,
        LinkRefused::Expired => AppError::Gone("originals.link_expired"),
        LinkRefused::Used => AppError::Gone("originals.link_used"),
    }
}

/// `GET /originals/{token}`: what the link gives, and the button.
pub async fn show_original(
    ctx: PageContext,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let t = token.clone();
    let found = crate::db::run_with(&state.pool, move |conn| look_up(conn, &t))
        .await
        .map_err(AppError::from)?;
    let link = found.map_err(refused)?;
    render(
        StatusCode::OK,
        &OriginalPage {
            ctx,
            link,
            path: format!("/originals/{token}"),
        },
    )
}

/// `POST /originals/{token}`: the original as received, once.
pub async fn download_original(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let t = token.into_inner();
    let used = crate::db::run_with(&state.pool, move |conn| use_link(conn, &t))
        .await
        .map_err(AppError::from)?;
    let link = used.map_err(refused)?;
    let kind = link.file.kind;
    let name = format!(
        "{}-{:02}-{}-original.{}",
        link.case_number,
        link.file.position,
        link.file.sha256.get(..12).unwrap_or_default(),
        kind.extension()
    );
    let mut res = serve_blob(
        &state,
        BlobKind::Original,
        &link.file.sha256,
        kind.mime(),
        Some(name),
    )
    .await?;
    // Never kept by a cache: the link works once.
    res.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}
