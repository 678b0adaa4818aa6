//! The regulator's links: `/handoff/{id}/{action}/{expires}/{signature}`, an HMAC over the
//! handoff, the action and the expiry, so they cannot be forged or stretched, and need no account.

use crate::domain::{CampaignHandoffId, HandoffId, ids::PlatformNoticeId};
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkAction {
    Package,
    Acknowledge,
    Outcome,
    /// A platform desk's notice page (read and answer), under `/platform/`.
    Notice,
}

impl LinkAction {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkAction::Package => "package",
            LinkAction::Acknowledge => "acknowledge",
            LinkAction::Outcome => "outcome",
            LinkAction::Notice => "notice",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "package" => Some(LinkAction::Package),
            "acknowledge" => Some(LinkAction::Acknowledge),
            "outcome" => Some(LinkAction::Outcome),
            _ => None,
        }
    }

    /// How long a link works: the package and the acknowledgement 30 days, the outcome 180.
    pub fn lifetime(self) -> chrono::TimeDelta {
        match self {
            LinkAction::Package | LinkAction::Acknowledge => chrono::TimeDelta::days(30),
            LinkAction::Outcome => chrono::TimeDelta::days(180),
            LinkAction::Notice => crate::domain::platform_notice::LINK_LIFETIME,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    Forged,
    Expired,
}

/// The MAC over what a link names: `subject` (`handoff:7`, `campaign-handoff:3`,
/// `platform-notice:5`), the action and the expiry.
fn mac_of(key: &[u8], subject: &str, action: LinkAction, expires: i64) -> Option<Hmac<Sha256>> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).ok()?;
    m.update(format!("{subject}:{}:{expires}", action.as_str()).as_bytes());
    Some(m)
}

