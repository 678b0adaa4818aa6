//! What an officer typed into the queue's search box, parsed once: a pair of characters (found
//! through the bigram index) or a longer substring (found through the trigram index).

/// A search the indexes can serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerm {
    /// Exactly two letters or digits, e.g. 返现: one token of the bigram index.
    Pair(String),
    /// Three characters or more, matched as a substring.
    Substring(String),
}

/// A search of one character (or two that are not both letters or digits): no index can serve
/// it, and it would match most cases anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchTooShort;

impl SearchTerm {
    /// Lower-cased, trimmed, control characters dropped (they match nothing stored, and
    /// PostgreSQL refuses a NUL). `Ok(None)` when nothing is left to search for.
    pub fn parse(raw: &str) -> Result<Option<SearchTerm>, SearchTooShort> {
        let cleaned: String = raw.chars().filter(|c| !c.is_control()).collect();
        let term = cleaned.trim().to_lowercase();
        match term.chars().count() {
            0 => Ok(None),
            1 => Err(SearchTooShort),
            2 if term.chars().all(char::is_alphanumeric) => Ok(Some(SearchTerm::Pair(term))),
            2 => Err(SearchTooShort),
            _ => Ok(Some(SearchTerm::Substring(term))),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            SearchTerm::Pair(s) | SearchTerm::Substring(s) => s,
        }
    }
}

/// The distinct pairs of adjacent characters of a search text, in the order they first occur
/// (whitespace never inside a pair): what the bigram index holds for it (PostgreSQL keeps them
/// as an array, `case_search.pairs`).
pub fn character_pair_list(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for w in chars.windows(2) {
        if w.iter().any(|c| c.is_whitespace()) {
            continue;
        }
        let pair: String = w.iter().collect();
        if seen.insert(pair.clone()) {
            out.push(pair);
        }
    }
    out
}

/// The same pairs space-separated: SQLite's FTS5 `case_bigrams` takes them as tokens.
pub fn character_pairs(text: &str) -> String {
    character_pair_list(text).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_letters_are_a_pair_three_a_substring() {
        assert_eq!(
            SearchTerm::parse(" 返现 "),
            Ok(Some(SearchTerm::Pair("返现".into())))
        );
        assert_eq!(
            SearchTerm::parse("好评返现"),
            Ok(Some(SearchTerm::Substring("好评返现".into())))
        );
        assert_eq!(
            SearchTerm::parse("JD"),
            Ok(Some(SearchTerm::Pair("jd".into())))
        );
        assert_eq!(SearchTerm::parse("  \u{0}"), Ok(None));
        assert_eq!(SearchTerm::parse("返"), Err(SearchTooShort));
        assert_eq!(SearchTerm::parse("%_"), Err(SearchTooShort));
    }

    #[test]
    fn pairs_are_distinct_and_never_span_whitespace() {
        assert_eq!(character_pairs("好评返现 好评"), "好评 评返 返现");
        assert_eq!(character_pairs("ab\ncd"), "ab cd");
        assert_eq!(character_pairs("a"), "");
    }
}
