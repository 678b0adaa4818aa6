//! The top of a campaign package: `campaign.json` (schema `reviewwatch.campaign.v1`, described
//! in docs/HANDOFF.md) and `summary.html` (printable, zh-CN, self-contained: the chain, the
//! finding, the graph and a table of every case with a link to its own summary).

use super::campaign_facts::CampaignFacts;
use crate::db::regulators::RegulatorRow;
use crate::domain::{Lang, china_time};
use crate::handoff::campaign_graph::{self, Graph, GraphInput};
use crate::handoff::contents::legal_bases;
use crate::handoff::package::PackageFile;
use crate::i18n::{Messages, messages};
use askama::Template;
use chrono::NaiveDateTime;
use serde_json::{Value, json};

pub const SCHEMA: &str = "reviewwatch.campaign.v1";

/// The officers' stylesheet: its campaign graph block is inlined into the summary, which must
/// be one self-contained file.
const APP_CSS: &str = include_str!("../../static/app.css");

/// The campaign graph's styles, with the colours the page's stylesheet names.
fn graph_css() -> String {
    let block = APP_CSS
        .find("/* Campaign graph")
        .map_or("", |i| &APP_CSS[i..]);
    format!(
        ":root {{ --ink: #1f2933; --muted: #52606d; --line: #d9dee4; --red: #b42318; }}\n{block}"
    )
}

/// What the top of the package is written from.
pub struct Summary<'a> {
    pub facts: &'a CampaignFacts,
    pub seq: i32,
    pub regulator: &'a RegulatorRow,
    pub portal_url: &'a str,
    pub key_fingerprint: &'a str,
    pub generated_at: NaiveDateTime,
    /// Each member's own handoff seq, in member order.
    pub handoff_seqs: Vec<i32>,
}

fn iso(t: &NaiveDateTime) -> String {
    china_time::utc_rfc3339(t)
}

pub fn campaign_json(s: &Summary<'_>, m: &Messages) -> Value {
    let f = s.facts;
    let numbers: Vec<&str> = f
        .members
        .iter()
        .map(|x| x.case.case_number.as_str())
        .collect();
    let of = |cases: &[usize]| -> Vec<&str> {
        cases
            .iter()
            .filter_map(|i| numbers.get(*i).copied())
            .collect()
    };
    json!({
        "schema": SCHEMA,
        "generated_at": iso(&s.generated_at),
        "portal": s.portal_url,
        "signing_key_sha256": s.key_fingerprint.replace(' ', ""),
        "campaign": {
            "id": f.campaign.id,
            "name": f.campaign.name,
            "created_at": iso(&f.campaign.created_at),
            "finding": f.campaign.finding,
        },
        "handoff": {
            "seq": s.seq,
            "regulator": {
                "name": s.regulator.name,
                "kind": s.regulator.kind,
                "region_code": s.regulator.region_code,
            },
        },
        "cases": f.members.iter().zip(&s.handoff_seqs).map(|(x, seq)| json!({
            "number": x.case.case_number,
            "folder": x.case.case_number,
            "handoff_seq": seq,
            "platform": x.case.platform,
            "platform_name": m.platform(x.case.platform),
            "shop": { "name": x.case.shop_name, "url_or_id": x.case.shop_ref },
            "merchant_key": x.merchant.key_string(),
            "region_code": x.case.region_code,
            "category": x.case.category,
            "category_name": m.category(x.case.category),
            "status": x.case.status,
            "filed_at": iso(&x.case.created_at),
            "evidence_files": x.evidence.len(),
        })).collect::<Vec<_>>(),
        "merchants": f.merchants.iter().map(|g| json!({
            "key": g.identity.key_string(),
            "names": g.names,
            "cases": of(&g.cases),
        })).collect::<Vec<_>>(),
        "contacts": f.contacts.iter().map(|c| json!({
            "kind": c.kind,
            "shown": c.shown,
            "cases": of(&c.cases),
        })).collect::<Vec<_>>(),
        "links": f.links.iter().map(|l| json!({
            "cases": [numbers.get(l.a), numbers.get(l.b)],
            "reasons": l.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// What `templates/pages/officer/campaign_graph.html` reads as `ctx`.
pub struct GraphContext {
    pub m: &'static Messages,
}

#[derive(Template)]
#[template(path = "handoff/campaign_summary.html")]
pub struct CampaignSummaryPage<'a> {
    pub m: &'static Messages,
    pub ctx: GraphContext,
    pub facts: &'a CampaignFacts,
    pub seq: i32,
    pub regulator: &'a RegulatorRow,
    pub graph: Graph,
    pub input: GraphInput,
    pub legal_bases: Vec<&'static str>,
    pub generated_at: String,
    pub generated_at_rfc3339: String,
    pub key_fingerprint: &'a str,
    pub evidence_total: usize,
    /// The graph's styles, inlined: the summary is one self-contained file.
    pub graph_css: String,
}

/// `campaign.json` and `summary.html`.
pub fn files(s: &Summary<'_>) -> Result<Vec<PackageFile>, askama::Error> {
    let m = messages(Lang::ZhCn);
    let json = campaign_json(s, m);
    let mut bases: Vec<&'static str> = Vec::new();
    for member in &s.facts.members {
        for b in legal_bases(member.case.category) {
            if !bases.contains(&b) {
                bases.push(b);
            }
        }
    }
    // In the package each case links its own folder's summary, each merchant its row below.
    let input = s.facts.graph_input(
        |c| format!("{}/summary.html", c.case_number),
        |i, _| format!("#merchant-{i}"),
    );
    let graph = campaign_graph::layout(&input);
    let summary = CampaignSummaryPage {
        m,
        ctx: GraphContext { m },
        facts: s.facts,
        seq: s.seq,
        regulator: s.regulator,
        graph,
        input,
        legal_bases: bases,
        generated_at: china_time::format_with_offset(&s.generated_at),
        generated_at_rfc3339: china_time::rfc3339(&s.generated_at),
        key_fingerprint: s.key_fingerprint,
        evidence_total: s.facts.members.iter().map(|x| x.evidence.len()).sum(),
        graph_css: graph_css(),
    }
    .render()?;
    Ok(vec![
        PackageFile {
            path: "campaign.json".into(),
            bytes: serde_json::to_vec_pretty(&json).unwrap_or_default(),
        },
        PackageFile {
            path: "summary.html".into(),
            bytes: summary.into_bytes(),
        },
    ])
}