/// The hex signature of a link to `subject`.
fn signature(key: &[u8], subject: &str, action: LinkAction, expires: i64) -> String {
    mac_of(key, subject, action, expires)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Checks a link's signature for `subject`, then its expiry: every kind of link, one rule.
fn verify(
    key: &[u8],
    subject: &str,
    action: LinkAction,
    expires: i64,
    sig: &str,
    now: i64,
) -> Result<(), LinkError> {
    let sig = hex::decode(sig).map_err(|_| LinkError::Forged)?;
    mac_of(key, subject, action, expires)
        .ok_or(LinkError::Forged)?
        .verify_slice(&sig)
        .map_err(|_| LinkError::Forged)?;
    if now > expires {
        Err(LinkError::Expired)
    } else {
        Ok(())
    }
}

/// The path of a campaign handoff's link: `/handoff/campaign/{id}/{action}/{expires}/{sig}`.
pub fn campaign_path(
    key: &[u8],
    id: CampaignHandoffId,
    action: LinkAction,
    expires: i64,
) -> String {
    let sig = signature(key, &format!("campaign-handoff:{id}"), action, expires);
    format!("/handoff/campaign/{id}/{}/{expires}/{sig}", action.as_str())
}

/// Checks a campaign handoff's link as `check` does a case handoff's.
pub fn campaign_check(
    key: &[u8],
    id: CampaignHandoffId,
    action: LinkAction,
    expires: i64,
    sig: &str,
    now: i64,
) -> Result<(), LinkError> {
    verify(
        key,
        &format!("campaign-handoff:{id}"),
        action,
        expires,
        sig,
        now,
    )
}

/// The path of a platform desk's notice link: `/platform/{id}/{expires}/{sig}`.
pub fn notice_path(key: &[u8], id: PlatformNoticeId, expires: i64) -> String {
    let subject = format!("platform-notice:{id}");
    let sig = signature(key, &subject, LinkAction::Notice, expires);
    format!("/platform/{id}/{expires}/{sig}")
}

/// Checks a platform desk's notice link as `check` does a handoff's.
pub fn notice_check(
    key: &[u8],
    id: PlatformNoticeId,
    expires: i64,
    sig: &str,
    now: i64,
) -> Result<(), LinkError> {
    let subject = format!("platform-notice:{id}");
    verify(key, &subject, LinkAction::Notice, expires, sig, now)
}

/// The path of a link that works until `expires` (Unix seconds).
pub fn path(key: &[u8], handoff_id: HandoffId, action: LinkAction, expires: i64) -> String {
    let sig = signature(key, &format!("handoff:{handoff_id}"), action, expires);
    format!("/handoff/{handoff_id}/{}/{expires}/{sig}", action.as_str())
}

pub fn check(
    key: &[u8],
    handoff_id: HandoffId,
    action: LinkAction,
    expires: i64,
    sig: &str,
    now: i64,
) -> Result<(), LinkError> {
    verify(
        key,
        &format!("handoff:{handoff_id}"),
        action,
        expires,
        sig,
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(p: &str) -> (HandoffId, LinkAction, i64, String) {
        let v: Vec<&str> = p.trim_start_matches('/').split('/').collect();
        (
            v[1].parse().expect("id"),
            LinkAction::parse(v[2]).expect("action"),
            v[3].parse().expect("exp"),
            v[4].to_string(),
        )
    }

    #[test]
    fn a_link_works_until_it_expires_and_only_for_what_it_names() {
        let p = path(b"k", HandoffId(7), LinkAction::Acknowledge, 1000);
        let (id, action, exp, sig) = parts(&p);
        assert_eq!(check(b"k", id, action, exp, &sig, 999), Ok(()));
        assert_eq!(
            check(b"k", id, action, exp, &sig, 1001),
            Err(LinkError::Expired)
        );
        assert_eq!(
            check(b"k", HandoffId(8), action, exp, &sig, 999),
            Err(LinkError::Forged)
        );
        assert_eq!(
            check(b"k", id, LinkAction::Outcome, exp, &sig, 999),
            Err(LinkError::Forged)
        );
        assert_eq!(
            check(b"k", id, action, exp + 1000, &sig, 999),
            Err(LinkError::Forged)
        );
        assert_eq!(
            check(b"other", id, action, exp, &sig, 999),
            Err(LinkError::Forged)
        );
        assert_eq!(
            check(b"k", id, action, exp, "zz", 999),
            Err(LinkError::Forged)
        );
    }

    #[test]
    fn a_notice_link_is_neither_a_handoff_link_nor_another_notice_link() {
        let p = notice_path(b"k", PlatformNoticeId(7), 1000);
        let v: Vec<&str> = p.trim_start_matches('/').split('/').collect();
        assert_eq!((v[0], v[1], v[2]), ("platform", "7", "1000"));
        let sig = v[3];
        assert_eq!(
            notice_check(b"k", PlatformNoticeId(7), 1000, sig, 999),
            Ok(())
        );
        assert_eq!(
            notice_check(b"k", PlatformNoticeId(7), 1000, sig, 1001),
            Err(LinkError::Expired)
        );
        assert_eq!(
            notice_check(b"k", PlatformNoticeId(8), 1000, sig, 999),
            Err(LinkError::Forged)
        );
        assert_eq!(
            notice_check(b"k", PlatformNoticeId(7), 2000, sig, 999),
            Err(LinkError::Forged)
        );
        assert_eq!(
            check(b"k", HandoffId(7), LinkAction::Notice, 1000, sig, 999),
            Err(LinkError::Forged)
        );
    }

    #[test]
    fn a_campaign_link_is_not_a_case_link_of_the_same_number() {
        let p = campaign_path(b"k", CampaignHandoffId(7), LinkAction::Acknowledge, 1000);
        let v: Vec<&str> = p.trim_start_matches('/').split('/').collect();
        assert_eq!(v[1], "campaign");
        let sig = v[5];
        assert_eq!(
            campaign_check(
                b"k",
                CampaignHandoffId(7),
                LinkAction::Acknowledge,
                1000,
                sig,
                999
            ),
            Ok(())
        );
        assert_eq!(
            check(b"k", HandoffId(7), LinkAction::Acknowledge, 1000, sig, 999),
            Err(LinkError::Forged)
        );
        assert_eq!(
            campaign_check(
                b"k",
                CampaignHandoffId(8),
                LinkAction::Acknowledge,
                1000,
                sig,
                999
            ),
            Err(LinkError::Forged)
        );
        assert_eq!(
            campaign_check(
                b"k",
                CampaignHandoffId(7),
                LinkAction::Acknowledge,
                1000,
                sig,
                1001
            ),
            Err(LinkError::Expired)
        );
    }
}
