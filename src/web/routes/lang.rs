//! Switching language: a cookie, then back to the page the reader was on.

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
