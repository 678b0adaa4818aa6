//! What officers see of campaigns: on a case page, its campaign or the form to start or join one
//! with the suggested cases as checkboxes; and the campaign page's facts, read in one go.

use crate::db::campaigns::{self, CampaignSummary};
use crate::db::{self, DbConnection, cases::CaseRow};
use crate::domain::links::StrengthBand;
use crate::domain::{CampaignId, CaseId, CaseStatus, Platform};
use crate::web::related_cases::RelatedCaseView;
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

/// The graph on the officers' campaign page: each case links its case page, each merchant its
/// merchant page.
pub fn graph_input(
    facts: &crate::workflow::campaign_facts::CampaignFacts,
) -> crate::handoff::campaign_graph::GraphInput {
    facts.graph_input(
        |c| format!("/officer/cases/{}", c.case_number),
        |_, g| crate::web::routes::officer::merchants::href(&g.identity),
    )
}
