//! Audit entries, account entries and their stored details as sentences in the officer's
//! language: officer names, statuses, reasons and dates put into words, never the stored JSON
//! (which the hash chain covers and which stays in the database and the handoff package).

use crate::domain::account::AccountAction;
use crate::domain::audit::AuditAction;
use crate::domain::links::LinkReason;
use crate::domain::officer::Role;
use crate::domain::outcome::Outcome;
use crate::domain::platform_notice::PlatformResponse;
use crate::domain::{CaseStatus, Category, DismissReason, OfficerId, Platform};
use crate::i18n::Messages;
use serde_json::Value;
use std::collections::HashMap;

/// Officers by id, for the names an entry's detail refers to.
pub type OfficerNames = HashMap<OfficerId, String>;

/// The message `key` with each `{name}` replaced by its value.
fn fill(m: &Messages, key: &str, args: &[(&str, String)]) -> String {
    let mut text = m.t(key).to_string();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

fn text<'a>(detail: &'a Value, field: &str) -> &'a str {
    detail
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn number(detail: &Value, field: &str) -> i64 {
    detail
        .get(field)
        .and_then(Value::as_i64)
        .unwrap_or_default()
}

fn flag(detail: &Value, field: &str) -> bool {
    detail.get(field).and_then(Value::as_bool).unwrap_or(false)
}

fn status_label(m: &Messages, keyword: &str) -> String {
    CaseStatus::parse(keyword)
        .map(|s| m.status(s).to_string())
        .unwrap_or_else(|| m.t("trail.part.unknown").to_string())
}

fn officer_name(m: &Messages, detail: &Value, names: &OfficerNames) -> String {
    detail
        .get("officer_id")
        .and_then(Value::as_i64)
        .and_then(|id| names.get(&OfficerId(id)).cloned())
        .unwrap_or_else(|| m.t("trail.part.an_officer").to_string())
}

/// "1 screenshot", "3 screenshots", "no screenshots".
fn screenshots(m: &Messages, count: i64) -> String {
    match count {
        0 => m.t("trail.part.screenshots_none").to_string(),
        1 => m.t("trail.part.screenshots_one").to_string(),
        n => m.t1("trail.part.screenshots_many", n),
    }
}

fn link_reasons(m: &Messages, detail: &Value) -> String {
    let reasons: Vec<&str> = match detail.get("reasons") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .filter_map(LinkReason::parse)
            .map(|r| m.link_reason(r))
            .collect(),
        _ => Vec::new(),
    };
    reasons.join(m.t("trail.part.list_separator"))
}

