//! The span of each request in the log: its method and route pattern (`/track/link/{token}`),
//! never the path itself, which for links from emails holds a secret token; and one access-log
//! line per request.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

pub struct RouteOnlySpan;

impl RootSpanBuilder for RouteOnlySpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        // An unmatched path is named as such: it may be a mistyped token.
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        let request_id = request
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        // Only what the log shows: no OpenTelemetry fields, which a plain log never prints but
        // each request would pay for.
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            request_id = %request_id,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        // The access log: one line per request, inside its span (method and route pattern); the
        // error of a refused or failed request on the same line.
        let _entered = span.enter();
        match outcome {
            Ok(response) => {
                let status = response.status().as_u16();
                match response.response().error() {
                    Some(error) => tracing::info!(status, %error, "request answered"),
                    None => tracing::info!(status, "request answered"),
                }
            }
            Err(error) => {
                let status = error.as_response_error().status_code().as_u16();
                tracing::info!(status, %error, "request answered");
            }
        }
    }
}
