//! The portal's routes, one file per area.

pub mod confirm;
pub mod erase;
pub mod home;
pub mod info;
pub mod lang;
pub mod officer;
pub mod originals;
pub mod platform_notice;
pub mod record;
pub mod regulator;
pub mod regulator_campaign;
pub mod report;
pub mod stats;
pub mod track;

use super::assets;
use super::held_uploads;
use actix_web::web;

/// The largest sign-in or password form accepted: three passwords of the longest allowed, each
/// character percent-encoded, and the rest.
const LOGIN_FORM_LIMIT: usize = 16 * 1024;

/// Every route, in the order they are matched (a fixed path before a pattern that also fits it).
pub fn configure(cfg: &mut web::ServiceConfig) {
    public(cfg);
    // The screenshots a refused report holds, for their pictures on the form shown again.
    cfg.route(
        "/reports/held/{id}",
        web::get().to(held_uploads::show_held_file),
    );
    // Before the case handoff's `/handoff/{id}/…/originals`, which has as many segments.
    campaigns(cfg);
    officers(cfg);
    desk(cfg);
    handoffs_and_cases(cfg);
    chains(cfg);
    dashboard(cfg);
    platform_desks(cfg);
    accounts(cfg);
    team(cfg);
    record::configure(cfg);
    officer::record::configure(cfg);
}

/// The public pages: home, reporting, tracking, confirming.
fn public(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::show_home))
        .route("/healthz", web::get().to(home::health))
        .route(
            "/.well-known/reviewwatch-signing-key",
            web::get().to(home::signing_key),
        )
        .route("/privacy", web::get().to(info::show_privacy))
        .route("/help", web::get().to(info::show_help))
        .route("/lang/{lang}", web::get().to(lang::switch_language))
        .route("/static/{name}", web::get().to(assets::serve_asset))
        .route("/reports/new", web::get().to(report::show_report_form))
        .route("/reports", web::post().to(report::submit_report))
        .route("/reports/receipt", web::get().to(report::show_receipt))
        .route(
            "/reports/receipt/card.png",
            web::get().to(report::download_receipt_card),
        )
        .route(
            "/reports/receipt/saved",
            web::post().to(report::confirm_code_saved),
        )
        .route("/track", web::get().to(track::show_track_form))
        .route("/track", web::post().to(track::open_tracked_case))
        .route("/track/case", web::get().to(track::show_tracked_case))
        .route("/track/case/withdraw", web::post().to(track::withdraw_case))
        .route(
            "/track/case/evidence/{id}/{variant}",
            web::get().to(track::serve_evidence),
        )
        .route("/track/leave", web::post().to(track::leave_case))
        .route("/track/case/reply", web::post().to(track::reply_to_case))
        .route(
            "/track/link/{token}",
            web::get().to(track::open_access_link),
        )
        .route(
            "/confirm/{token}",
            web::get().to(confirm::show_confirmation),
        )
        .route("/confirm/{token}", web::post().to(confirm::confirm_report))
        .route("/stats", web::get().to(stats::show_stats))
        .route(
            "/platform/{id}/{expires}/{sig}",
            web::get().to(platform_notice::show_notice),
        )
        .route(
            "/platform/{id}/{expires}/{sig}",
            web::post().to(platform_notice::answer_notice),
        )
        .route(
            "/platform/{id}/{expires}/{sig}/screenshots/{evidence}/{variant}",
            web::get().to(platform_notice::screenshot),
        )
        .route("/stats/data.csv", web::get().to(stats::stats_csv))
        .route("/stats/data.json", web::get().to(stats::stats_json));
}

/// The officers' queue and directory, originals, erasing contacts, the calendar.
fn officers(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/officer",
        web::get().to(|| async { super::see_other("/officer/desk") }),
    )
    .route("/officer/cases", web::get().to(officer::queue::show_queue))
    .route(
        "/officer/regulators",
        web::get().to(officer::regulators::show_directory),
    )
    .route(
        "/officer/regulators",
        web::post().to(officer::regulators::save_regulator),
    )
    .route(
        "/officer/cases/{number}/originals/{id}/{decision}",
        web::post().to(officer::originals::decide_original),
    )
    .route(
        "/handoff/{id}/{action}/{expires}/{sig}/originals",
        web::post().to(regulator::request_originals),
    )
    .route(
        "/handoff/{id}/{action}/{expires}/{sig}/platform-notice",
        web::post().to(regulator::platform_notice_step),
    )
    .route(
        "/originals/{token}",
        web::get().to(originals::show_original),
    )
    .route(
        "/originals/{token}",
        web::post().to(originals::download_original),
    )
    .route(
        "/track/case/erase-contact",
        web::post().to(erase::erase_my_contact),
    )
    .route(
        "/officer/cases/{number}/erase-contact",
        web::post().to(erase::erase_contact_on_request),
    )
    .route(
        "/officer/calendar",
        web::get().to(officer::calendar::show_calendar),
    )
    .route(
        "/officer/calendar",
        web::post().to(officer::calendar::import_calendar),
    );
}

