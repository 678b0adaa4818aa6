//! `GET /officer/desk`, the officer's own page (我的工作台): their day on one page, and what
//! changed on their cases since they last opened it.

use crate::db;
use crate::error::AppError;
use crate::web::context::PageContext;
use crate::web::desk_view::{self, Desk};
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, render};
use crate::workflow::desk;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/officer/my_desk.html")]
pub struct MyDeskPage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub desk: Desk,
}

pub async fn show_desk(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let me = officer.id;
    let loaded = db::run(&state.pool, move |conn| desk_view::load(conn, me)).await?;
    let read_at = loaded.now;
    db::run_with(&state.pool, move |conn| {
        desk::mark_desk_seen(conn, me, read_at)
    })
    .await?;
    let desk = desk_view::in_words(ctx.m, &loaded);
    render(StatusCode::OK, &MyDeskPage { ctx, officer, desk })
}
