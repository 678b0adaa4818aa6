//! The access log: one line per request, with its method, its route pattern
//! (`/track/link/{token}`, never the path itself, which for links from emails holds a secret
//! token), a request number, its status, the error of a refused or failed request, and how long
//! it took to answer (to the response's head: a streamed download goes on after it).
//!
//! One event, no span around the request: measured with wrk on the landing page, a span per
//! request (made, entered at every poll, closed) cost 8 % of the page's throughput, the line
//! itself little. What a handler logs carries its own span (`case` with the case number). The
//! number counts the process's requests: a random id (as tracing-actix-web made, a `getrandom`
//! system call per request) cost more than the rest of the line.

use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use actix_web::Error;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::Method;
use futures_util::future::LocalBoxFuture;

/// The middleware: `App::wrap(AccessLog)`, outermost, so that the line has the status the
/// client got (error pages included).
pub struct AccessLog;

impl<S, B> Transform<S, ServiceRequest> for AccessLog
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = AccessLogService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(AccessLogService {
            service: Rc::new(service),
        }))
    }
}

pub struct AccessLogService<S> {
    service: Rc<S>,
}

/// The requests this process has taken, numbering each request's line.
static REQUESTS: AtomicU64 = AtomicU64::new(0);

impl<S, B> Service<ServiceRequest> for AccessLogService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<ServiceResponse<B>, Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        if !tracing::enabled!(tracing::Level::INFO) {
            return Box::pin(async move { service.call(request).await });
        }
        let started = Instant::now();
        let method = request.method().clone();
        // An unmatched path is named as such: it may be a mistyped token.
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        let number = REQUESTS.fetch_add(1, Ordering::Relaxed) + 1;
        let inner = service.call(request);
        Box::pin(async move {
            let outcome = inner.await;
            log_outcome(&method, &route, number, &outcome, started);
            outcome
        })
    }
}

fn log_outcome<B>(
    method: &Method,
    route: &str,
    n: u64,
    outcome: &Result<ServiceResponse<B>, Error>,
    started: Instant,
) {
    // Milliseconds to a tenth.
    let ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    let (status, error) = match outcome {
        Ok(response) => (response.status().as_u16(), response.response().error()),
        Err(error) => (
            error.as_response_error().status_code().as_u16(),
            Some(error),
        ),
    };
    match error {
        Some(error) => tracing::info!(%method, %route, n, status, ms, %error, "answered"),
        None => tracing::info!(%method, %route, n, status, ms, "answered"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{App, HttpResponse, test, web};
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    /// A log writer into memory.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().expect("the log")).into_owned()
        }
    }

    #[actix_web::test]
    async fn one_line_per_request_with_the_route_never_the_token() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_target(false)
            .finish();
        let _default = tracing::subscriber::set_default(subscriber);

        let app = test::init_service(
            App::new()
                .wrap(AccessLog)
                .route(
                    "/track/link/{token}",
                    web::get().to(|| async {
                        tracing::info!("inside the handler");
                        HttpResponse::Ok().body("case page")
                    }),
                )
                .route(
                    "/refused",
                    web::get().to(|| async {
                        Err::<HttpResponse, _>(actix_web::error::ErrorBadRequest("该文件不是图片"))
                    }),
                ),
        )
        .await;

        let secret = "Zq8v-SECRET-TOKEN";
        let page = test::call_service(
            &app,
            test::TestRequest::get()
                .uri(&format!("/track/link/{secret}"))
                .to_request(),
        )
        .await;
        assert_eq!(page.status(), 200);
        let refused =
            test::call_service(&app, test::TestRequest::get().uri("/refused").to_request()).await;
        assert_eq!(refused.status(), 400);
        let missing =
            test::call_service(&app, test::TestRequest::get().uri("/nowhere").to_request()).await;
        assert_eq!(missing.status(), 404);

        let log = captured.text();
        assert!(!log.contains(secret), "the token is never logged:\n{log}");
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(
            lines.len(),
            4,
            "the handler's line and three access lines:\n{log}"
        );
        assert!(lines[0].contains("inside the handler"), "{}", lines[0]);
        assert!(
            lines[1].contains("method=GET route=/track/link/{token}")
                && lines[1].contains("status=200")
                && lines[1].contains("ms="),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].contains("route=/refused")
                && lines[2].contains("status=400")
                && lines[2].contains("该文件不是图片"),
            "{}",
            lines[2]
        );
        assert!(
            lines[3].contains("route=unmatched") && lines[3].contains("status=404"),
            "{}",
            lines[3]
        );
        // Each request its own number.
        let number = |line: &str| {
            line.split(" n=")
                .nth(1)
                .and_then(|rest| rest.split(['}', ' ', ':']).next())
                .and_then(|n| n.parse::<u64>().ok())
        };
        let numbers: Vec<Option<u64>> = lines[1..].iter().map(|l| number(l)).collect();
        assert!(numbers.iter().all(Option::is_some), "{numbers:?}");
        assert!(
            numbers.windows(2).all(|w| w[0] < w[1]),
            "numbers grow: {numbers:?}"
        );
    }
}
