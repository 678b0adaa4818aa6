//! The client's address, for rate limits and the abuse record of a report.

use actix_web::HttpRequest;
use std::net::IpAddr;

/// The peer address, or the first `X-Forwarded-For` hop when the operator said a proxy sets it.
pub fn client_ip(req: &HttpRequest, trust_proxy_headers: bool) -> IpAddr {
    if trust_proxy_headers
        && let Some(ip) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return ip;
    }
    req.peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}
