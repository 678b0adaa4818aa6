//! Switching language: a cookie, then back to the page the reader was on.

use crate::domain::Lang;
use crate::web::context::LANG_COOKIE;
use crate::web::see_other;
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct SwitchQuery {
    next: Option<String>,
}

/// Only paths on this site. `//evil.example`, `/\evil.example` or `/\t/evil.example` (browsers
/// drop tabs and newlines, and read `\` as `/`) would make this an open redirect.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n
                    .chars()
                    .any(|c| c == '\\' || c.is_control() || c.is_whitespace()) =>
        {
            n
        }
        _ => "/",
    }
}

pub async fn switch_language(
    path: web::Path<String>,
    query: web::Query<SwitchQuery>,
) -> HttpResponse {
    let lang = Lang::parse(&path).unwrap_or_default();
    let mut res = see_other(safe_next(query.next.as_deref()));
    let cookie = Cookie::build(LANG_COOKIE, lang.as_str())
        .path("/")
        .max_age(Duration::days(365))
        .same_site(SameSite::Lax)
        .http_only(true)
        .finish();
    // Adding a cookie to a fresh response cannot fail.
    let _ = res.add_cookie(&cookie);
    res
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/track")), "/track");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example/")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example/")), "/");
        assert_eq!(safe_next(Some("/ /evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
