//! Case numbers: `RW-YYYY-NNNNNN`, the year of filing and a sequence within that year.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaseNumber {
    year: i32,
    seq: i64,
}

impl CaseNumber {
    pub fn new(year: i32, seq: i64) -> Option<Self> {
        ((2000..=9999).contains(&year) && (1..=999_999).contains(&seq))
            .then_some(Self { year, seq })
    }

    /// Accepts what a person types: any case, surrounding spaces, and spaces or dashes in place
    /// of the separators (`rw 2026 000123`).
    pub fn parse(input: &str) -> Option<Self> {
        let cleaned: String = input
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '－')
            .collect::<String>()
            .to_ascii_uppercase();
        let digits = cleaned.strip_prefix("RW")?;
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year = digits[..4].parse().ok()?;
        let seq = digits[4..].parse().ok()?;
        Self::new(year, seq)
    }

    pub fn year(self) -> i32 {
        self.year
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RW-{:04}-{:06}", self.year, self.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_padding() {
        assert_eq!(
            CaseNumber::new(2026, 42).map(|n| n.to_string()).as_deref(),
            Some("RW-2026-000042")
        );
    }

    #[test]
    fn parses_what_people_type() {
        let n = CaseNumber::new(2026, 123);
        assert_eq!(CaseNumber::parse("RW-2026-000123"), n);
        assert_eq!(CaseNumber::parse(" rw 2026 000123 "), n);
        assert_eq!(CaseNumber::parse("RW2026000123"), n);
    }

    #[test]
    fn refuses_malformed_numbers() {
        for bad in [
            "",
            "RW-2026-12",
            "XX-2026-000123",
            "RW-2026-000000",
            "RW-2026-0001234",
            "RW-20a6-000123",
        ] {
            assert_eq!(CaseNumber::parse(bad), None, "{bad}");
        }
    }
}
