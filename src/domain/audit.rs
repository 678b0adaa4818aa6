//! The audit trail's hash chain: each entry's hash covers the previous entry's hash and its own
//! content, so a changed, removed or inserted row shows.

use super::ids::{CaseId, HandoffId, OfficerId, PlatformNoticeId};
use super::keyword::keyword_enum;
use super::status::Transition;
use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

keyword_enum! {
    /// What an audit entry records. An open set: a new step adds its action here and the table
    /// needs no change (the database does not check the keyword; reading an unknown one fails).
    /// The keywords of status changes are the transitions' names.
    pub enum AuditAction {
        Filed => "filed",
        Confirm => "confirm",
        Take => "take",
        Assign => "assign",
        RequestInfo => "request_info",
        Reply => "reply",
        Resume => "resume",
        Dismiss => "dismiss",
        Substantiate => "substantiate",
        HandOff => "hand_off",
        Acknowledge => "acknowledge",
        Close => "close",
        Withdraw => "withdraw",
        Note => "note",
        Extend => "extend",
        EvidenceAdded => "evidence_added",
        EvidenceDownloaded => "evidence_downloaded",
        EvidenceRedacted => "evidence_redacted",
        PackageDownloaded => "package_downloaded",
        HandoffResent => "handoff_resent",
        HandoffAcknowledged => "handoff_acknowledged",
        HandoffReminder => "handoff_reminder",
        Outcome => "outcome",
        OriginalRequested => "original_requested",
        OriginalApproved => "original_approved",
        OriginalRefused => "original_refused",
        OriginalDownloaded => "original_downloaded",
        ContactErased => "contact_erased",
        DeadlinesRecounted => "deadlines_recounted",
        /// The assignee was taken off the case (deactivated); the case keeps its status.
        Unassigned => "unassigned",
        /// An officer confirmed a suggested link to another case (one chain).
        LinkConfirmed => "link_confirmed",
        /// An officer found a suggested link to another case unrelated.
        LinkRejected => "link_rejected",
        /// An officer put the case into a campaign (one chain, handed off as one).
        CampaignJoined => "campaign_joined",
        /// An officer took the case out of its campaign.
        CampaignLeft => "campaign_left",
        /// A supervisor put the regulator's published decision on the public record.
        RecordApproved => "record_approved",
        /// A supervisor took a public record entry off (decision revoked or changed).
        RecordWithdrawn => "record_withdrawn",
        /// The case's notice went to the platform's desk.
        PlatformNoticeSent => "platform_notice_sent",
        /// The regulator held the platform notice (it goes when released or at the outcome).
        PlatformNoticeHeld => "platform_notice_held",
        /// The held platform notice was released (by the regulator, or with the outcome).
        PlatformNoticeReleased => "platform_notice_released",
        /// The platform's desk was reminded of an unanswered notice.
        PlatformNoticeReminder => "platform_notice_reminder",
        /// An officer took the platform notice back.
        PlatformNoticeWithdrawn => "platform_notice_withdrawn",
        /// The platform answered the notice.
        PlatformResponse => "platform_response",
    }
}

impl AuditAction {
    /// The entry a status change writes.
    pub fn of_transition(t: Transition) -> Self {
        match t {
            Transition::Confirm => AuditAction::Confirm,
            Transition::Take => AuditAction::Take,
            Transition::RequestInfo => AuditAction::RequestInfo,
            Transition::ReporterAnswers => AuditAction::Reply,
            Transition::Resume => AuditAction::Resume,
            Transition::Dismiss(_) => AuditAction::Dismiss,
            Transition::Substantiate => AuditAction::Substantiate,
            Transition::HandOff => AuditAction::HandOff,
            Transition::Acknowledge => AuditAction::Acknowledge,
            Transition::Close => AuditAction::Close,
            Transition::Withdraw => AuditAction::Withdraw,
        }
    }
}

keyword_enum! {
    /// Who an audit entry's actor is, as stored beside the actor's id.
    pub enum ActorKind {
        Reporter => "reporter",
        Officer => "officer",
        Regulator => "regulator",
        /// A platform's desk, through its notice link.
        Platform => "platform",
        System => "system",
    }
}

/// The `prev_hash` of a case's first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who may read an audit entry besides officers: some entries are the reporter's timeline too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    OfficersOnly,
    AlsoReporter,
}

impl Visibility {
    pub fn to_reporter(self) -> bool {
        self == Visibility::AlsoReporter
    }
}

/// Who did something to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Reporter,
    Officer(OfficerId),
    /// The regulator, acting through the signed link of this handoff.
    Regulator(HandoffId),
    /// The platform's desk, acting through the signed link of this notice.
    Platform(PlatformNoticeId),
    System,
}

impl Actor {
    pub fn kind(self) -> ActorKind {
        match self {
            Actor::Reporter => ActorKind::Reporter,
            Actor::Officer(_) => ActorKind::Officer,
            Actor::Regulator(_) => ActorKind::Regulator,
            Actor::Platform(_) => ActorKind::Platform,
            Actor::System => ActorKind::System,
        }
    }