/// Domiciles, handoffs (the officers' side and the regulator's links), redaction, and the case
/// page with its actions and evidence.
fn handoffs_and_cases(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/officer/regulators/domiciles",
        web::post().to(officer::regulators::save_domicile),
    )
    .route(
        "/officer/cases/{number}/actions/hand_off",
        web::post().to(officer::handoff::hand_off_case),
    )
    .route(
        "/officer/cases/{number}/platform-notice/withdraw",
        web::post().to(officer::handoff::withdraw_platform_notice),
    )
    .route(
        "/officer/cases/{number}/handoffs/{id}/resend",
        web::post().to(officer::handoff::resend_handoff),
    )
    .route(
        "/officer/cases/{number}/handoffs/{id}/outcome",
        web::post().to(officer::handoff::record_outcome),
    )
    .route(
        "/officer/cases/{number}/handoffs/{id}/package",
        web::get().to(officer::handoff::download_package),
    )
    .route(
        "/handoff/{id}/{action}/{expires}/{sig}",
        web::get().to(regulator::show),
    )
    .route(
        "/handoff/{id}/{action}/{expires}/{sig}",
        web::post().to(regulator::answer),
    )
    .route(
        "/officer/cases/{number}/evidence/{id}/redact",
        web::get().to(officer::redact::show_redaction),
    )
    .route(
        "/officer/cases/{number}/evidence/{id}/redact",
        web::post().to(officer::redact::redact_evidence),
    )
    .route(
        "/officer/cases/{number}/evidence/{id}/redacted/{variant}",
        web::get().to(officer::redact::serve_redacted),
    )
    .route(
        "/officer/cases/{number}",
        web::get().to(officer::case::show_case),
    )
    .route(
        "/officer/cases/{number}/actions/{action}",
        web::post().to(officer::case::act_on_case),
    )
    .route(
        "/officer/cases/{number}/evidence/{id}/{variant}",
        web::get().to(officer::case::serve_evidence),
    );
}

/// Chains behind fake reviews: merchants, and officers' verdicts on suggested links.
fn chains(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/officer/cases/{number}/links",
        web::post().to(officer::links::decide_link),
    )
    .route(
        "/officer/merchants",
        web::get().to(officer::merchants::show_merchant),
    );
}

/// Campaigns: linking cases into one, the campaign page, its handoff and the regulator's links.
fn campaigns(cfg: &mut web::ServiceConfig) {
    use officer::campaigns as c;
    cfg.route(
        "/officer/cases/{number}/campaign",
        web::post().to(c::link_campaign),
    )
    .route("/officer/campaigns", web::get().to(c::list_campaigns))
    .route("/officer/campaigns/{id}", web::get().to(c::show_campaign))
    .route("/officer/campaigns/{id}/add", web::post().to(c::add_case))
    .route(
        "/officer/campaigns/{id}/remove",
        web::post().to(c::remove_case),
    )
    .route(
        "/officer/campaigns/{id}/substantiate",
        web::post().to(c::substantiate_members),
    )
    .route(
        "/officer/campaigns/{id}/handoff",
        web::post().to(c::hand_off_campaign),
    )
    .route(
        "/officer/campaigns/{id}/handoffs/{handoff}/package",
        web::get().to(c::download_campaign_package),
    )
    .route(
        "/handoff/campaign/{id}/{action}/{expires}/{sig}",
        web::get().to(regulator_campaign::show),
    )
    .route(
        "/handoff/campaign/{id}/{action}/{expires}/{sig}",
        web::post().to(regulator_campaign::acknowledge),
    );
}

