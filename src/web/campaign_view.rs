//! What officers see of campaigns: on a case page, its campaign or the form to start or join one
//! with the suggested cases as checkboxes; and the campaign page's facts, read in one go.

use crate::db::campaigns::{self, CampaignSummary};
use crate::db::{self, DbConnection, cases::CaseRow};
use crate::domain::links::StrengthBand;
use crate::domain::{CampaignId, CaseId, CaseStatus, Platform};
use crate::web::related_cases::RelatedCaseView;
use crate::workflow::campaign_facts::CampaignFacts;
use std::collections::HashMap;

/// How many campaigns the case page offers to join.
const CHOICES: i64 = 30;

/// A related case offered as a checkbox in `link_campaign`.
pub struct SuggestedMember {
    pub number: String,
    pub platform: Platform,
    pub shop_name: String,
    pub status: CaseStatus,
    pub strength: u8,
    pub band: StrengthBand,
    /// Checked at first: an officer confirmed the link, or it is strong.
    pub checked: bool,
    /// The campaign it is in already (it cannot join another).
    pub in_campaign: Option<(CampaignId, String)>,
}

/// The campaign part of a case page.
pub struct CaseCampaigns {
    pub current: Option<CampaignSummary>,
    pub choices: Vec<CampaignSummary>,
    pub suggested: Vec<SuggestedMember>,
}

pub fn for_case(
    conn: &mut DbConnection,
    case: &CaseRow,
    related: &[RelatedCaseView],
) -> Result<CaseCampaigns, db::DbError> {
    let current = match case.campaign_id {
        Some(id) => {
            let row = campaigns::get(conn, id)?;
            let count = campaigns::member_counts(conn, &[id])?;
            Some(CampaignSummary {
                id,
                cases: count.first().map_or(0, |(_, n)| *n),
                name: row.name,
                updated_at: row.updated_at,
            })
        }
        None => None,
    };
    let ids: Vec<CaseId> = related.iter().map(|r| r.id).collect();
    let theirs: HashMap<CaseId, (CampaignId, String)> = campaigns::of_cases(conn, &ids)?
        .into_iter()
        .map(|(case, id, name)| (case, (id, name)))
        .collect();
    let suggested = related
        .iter()
        .filter(|r| !r.is_rejected())
        .map(|r| SuggestedMember {
            number: r.case_number.clone(),
            platform: r.platform,
            shop_name: r.shop_name.clone(),
            status: r.status,
            strength: r.strength,
            band: r.band,
            checked: r.is_confirmed() || r.band == StrengthBand::Strong,
            in_campaign: theirs.get(&r.id).cloned(),
        })
        .collect();
    Ok(CaseCampaigns {
        current,
        choices: campaigns::recent(conn, CHOICES)?,
        suggested,
    })
}

/// The graph's facts: members, their merchants and contacts, and the links officers confirmed.
pub fn graph_input(facts: &CampaignFacts) -> crate::handoff::campaign_graph::GraphInput {
    use crate::handoff::campaign_graph::{
        GraphCase, GraphContact, GraphInput, GraphLink, GraphMerchant,
    };
    GraphInput {
        cases: facts
            .members
            .iter()
            .map(|m| GraphCase {
                number: m.case.case_number.clone(),
                status: m.case.status,
                platform: m.case.platform,
                shop_name: m.case.shop_name.clone(),
                href: format!("/officer/cases/{}", m.case.case_number),
            })
            .collect(),
        merchants: facts
            .merchants
            .iter()
            .map(|g| GraphMerchant {
                label: g.names.join(" / "),
                href: crate::web::routes::officer::merchants::href(&g.identity),
                cases: g.cases.clone(),
            })
            .collect(),
        contacts: facts
            .contacts
            .iter()
            .map(|c| GraphContact {
                kind: c.kind,
                shown: c.shown.clone(),
                cases: c.cases.clone(),
            })
            .collect(),
        links: facts
            .links
            .iter()
            .filter_map(|l| {
                // The strongest kind of evidence between the two, for the line's style.
                let reason = l.reasons.first().copied()?;
                Some(GraphLink {
                    a: l.a,
                    b: l.b,
                    reason,
                })
            })
            .collect(),
    }
}
