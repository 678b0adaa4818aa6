//! Platform desks: where a handed-off case is noticed to the platform that hosts the fake
//! reviews (its governance desk), and search engines' complaint desks for pages impersonating a
//! platform's customer-service hotline. Kept by supervisors like the regulator directory.

use super::Platform;
use super::keyword::keyword_enum;

keyword_enum! {
    /// What a desk answers for.
    pub enum DeskKind {
        /// One platform's governance desk (淘宝/天猫, 京东, 拼多多 …; "other" by the shop's domain).
        Platform => "platform",
        /// A search engine's complaint desk, for impersonated-hotline pages it lists.
        SearchEngine => "search_engine",
    }
}

/// The search engines whose complaint desks take impersonated-hotline pages: (domain, name).
pub const SEARCH_ENGINES: &[(&str, &str)] = &[
    ("baidu.com", "百度"),
    ("so.com", "360 搜索"),
    ("sogou.com", "搜狗"),
];

/// The public channel for reporting impersonated-hotline pages themselves: 12321 (网络不良与垃圾
/// 信息举报受理中心), named on the desk page and in the notice for such cases.
pub const HOTLINE_PAGES_CHANNEL: &str = "12321";

/// A desk's domain as typed ("https://www.Example.com/x" → "example.com"): lower case, no
/// scheme, `www.`, port or path; letters, digits, hyphens and at least one dot.
pub fn normalize_domain(raw: &str) -> Option<String> {
    let s = raw.trim().to_lowercase();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(&s);
    let host = s.split(['/', '?', '#', ':']).next().unwrap_or_default();
    let host = host.strip_prefix("www.").unwrap_or(host);
    let labels: Vec<&str> = host.split('.').collect();
    let ok = labels.len() >= 2
        && host.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    ok.then(|| host.to_string())
}

/// What a desk covers, checked: a platform (and, for "other", its domain), or a search engine's
/// domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskScope {
    Platform(Platform),
    OtherPlatform(String),
    SearchEngine(String),
}

impl DeskScope {
    /// Reads the directory form's fields; `None` when they do not make a scope.
    pub fn parse(kind: &str, platform: &str, domain: &str) -> Option<Self> {
        match DeskKind::parse(kind)? {
            DeskKind::Platform => match Platform::parse(platform)? {
                Platform::Other => normalize_domain(domain).map(DeskScope::OtherPlatform),
                p => Some(DeskScope::Platform(p)),
            },
            DeskKind::SearchEngine => normalize_domain(domain).map(DeskScope::SearchEngine),
        }
    }

    pub fn kind(&self) -> DeskKind {
        match self {
            DeskScope::Platform(_) | DeskScope::OtherPlatform(_) => DeskKind::Platform,
            DeskScope::SearchEngine(_) => DeskKind::SearchEngine,
        }
    }

    /// The stored (platform, domain) pair.
    pub fn columns(&self) -> (Option<Platform>, Option<&str>) {
        match self {
            DeskScope::Platform(p) => (Some(*p), None),
            DeskScope::OtherPlatform(d) => (Some(Platform::Other), Some(d)),
            DeskScope::SearchEngine(d) => (None, Some(d)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_is_read_from_what_people_type() {
        assert_eq!(
            normalize_domain("https://www.Example-Shop.com:443/x?y").as_deref(),
            Some("example-shop.com")
        );
        assert_eq!(normalize_domain("so.com").as_deref(), Some("so.com"));
        for bad in ["", "localhost", "a..b", "-a.com", "例子.com", "a_b.com"] {
            assert_eq!(normalize_domain(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_scope_is_a_platform_an_other_platform_by_domain_or_a_search_engine() {
        assert_eq!(
            DeskScope::parse("platform", "jd", ""),
            Some(DeskScope::Platform(Platform::Jd))
        );
        assert_eq!(
            DeskScope::parse("platform", "other", "www.shop.example"),
            Some(DeskScope::OtherPlatform("shop.example".into()))
        );
        assert_eq!(DeskScope::parse("platform", "other", ""), None);
        assert_eq!(
            DeskScope::parse("search_engine", "", "https://www.baidu.com/"),
            Some(DeskScope::SearchEngine("baidu.com".into()))
        );
        assert_eq!(DeskScope::parse("search_engine", "", ""), None);
        assert_eq!(DeskScope::parse("nonsense", "jd", ""), None);
    }
}