/// The audit entry `action` with its `detail`, as one or more sentences.
pub fn audit_sentence(
    m: &Messages,
    action: AuditAction,
    detail: &Value,
    names: &OfficerNames,
) -> String {
    use AuditAction as A;
    let key = format!("trail.say.{}", action.as_str());
    let handoff = || ("handoff", number(detail, "handoff").to_string());
    let position = || ("position", number(detail, "position").to_string());
    let mut out = match action {
        A::Filed => fill(
            m,
            &key,
            &[
                (
                    "platform",
                    Platform::parse(text(detail, "platform"))
                        .map(|p| m.platform(p).to_string())
                        .unwrap_or_default(),
                ),
                (
                    "category",
                    Category::parse(text(detail, "category"))
                        .map(|c| m.category(c).to_string())
                        .unwrap_or_default(),
                ),
                (
                    "screenshots",
                    screenshots(m, number(detail, "evidence_files")),
                ),
            ],
        ),
        A::Assign | A::Unassigned => fill(m, &key, &[("officer", officer_name(m, detail, names))]),
        A::Reply => fill(
            m,
            &key,
            &[(
                "screenshots",
                screenshots(m, number(detail, "evidence_files")),
            )],
        ),
        A::Dismiss => fill(
            m,
            &key,
            &[(
                "reason",
                DismissReason::parse(text(detail, "reason"))
                    .map(|r| m.dismiss_reason(r).to_string())
                    .unwrap_or_else(|| m.t("trail.part.unknown").to_string()),
            )],
        ),
        A::HandOff | A::HandoffResent => fill(
            m,
            &key,
            &[
                handoff(),
                ("regulator", text(detail, "regulator").to_string()),
            ],
        ),
        A::Close | A::Outcome => {
            let mut s = m.t(&key).to_string();
            if let Some(o) = Outcome::parse(text(detail, "outcome")) {
                s.push_str(&m.t1(
                    "trail.part.outcome",
                    m.t(&format!("outcome.{}", o.as_str())),
                ));
                let doc = text(detail, "document_number");
                if !doc.is_empty() {
                    s.push_str(&m.t1("trail.part.document_number", doc));
                }
                if flag(detail, "published") {
                    s.push_str(m.t("trail.part.published"));
                }
                let details = text(detail, "details");
                if !details.is_empty() {
                    s.push_str(&m.t1("trail.part.details", details));
                }
            }
            s
        }
        A::Extend => fill(
            m,
            &key,
            &[
                ("date", text(detail, "decide_by").to_string()),
                ("reason", text(detail, "reason").to_string()),
            ],
        ),
        A::EvidenceAdded => fill(
            m,
            &key,
            &[
                position(),
                (
                    "size",
                    crate::web::filters::human_bytes(number(detail, "bytes")),
                ),
            ],
        ),
        A::EvidenceRedacted => {
            let areas = detail
                .get("rects")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let areas = if areas == 1 {
                m.t("trail.part.areas_one").to_string()
            } else {
                m.t1("trail.part.areas_many", areas)
            };
            fill(m, &key, &[position(), ("areas", areas)])
        }
        A::EvidenceDownloaded
        | A::OriginalApproved
        | A::OriginalRefused
        | A::OriginalDownloaded
        | A::OriginalRequested => fill(m, &key, &[position(), handoff()]),
        A::PackageDownloaded
        | A::HandoffAcknowledged
        | A::Acknowledge
        | A::HandoffReminder
        | A::PlatformNoticeHeld => fill(m, &key, &[handoff()]),
        A::ContactErased => {
            let cause = text(detail, "cause");
            match cause {
                "retention" | "reporter_request" | "officer_on_request" => {
                    m.t(&format!("trail.erased.{cause}")).to_string()
                }
                _ => m.t(&key).to_string(),
            }
        }
        A::DeadlinesRecounted => {
            let range = |field: &str| {
                let d = detail.get(field).cloned().unwrap_or(Value::Null);
                (text(&d, "from").to_string(), text(&d, "to").to_string())
            };
            let (from, to) = range("decide_by");
            let mut s = fill(
                m,
                &key,
                &[
                    ("year", number(detail, "calendar_year").to_string()),
                    ("from", from),
                    ("to", to),
                ],
            );
            let (from, to) = range("accept_by");
            if !from.is_empty() && !to.is_empty() {
                s.push_str(&m.t2("trail.part.accept_by", from, to));
            }
            s
        }
        A::LinkConfirmed | A::LinkRejected => fill(
            m,
            &key,
            &[
                ("case", text(detail, "case").to_string()),
                ("reasons", link_reasons(m, detail)),
            ],
        ),
        A::CampaignJoined | A::CampaignLeft => {
            let name = text(detail, "name");
            if name.is_empty() {
                m.t(&format!("trail.say.{}_unnamed", action.as_str()))
                    .to_string()
            } else {
                fill(m, &key, &[("name", name.to_string())])
            }
        }
        A::RecordApproved | A::RecordWithdrawn => fill(
            m,
            &key,
            &[("document", text(detail, "document_number").to_string())],
        ),
        A::PlatformNoticeSent | A::PlatformNoticeReminder => fill(
            m,
            &key,
            &[
                ("desk", text(detail, "desk").to_string()),
                ("date", text(detail, "answer_due_on").to_string()),
            ],
        ),
        A::PlatformNoticeReleased => {
            if text(detail, "with") == "outcome" {
                m.t("trail.say.platform_notice_released_with_outcome")
                    .to_string()
            } else {
                m.t(&key).to_string()
            }
        }
        A::PlatformNoticeWithdrawn => {
            fill(m, &key, &[("reason", text(detail, "reason").to_string())])
        }
        A::PlatformResponse => {
            let mut s = match PlatformResponse::parse(text(detail, "response")) {
                Some(r) => m.t1(
                    &format!("platform_notice.said.{}", r.as_str()),
                    number(detail, "reviews_removed_count"),
                ),
                None => m.t(&key).to_string(),
            };
            let details = text(detail, "details");
            if !details.is_empty() {
                s.push_str(&m.t1("trail.part.details", details));
            }
            s
        }
        A::Confirm
        | A::Take
        | A::RequestInfo
        | A::Resume
        | A::Substantiate
        | A::Withdraw
        | A::Note => m.t(&key).to_string(),
    };
    // The extra facts some entries carry.
    if action == A::Filed {
        if flag(detail, "also_complaint") {
            out.push_str(m.t("trail.part.also_complaint"));
        }
        if flag(detail, "anonymous") {
            out.push_str(m.t("trail.part.anonymous"));
        }
        if let Some(s) = detail.get("status").and_then(Value::as_str) {
            out.push_str(&m.t1("trail.part.status_now", status_label(m, s)));
        }
    }
    if matches!(action, A::Dismiss | A::RequestInfo) && detail.get("message_id").is_some() {
        out.push_str(m.t("trail.part.message_sent"));
    }
    if action == A::Withdraw && detail.get("reason_message_id").is_some() {
        out.push_str(m.t("trail.part.reason_in_messages"));
    }
    if detail.get("campaign").is_some() && matches!(action, A::Substantiate | A::HandOff) {
        out.push_str(m.t("trail.part.with_campaign"));
    }
    if let (Some(from), Some(to)) = (
        detail.get("from").and_then(Value::as_str),
        detail.get("to").and_then(Value::as_str),
    ) && CaseStatus::parse(from).is_some()
    {
        out.push_str(&m.t2(
            "trail.part.status_change",
            status_label(m, from),
            status_label(m, to),
        ));
    }
    out
}

