//! The regulator's pages for a campaign handoff, reached only through the signed links in its
//! email: download the one package, acknowledge receipt of every case in it, and open each
//! case's own outcome page (its own signed link) to record what was decided for it.

use crate::db::{self, campaigns, handoffs, regulators};
use crate::domain::CampaignHandoffId;
use crate::error::AppError;
use crate::handoff::links::{self, LinkAction, LinkError};
use crate::web::context::PageContext;
use crate::web::{AppState, render, serve_campaign_package};
use crate::workflow::campaign_handoff;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

type LinkPath = web::Path<(CampaignHandoffId, String, i64, String)>;

/// One case of the campaign, with the link to its own outcome page.
pub struct MemberCase {
    pub number: String,
    pub shop_name: String,
    pub acknowledged: bool,
    pub outcome: Option<crate::domain::outcome::Outcome>,
    pub outcome_url: String,
}

#[derive(Template)]
#[template(path = "pages/regulator_campaign.html")]
pub struct RegulatorCampaignPage {
    pub ctx: PageContext,
    pub campaign_name: String,
    pub regulator_name: String,
    pub handoff: campaigns::CampaignHandoffRow,
    pub cases: Vec<MemberCase>,
    pub path: String,
    pub done: Option<bool>,
}

/// Checks the link; a forged or expired one is refused with its own page and status.
fn check(state: &AppState, path: &LinkPath, want: LinkAction) -> Result<(), AppError> {
    if LinkAction::parse(&path.1) != Some(want) {
        return Err(AppError::NotFound);
    }
    let now = chrono::Utc::now().timestamp();
    match links::campaign_check(
        &state.keys.handoff_links,
        path.0,
        want,
        path.2,
        &path.3,
        now,
    ) {
        Ok(()) => Ok(()),
        Err(LinkError::Forged) => Err(AppError::Forbidden("handoff.link_forged")),
        Err(LinkError::Expired) => Err(AppError::Gone("handoff.link_expired")),
    }
}

async fn page(
    ctx: PageContext,
    state: &AppState,
    path: &LinkPath,
    done: Option<bool>,
) -> Result<HttpResponse, AppError> {
    let (id, key) = (path.0, state.keys.handoff_links.clone());
    let (handoff, campaign_name, regulator_name, cases) = db::run(&state.pool, move |conn| {
        let h = campaigns::get_handoff(conn, id)?;
        let campaign = campaigns::get(conn, h.campaign_id)?;
        let regulator = regulators::get(conn, h.regulator_id)?;
        let cases = member_cases(conn, &h, &key)?;
        Ok((h, campaign.name, regulator.name, cases))
    })
    .await?;
    let link = format!(
        "/handoff/campaign/{}/{}/{}/{}",
        path.0, path.1, path.2, path.3
    );
    let page = RegulatorCampaignPage {
        ctx,
        campaign_name,
        regulator_name,
        handoff,
        cases,
        path: link,
        done,
    };
    render(StatusCode::OK, &page)
}

/// The cases of the handoff, each with a fresh signed link to its own outcome page.
fn member_cases(
    conn: &mut db::DbConnection,
    h: &campaigns::CampaignHandoffRow,
    key: &[u8],
) -> Result<Vec<MemberCase>, db::DbError> {
    let expires = (db::now() + LinkAction::Outcome.lifetime())
        .and_utc()
        .timestamp();
    let mut out = Vec::new();
    for (row, number) in handoffs::of_campaign_handoff(conn, h.id)? {
        let case = crate::db::cases::get(conn, row.case_id)?;
        out.push(MemberCase {
            number,
            shop_name: case.shop_name,
            acknowledged: row.acknowledged_at.is_some(),
            outcome: row.outcome,
            outcome_url: links::path(key, row.id, LinkAction::Outcome, expires),
        });
    }
    Ok(out)
}

pub async fn show(
    ctx: PageContext,
    state: web::Data<AppState>,
    path: LinkPath,
) -> Result<HttpResponse, AppError> {
    match LinkAction::parse(&path.1) {
        Some(LinkAction::Package) => {
            check(&state, &path, LinkAction::Package)?;
            let id = path.0;
            let h = db::run(&state.pool, move |conn| {
                Ok(campaigns::get_handoff(conn, id)?)
            })
            .await?;
            serve_campaign_package(&state, &h, None).await
        }
        Some(LinkAction::Acknowledge) => {
            check(&state, &path, LinkAction::Acknowledge)?;
            page(ctx, &state, &path, None).await
        }
        _ => Err(AppError::NotFound),
    }
}

pub async fn acknowledge(
    ctx: PageContext,
    state: web::Data<AppState>,
    path: LinkPath,
) -> Result<HttpResponse, AppError> {
    check(&state, &path, LinkAction::Acknowledge)?;
    let (id, links) = (path.0, state.links.clone());
    let done = db::run_with(&state.pool, move |conn| {
        campaign_handoff::acknowledge(conn, id, &links)
    })
    .await
    .map_err(AppError::from)?;
    crate::workflow::platform_notices::send_now(
        &state.pool,
        &state.handoff,
        crate::workflow::platform_notices::JustDue::CampaignHandoff(id),
    )
    .await;
    state.wake_mailer();
    page(ctx, &state, &path, Some(done)).await
}
