//! Row ids as types of their own, so a case id cannot be passed where an officer id belongs.
//! The database stores each as a `BIGINT`; `db::sql_types` maps them.

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )+};
}

id_type! {
    /// A case (`cases.id`); the public name of a case is its `CaseNumber`.
    CaseId,
    /// An officer or supervisor (`officers.id`).
    OfficerId,
    /// One stored screenshot or file of a case (`evidence.id`).
    EvidenceId,
    /// One handoff of a case to a regulator (`handoffs.id`).
    HandoffId,
    /// A regulator in the directory (`regulators.id`).
    RegulatorId,
    /// A queued email (`outbox.id`).
    MailId,
    /// A note an officer wrote on a case (`case_notes.id`).
    NoteId,
    /// A request for an original file (`original_requests.id`).
    OriginalRequestId,
    /// A browser an officer signed in from (`officer_devices.id`).
    DeviceId,
    /// A campaign: linked cases grouped as one chain (`campaigns.id`).
    CampaignId,
    /// One handoff of a whole campaign to a regulator (`campaign_handoffs.id`).
    CampaignHandoffId,
    /// A platform's or search engine's desk in the directory (`platform_desks.id`).
    PlatformDeskId,
    /// An entry of the public record (`record_entries.id`).
    RecordEntryId,
    /// A merchant's request to correct a record entry (`record_corrections.id`).
    RecordCorrectionId,
    /// A handed-off case's notice to a platform's desk (`platform_notices.id`).
    PlatformNoticeId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_and_parse_as_their_number() {
        assert_eq!(CaseId(42).to_string(), "42");
        assert_eq!("42".parse::<HandoffId>().ok(), Some(HandoffId(42)));
        assert!("x".parse::<HandoffId>().is_err());
        assert_eq!(
            serde_json::to_string(&OfficerId(7)).ok().as_deref(),
            Some("7")
        );
    }
}
