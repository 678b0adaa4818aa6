//! Every error response becomes one page in the reader's language, with the right status.
//! Pages that rendered their own body (a form shown again with its problems) pass untouched.

use super::context::PageContext;
use crate::error::AppError;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, http::StatusCode};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/error.html")]
pub struct ErrorPage {
    pub ctx: PageContext,
    pub status: u16,
    pub title_key: &'static str,
    pub message_key: &'static str,
}

fn key_for_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        404 => "error.not_found",
        405 => "error.method_not_allowed",
        408 => "request_limits.stalled",
        413 => "error.payload_too_large",
        429 => "error.too_many_requests",
        400..=499 => "error.bad_request",
        _ => "error.internal",
    }
}

pub fn render_error_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_html = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let message_key = res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
        .map(AppError::message_key)
        .unwrap_or_else(|| key_for_status(status));
    let retry_after = res.headers().get("Retry-After").cloned();
    let (req, _) = res.into_parts();
    let page = ErrorPage {
        ctx: PageContext::of(&req),
        status: status.as_u16(),
        title_key: if status.is_server_error() {
            "error.title_server"
        } else {
            "error.title_client"
        },
        message_key,
    };
    let body = page.render().unwrap_or_else(|_| {
        format!(
            "{} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        )
    });
    let mut response = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(body);
    if let Some(v) = retry_after {
        response
            .headers_mut()
            .insert(actix_web::http::header::RETRY_AFTER, v);
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}
