//! The public record (信用惩戒): which regulator outcomes may be republished, and an entry's state.

use super::keyword::keyword_enum;
use super::outcome::Outcome;

keyword_enum! {
    /// Where a record entry stands: waiting for a supervisor, shown, or taken off with a note.
    pub enum RecordStatus {
        Candidate => "candidate",
        Approved => "approved",
        Withdrawn => "withdrawn",
    }
}

/// The longest document number (文书号) kept.
pub const DOCUMENT_NUMBER_MAX: usize = 100;

/// Whether a regulator's outcome may become a record candidate: a penalty or a warning, with a
/// document number, that the regulator says has been made public. Anything else stays private.
pub fn is_publishable(outcome: Outcome, document_number: Option<&str>, published: bool) -> bool {
    matches!(outcome, Outcome::Penalty | Outcome::WarningOrCorrection)
        && published
        && document_number.is_some_and(|d| !d.trim().is_empty())
}

/// A document number as kept: trimmed, inner whitespace collapsed, at most
/// `DOCUMENT_NUMBER_MAX` characters; `None` when nothing is left.
pub fn clean_document_number(s: &str) -> Option<String> {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let kept: String = joined.chars().take(DOCUMENT_NUMBER_MAX).collect();
    (!kept.is_empty()).then_some(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_penalties_and_warnings_with_a_number_are_publishable() {
        assert!(is_publishable(
            Outcome::Penalty,
            Some("杭余市监罚〔2026〕12号"),
            true
        ));
        assert!(is_publishable(
            Outcome::WarningOrCorrection,
            Some("X-1"),
            true
        ));
        assert!(!is_publishable(Outcome::Penalty, Some("X-1"), false));
        assert!(!is_publishable(Outcome::Penalty, Some("  "), true));
        assert!(!is_publishable(Outcome::Penalty, None, true));
        assert!(!is_publishable(Outcome::NoViolation, Some("X-1"), true));
        assert!(!is_publishable(Outcome::Transferred, Some("X-1"), true));
        assert!(!is_publishable(Outcome::Other, Some("X-1"), true));
    }

    #[test]
    fn document_numbers_are_trimmed_and_bounded() {
        assert_eq!(clean_document_number("  a \n b "), Some("a b".to_string()));
        assert_eq!(clean_document_number("   "), None);
        assert_eq!(
            clean_document_number(&"号".repeat(500)).map(|s| s.chars().count()),
            Some(DOCUMENT_NUMBER_MAX)
        );
    }
}
