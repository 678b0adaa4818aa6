//! What goes into a package: `case.json` (schema `reviewwatch.case.v1`, described in
//! docs/HANDOFF.md), `summary.html` (printable, zh-CN, self-contained) and the evidence files.

use super::package::PackageFile;
use crate::db::audit::AuditRow;
use crate::db::cases::CaseRow;
use crate::db::evidence::{EvidenceRow, RedactionRow};
use crate::db::notes::MessageView;
use crate::db::regulators::RegulatorRow;
use crate::domain::audit::hashed_at;
use crate::domain::china_time;
use crate::domain::region::divisions;
use crate::domain::{Category, Lang, RegionCode};
use crate::i18n::{Messages, messages};
use askama::Template;
use base64::Engine;
use serde_json::{Value, json};

pub const SCHEMA: &str = "reviewwatch.case.v1";

/// One evidence file as it goes into the package: always a copy, never the original.
pub struct PackedEvidence {
    pub row: EvidenceRow,
    /// The copy put in the package: the officer's redacted copy where there is one, else the
    /// display copy (decoded and encoded anew, without metadata).
    pub bytes: Vec<u8>,
    pub redaction: Option<RedactionRow>,
    /// The thumbnail shown in the summary (JPEG).
    pub thumbnail: Vec<u8>,
}

impl PackedEvidence {
    fn extension(&self) -> &'static str {
        // `workflow::handoff::pack` packs only rows whose copies are made.
        self.row.display_kind.unwrap_or(self.row.kind).extension()
    }

    pub fn copy_sha256(&self) -> String {
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&self.bytes))
    }

    /// How the copy was made, for `case.json` (a machine name and the words for people).
    pub fn made(&self) -> (&'static str, String) {
        match &self.redaction {
            Some(r) => (
                "redacted",
                format!(
                    "decoded from the original and encoded anew without metadata (EXIF, GPS, comments), then {} area(s) blacked out by an officer at {}",
                    r.rects.lines().filter(|l| !l.trim().is_empty()).count(),
                    iso(&r.created_at)
                ),
            ),
            None => (
                "metadata_removed",
                "decoded from the original and encoded anew without metadata (EXIF, GPS, comments)"
                    .to_string(),
            ),
        }
    }

    pub fn path(&self) -> String {
        let suffix = if self.redaction.is_some() {
            "-redacted"
        } else {
            "-copy"
        };
        format!(
            "evidence/{:02}-{}{suffix}.{}",
            self.row.position,
            &self.row.sha256[..12],
            self.extension()
        )
    }
}

pub struct PackageInput<'a> {
    pub case: &'a CaseRow,
    pub seq: i32,
    pub regulator: &'a RegulatorRow,
    pub evidence: Vec<PackedEvidence>,
    pub messages: &'a [MessageView],
    pub trail: &'a [AuditRow],
    pub chain_intact: bool,
    /// The officer's finding (reasons for substantiating), shown to the regulator.
    pub finding: Option<&'a crate::db::findings::FindingView>,
    pub portal_url: &'a str,
    pub key_fingerprint: &'a str,
    pub generated_at: chrono::NaiveDateTime,
}

fn region_name(code: &str) -> String {
    RegionCode::parse(code)
        .and_then(|c| divisions().region(&c))
        .map(|r| r.full_name())
        .unwrap_or_default()
}

fn iso(t: &chrono::NaiveDateTime) -> String {
    china_time::utc_rfc3339(t)
}

