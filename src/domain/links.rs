//! Links between cases: why two reports may belong to one chain (the same or a near-identical
//! screenshot, a near-identical text, a shared contact, the same merchant) and how strongly.
//! Each finder in `db` returns `Suggestion`s; the case page groups them by case. A link is a
//! suggestion until an officer confirms it.

use super::contact::ContactKind;
use super::ids::{CaseId, EvidenceId};
use super::keyword::keyword_enum;
use super::merchant::MerchantIdentity;

keyword_enum! {
    /// Why two cases are linked.
    pub enum LinkReason {
        /// The same file, or the same picture (equal perceptual hash).
        SameScreenshot => "same_screenshot",
        /// A near-identical picture: resized, recompressed, cropped.
        SimilarScreenshot => "similar_screenshot",
        /// A near-identical text (description or text read from a screenshot).
        SimilarText => "similar_text",
        /// A phone number, WeChat/QQ id, QQ group, short link, 淘口令 or payment account.
        SameContact => "same_contact",
        /// The same shop (or item, profile, link) on the same platform.
        SameMerchant => "same_merchant",
    }
}

/// Where a text was found on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextSource {
    /// The reporter's description.
    Description,
    /// The text read (OCR) from one evidence image.
    Screenshot(EvidenceId),
}

/// A passage of one case's text, split around the part the other case shares.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Passage {
    pub before: String,
    pub shared: String,
    pub after: String,
}

/// What links the two cases, in enough detail to show the officer why.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkDetail {
    /// `distance`: bits that differ between the two perceptual hashes (0 = the same picture).
    Screenshot {
        mine: EvidenceId,
        theirs: EvidenceId,
        distance: u32,
    },
    /// `passage`: this case's text with the shared part marked.
    Text {
        mine: TextSource,
        theirs: TextSource,
        passage: Passage,
    },
    /// `shown`: the contact as officers may see it (payment accounts masked).
    Contact {
        kind: ContactKind,
        shown: String,
    },
    Merchant {
        identity: MerchantIdentity,
    },
}

/// One reason to think `other` belongs to the same chain as the case being looked at.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub other: CaseId,
    pub reason: LinkReason,
    /// How strong, 1–100: estimated likelihood that the two share a source.
    pub strength: u8,
    pub detail: LinkDetail,
}

keyword_enum! {
    /// How strong a link reads to an officer.
    pub enum StrengthBand {
        Strong => "strong",
        Likely => "likely",
        Weak => "weak",
    }
}

impl StrengthBand {
    pub fn of(strength: u8) -> Self {
        match strength {
            85.. => StrengthBand::Strong,
            60..=84 => StrengthBand::Likely,
            _ => StrengthBand::Weak,
        }
    }
}

keyword_enum! {
    /// An officer's verdict on a suggested link.
    pub enum LinkVerdict {
        /// The two cases belong to one chain.
        Confirmed => "confirmed",
        /// Not related: the suggestion is no longer offered as one.
        Rejected => "rejected",
    }
}

#[cfg(test)]
mod no_panics {
    use crate::domain::contact::{ContactScan, find_contacts, mask_payment_accounts};
    use crate::domain::text_similarity::{fingerprint, shared_passage};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// What reporters and OCR write, in pieces: digits of every width, ids, words that announce
    /// contacts, punctuation, emoji and stray combining marks.
    const PIECES: &[&str] = &[
        "0",
        "01",
        "1",
        "13800138000",
        "１３８",
        " ",
        "-",
        "—",
        "+86",
        "0086",
        "400",
        "800",
        "V信",
        "➕v",
        "微信",
        "vx",
        "QQ",
        "群",
        "支付宝",
        "卡号",
        "6222",
        "@",
        "qq.com",
        "￥",
        "€",
        "t.cn/",
        "m.tb.cn/",
        "好评返现",
        "。",
        "，",
        "\u{200b}",
        "\u{301}",
        "🙂",
        "a",
        "Z",
        "_",
        "幺",
        "三",
        "八",
        "①",
        "\n",
        "電話",
        "010-",
        "0571",
        "8815",
    ];

    #[test]
    fn no_text_makes_the_chain_indexes_panic() {
        let mut rng = StdRng::seed_from_u64(11);
        let scan = ContactScan {
            reporter_email: Some("a@qq.com"),
            account_key: b"k",
        };
        for _ in 0..20_000 {
            let n = rng.random_range(0..24);
            let text: String = (0..n)
                .map(|_| PIECES[rng.random_range(0..PIECES.len())])
                .collect();
            let other: String = text.chars().rev().collect();
            let _ = find_contacts(&text, &scan);
            let _ = mask_payment_accounts(&text);
            let _ = fingerprint(&text);
            let _ = shared_passage(&text, &other);
            let _ = shared_passage(&text, &text);
        }
    }
}
