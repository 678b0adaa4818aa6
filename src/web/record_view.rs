//! The public record as people and programs read it: entries in the page's language, the
//! search the public may make, and what a withdrawn entry still shows (its note, not its text).

use crate::db::record::{PublicQuery, RecordEntryRow};
use crate::domain::Platform;
use crate::domain::china_time;
use crate::domain::record::RecordStatus;
use crate::i18n::{Messages, messages};

/// Entries on one public page.
pub const PAGE_SIZE: i64 = 20;

/// Where anyone can check a decision: 国家企业信用信息公示系统.
pub const GSXT_URL: &str = "https://www.gsxt.gov.cn/";

/// One entry as the public sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PublicEntry {
    pub id: i64,
    pub platform: String,
    pub platform_name: String,
    pub shop_name: String,
    pub category: String,
    pub category_name: String,
    pub regulator: String,
    pub decision_kind: String,
    pub decision_kind_name: String,
    /// The regulator's words; `None` once the entry is withdrawn.
    pub decision_text: Option<String>,
    pub decision_date: String,
    pub document_number: String,
    pub status: String,
    pub published_at: String,
    pub withdrawal: Option<Withdrawal>,
    pub check_at: &'static str,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Withdrawal {
    pub reason: String,
    pub document_number: String,
    pub withdrawn_at: String,
}

impl PublicEntry {
    pub fn of(m: &Messages, r: &RecordEntryRow) -> Self {
        let withdrawn = r.status == RecordStatus::Withdrawn;
        Self {
            id: r.id.get(),
            platform: r.platform.as_str().to_string(),
            platform_name: m.platform_label(r.platform, r.platform_other.as_deref()),
            shop_name: r.shop_name.clone(),
            category: r.category.as_str().to_string(),
            category_name: m.category(r.category).to_string(),
            regulator: r.regulator_name.clone(),
            decision_kind: r.decision_kind.as_str().to_string(),
            decision_kind_name: m.t(&format!("outcome.{}", r.decision_kind)).to_string(),
            decision_text: (!withdrawn).then(|| r.decision_text.clone()),
            decision_date: r.decision_date.to_string(),
            document_number: r.document_number.clone(),
            status: r.status.as_str().to_string(),
            published_at: r
                .approved_at
                .as_ref()
                .map(china_time::rfc3339)
                .unwrap_or_default(),
            withdrawal: match (withdrawn, &r.withdrawn_at) {
                (true, Some(at)) => Some(Withdrawal {
                    reason: r.withdrawn_reason.clone().unwrap_or_default(),
                    document_number: r.withdrawn_document.clone().unwrap_or_default(),
                    withdrawn_at: china_time::rfc3339(at),
                }),
                _ => None,
            },
            check_at: GSXT_URL,
        }
    }
}

/// The search as typed (trimmed, at most 100 characters), if any.
pub fn clean_query(q: Option<&str>) -> Option<String> {
    let q: String = q.unwrap_or_default().trim().chars().take(100).collect();
    (!q.is_empty()).then_some(q)
}

/// The database query for search `q`: its text, and the platforms whose names (in either
/// language) hold it.
pub fn public_query(q: Option<&str>) -> PublicQuery<'_> {
    let platforms = match q {
        Some(q) => {
            let needle = q.to_lowercase();
            Platform::ALL
                .iter()
                .copied()
                .filter(|p| {
                    [crate::domain::Lang::ZhCn, crate::domain::Lang::En]
                        .iter()
                        .any(|l| messages(*l).platform(*p).to_lowercase().contains(&needle))
                })
                .collect()
        }
        None => Vec::new(),
    };
    PublicQuery { text: q, platforms }
}