/// The legal provisions a regulator would cite for a category (zh-CN, as cited in decisions).
pub fn legal_bases(category: Category) -> Vec<&'static str> {
    let mut bases = vec![
        "《中华人民共和国电子商务法》第十七条：电子商务经营者应当全面、真实、准确、及时地披露商品或者服务信息，保障消费者的知情权和选择权；不得以虚构交易、编造用户评价等方式进行虚假或者引人误解的商业宣传，欺骗、误导消费者。",
        "《中华人民共和国反不正当竞争法》关于虚假或者引人误解的商业宣传、组织虚假交易的规定：经营者不得对其商品的销售状况、用户评价等作虚假或者引人误解的商业宣传，不得通过组织虚假交易等方式帮助其他经营者进行虚假宣传。",
        "《网络交易监督管理办法》第十四条：网络交易经营者不得以虚构交易、编造用户评价等方式作虚假或者引人误解的商业宣传，欺骗、误导消费者。",
        "《中华人民共和国消费者权益保护法》第二十条：经营者向消费者提供有关商品或者服务的质量、性能、用途、有效期限等信息，应当真实、全面，不得作虚假或者引人误解的宣传。",
    ];
    match category {
        Category::ExtortionNegativeReviews => {
            bases.push("《中华人民共和国刑法》第二百七十四条（敲诈勒索罪）：以差评相要挟索取财物，情节严重的，可移送公安机关。");
        }
        Category::ReviewSuppression => {
            bases.push("《中华人民共和国电子商务法》第三十九条：电子商务平台经营者不得删除消费者对其平台内销售的商品或者提供的服务的评价。");
        }
        Category::ImpersonatedService => {
            bases.push("《中华人民共和国反不正当竞争法》关于混淆行为的规定：经营者不得擅自使用他人有一定影响的名称、标识等，引人误认为是他人商品或者与他人存在特定联系。");
        }
        _ => {}
    }
    bases
}

pub fn case_json(input: &PackageInput<'_>, m: &Messages) -> Value {
    let c = input.case;
    let (platform, category) = (c.platform, c.category);
    let shared = c.consent_share_contact && c.reporter_email.is_some();
    json!({
        "schema": SCHEMA,
        "generated_at": iso(&input.generated_at),
        "portal": input.portal_url,
        "signing_key_sha256": input.key_fingerprint.replace(' ', ""),
        "handoff": {
            "seq": input.seq,
            "regulator": {
                "name": input.regulator.name,
                "kind": input.regulator.kind,
                "region_code": input.regulator.region_code,
            },
        },
        "case": {
            "number": c.case_number,
            "status": c.status,
            "filed_at": iso(&c.created_at),
            "submitted_at": c.submitted_at.as_ref().map(iso),
            "kinds": { "report": true, "complaint": c.is_complaint },
            "platform": c.platform,
            "platform_name": m.platform(platform),
            "platform_other": c.platform_other,
            "shop": { "name": c.shop_name, "url_or_id": c.shop_ref, "key": c.shop_key },
            "region": { "code": c.region_code, "name": region_name(&c.region_code) },
            "product_url": c.product_url,
            "order_number": c.order_number,
            "category": c.category,
            "category_name": m.category(category),
            "seen_on": c.seen_on.to_string(),
            "description": c.description,
        },
        "finding": input.finding.map(|f| json!({
            "text": f.finding,
            "by": f.officer_name,
            "at": iso(&f.created_at),
        })),
        "reporter": {
            "contact_shared": shared,
            "email": if shared { c.reporter_email.clone() } else { None },
            "language": c.language,
        },
        "evidence": input.evidence.iter().map(evidence_json).collect::<Vec<_>>(),
        "messages": input.messages.iter().map(|msg| json!({
            "at": iso(&msg.created_at),
            "from": if msg.from_reporter { "reporter" } else { "officer" },
            "body": msg.body,
        })).collect::<Vec<_>>(),
        "audit_trail": trail_json(input),
    })
}

/// One evidence file of `case.json`: the copy in the package and the original at the portal.
fn evidence_json(e: &PackedEvidence) -> Value {
    let (made, how) = e.made();
    json!({
        "position": e.row.position,
        "file": e.path(),
        "original_name": e.row.original_name,
        "sha256": e.copy_sha256(),
        "bytes": e.bytes.len(),
        "width": e.row.width,
        "height": e.row.height,
        "uploaded_at": iso(&e.row.uploaded_at),
        "sent_with": e.row.source,
        "redacted": e.redaction.is_some(),
        "copy": {
            "sha256": e.copy_sha256(),
            "bytes": e.bytes.len(),
            "kind": e.row.display_kind,
            "made": made,
            "how": how,
        },
        "original": {
            "sha256": e.row.sha256,
            "bytes": e.row.byte_size,
            "kind": e.row.kind,
            "in_package": false,
            "available_on_request": true,
        },
    })
}