    /// The id stored beside the kind (officers and regulators are rows).
    pub fn id(self) -> Option<i64> {
        match self {
            Actor::Officer(id) => Some(id.get()),
            Actor::Regulator(id) => Some(id.get()),
            Actor::Platform(id) => Some(id.get()),
            Actor::Reporter | Actor::System => None,
        }
    }

    /// The actor a stored (kind, id) pair names; `None` when an officer or regulator has no id.
    pub fn from_stored(kind: ActorKind, id: Option<i64>) -> Option<Self> {
        match (kind, id) {
            (ActorKind::Reporter, _) => Some(Actor::Reporter),
            (ActorKind::System, _) => Some(Actor::System),
            (ActorKind::Officer, Some(id)) => Some(Actor::Officer(OfficerId(id))),
            (ActorKind::Regulator, Some(id)) => Some(Actor::Regulator(HandoffId(id))),
            (ActorKind::Platform, Some(id)) => Some(Actor::Platform(PlatformNoticeId(id))),
            (ActorKind::Officer | ActorKind::Regulator | ActorKind::Platform, None) => None,
        }
    }
}

/// One entry's content, as hashed.
#[derive(Debug, Clone)]
pub struct AuditContent<'a> {
    pub case_id: CaseId,
    pub seq: i32,
    pub at: NaiveDateTime,
    pub actor_kind: &'a str,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub detail: &'a str,
    pub visible_to_reporter: bool,
}

/// How an entry's time is written where the hash covers it: UTC, to the microsecond, without an
/// offset (the chain was made so; [`crate::domain::china_time::utc_rfc3339_micros`] is the same
/// time with its `Z`, for what leaves the portal beside it).
pub fn hashed_at(at: &NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// SHA-256 over the previous hash and each field, every field length-prefixed so that no two
/// different entries can serialize to the same bytes.
pub fn entry_hash(prev_hash: &str, c: &AuditContent<'_>) -> String {
    let mut h = Sha256::new();
    let at = hashed_at(&c.at);
    let actor_id = c.actor_id.map(|i| i.to_string()).unwrap_or_default();
    let fields: [&str; 9] = [
        prev_hash,
        &c.case_id.to_string(),
        &c.seq.to_string(),
        &at,
        c.actor_kind,
        &actor_id,
        c.action,
        c.detail,
        if c.visible_to_reporter { "1" } else { "0" },
    ];
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Where a chain breaks, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry at this sequence number does not follow its predecessor (a row removed or inserted).
    Link { seq: i32 },
    /// The entry's own hash does not match its content (a row changed).
    Content { seq: i32 },
}

/// Checks entries given in sequence order, each as (content, prev_hash, hash).
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = (AuditContent<'a>, &'a str, &'a str)>,
) -> Result<(), ChainBreak> {
    let mut expected_prev = GENESIS_HASH.to_string();
    for (expected_seq, (content, prev, hash)) in (1..).zip(entries) {
        if prev != expected_prev || content.seq != expected_seq {
            return Err(ChainBreak::Link { seq: content.seq });
        }
        if entry_hash(prev, &content) != hash {
            return Err(ChainBreak::Content { seq: content.seq });
        }
        expected_prev = hash.to_string();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(seq: i32, action: &str) -> AuditContent<'_> {
        AuditContent {
            case_id: CaseId(7),
            seq,
            at: chrono::DateTime::from_timestamp(1_790_000_000 + i64::from(seq), 0)
                .map(|d| d.naive_utc())
                .unwrap_or_default(),
            actor_kind: "reporter",
            actor_id: None,
            action,
            detail: "{}",
            visible_to_reporter: true,
        }
    }

    fn chain(actions: &[&'static str]) -> Vec<(AuditContent<'static>, String, String)> {
        let mut prev = GENESIS_HASH.to_string();
        let mut out = Vec::new();
        for (i, a) in actions.iter().enumerate() {
            let c = content(i as i32 + 1, a);
            let h = entry_hash(&prev, &c);
            out.push((c, prev.clone(), h.clone()));
            prev = h;
        }
        out
    }

    fn check(rows: &[(AuditContent<'static>, String, String)]) -> Result<(), ChainBreak> {
        verify_chain(
            rows.iter()
                .map(|(c, p, h)| (c.clone(), p.as_str(), h.as_str())),
        )
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(check(&chain(&["filed", "confirmed", "withdrawn"])), Ok(()));
    }

    #[test]
    fn a_changed_row_is_found() {
        let mut rows = chain(&["filed", "confirmed", "withdrawn"]);
        rows[1].0.action = "dismissed";
        assert_eq!(check(&rows), Err(ChainBreak::Content { seq: 2 }));
    }

    #[test]
    fn a_removed_row_is_found() {
        let mut rows = chain(&["filed", "confirmed", "withdrawn"]);
        rows.remove(1);
        assert_eq!(check(&rows), Err(ChainBreak::Link { seq: 3 }));
    }
}
