//! A campaign's facts, read in one go: its cases, their merchants, platforms and contacts, the
//! links officers confirmed between them, its timeline, its handoffs and where to hand it off.
//! The campaign page shows them; the campaign package's summary is written from them.

use crate::db::campaigns::{self, CampaignRow, EventView};
use crate::db::{self, DbConnection, cases::CaseRow, evidence, officers};
use crate::domain::campaign::CampaignEventAction;
use crate::domain::contact::ContactKind;
use crate::domain::links::{LinkReason, LinkVerdict};
use crate::domain::merchant::MerchantIdentity;
use crate::domain::{CampaignId, CaseId, OfficerId, Platform};
use crate::handoff::campaign_graph::{
    GraphCase, GraphContact, GraphInput, GraphLink, GraphMerchant,
};
use crate::workflow::ActingOfficer;
use chrono::NaiveDateTime;
use std::collections::{BTreeMap, HashMap};

/// One member case on the campaign page.
pub struct MemberView {
    pub case: CaseRow,
    pub assignee: Option<String>,
    pub merchant: MerchantIdentity,
    pub evidence: Vec<evidence::EvidenceRow>,
    /// Why it cannot be substantiated from the campaign page, if it cannot.
    pub blocker: Option<&'static str>,
    pub needs_substantiating: bool,
}

/// A merchant of the campaign and the members about it.
pub struct MerchantGroup {
    pub identity: MerchantIdentity,
    pub names: Vec<String>,
    /// Indices into the members.
    pub cases: Vec<usize>,
}

/// A contact found in the campaign's cases (masked as `#related-cases` shows it).
pub struct ContactGroup {
    pub kind: ContactKind,
    pub shown: String,
    /// Indices into the members.
    pub cases: Vec<usize>,
}

/// A link between two members: confirmed by an officer, or a near-identical screenshot or text.
pub struct MemberLink {
    pub a: usize,
    pub b: usize,
    pub reasons: Vec<crate::domain::links::LinkReason>,
}

/// One line of the campaign's timeline: its own steps and its cases' filing.
pub struct TimelineItem {
    pub at: NaiveDateTime,
    pub event: Option<EventView>,
    /// A member filed at `at`.
    pub filed: Option<String>,
}

/// A handoff of the campaign, as the page lists it.
pub struct CampaignHandoffView {
    pub row: campaigns::CampaignHandoffRow,
    pub regulator_name: String,
    pub attempts: i32,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

/// Everything the campaign page shows.
pub struct CampaignFacts {
    pub campaign: CampaignRow,
    pub members: Vec<MemberView>,
    pub merchants: Vec<MerchantGroup>,
    pub platforms: Vec<(Platform, usize)>,
    pub contacts: Vec<ContactGroup>,
    pub links: Vec<MemberLink>,
    pub timeline: Vec<TimelineItem>,
    pub handoffs: Vec<CampaignHandoffView>,
    pub proposals: Vec<crate::handoff::routing::Proposal>,
    pub all_regulators: Vec<crate::db::regulators::RegulatorRow>,
}

/// Reads the campaign page's facts as `officer` sees them (`None`: no such campaign).
pub fn load(
    conn: &mut DbConnection,
    id: CampaignId,
    officer: ActingOfficer,
) -> Result<Option<CampaignFacts>, db::DbError> {
    let Some(campaign) = campaigns::find(conn, id)? else {
        return Ok(None);
    };
    let rows = campaigns::members(conn, id)?;
    let names: HashMap<OfficerId, String> = officers::list_all(conn)?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mut members = Vec::with_capacity(rows.len());
    for case in rows {
        members.push(MemberView {
            assignee: case
                .assigned_officer_id
                .and_then(|a| names.get(&a).cloned()),
            merchant: crate::db::merchants::identity_of(&case),
            evidence: evidence::for_case(conn, case.id)?,
            blocker: crate::workflow::campaigns::blocker(&case, officer),
            needs_substantiating: crate::workflow::campaigns::needs_substantiating(&case),
            case,
        });
    }
    let index: HashMap<CaseId, usize> = members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.case.id, i))
        .collect();
    let contacts = contact_groups(campaigns::member_contacts(conn, id)?, &index);
    let links = member_links(conn, &members, &index)?;
    let timeline = timeline(campaigns::events(conn, id)?, &members);
    let handoffs = handoff_views(conn, id)?;
    let (proposals, all_regulators) = routing(conn, &members)?;
    Ok(Some(CampaignFacts {
        merchants: merchant_groups(&members),
        platforms: count_by(members.iter().map(|m| m.case.platform)),
        campaign,
        members,
        contacts,
        links,
        timeline,
        handoffs,
        proposals,
        all_regulators,
    }))
}