/// An account trail entry (the team page) with its detail, as a sentence.
pub fn account_sentence(m: &Messages, action: AccountAction, detail: &Value) -> String {
    use AccountAction as A;
    let key = format!("team.say.{}", action.as_str());
    let role = |field: &str| {
        Role::parse(text(detail, field))
            .map(|r| m.t(&format!("team.role.{}", r.as_str())).to_string())
            .unwrap_or_default()
    };
    match action {
        A::Invited => fill(m, &key, &[("role", role("role"))]),
        A::RoleChanged => fill(m, &key, &[("from", role("from")), ("to", role("to"))]),
        A::Deactivated => fill(
            m,
            &key,
            &[
                ("cases", number(detail, "cases_unassigned").to_string()),
                ("sessions", number(detail, "sessions_ended").to_string()),
            ],
        ),
        A::QueueExported => {
            fill(
                m,
                &key,
                &[
                    ("rows", number(detail, "rows").to_string()),
                    ("format", text(detail, "format").to_ascii_uppercase()),
                ],
            ) + if flag(detail, "capped") {
                m.t("team.say.queue_exported_capped")
            } else {
                ""
            }
        }
        A::ResetLinkSent => match text(detail, "requested_by") {
            "login_page" => m.t("team.say.reset_link_sent_login_page").to_string(),
            "supervisor" => m.t("team.say.reset_link_sent_supervisor").to_string(),
            _ => m.t(&key).to_string(),
        },
        A::SecondFactorRequirement => {
            if flag(detail, "required_for_everyone") {
                m.t("team.say.second_factor_requirement_on").to_string()
            } else {
                m.t("team.say.second_factor_requirement_off").to_string()
            }
        }
        A::Activated
        | A::Reactivated
        | A::PasswordReset
        | A::PasswordChanged
        | A::SecondFactorOn
        | A::SecondFactorOff
        | A::RecoveryCodesRenewed => m.t(&key).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Lang;
    use crate::i18n::messages;
    use serde_json::json;

    fn looks_raw(s: &str) -> bool {
        s.contains('{')
            || s.contains("trail.")
            || s.contains("team.")
            || s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|w| w.contains('_'))
    }

    #[test]
    fn every_audit_action_and_status_has_a_sentence_in_both_catalogs() {
        for lang in Lang::ALL {
            let m = messages(lang);
            for a in AuditAction::ALL {
                let key = format!("trail.say.{}", a.as_str());
                assert_ne!(m.t(&key), key, "{lang:?}: no sentence for {a}");
                let said = audit_sentence(m, *a, &json!({}), &OfficerNames::new());
                assert!(!looks_raw(&said), "{lang:?} {a}: {said}");
            }
            for s in CaseStatus::ALL {
                assert_ne!(m.status(*s), "?", "{lang:?} status {s}");
                let key = format!("help.status.{}", s.as_str());
                assert_ne!(m.t(&key), key, "{lang:?}: no explanation for {s}");
            }
            for a in AccountAction::ALL {
                let key = format!("team.say.{}", a.as_str());
                assert_ne!(
                    m.t(&key),
                    key,
                    "{lang:?}: no sentence for account action {a}"
                );
                let said = account_sentence(m, *a, &json!({}));
                assert!(!looks_raw(&said), "{lang:?} {a}: {said}");
            }
        }
    }

    #[test]
    fn details_become_names_and_labels() {
        let names: OfficerNames = [(OfficerId(2), "李明".to_string())].into();
        let en = messages(Lang::En);
        let zh = messages(Lang::ZhCn);
        let assigned = audit_sentence(en, AuditAction::Assign, &json!({"officer_id": 2}), &names);
        assert_eq!(assigned, "Assigned the case to 李明.");
        assert!(
            audit_sentence(zh, AuditAction::Assign, &json!({"officer_id": 2}), &names)
                .contains("李明")
        );
        let dismissed = audit_sentence(
            en,
            AuditAction::Dismiss,
            &json!({"reason": "duplicate", "message_id": 4, "from": "in_review", "to": "dismissed"}),
            &names,
        );
        assert!(
            dismissed.contains(en.dismiss_reason(DismissReason::Duplicate)),
            "{dismissed}"
        );
        assert!(
            dismissed.contains(en.status(CaseStatus::InReview)),
            "{dismissed}"
        );
        assert!(
            dismissed.contains(en.status(CaseStatus::Dismissed)),
            "{dismissed}"
        );
        assert!(!looks_raw(&dismissed), "{dismissed}");
        let linked = audit_sentence(
            zh,
            AuditAction::LinkConfirmed,
            &json!({"case": "RW-2026-000001", "reasons": ["same_merchant", "same_contact"]}),
            &names,
        );
        assert!(
            linked.contains("RW-2026-000001")
                && linked.contains(zh.link_reason(LinkReason::SameMerchant)),
            "{linked}"
        );
        for lang in Lang::ALL {
            let m = messages(lang);
            let said = account_sentence(
                m,
                AccountAction::RoleChanged,
                &json!({"from": "officer", "to": "supervisor"}),
            );
            assert!(said.contains(m.t("team.role.supervisor")), "{said}");
            if lang == Lang::En {
                assert!(!said.contains('：'), "{said}");
            }
        }
    }
}
