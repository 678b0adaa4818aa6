//! A merchant's shop as the reporter names it (a URL or an ID on the platform), and the key
//! that lets officers find other cases about the same shop however the URL was written.

use url::Url;

/// Query parameters that identify a shop or seller on the platforms we know; every other
/// parameter (tracking, share tokens) is dropped from the key.
const SHOP_ID_PARAMS: &[&str] = &[
    "id",
    "shop_id",
    "shopid",
    "seller_id",
    "sellerid",
    "user_number_id",
    "mall_id",
    "mallid",
    "venderid",
    "vender_id",
    "store_id",
    "storeid",
    "poi_id",
    "poiid",
    "sec_uid",
    "user_id",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopRef {
    Url(Url),
    Id(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShopRefError {
    Empty,
    TooLong,
    BadUrl,
}

pub const MAX_SHOP_REF_CHARS: usize = 500;

impl ShopRef {
    pub fn parse(input: &str) -> Result<Self, ShopRefError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(ShopRefError::Empty);
        }
        if input.chars().count() > MAX_SHOP_REF_CHARS {
            return Err(ShopRefError::TooLong);
        }
        if looks_like_url(input) {
            return parse_web_url(input)
                .map(ShopRef::Url)
                .ok_or(ShopRefError::BadUrl);
        }
        if input.chars().any(char::is_control) {
            return Err(ShopRefError::BadUrl);
        }
        Ok(ShopRef::Id(input.to_string()))
    }

    /// What the reporter gave, normalized only as far as a URL parser does.
    pub fn as_given(&self) -> String {
        match self {
            ShopRef::Url(url) => url.to_string(),
            ShopRef::Id(id) => id.clone(),
        }
    }

    /// A key equal for the same shop however its address was written: host without `www.`/`m.`,
    /// path without a trailing slash, and only the parameters that identify a shop.
    pub fn key(&self) -> String {
        match self {
            ShopRef::Id(id) => format!(
                "id:{}",
                id.to_lowercase().split_whitespace().collect::<String>()
            ),
            ShopRef::Url(url) => {
                let host = url.host_str().unwrap_or("").to_lowercase();
                let host = ["www.", "m.", "h5.", "wap."]
                    .iter()
                    .find_map(|p| host.strip_prefix(p))
                    .unwrap_or(&host)
                    .to_string();
                let path = url.path().trim_end_matches('/');
                let mut params: Vec<(String, String)> = url
                    .query_pairs()
                    .map(|(k, v)| (k.to_lowercase(), v.into_owned()))
                    .filter(|(k, _)| SHOP_ID_PARAMS.contains(&k.as_str()))
                    .collect();
                params.sort();
                let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
                if query.is_empty() {
                    format!("url:{host}{path}")
                } else {
                    format!("url:{host}{path}?{}", query.join("&"))
                }
            }
        }
    }
}

fn looks_like_url(input: &str) -> bool {
    if input.contains(char::is_whitespace) {
        return false;
    }
    let lower = input.to_ascii_lowercase();
    if lower.contains("://") || lower.starts_with("www.") {
        return true;
    }
    // A bare host name like `shop123.taobao.com/...` or `shop123.taobao.com?id=1`.
    let host = lower.split(['/', '?', '#']).next().unwrap_or("");
    let tld = host.rsplit('.').next().unwrap_or("");
    host.contains('.') && tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic())
}

/// Parses an http(s) address, adding `https://` where a person left the scheme out.
/// Other schemes (`javascript:`, `file:`) are refused.
pub fn parse_web_url(input: &str) -> Option<Url> {
    let input = input.trim();
    let candidate = if input.to_ascii_lowercase().contains("://") {
        input.to_string()
    } else {
        format!("https://{input}")
    };
    let url = Url::parse(&candidate).ok()?;
    let has_dot_host = url.host_str().is_some_and(|h| h.contains('.'));
    (matches!(url.scheme(), "http" | "https") && has_dot_host).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        ShopRef::parse(s).expect("valid").key()
    }

    #[test]
    fn the_same_shop_written_differently_has_one_key() {
        let a = key("https://shop123.taobao.com/?spm=a1z10.1&id=99");
        let b = key("shop123.taobao.com?id=99");
        let c = key("HTTPS://SHOP123.TAOBAO.COM/?id=99&share_token=xyz");
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(
            key("https://www.jd.com/shop/1000"),
            key("https://m.jd.com/shop/1000/")
        );
    }

    #[test]
    fn different_shops_differ() {
        assert_ne!(
            key("https://mall.jd.com/index-1.html"),
            key("https://mall.jd.com/index-2.html")
        );
        assert_ne!(
            key("shop123.taobao.com?id=1"),
            key("shop123.taobao.com?id=2")
        );
    }

    #[test]
    fn ids_ignore_case_and_spaces() {
        assert_eq!(key("PDD 12345"), key("pdd12345"));
        assert!(key("pdd12345").starts_with("id:"));
    }

    #[test]
    fn dangerous_or_broken_urls_are_refused() {
        assert_eq!(
            ShopRef::parse("javascript://alert(1)"),
            Err(ShopRefError::BadUrl)
        );
        assert_eq!(
            ShopRef::parse("file:///etc/passwd"),
            Err(ShopRefError::BadUrl)
        );
        assert_eq!(ShopRef::parse("   "), Err(ShopRefError::Empty));
        assert_eq!(ShopRef::parse(&"a".repeat(501)), Err(ShopRefError::TooLong));
    }
}