/// The audit trail of `case.json`: each entry as the hash chain covers it, with its time also
/// in RFC 3339.
fn trail_json(input: &PackageInput<'_>) -> Value {
    json!({
        "chain_intact": input.chain_intact,
        "hash": "SHA-256 over the previous entry's hash and each field, length-prefixed (docs/HANDOFF.md)",
        "entries": input.trail.iter().map(|r| json!({
            "seq": r.seq,
            // As the hash covers it (no offset: UTC), and the same time in RFC 3339.
            "at": hashed_at(&r.at),
            "at_rfc3339": china_time::utc_rfc3339_micros(&r.at),
            "actor_kind": r.actor_kind,
            "actor_id": r.actor_id,
            "action": r.action,
            "detail": r.detail_json(),
            "detail_text": r.detail,
            "visible_to_reporter": r.visible_to_reporter,
            "prev_hash": r.prev_hash,
            "hash": r.hash,
        })).collect::<Vec<_>>(),
    })
}

pub struct SummaryEvidence {
    pub path: String,
    pub name: String,
    /// SHA-256 of the copy in the package.
    pub sha256: String,
    /// SHA-256 of the original as received (kept at the portal).
    pub original_sha256: String,
    pub data_uri: String,
    pub redacted: bool,
}

#[derive(Template)]
#[template(path = "handoff/summary.html")]
pub struct SummaryPage<'a> {
    pub m: &'static Messages,
    pub case: &'a CaseRow,
    pub seq: i32,
    pub regulator: &'a RegulatorRow,
    pub platform_name: String,
    pub category_name: String,
    pub region_name: String,
    pub shared_email: Option<String>,
    pub evidence: Vec<SummaryEvidence>,
    pub messages: &'a [MessageView],
    pub legal_bases: Vec<&'static str>,
    /// China time with its offset, and the same in RFC 3339 (for `<time datetime>`).
    pub generated_at: String,
    pub generated_at_rfc3339: String,
    pub chain_intact: bool,
    pub trail_len: usize,
    pub key_fingerprint: &'a str,
    pub finding: Option<&'a crate::db::findings::FindingView>,
}

/// Every file of the package but the sums and signature.
pub fn files(input: PackageInput<'_>) -> Result<Vec<PackageFile>, askama::Error> {
    let m = messages(Lang::ZhCn);
    let c = input.case;
    let json = case_json(&input, m);
    let category = c.category;
    let summary = SummaryPage {
        m,
        case: c,
        seq: input.seq,
        regulator: input.regulator,
        platform_name: m.platform_label(c.platform, c.platform_other.as_deref()),
        category_name: m.category(category).to_string(),
        region_name: format!("{} ({})", region_name(&c.region_code), c.region_code),
        shared_email: c.reporter_email.clone().filter(|_| c.consent_share_contact),
        evidence: input
            .evidence
            .iter()
            .map(|e| SummaryEvidence {
                path: e.path(),
                name: e.row.original_name.clone(),
                sha256: e.copy_sha256(),
                original_sha256: e.row.sha256.clone(),
                data_uri: format!(
                    "data:image/jpeg;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(&e.thumbnail)
                ),
                redacted: e.redaction.is_some(),
            })
            .collect(),
        messages: input.messages,
        legal_bases: legal_bases(category),
        generated_at: china_time::format_with_offset(&input.generated_at),
        generated_at_rfc3339: china_time::rfc3339(&input.generated_at),
        chain_intact: input.chain_intact,
        trail_len: input.trail.len(),
        key_fingerprint: input.key_fingerprint,
        finding: input.finding,
    }
    .render()?;
    let mut out = vec![
        PackageFile {
            path: "case.json".into(),
            bytes: serde_json::to_vec_pretty(&json).unwrap_or_default(),
        },
        PackageFile {
            path: "summary.html".into(),
            bytes: summary.into_bytes(),
        },
    ];
    for e in input.evidence {
        out.push(PackageFile {
            path: e.path(),
            bytes: e.bytes,
        });
    }
    Ok(out)
}
