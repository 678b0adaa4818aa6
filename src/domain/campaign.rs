//! Campaigns: cases an officer groups as one chain (one organiser, many shops), seen whole and
//! handed to a regulator as one package.

use super::keyword::keyword_enum;

/// The longest campaign name kept, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The most cases one campaign may hold (a package stays within `reviewwatch verify`'s caps).
pub const MAX_MEMBERS: usize = 500;

keyword_enum! {
    /// What an entry of a campaign's own timeline records.
    pub enum CampaignEventAction {
        Created => "created",
        CaseAdded => "case_added",
        CaseRemoved => "case_removed",
        Substantiated => "substantiated",
        HandedOff => "handed_off",
        HandoffAcknowledged => "handoff_acknowledged",
        PackageDownloaded => "package_downloaded",
    }
}

/// A campaign's name as an officer typed it: trimmed, one line, 1–100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignName(String);

impl CampaignName {
    pub fn parse(raw: &str) -> Option<Self> {
        let name: String = raw
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let count = name.chars().count();
        (1..=MAX_NAME_CHARS).contains(&count).then_some(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The package folder of a campaign's handoff `seq`: `CAMPAIGN-<id>-H<seq>`.
pub fn package_folder(campaign_id: super::CampaignId, seq: i32) -> String {
    format!("CAMPAIGN-{campaign_id}-H{seq}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_one_trimmed_line_of_at_most_100_characters() {
        assert_eq!(
            CampaignName::parse("  体验官招募\n  sd-zhaomu2026 ").map(|n| n.0),
            Some("体验官招募 sd-zhaomu2026".to_string())
        );
        assert_eq!(CampaignName::parse("   "), None);
        assert!(CampaignName::parse(&"刷".repeat(100)).is_some());
        assert_eq!(CampaignName::parse(&"刷".repeat(101)), None);
    }

    #[test]
    fn the_folder_names_the_campaign_and_the_handoff() {
        assert_eq!(
            package_folder(super::super::CampaignId(7), 2),
            "CAMPAIGN-7-H2"
        );
    }
}
