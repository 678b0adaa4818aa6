//! Merchant identity: which shop (or item, profile or short link) a report is about, read from
//! the URL the reporter typed as far as the URL itself says, else from the shop's name.
//!
//! Pure: nothing here fetches a URL or follows a short link. A short link stays a short link,
//! keyed by the link itself, because its target is not in the text the reporter gave.

use url::Url;

use super::keyword::keyword_enum;
use super::platform::Platform;
use super::shop::ShopRef;

keyword_enum! {
    /// What the identity's key names.
    pub enum IdentityKind {
        /// The URL names the shop (a shop id, a seller id or a shop's sub-domain).
        ShopId => "shop",
        /// The URL names only an item or goods id: a product, not the shop that sells it.
        ItemId => "item",
        /// A 小红书 user profile.
        Profile => "profile",
        /// A short or share link whose target the URL does not hold (never fetched).
        ShortLink => "link",
        /// Fallback: the shop name the reporter typed, normalised.
        ShopName => "name",
    }
}

/// A canonical merchant identity: equal for the same shop however its address was written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MerchantIdentity {
    pub platform: Platform,
    pub kind: IdentityKind,
    pub key: String,
}

impl MerchantIdentity {
    /// `platform:kind:key`, e.g. `taobao:shop:12345` or `jd:item:100012043978`.
    pub fn key_string(&self) -> String {
        format!("{}:{}:{}", self.platform, self.kind, self.key)
    }

    /// Reads back a `key_string()`; `None` for anything else.
    pub fn parse_key(s: &str) -> Option<Self> {
        let mut parts = s.splitn(3, ':');
        let platform = Platform::parse(parts.next()?)?;
        let kind = IdentityKind::parse(parts.next()?)?;
        let key = parts.next()?;
        (!key.is_empty()).then(|| MerchantIdentity {
            platform,
            kind,
            key: key.to_string(),
        })
    }
}

/// Reads the reporter's shop reference and shop name into an identity. The URL's own platform
/// wins over the one the reporter chose (a JD URL on a Taobao report is a JD shop); when the URL
/// is not one we know, the identity is the normalised shop name on the reported platform.
pub fn identify(platform: Platform, shop_ref: &str, shop_name: &str) -> MerchantIdentity {
    if let Ok(ShopRef::Url(url)) = ShopRef::parse(shop_ref)
        && let Some(found) = from_url(platform, &url)
    {
        return found;
    }
    let mut key = normalize_name(shop_name);
    if key.is_empty() {
        // The report form requires a name; this only keeps a caller without one from sharing
        // an empty key with every other such report.
        key = normalize_name(shop_ref);
    }
    MerchantIdentity {
        platform,
        kind: IdentityKind::ShopName,
        key,
    }
}

/// Full-width ASCII to half-width (U+FF01..U+FF5E, ideographic space), all whitespace removed,
/// ASCII lower-cased. Words like 旗舰店 are kept: they tell shops apart.
pub fn normalize_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Short-link hosts and the platform each belongs to (`None`: any platform, keep the reported one).
const SHORT_LINK_HOSTS: &[(&str, Option<Platform>)] = &[
    ("m.tb.cn", Some(Platform::Taobao)),
    ("u.jd.com", Some(Platform::Jd)),
    ("v.douyin.com", Some(Platform::Douyin)),
    ("v.kuaishou.com", Some(Platform::Kuaishou)),
    ("xhslink.com", Some(Platform::Xiaohongshu)),
    ("t.cn", None),
];

/// Sub-domains of tmall.com that are not a shop's own sub-domain.
const TMALL_NON_SHOP: &[&str] = &[
    "www", "m", "detail", "list", "login", "pages", "chaoshi", "cart", "buy", "brand", "vip",
    "help", "service", "shop", "store", "mdetail", "h5",
];

