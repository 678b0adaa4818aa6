//! The client's address, for rate limits and the abuse record of a report.

use actix_web::HttpRequest;
use std::net::IpAddr;

/// The address of whoever sent the request. Behind `trusted_hops` proxies that each append the
/// address they were reached from to `X-Forwarded-For`, that is the entry `trusted_hops` from the
/// right: everything left of it was written by the client and proves nothing. Without proxies
/// (0), or when the header has fewer entries than there are proxies, the peer address.
pub fn client_ip(req: &HttpRequest, trusted_hops: u8) -> IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if trusted_hops == 0 {
        return peer;
    }
    // Several headers count as one list, in order (RFC 9110 §5.3).
    let hops: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    hops.len()
        .checked_sub(usize::from(trusted_hops))
        .and_then(|i| hops.get(i))
        .and_then(|v| v.parse().ok())
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn request(headers: &[&str]) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr("10.0.0.5:40000".parse().expect("addr"));
        for h in headers {
            r = r.append_header(("X-Forwarded-For", *h));
        }
        r.to_http_request()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn the_client_cannot_choose_its_address_through_x_forwarded_for() {
        // The client sent "1.2.3.4"; the proxy appended the address it really came from.
        let r = request(&["1.2.3.4, 203.0.113.9"]);
        assert_eq!(client_ip(&r, 1), ip("203.0.113.9"));
        assert_eq!(client_ip(&r, 0), ip("10.0.0.5"), "no proxy: the peer");
    }

    #[test]
    fn with_two_proxies_the_second_entry_from_the_right_is_the_client() {
        let r = request(&["1.2.3.4, 203.0.113.9", "198.51.100.7"]);
        assert_eq!(client_ip(&r, 2), ip("203.0.113.9"));
        assert_eq!(client_ip(&r, 1), ip("198.51.100.7"));
    }

    #[test]
    fn a_short_or_garbled_header_falls_back_to_the_peer() {
        assert_eq!(client_ip(&request(&["203.0.113.9"]), 2), ip("10.0.0.5"));
        assert_eq!(
            client_ip(&request(&["1.2.3.4, not-an-ip"]), 1),
            ip("10.0.0.5")
        );
        assert_eq!(client_ip(&request(&[]), 1), ip("10.0.0.5"));
    }
}
