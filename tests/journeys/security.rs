//! Promises that hold against someone trying to break them, beyond the other journeys: the
//! client address behind a proxy, and the headers every page carries.

use crate::helpers::*;
use reqwest::StatusCode;

async fn track_from(app: &TestApp, forwarded: &str) -> StatusCode {
    app.visitor()
        .client
        .post(app.url("/track"))
        .header("X-Forwarded-For", forwarded)
        .form(&[("case_number", "RW-2026-000001"), ("receipt_code", "WRONG")])
        .send()
        .await
        .expect("POST is answered")
        .status()
}

#[tokio::test]
async fn behind_a_proxy_the_client_cannot_choose_its_address_to_dodge_limits() {
    let app = spawn_app_with(|s| {
        s.rate_limit_track_per_hour = 2;
        s.trust_proxy_headers = 1;
    })
    .await;
    // The client writes any left-most entries it likes; the proxy appends the real address.
    for i in 0..2 {
        let status = track_from(&app, &format!("10.9.9.{i}, 203.0.113.9")).await;
        assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "attempt {i}");
    }
    assert_eq!(
        track_from(&app, "10.9.9.77, 203.0.113.9").await,
        StatusCode::TOO_MANY_REQUESTS,
        "a new left-most entry is not a new client"
    );
    // Another client behind the same proxy has its own budget.
    assert_ne!(
        track_from(&app, "10.9.9.77, 203.0.113.10").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn pages_allow_no_inline_style_or_script_and_no_device_features() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/reports/new",
        "/track",
        "/officer/login",
        "/no-such-page",
    ] {
        let reply = app.get(path).await;
        let csp = reply
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-eval"), "{path}: {csp}");
        let permissions = reply
            .headers
            .get("permissions-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        for feature in ["camera=()", "microphone=()", "geolocation=()"] {
            assert!(permissions.contains(feature), "{path}: {permissions}");
        }
        assert!(
            reply.headers.get("strict-transport-security").is_none(),
            "no HSTS over plain http"
        );
        // Nothing on the page would need an inline-style exception.
        assert!(
            !reply.body.contains(" style=\""),
            "{path} has a style attribute"
        );
        assert!(
            !reply.body.contains("<script>"),
            "{path} has an inline script"
        );
    }
}

#[tokio::test]
async fn an_https_portal_sends_hsts() {
    let app =
        spawn_app_with(|s| s.base_url = Some("https://reviewwatch.example.gov.cn".into())).await;
    let reply = app.get("/").await;
    let hsts = reply
        .headers
        .get("strict-transport-security")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(hsts.starts_with("max-age=31536000"), "{hsts}");
}
