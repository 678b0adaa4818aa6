//! The span of each request in the log: its method and route pattern (`/track/link/{token}`),
//! never the path itself, which for links from emails holds a secret token; and one access-log
//! line per request.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};

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
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
            request_id = %request_id,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let status = match outcome {
            Ok(response) => response.status().as_u16(),
            Err(e) => e.as_response_error().status_code().as_u16(),
        };
        DefaultRootSpanBuilder::on_request_end(span.clone(), outcome);
        // The access log: one line per request, inside its span (method and route pattern).
        let _entered = span.enter();
        tracing::info!(status, "request answered");
    }
}