fn merchant_groups(members: &[MemberView]) -> Vec<MerchantGroup> {
    let mut groups: Vec<MerchantGroup> = Vec::new();
    for (i, m) in members.iter().enumerate() {
        match groups.iter_mut().find(|g| g.identity == m.merchant) {
            Some(g) => {
                g.cases.push(i);
                if !g.names.contains(&m.case.shop_name) {
                    g.names.push(m.case.shop_name.clone());
                }
            }
            None => groups.push(MerchantGroup {
                identity: m.merchant.clone(),
                names: vec![m.case.shop_name.clone()],
                cases: vec![i],
            }),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.cases.len()));
    groups
}

/// Each value once, with how many times it came, most first.
fn count_by<T: PartialEq + Copy>(items: impl Iterator<Item = T>) -> Vec<(T, usize)> {
    let mut counts: Vec<(T, usize)> = Vec::new();
    for i in items {
        match counts.iter_mut().find(|(v, _)| *v == i) {
            Some((_, n)) => *n += 1,
            None => counts.push((i, 1)),
        }
    }
    // Stable: a tie keeps the order of first appearance.
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    counts
}

fn contact_groups(
    rows: Vec<crate::db::contacts::CaseContactRow>,
    index: &HashMap<CaseId, usize>,
) -> Vec<ContactGroup> {
    let mut groups: BTreeMap<(&'static str, String), ContactGroup> = BTreeMap::new();
    for r in rows {
        let Some(&i) = index.get(&r.case_id) else {
            continue;
        };
        let g = groups
            .entry((r.kind.as_str(), r.contact_key))
            .or_insert_with(|| ContactGroup {
                kind: r.kind,
                shown: r.shown,
                cases: Vec::new(),
            });
        if !g.cases.contains(&i) {
            g.cases.push(i);
        }
    }
    let mut out: Vec<ContactGroup> = groups.into_values().collect();
    out.sort_by_key(|g| std::cmp::Reverse(g.cases.len()));
    out
}

/// How many suggestions each finder may give for one member when the links are read.
const PER_MEMBER: i64 = 50;

/// The links between members: those officers confirmed (with the reasons they saw), and the
/// near-identical screenshots and texts the finders see between them, unless an officer found
/// the pair unrelated. Contacts and merchants are drawn as nodes of their own.
fn member_links(
    conn: &mut DbConnection,
    members: &[MemberView],
    index: &HashMap<CaseId, usize>,
) -> Result<Vec<MemberLink>, db::DbError> {
    let mut out: Vec<MemberLink> = Vec::new();
    let mut add = |a: usize, b: usize, reason: LinkReason| {
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        match out.iter_mut().find(|l| l.a == a && l.b == b) {
            Some(l) if !l.reasons.contains(&reason) => l.reasons.push(reason),
            Some(_) => {}
            None => out.push(MemberLink {
                a,
                b,
                reasons: vec![reason],
            }),
        }
    };
    for (a, m) in members.iter().enumerate() {
        let verdicts = crate::db::case_links::verdicts_for(conn, m.case.id)?;
        let rejected = |other: CaseId| {
            verdicts
                .iter()
                .any(|v| v.other == other && v.verdict == LinkVerdict::Rejected)
        };
        for v in &verdicts {
            if let (Some(&b), LinkVerdict::Confirmed) = (index.get(&v.other), v.verdict) {
                for r in &v.reasons {
                    add(a, b, *r);
                }
            }
        }
        let mut found = crate::db::image_index::similar_screenshots(conn, m.case.id, PER_MEMBER)?;
        found.extend(crate::db::text_index::similar_texts(
            conn, m.case.id, PER_MEMBER,
        )?);
        for s in found {
            if let Some(&b) = index.get(&s.other)
                && b != a
                && !rejected(s.other)
            {
                add(a, b, s.reason);
            }
        }
    }
    out.sort_by_key(|l| (l.a, l.b));
    Ok(out)
}

fn timeline(events: Vec<EventView>, members: &[MemberView]) -> Vec<TimelineItem> {
    let mut items: Vec<TimelineItem> = events
        .into_iter()
        .map(|e| TimelineItem {
            at: e.at,
            event: Some(e),
            filed: None,
        })
        .collect();
    items.extend(members.iter().map(|m| TimelineItem {
        at: m.case.created_at,
        event: None,
        filed: Some(m.case.case_number.clone()),
    }));
    items.sort_by_key(|i| i.at);
    items
}

fn handoff_views(
    conn: &mut DbConnection,
    id: CampaignId,
) -> Result<Vec<CampaignHandoffView>, db::DbError> {
    let mut out = Vec::new();
    for (row, regulator_name) in campaigns::handoffs_of(conn, id)? {
        let delivery = match row.outbox_id {
            Some(mail) => Some(crate::db::outbox::delivery(conn, mail)?),
            None => None,
        };
        let (attempts, sent_at, last_error) = delivery.unwrap_or((0, None, None));
        out.push(CampaignHandoffView {
            row,
            regulator_name,
            attempts,
            sent_at,
            last_error,
        });
    }
    Ok(out)
}

/// Routed as a case is: the region most members' merchants are in, the platform most are on,
/// the category most were reported for (public security first when any is 刷单 fraud).
fn routing(
    conn: &mut DbConnection,
    members: &[MemberView],
) -> Result<
    (
        Vec<crate::handoff::routing::Proposal>,
        Vec<crate::db::regulators::RegulatorRow>,
    ),
    db::DbError,
> {
    let all: Vec<crate::db::regulators::RegulatorRow> = crate::db::regulators::all(conn)?
        .into_iter()
        .filter(|r| r.active)
        .collect();
    let region = most_common(members.iter().map(|m| m.case.region_code.as_str()));
    let platform = most_common(members.iter().map(|m| m.case.platform));
    let category = members
        .iter()
        .map(|m| m.case.category)
        .find(|c| c.call_police_first())
        .or_else(|| most_common(members.iter().map(|m| m.case.category)));
    let proposals = match (region, platform, category) {
        (Some(region), Some(platform), Some(category)) => {
            crate::handoff::routing::proposals_for(conn, category, region, platform)?
        }
        _ => Vec::new(),
    };
    Ok((proposals, all))
}

/// The value that comes most often; on a tie, the one that came first.
fn most_common<T: PartialEq + Copy>(items: impl Iterator<Item = T>) -> Option<T> {
    let counts = count_by(items);
    let best = counts.iter().map(|(_, n)| *n).max()?;
    counts.into_iter().find(|(_, n)| *n == best).map(|(v, _)| v)
}

impl TimelineItem {
    pub fn is(&self, action: CampaignEventAction) -> bool {
        self.event.as_ref().is_some_and(|e| e.action == action)
    }
}

impl CampaignFacts {
    /// The graph's facts: members, their merchants and contacts, and the links between members
    /// (one line per reason), each case and merchant linking where `case_href` and
    /// `merchant_href` say (the officers' pages, or the package's own files).
    pub fn graph_input(
        &self,
        case_href: impl Fn(&CaseRow) -> String,
        merchant_href: impl Fn(usize, &MerchantGroup) -> String,
    ) -> GraphInput {
        GraphInput {
            cases: self
                .members
                .iter()
                .map(|m| GraphCase {
                    number: m.case.case_number.clone(),
                    status: m.case.status,
                    platform: m.case.platform,
                    shop_name: m.case.shop_name.clone(),
                    href: case_href(&m.case),
                })
                .collect(),
            merchants: self
                .merchants
                .iter()
                .enumerate()
                .map(|(i, g)| GraphMerchant {
                    label: g.names.join(" / "),
                    href: merchant_href(i, g),
                    cases: g.cases.clone(),
                })
                .collect(),
            contacts: self
                .contacts
                .iter()
                .map(|c| GraphContact {
                    kind: c.kind,
                    shown: c.shown.clone(),
                    cases: c.cases.clone(),
                })
                .collect(),
            links: self
                .links
                .iter()
                .flat_map(|l| {
                    l.reasons.iter().map(|reason| GraphLink {
                        a: l.a,
                        b: l.b,
                        reason: *reason,
                    })
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_common_value_wins_and_a_tie_goes_to_the_first() {
        assert_eq!(
            most_common(["440113", "110105", "440113"].into_iter()),
            Some("440113")
        );
        assert_eq!(
            most_common(["110105", "440113"].into_iter()),
            Some("110105")
        );
        assert_eq!(most_common(std::iter::empty::<&str>()), None);
        assert_eq!(count_by([1, 3, 3].into_iter()), vec![(3, 2), (1, 1)]);
    }
}
