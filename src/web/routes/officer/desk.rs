//! The officer's own desk settings from the queue and case pages: deleting a saved view of the
//! queue (saving one is the queue's own route), and the keyboard shortcuts turned on or off.

use crate::db;
use crate::error::AppError;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, see_other};
use crate::workflow::desk;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

pub async fn delete_filter(
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let (me, id) = (officer.id, id.into_inner());
    db::run_with(&state.pool, move |conn| desk::delete_filter(conn, me, id)).await?;
    Ok(see_other("/officer/cases"))
}

#[derive(Deserialize)]
pub struct ShortcutsForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    next: String,
}

/// Where to go back to: an officer page of this portal, never another site.
fn back_to(next: &str) -> &str {
    let local = next.starts_with("/officer/")
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.contains("://")
        && !next.chars().any(char::is_control);
    if local { next } else { "/officer/cases" }
}

pub async fn set_shortcuts(
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    form: web::Form<ShortcutsForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let (me, on) = (officer.id, form.on == "1");
    db::run_with(&state.pool, move |conn| desk::set_shortcuts(conn, me, on)).await?;
    Ok(see_other(back_to(&form.next)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_officer_pages_are_gone_back_to() {
        assert_eq!(back_to("/officer/cases?q=x"), "/officer/cases?q=x");
        assert_eq!(
            back_to("/officer/cases/RW-2026-000001"),
            "/officer/cases/RW-2026-000001"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/officer/\\evil",
            "/track",
            "",
        ] {
            assert_eq!(back_to(bad), "/officer/cases", "{bad}");
        }
    }
}