fn from_url(reported: Platform, url: &Url) -> Option<MerchantIdentity> {
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    let bare = host.strip_prefix("www.").unwrap_or(host);
    let path = url.path();
    let make = |platform, kind, key: String| {
        Some(MerchantIdentity {
            platform,
            kind,
            key,
        })
    };

    if let Some((_, platform)) = SHORT_LINK_HOSTS.iter().find(|(h, _)| *h == bare) {
        let code = path.trim_end_matches('/');
        if code.is_empty() || code == "/" {
            return None;
        }
        return make(
            platform.unwrap_or(reported),
            IdentityKind::ShortLink,
            format!("{bare}{code}"),
        );
    }

    if let Some(sub) = sub_of(host, "taobao.com") {
        // shop123.taobao.com, shop123.m.taobao.com
        let first = sub.split('.').next().unwrap_or("");
        if let Some(id) = first.strip_prefix("shop").and_then(digits) {
            return make(Platform::Taobao, IdentityKind::ShopId, id);
        }
        if let Some(id) = param(url, &["shop_id", "shopid"]).and_then(digits) {
            return make(Platform::Taobao, IdentityKind::ShopId, id);
        }
        // store.taobao.com/shop/view_shop.htm?user_number_id=…: the seller's user id, a
        // different number space from shop ids, so it is keyed apart.
        if let Some(id) = param(url, &["user_number_id", "seller_id", "sellerid"]).and_then(digits)
        {
            return make(
                Platform::Taobao,
                IdentityKind::ShopId,
                format!("seller:{id}"),
            );
        }
        if (sub.starts_with("item") || path.contains("detail") || path.contains("item"))
            && let Some(id) = param(url, &["id", "item_id", "itemid"]).and_then(digits)
        {
            return make(Platform::Taobao, IdentityKind::ItemId, id);
        }
        return None;
    }

    if let Some(sub) = sub_of(host, "tmall.com") {
        if let Some(id) = param(url, &["shop_id", "shopid"]).and_then(digits) {
            return make(Platform::Tmall, IdentityKind::ShopId, id);
        }
        if sub.starts_with("detail") || path.contains("item") || path.contains("detail") {
            if let Some(id) = param(url, &["id", "item_id", "itemid"]).and_then(digits) {
                return make(Platform::Tmall, IdentityKind::ItemId, id);
            }
            return None;
        }
        // xxx.tmall.com, xxx.m.tmall.com: the shop's own sub-domain.
        let first = sub.split('.').next().unwrap_or("");
        if !first.is_empty()
            && !TMALL_NON_SHOP.contains(&first)
            && let Some(name) = token(first)
        {
            return make(
                Platform::Tmall,
                IdentityKind::ShopId,
                name.to_ascii_lowercase(),
            );
        }
        return None;
    }

    if let Some(sub) = sub_of(host, "jd.com") {
        // mall.jd.com/index-1000.html
        if let Some(id) = last_segment(path)
            .and_then(|s| s.strip_prefix("index-"))
            .and_then(|s| s.strip_suffix(".html"))
            .and_then(digits)
        {
            return make(Platform::Jd, IdentityKind::ShopId, id);
        }
        if let Some(id) = param(url, &["shopid", "shop_id"]).and_then(digits) {
            return make(Platform::Jd, IdentityKind::ShopId, id);
        }
        // item.jd.com/100012043978.html, item.m.jd.com/product/100012043978.html
        if sub.starts_with("item")
            && let Some(id) = last_segment(path)
                .and_then(|s| s.strip_suffix(".html"))
                .and_then(digits)
        {
            return make(Platform::Jd, IdentityKind::ItemId, id);
        }
        if let Some(id) = param(url, &["wareid", "sku", "skuid"]).and_then(digits) {
            return make(Platform::Jd, IdentityKind::ItemId, id);
        }
        return None;
    }

    if sub_of(host, "yangkeduo.com").is_some() || sub_of(host, "pinduoduo.com").is_some() {
        if let Some(id) = param(url, &["mall_id", "mallid"]).and_then(digits) {
            return make(Platform::Pinduoduo, IdentityKind::ShopId, id);
        }
        if let Some(id) = param(url, &["goods_id", "goodsid"]).and_then(digits) {
            return make(Platform::Pinduoduo, IdentityKind::ItemId, id);
        }
        return None;
    }

    if sub_of(host, "jinritemai.com").is_some() {
        if let Some(id) = param(url, &["shop_id", "shopid"]).and_then(token) {
            return make(Platform::Douyin, IdentityKind::ShopId, id.to_string());
        }
        if let Some(id) = param(url, &["id"]).and_then(token) {
            // haohuo.jinritemai.com/views/shop/index?id=… is a shop; …/views/product/…?id= an item.
            let kind = if path.contains("shop") {
                IdentityKind::ShopId
            } else {
                IdentityKind::ItemId
            };
            return make(Platform::Douyin, kind, id.to_string());
        }
        return None;
    }

    if sub_of(host, "kwaixiaodian.com").is_some() {
        if let Some(id) =
            param(url, &["shopid", "shop_id", "sellerid", "seller_id"]).and_then(token)
        {
            return make(Platform::Kuaishou, IdentityKind::ShopId, id.to_string());
        }
        if let Some(id) = param(url, &["itemid", "item_id"]).and_then(token) {
            return make(Platform::Kuaishou, IdentityKind::ItemId, id.to_string());
        }
        return None;
    }

    if sub_of(host, "dianping.com").is_some() {
        // www.dianping.com/shop/H8qGz…, m.dianping.com/shopshare/H8qGz… (ids are case-sensitive)
        let mut segs = path.split('/').filter(|s| !s.is_empty());
        while let Some(seg) = segs.next() {
            if (seg.eq_ignore_ascii_case("shop") || seg.eq_ignore_ascii_case("shopshare"))
                && let Some(id) = segs.next().and_then(token)
            {
                return make(Platform::Dianping, IdentityKind::ShopId, id.to_string());
            }
        }
        if let Some(id) = param(url, &["shopid", "shop_id", "shopuuid"]).and_then(token) {
            return make(Platform::Dianping, IdentityKind::ShopId, id.to_string());
        }
        return None;
    }

    if sub_of(host, "meituan.com").is_some() {
        let mut segs = path.split('/').filter(|s| !s.is_empty());
        while let Some(seg) = segs.next() {
            if (seg.eq_ignore_ascii_case("poi") || seg.eq_ignore_ascii_case("meishi"))
                && let Some(id) = segs.next().and_then(digits)
            {
                return make(Platform::Meituan, IdentityKind::ShopId, id);
            }
        }
        if let Some(id) = param(url, &["poiid", "poi_id"]).and_then(digits) {
            return make(Platform::Meituan, IdentityKind::ShopId, id);
        }
        return None;
    }

    if sub_of(host, "xiaohongshu.com").is_some() {
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if let [user, profile, id, ..] = segs.as_slice()
            && user.eq_ignore_ascii_case("user")
            && profile.eq_ignore_ascii_case("profile")
            && let Some(id) = token(id)
        {
            return make(
                Platform::Xiaohongshu,
                IdentityKind::Profile,
                id.to_ascii_lowercase(),
            );
        }
        return None;
    }

    None
}

