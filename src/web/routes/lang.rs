//! Switching language: a cookie, then back to the page the reader was on (for a page that answered
//! a form, the page that shows that form: a form's address takes no GET).

use crate::domain::Lang;
use crate::web::context::LANG_COOKIE;
use crate::web::{safe_next, see_other};
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct SwitchQuery {
    next: Option<String>,
}

pub async fn switch_language(
    path: web::Path<String>,
    query: web::Query<SwitchQuery>,
) -> HttpResponse {
    let lang = Lang::parse(&path).unwrap_or_default();
    let mut res = see_other(&form_page(safe_next(query.next.as_deref())));
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

/// The page that shows the form posted to `next`, when `next` is an address that only takes a
/// POST (a refused report, a reply that needs correcting); else `next` itself.
fn form_page(next: &str) -> String {
    let path = next.split(['?', '#']).next().unwrap_or(next);
    let segments: Vec<&str> = path.split('/').collect();
    match segments.as_slice() {
        ["", "reports"] => "/reports/new".to_string(),
        ["", "reports", "receipt", "saved"] => "/reports/receipt".to_string(),
        ["", "track", "leave"] => "/track".to_string(),
        ["", "track", "case", "withdraw" | "reply" | "erase-contact"] => "/track/case".to_string(),
        ["", "handoff", _, _, _, _, "originals" | "platform-notice"] => {
            segments[..segments.len() - 1].join("/")
        }
        _ => next.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::form_page;

    #[test]
    fn a_form_address_leads_back_to_the_page_of_its_form() {
        assert_eq!(form_page("/reports"), "/reports/new");
        assert_eq!(form_page("/track/case/reply?csrf=abc"), "/track/case");
        assert_eq!(form_page("/track/case/withdraw"), "/track/case");
        assert_eq!(form_page("/track/leave"), "/track");
        assert_eq!(
            form_page("/handoff/7/acknowledge/1700000000/c2ln/originals"),
            "/handoff/7/acknowledge/1700000000/c2ln"
        );
    }

    #[test]
    fn a_page_address_is_kept_with_its_query() {
        for next in [
            "/",
            "/reports/new",
            "/track",
            "/track/case",
            "/stats?year=2026",
            "/reports/receipt",
        ] {
            assert_eq!(form_page(next), next);
        }
    }
}