/// The platform desk directory (supervisors).
fn platform_desks(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/officer/platform-desks")
            .route(web::get().to(officer::platform_desks::show_desks))
            .route(web::post().to(officer::platform_desks::save_desk)),
    );
}

/// The officers' dashboard.
fn dashboard(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/officer/dashboard",
        web::get().to(officer::dashboard::show_dashboard),
    );
}

/// Signing in and out, and the password page.
fn accounts(cfg: &mut web::ServiceConfig) {
    // A sign-in or password form is a few hundred bytes: a larger body is refused (413)
    // before it is read any further.
    cfg.service(
        web::resource("/officer/login")
            .app_data(web::FormConfig::default().limit(LOGIN_FORM_LIMIT))
            .route(web::get().to(officer::account::show_login))
            .route(web::post().to(officer::account::log_in)),
    )
    .route("/officer/logout", web::post().to(officer::account::log_out))
    .service(
        web::resource("/officer/password")
            .app_data(web::FormConfig::default().limit(LOGIN_FORM_LIMIT))
            .route(web::get().to(officer::account::show_password))
            .route(web::post().to(officer::account::change_password)),
    )
    .service(
        web::resource("/officer/login/second-factor")
            .app_data(web::FormConfig::default().limit(LOGIN_FORM_LIMIT))
            .route(web::get().to(officer::account::show_second_step))
            .route(web::post().to(officer::account::submit_second_step)),
    );
    second_factor(cfg);
}

/// An officer's second factor, and the supervisors' requirement of it.
fn second_factor(cfg: &mut web::ServiceConfig) {
    use officer::second_factor as sf;
    let form = || web::FormConfig::default().limit(LOGIN_FORM_LIMIT);
    cfg.route(
        "/officer/account/second-factor",
        web::get().to(sf::show_second_factor),
    )
    .service(
        web::resource("/officer/account/second-factor/start")
            .app_data(form())
            .route(web::post().to(sf::start_second_factor)),
    )
    .service(
        web::resource("/officer/account/second-factor/enable")
            .app_data(form())
            .route(web::post().to(sf::enable_second_factor)),
    )
    .service(
        web::resource("/officer/account/second-factor/disable")
            .app_data(form())
            .route(web::post().to(sf::disable_second_factor)),
    )
    .service(
        web::resource("/officer/account/second-factor/recovery-codes")
            .app_data(form())
            .route(web::post().to(sf::regenerate_recovery_codes)),
    )
    .service(
        web::resource("/officer/account/second-factor/requirement")
            .app_data(form())
            .route(web::post().to(sf::set_requirement)),
    );
}

/// The team page (supervisors), and the officers' one-time links: invitation, password reset.
fn team(cfg: &mut web::ServiceConfig) {
    cfg.route("/officer/team", web::get().to(officer::team::show_team))
        .route(
            "/officer/team/invite",
            web::post().to(officer::team::invite_officer),
        )
        .route(
            "/officer/team/{action}",
            web::post().to(officer::team::act_on_member),
        );
    for path in ["/officer/invite/{token}", "/officer/password/reset/{token}"] {
        cfg.service(
            web::resource(path)
                .app_data(web::FormConfig::default().limit(LOGIN_FORM_LIMIT))
                .route(web::get().to(officer::password_links::show_link))
                .route(web::post().to(officer::password_links::set_password)),
        );
    }
    cfg.service(
        web::resource("/officer/password/forgot")
            .app_data(web::FormConfig::default().limit(LOGIN_FORM_LIMIT))
            .route(web::get().to(officer::password_links::show_forgot))
            .route(web::post().to(officer::password_links::request_reset)),
    );
}

/// The officer's desk (issue 17): many cases at once, exports, saved views, shortcuts.
fn desk(cfg: &mut web::ServiceConfig) {
    cfg.route("/officer/desk", web::get().to(officer::my_desk::show_desk))
        .route(
            "/officer/queue/bulk",
            web::post().to(officer::bulk::act_on_cases),
        )
        .route(
            "/officer/queue/export.{format}",
            web::get().to(officer::queue::export_queue),
        )
        .route(
            "/officer/queue/filters",
            web::post().to(officer::queue::save_filter),
        )
        .route(
            "/officer/queue/filters/{id}/delete",
            web::post().to(officer::desk::delete_filter),
        )
        .route(
            "/officer/account/shortcuts",
            web::post().to(officer::desk::set_shortcuts),
        );
}