/// `Some(sub-domain part)` when `host` is `domain` or a sub-domain of it (`""` for the domain).
fn sub_of<'a>(host: &'a str, domain: &str) -> Option<&'a str> {
    if host == domain {
        return Some("");
    }
    host.strip_suffix(domain)?.strip_suffix('.')
}

/// The first non-empty value of any of `names` (compared case-insensitively).
fn param(url: &Url, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| {
        url.query_pairs()
            .find(|(k, v)| k.eq_ignore_ascii_case(name) && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
    })
}

fn last_segment(path: &str) -> Option<&str> {
    path.split('/').rfind(|s| !s.is_empty())
}

/// A numeric id (leading zeros dropped so `007` and `7` agree), at most 30 digits.
fn digits(s: impl AsRef<str>) -> Option<String> {
    let s = s.as_ref();
    if s.is_empty() || s.len() > 30 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = s.trim_start_matches('0');
    Some(if trimmed.is_empty() { "0" } else { trimmed }.to_string())
}

/// An opaque id: 1–80 ASCII letters, digits, `_` or `-`.
fn token<S: AsRef<str>>(s: S) -> Option<S> {
    let v = s.as_ref();
    let ok = !v.is_empty()
        && v.len() <= 80
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    ok.then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(platform: Platform, url: &str) -> String {
        identify(platform, url, "某某旗舰店").key_string()
    }

    fn tb(url: &str) -> String {
        id(Platform::Taobao, url)
    }

    #[test]
    fn taobao_shop_pages() {
        let want = "taobao:shop:12345";
        for url in [
            "https://shop12345.taobao.com",
            "https://shop12345.taobao.com/",
            "http://shop12345.taobao.com/?spm=a230r.7195193.1997079397.2.abc&scm=1007.1",
            "shop12345.taobao.com/index.htm?spm=2013.1.w5002-1.1&utparam=%7B%7D",
            "HTTPS://SHOP12345.TAOBAO.COM/",
            "https://shop12345.m.taobao.com/?share_crt_v=1&sp_tk=abc",
            "https://shop.m.taobao.com/shop/shop_index.htm?shop_id=12345&spm=a1z10",
            "https://shop.m.taobao.com/shop/shop_index.htm?SHOP_ID=12345",
            "https://shop.m.taobao.com/shop/shop_index.htm?shop_id=012345",
        ] {
            assert_eq!(tb(url), want, "{url}");
        }
    }

    #[test]
    fn taobao_seller_ids_are_keyed_apart_from_shop_ids() {
        let seller = tb("https://store.taobao.com/shop/view_shop.htm?user_number_id=12345&spm=x");
        assert_eq!(seller, "taobao:shop:seller:12345");
        assert_ne!(seller, tb("https://shop12345.taobao.com"));
    }

    #[test]
    fn taobao_and_tmall_items_are_items_not_shops() {
        let item = identify(
            Platform::Taobao,
            "https://item.taobao.com/item.htm?id=600123456789&spm=a1z10.1-c.w4004&ns=1&abbucket=3",
            "x",
        );
        assert_eq!(item.kind, IdentityKind::ItemId);
        assert_eq!(item.key_string(), "taobao:item:600123456789");
        assert_eq!(
            tb("item.taobao.com/item.htm?id=600123456789"),
            "taobao:item:600123456789"
        );
        assert_eq!(
            tb("https://detail.tmall.com/item.htm?id=600123456789&skuId=1&spm=a220m"),
            "tmall:item:600123456789"
        );
        assert_eq!(
            tb("https://detail.m.tmall.com/item.htm?id=600123456789"),
            "tmall:item:600123456789"
        );
        assert_ne!(
            tb("https://item.taobao.com/item.htm?id=12345"),
            tb("https://shop12345.taobao.com")
        );
    }

    #[test]
    fn tmall_shop_subdomains() {
        let want = "tmall:shop:nike";
        for url in [
            "https://nike.tmall.com",
            "https://nike.tmall.com/?spm=a220o.1000855.1997427721.d4918089.abc",
            "http://NIKE.TMALL.COM/shop/view_shop.htm",
            "https://nike.m.tmall.com/",
        ] {
            assert_eq!(id(Platform::Tmall, url), want, "{url}");
        }
        assert_eq!(
            identify(Platform::Tmall, "https://www.tmall.com/", "耐克官方旗舰店").kind,
            IdentityKind::ShopName
        );
    }

    #[test]
    fn jd_shops_and_items() {
        let want = "jd:shop:1000001582";
        for url in [
            "https://mall.jd.com/index-1000001582.html",
            "https://mall.jd.com/index-1000001582.html?from=pc&spm=1.2",
            "http://MALL.JD.COM/index-1000001582.html",
            "https://shop.m.jd.com/?shopId=1000001582",
            "https://shop.m.jd.com/?shopId=1000001582&utm_source=iosapp&utm_medium=appshare",
            "https://shop.m.jd.com/shop/home?shopId=1000001582",
        ] {
            assert_eq!(id(Platform::Jd, url), want, "{url}");
        }
        assert_eq!(
            id(Platform::Jd, "https://item.jd.com/100012043978.html?spm=x"),
            "jd:item:100012043978"
        );
        assert_eq!(
            id(
                Platform::Jd,
                "https://item.m.jd.com/product/100012043978.html?utm_term=x"
            ),
            "jd:item:100012043978"
        );
        assert_ne!(
            id(Platform::Jd, "https://mall.jd.com/index-1.html"),
            id(Platform::Jd, "https://mall.jd.com/index-2.html")
        );
    }

    #[test]
    fn pinduoduo_malls_and_goods() {
        let want = "pinduoduo:shop:123456";
        for url in [
            "https://mobile.yangkeduo.com/mall_page.html?mall_id=123456",
            "http://mobile.yangkeduo.com/mall_page.html?mall_id=123456&refer_share_id=abc&share_uin=XYZ",
            "https://MOBILE.YANGKEDUO.COM/mall_page.html?_wvx=10&mall_id=123456",
        ] {
            assert_eq!(id(Platform::Pinduoduo, url), want, "{url}");
        }
        let goods = identify(
            Platform::Pinduoduo,
            "https://mobile.yangkeduo.com/goods.html?goods_id=987654321&_oak_share_snapshot_num=1&share_uid=5",
            "x",
        );
        assert_eq!(goods.kind, IdentityKind::ItemId);
        assert_eq!(goods.key_string(), "pinduoduo:item:987654321");
    }

    #[test]
    fn douyin_shops_items_and_short_links() {
        assert_eq!(
            id(
                Platform::Douyin,
                "https://haohuo.jinritemai.com/views/shop/index?shop_id=AbC123xyz&origin_type=604&ecom_share_track_params=%7B%7D"
            ),
            "douyin:shop:AbC123xyz"
        );
        assert_eq!(
            id(
                Platform::Douyin,
                "https://haohuo.jinritemai.com/views/shop/index?id=AbC123xyz"
            ),
            "douyin:shop:AbC123xyz"
        );
        assert_eq!(
            id(
                Platform::Douyin,
                "https://haohuo.jinritemai.com/views/product/detail?id=3456789012&origin_type=604"
            ),
            "douyin:item:3456789012"
        );
        let short = identify(Platform::Douyin, "https://v.douyin.com/iRNBho6u/", "x");
        assert_eq!(short.kind, IdentityKind::ShortLink);
        assert_eq!(short.key_string(), "douyin:link:v.douyin.com/iRNBho6u");
        assert_eq!(
            id(Platform::Douyin, "HTTP://V.DOUYIN.COM/iRNBho6u"),
            "douyin:link:v.douyin.com/iRNBho6u"
        );
        // Short codes are case-sensitive: only the host is lower-cased.
        assert_ne!(
            id(Platform::Douyin, "https://v.douyin.com/irnbho6u/"),
            id(Platform::Douyin, "https://v.douyin.com/iRNBho6u/")
        );
    }

    #[test]
    fn kuaishou_shops_and_short_links() {
        let want = "kuaishou:shop:987654";
        for url in [
            "https://app.kwaixiaodian.com/page/kwaishop-buyer-shop?shopId=987654",
            "https://app.kwaixiaodian.com/page/kwaishop-buyer-shop?shopId=987654&cc=share_copylink&fid=1&shareToken=X",
            "https://APP.KWAIXIAODIAN.COM/page/kwaishop-buyer-shop/?shopid=987654",
        ] {
            assert_eq!(id(Platform::Kuaishou, url), want, "{url}");
        }
        assert_eq!(
            id(
                Platform::Kuaishou,
                "https://v.kuaishou.com/Hk3xQz?share_id=1"
            ),
            "kuaishou:link:v.kuaishou.com/Hk3xQz"
        );
    }

    #[test]
    fn dianping_and_meituan_shops() {
        let want = "dianping:shop:H8qGzjNcK5aB1Xyz";
        for url in [
            "https://www.dianping.com/shop/H8qGzjNcK5aB1Xyz",
            "http://www.dianping.com/shop/H8qGzjNcK5aB1Xyz/",
            "https://WWW.DIANPING.COM/shop/H8qGzjNcK5aB1Xyz?utm_source=share",
            "https://m.dianping.com/shopshare/H8qGzjNcK5aB1Xyz?msource=Appshare2021&utm_source=shop_share",
            "https://m.dianping.com/shop/H8qGzjNcK5aB1Xyz",
        ] {
            assert_eq!(id(Platform::Dianping, url), want, "{url}");
        }
        let want = "meituan:shop:195436248";
        for url in [
            "https://i.meituan.com/poi/195436248",
            "https://meishi.meituan.com/i/poi/195436248?ct_poi=123&utm_source=share",
            "https://h5.waimai.meituan.com/waimai/mindex/menu?poiId=195436248&utm_term=x",
            "https://www.meituan.com/meishi/195436248/",
        ] {
            assert_eq!(id(Platform::Meituan, url), want, "{url}");
        }
    }

    #[test]
    fn xiaohongshu_profiles_and_short_links() {
        let want = "xiaohongshu:profile:5f1a2b3c4d5e6f7a8b9c0d1e";
        for url in [
            "https://www.xiaohongshu.com/user/profile/5f1a2b3c4d5e6f7a8b9c0d1e",
            "https://www.xiaohongshu.com/user/profile/5f1a2b3c4d5e6f7a8b9c0d1e?xhsshare=CopyLink&appuid=abc&apptime=1700000000",
            "http://XIAOHONGSHU.COM/user/profile/5F1A2B3C4D5E6F7A8B9C0D1E/",
        ] {
            assert_eq!(id(Platform::Xiaohongshu, url), want, "{url}");
        }
        let short = identify(Platform::Xiaohongshu, "http://xhslink.com/a/AbCdEf", "x");
        assert_eq!(short.kind, IdentityKind::ShortLink);
        assert_eq!(short.key_string(), "xiaohongshu:link:xhslink.com/a/AbCdEf");
    }

    #[test]
    fn generic_short_links_are_keyed_by_the_link() {
        assert_eq!(
            tb("https://m.tb.cn/h.5ABCdef?tk=xyz1234"),
            "taobao:link:m.tb.cn/h.5ABCdef"
        );
        assert_eq!(tb("M.TB.CN/h.5ABCdef/"), "taobao:link:m.tb.cn/h.5ABCdef");
        assert_eq!(
            id(Platform::Jd, "https://u.jd.com/AbC12xY"),
            "jd:link:u.jd.com/AbC12xY"
        );
        // t.cn belongs to no shopping platform: the reported one is kept.
        assert_eq!(
            id(Platform::Pinduoduo, "http://t.cn/A6xYz12"),
            "pinduoduo:link:t.cn/A6xYz12"
        );
        // A short-link host with no code is no link at all.
        assert_eq!(tb("https://m.tb.cn/").split(':').nth(1), Some("name"));
    }

    #[test]
    fn the_urls_platform_wins_over_the_reported_one() {
        assert_eq!(
            tb("https://mall.jd.com/index-1000001582.html"),
            "jd:shop:1000001582"
        );
        assert_eq!(
            id(Platform::Other, "https://shop12345.taobao.com"),
            "taobao:shop:12345"
        );
    }

    #[test]
    fn unknown_or_garbage_urls_fall_back_to_the_name() {
        for url in [
            "https://example.com/shop/12345",
            "https://item.taobao.com/item.htm?id=notanumber",
            "https://mall.jd.com/",
            "https://www.xiaohongshu.com/explore/abc",
            "javascript://alert(1)",
            "http://",
            "店铺ID 12345",
            "",
        ] {
            let m = identify(Platform::Taobao, url, "  某某　旗舰店 ");
            assert_eq!(m.kind, IdentityKind::ShopName, "{url}");
            assert_eq!(m.key_string(), "taobao:name:某某旗舰店", "{url}");
        }
    }

    #[test]
    fn names_are_normalised_but_keep_their_suffix() {
        let a = identify(Platform::Jd, "", "ＡＢＣ　Ｓｈｏｐ　旗舰店");
        let b = identify(Platform::Jd, "", " abc shop旗舰店\t");
        assert_eq!(a, b);
        assert_eq!(a.key_string(), "jd:name:abcshop旗舰店");
        assert_ne!(
            identify(Platform::Jd, "", "ABC旗舰店"),
            identify(Platform::Jd, "", "ABC专营店")
        );
        assert_eq!(normalize_name("１２３！？（）"), "123!?()");
        // With no name at all, the reference itself keeps the key from being empty.
        assert_eq!(
            identify(Platform::Other, "某 店", "").key_string(),
            "other:name:某店"
        );
    }

    #[test]
    fn two_different_looking_urls_of_one_shop_share_a_key() {
        assert_eq!(
            tb("http://shop12345.taobao.com/?spm=a1z10.3-c.0.0.abc"),
            tb("https://shop.m.taobao.com/shop/shop_index.htm?shop_id=12345&sp_tk=Zz")
        );
        assert_eq!(
            id(
                Platform::Jd,
                "https://mall.jd.com/index-1000001582.html?from=pc"
            ),
            id(
                Platform::Jd,
                "shop.m.jd.com/?shopId=1000001582&utm_campaign=t_1"
            )
        );
        assert_eq!(
            id(
                Platform::Dianping,
                "https://www.dianping.com/shop/H8qGzjNcK5aB1Xyz"
            ),
            id(
                Platform::Dianping,
                "https://m.dianping.com/shopshare/H8qGzjNcK5aB1Xyz?msource=x"
            )
        );
    }

    #[test]
    fn keywords_round_trip() {
        for kind in IdentityKind::ALL {
            assert_eq!(IdentityKind::parse(kind.as_str()), Some(*kind));
        }
    }

    #[test]
    fn a_key_string_reads_back_and_nothing_else_does() {
        for (platform, shop_ref, name) in [
            (
                Platform::Taobao,
                "https://shop123456.taobao.com/?spm=a1",
                "某店",
            ),
            (
                Platform::Jd,
                "https://item.jd.com/100012043978.html",
                "京东店",
            ),
            (Platform::Pinduoduo, "拼多多某某旗舰店", "拼多多某某旗舰店"),
        ] {
            let id = identify(platform, shop_ref, name);
            assert_eq!(MerchantIdentity::parse_key(&id.key_string()), Some(id));
        }
        assert_eq!(MerchantIdentity::parse_key("taobao:shop:"), None);
        assert_eq!(MerchantIdentity::parse_key("nowhere:shop:1"), None);
        assert_eq!(MerchantIdentity::parse_key("taobao:nothing:1"), None);
        assert_eq!(MerchantIdentity::parse_key(""), None);
    }
}
