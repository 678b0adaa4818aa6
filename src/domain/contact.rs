//! Contacts found in a report's text and in the text read from its screenshots: the phone
//! numbers, ids, groups, links and accounts through which a chain recruits, normalised so that
//! the same contact written two ways is one contact.
//!
//! # What counts as a contact, and why
//!
//! A chain behind fake reviews has to be reachable: the 刷手 it recruits, the shoppers it pays
//! for five stars and the victims of 刷单诈骗 are all told where to write, call or pay. Those
//! handles are what two reports about unrelated shops share, so each kind here is one a
//! recruiter hands out:
//!
//! - phone numbers: mainland mobiles (`1[3-9]` + 9 digits), landlines with their area code
//!   (`0xx-xxxxxxxx`, `0xxx-xxxxxxx(x)`), 400/800 service numbers; `+86`/`0086` dropped;
//! - WeChat ids after 微信, its look-alikes (威信, 薇信, V信, VX, wx, ➕v, 加v, 卫星 …), 6–20 characters
//!   starting with a letter, case-insensitive; a phone number given as the WeChat id counts
//!   as both (also "微信同号");
//! - QQ numbers after QQ/扣扣/企鹅 (and `12345@qq.com`), QQ groups after 群/Q群/群号;
//! - short links (t.cn, m.tb.cn, u.jd.com, v.douyin.com, xhslink.com …) — never fetched;
//! - 淘口令 share codes (`￥AbCd1234XyZ￥`, `$…$`, `€…€`, `(…)` in a 淘宝 share text);
//! - payment accounts: an Alipay account (a phone or an email after 支付宝) and bank cards
//!   (16–19 digits passing the Luhn check near 卡号/银行卡/账号). These are sensitive personal
//!   information: only a keyed hash (HMAC-SHA256, key kept with the portal's other secrets)
//!   and a masked form (`支付宝 138****8000`, `卡 6222 **** **** 1234`) leave this module.
//!
//! Not contacts: the reporter's own email address (and a phone number that is its local part,
//! or that the reporter calls theirs: 我的手机 …), and the platforms' official service numbers
//! and public hotlines (`OFFICIAL_NUMBERS`: 95188, 950618, 12315, 110, 96110 …): every honest
//! report names them, so they would link everything to everything.
//!
//! The text is normalised first: full-width digits and letters, the ideographic space, dash and
//! plus look-alikes (➕, ﹢), zero-width characters that defeat a plain search; digits may be
//! grouped by spaces, dashes or dots ("１３８ ００１３ ８０００" is 13800138000).

use super::keyword::keyword_enum;
use hmac::{Hmac, Mac};
use regex::Regex;
use sha2::Sha256;
use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

keyword_enum! {
    /// What kind of contact.
    pub enum ContactKind {
        /// A mainland mobile number (11 digits, 1[3-9]…).
        Mobile => "mobile",
        /// A landline with its area code.
        Landline => "landline",
        /// A 400 or 800 service number.
        ServiceNumber => "service_number",
        Wechat => "wechat",
        Qq => "qq",
        QqGroup => "qq_group",
        /// t.cn, m.tb.cn, u.jd.com, v.douyin.com … (never fetched).
        ShortLink => "short_link",
        /// A 淘口令 share code.
        Taokouling => "taokouling",
        /// An Alipay/WeChat Pay/bank account: stored only as a keyed hash and a masked form.
        PaymentAccount => "payment_account",
    }
}

impl ContactKind {
    /// How strongly two reports naming the same contact of this kind are linked (1–100), when
    /// they are about different shops. A personal handle (a payment account, a WeChat or QQ id,
    /// a mobile) is the recruiter's own; a 400 number or a landline may be a company's switchboard
    /// that honest shops share; a 淘口令 or a short link points at an item or a page that many
    /// shoppers pass around, so it says more about the merchant than about the chain.
    pub fn strength(self) -> u8 {
        match self {
            ContactKind::PaymentAccount => 95,
            ContactKind::Wechat => 90,
            ContactKind::Mobile | ContactKind::Qq => 85,
            ContactKind::QqGroup => 80,
            ContactKind::ServiceNumber => 70,
            ContactKind::Landline => 65,
            ContactKind::Taokouling => 60,
            ContactKind::ShortLink => 50,
        }
    }
}

/// How much weaker a contact link is when both reports are about the same shop: a shop's own
/// contacts are expected in every report about it (the merchant link already says so).
pub const SAME_SHOP_PENALTY: u8 = 25;

/// The platforms' official service numbers and public hotlines: never a link between cases.
/// Keys as `find_contacts` normalises them (digits only, area code with its 0). Short numbers
/// (5–8 digits) are never found as contacts at all; they are listed so that the list says what
/// it covers and so that a longer form (`0571-95188`) is not taken for a contact either.
pub const OFFICIAL_NUMBERS: &[(&str, &str)] = &[
    // Public hotlines.
    ("110", "公安报警"),
    ("96110", "反诈劝阻专线"),
    ("12315", "市场监管投诉举报"),
    ("12321", "网络不良与垃圾信息举报"),
    ("12345", "政务服务便民热线"),
    ("12377", "违法和不良信息举报"),
    ("12381", "涉诈预警劝阻短信"),
    ("10086", "中国移动"),
    ("10010", "中国联通"),
    ("10000", "中国电信"),
    // Platforms and their payment services.
    ("95188", "支付宝"),
    ("95017", "微信支付/腾讯客服"),
    ("057188158198", "淘宝客服"),
    ("4008608608", "天猫客服"),
    ("4008001688", "1688/阿里巴巴客服"),
    ("950618", "京东客服"),
    ("4006065500", "京东客服"),
    ("95152", "抖音客服"),
    ("10107888", "美团客服"),
    ("10109777", "美团外卖客服"),
    ("95315", "苏宁易购客服"),
    ("4006789888", "唯品会客服"),
    // To be checked against each platform's own help page before relying on them.
    ("02153395288", "拼多多客服"),
    ("4001260088", "快手客服"),
];

/// The official number or hotline `key` is, if it is one.
pub fn official_number(key: &str) -> Option<&'static str> {
    OFFICIAL_NUMBERS
        .iter()
        .find(|(number, _)| *number == key)
        .map(|(_, name)| *name)
}

/// A contact found in a text. For a payment account `key` is already the keyed hash and
/// `shown` the masked form: the account in clear never leaves `find_contacts`.
#[derive(Clone, PartialEq, Eq)]
pub struct FoundContact {
    pub kind: ContactKind,
    /// Normalised (the same contact written two ways has one key); for a payment account the
    /// HMAC-SHA256 of the normalised account, in hex.
    pub key: String,
    /// As officers see it (payment accounts masked).
    pub shown: String,
}

impl fmt::Debug for FoundContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only the shown form: a debug line must not help anyone reverse a hashed account.
        write!(f, "{}({})", self.kind, self.shown)
    }
}

/// What `find_contacts` needs beside the text.
pub struct ContactScan<'a> {
    /// The reporter's own email address: not a contact of the chain.
    pub reporter_email: Option<&'a str>,
    /// The key payment accounts are hashed with (`db::secrets`, `CONTACT_ACCOUNT_KEY`).
    pub account_key: &'a [u8],
}

/// The name the account-hashing key is kept under with the portal's other secrets.
pub const CONTACT_ACCOUNT_KEY: &str = "contact_accounts_hmac";

/// Every contact in `text`, each once, in the order found.
pub fn find_contacts(text: &str, scan: &ContactScan<'_>) -> Vec<FoundContact> {
    let norm = Normalised::of(text);
    let own = OwnContacts::of(scan.reporter_email);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for raw in scan_normalised(&norm.text) {
        if own.excludes(&raw) {
            continue;
        }
        let found = raw.finish(scan.account_key);
        if seen.insert((found.kind, found.key.clone())) {
            out.push(found);
        }
    }
    out
}

/// `text` with every payment account replaced by its masked form: what may be kept beside
/// the reporter's own text (a search index).
pub fn mask_payment_accounts(text: &str) -> String {
    let norm = Normalised::of(text);
    let mut spans: Vec<(usize, usize, String)> = payment_accounts(&norm.text)
        .into_iter()
        .map(|(start, end, raw)| {
            let (s, e) = norm.original_range(start, end);
            let masked = raw
                .shown
                .strip_prefix("支付宝 ")
                .or_else(|| raw.shown.strip_prefix("卡 "))
                .unwrap_or(&raw.shown)
                .to_string();
            (s, e, masked)
        })
        .collect();
    spans.sort_by_key(|s| s.0);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, masked) in spans {
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&masked);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// The Luhn check bank card numbers carry.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

// ---------------------------------------------------------------------------------------------
// Normalising.

/// The text with look-alike characters folded, and where each of its characters came from.
struct Normalised {
    text: String,
    /// (byte offset in `text`, byte offset in the original) of each normalised character.
    origin: Vec<(usize, usize)>,
    original_len: usize,
}

impl Normalised {
    fn of(text: &str) -> Self {
        let mut out = String::with_capacity(text.len());
        let mut origin = Vec::with_capacity(text.len());
        for (at, c) in text.char_indices() {
            if let Some(folded) = fold(c) {
                origin.push((out.len(), at));
                out.push(folded);
            }
        }
        Normalised {
            text: out,
            origin,
            original_len: text.len(),
        }
    }

    /// The original byte range of the normalised range `start..end`.
    fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        let find = |pos: usize| match self.origin.binary_search_by_key(&pos, |o| o.0) {
            Ok(i) => self.origin[i].1,
            Err(_) => self.original_len,
        };
        (find(start), find(end))
    }
}

/// One character folded: full-width ASCII to ASCII, look-alike dashes, pluses and spaces to
/// theirs, Chinese and circled numerals to digits (only the folded text is scanned, and no
/// trigger word holds a numeral); `None` for characters that only hide what they sit between
/// (zero-width ones).
fn fold(c: char) -> Option<char> {
    Some(match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' | '\u{2002}'..='\u{200A}' | '\u{202F}' => ' ',
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => return None,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{30FC}' => '-',
        '\u{2795}' | '\u{FE62}' => '+',
        '\u{2164}' => 'V',
        '\u{2174}' => 'v',
        '\u{FE55}' => ':',
        // Numbers spelt out to slip past a plain search: 幺三八…, 壹叁捌…, ①③⑧….
        '〇' | '零' | '⓪' => '0',
        '一' | '幺' | '壹' | '①' => '1',
        '二' | '两' | '贰' | '②' => '2',
        '三' | '叁' | '③' => '3',
        '四' | '肆' | '④' => '4',
        '五' | '伍' | '⑤' => '5',
        '六' | '陆' | '⑥' => '6',
        '七' | '柒' | '⑦' => '7',
        '八' | '捌' | '⑧' => '8',
        '九' | '玖' | '⑨' => '9',
        _ => c,
    })
}

// ---------------------------------------------------------------------------------------------
// Scanning.

/// A contact as found, before the payment account is hashed.
struct Raw {
    kind: ContactKind,
    /// Normalised; for a payment account the account in clear, namespaced (`alipay:…`, `card:…`).
    key: String,
    shown: String,
    /// The reporter calls this number theirs (我的手机 …).
    own: bool,
}

impl Raw {
    fn new(kind: ContactKind, key: impl Into<String>, shown: impl Into<String>) -> Self {
        Raw {
            kind,
            key: key.into(),
            shown: shown.into(),
            own: false,
        }
    }

    fn finish(self, account_key: &[u8]) -> FoundContact {
        let key = if self.kind == ContactKind::PaymentAccount {
            account_digest(account_key, &self.key)
        } else {
            self.key
        };
        FoundContact {
            kind: self.kind,
            key,
            shown: self.shown,
        }
    }
}

fn account_digest(key: &[u8], account: &str) -> String {
    // new_from_slice accepts keys of any length, so the fallback is never taken in practice.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new_from_slice(&[0u8; 32]).expect("fixed key"));
    mac.update(b"payment-account:");
    mac.update(account.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// What the reporter's own email address says is theirs.
struct OwnContacts {
    email: Option<String>,
    /// The local part of an address at qq.com (a QQ number) or one that is a mobile number.
    local_number: Option<String>,
}

impl OwnContacts {
    fn of(email: Option<&str>) -> Self {
        let email = email.map(|e| e.trim().to_lowercase());
        let local_number = email.as_deref().and_then(|e| {
            let (local, _) = e.split_once('@')?;
            local
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| local.to_string())
        });
        OwnContacts {
            email,
            local_number,
        }
    }

    fn excludes(&self, raw: &Raw) -> bool {
        if raw.own {
            return true;
        }
        if matches!(
            raw.kind,
            ContactKind::Mobile | ContactKind::Landline | ContactKind::ServiceNumber
        ) && official_number(&raw.key).is_some()
        {
            return true;
        }
        let number = raw.key.strip_prefix("alipay:").unwrap_or(&raw.key);
        match raw.kind {
            ContactKind::Mobile | ContactKind::Qq | ContactKind::Wechat => {
                self.local_number.as_deref() == Some(number)
            }
            ContactKind::PaymentAccount => {
                self.email.as_deref() == Some(number)
                    || self.local_number.as_deref() == Some(number)
            }
            _ => false,
        }
    }
}

/// Byte ranges of the normalised text already taken by a contact.
#[derive(Default)]
struct Taken(Vec<(usize, usize)>);

impl Taken {
    fn overlaps(&self, start: usize, end: usize) -> bool {
        self.0.iter().any(|&(s, e)| start < e && s < end)
    }

    fn take(&mut self, start: usize, end: usize) {
        self.0.push((start, end));
    }
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("contact pattern {pattern}: {e}"))
}

/// A phone number as typed: digits, maybe grouped by spaces, dashes, dots or brackets.
const PHONE_RUN: &str = r"\+?\(?\d(?:[ \-.()]{0,2}\d)*";

static ALIPAY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:支付宝|alipay|zfb)[ \t]*(?:账号|帐号|账户|帐户|号码|号)?[ \t]*(?:是|为|:)?[ \t]*(?:(?P<email>[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,})|(?P<phone>(?:\+?86[ \-]?)?1[3-9](?:[ \-.]?\d){9}))",
    )
});

static CARD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:卡号|银行卡|储蓄卡|信用卡|收款卡|账号|帐号|账户|帐户|转账到|转账至|打款到|汇款到|汇到|打到)[^\d\n]{0,12}?(?P<run>\d(?:[ \-]?\d){11,30})",
    )
});

static WECHAT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?P<trigger>微[ \t]*信|威[ \t]*信|薇[ \t]*信|徽[ \t]*信|维[ \t]*信|v[ \t]*信|wei[ \t]*xin|wechat|vx|wx|卫[ \t]*星|绿泡泡|\+[ \t]*v|加[ \t]*v)[ \t]*(?:号码|号|id|账号)?[ \t]*(?:同号)?[ \t]*(?:是|为|:|搜索|搜|添加|加)?[ \t]*:?[ \t]*(?:(?P<id>[a-z][a-z0-9_\-]{5,19})|(?P<phone>(?:\+?86[ \-]?)?1[3-9](?:[ \-.]?\d){9}))",
    )
});

static SAME_AS_WECHAT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^[ \t]*[(（\[【]?[ \t]*(?:微信|v信|vx|wx|v)[ \t]*同号"));

static QQ_GROUP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:qq[ \t]*群|q[ \t]*群|扣扣群|企鹅群|群号码|群号|群聊|加群|进群|群[ \t]*:)[ \t]*(?:号码|号)?[ \t]*(?:是|为|:)?[ \t]*:?[ \t]*(?P<n>[1-9]\d{4,10})",
    )
});

static QQ: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?P<trigger>qq|扣扣|企鹅|q号)[ \t]*(?:号码|号)?[ \t]*(?:是|为|:)?[ \t]*:?[ \t]*(?P<n>[1-9]\d{4,10})",
    )
});

static QQ_MAIL: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(?P<n>[1-9]\d{4,10})@qq\.com"));

static URL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:https?://)?(?P<host>[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,})(?P<path>/[A-Za-z0-9._~\-/%+]*)?(?P<query>\?[A-Za-z0-9._~\-%+=&]*)?",
    )
});

static TAOKOULING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"[￥¥$€₤£₳¢₴₰₵₲₭₱₸₹₣₠₡₢₥₦₧₨₩₪₫₮₯₺₼₽₾₿](?P<code>[A-Za-z0-9]{8,14})[￥¥$€₤£₳¢₴₰₵₲₭₱₸₹₣₠₡₢₥₦₧₨₩₪₫₮₯₺₼₽₾₿]",
    )
});

static TAOKOULING_BRACKETED: LazyLock<Regex> =
    LazyLock::new(|| re(r"[(（「](?P<code>[A-Za-z0-9]{11})[)）」]"));

static TAOBAO_SHARE: LazyLock<Regex> = LazyLock::new(|| re(r"淘宝|天猫|复制|打开|手淘|tb\.cn"));

static PHONE: LazyLock<Regex> = LazyLock::new(|| re(PHONE_RUN));

static OWN_PHONE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:我的|本人|我)(?:手机号码|手机号|手机|电话号码|电话|号码|联系方式|联系电话)[ \t]*(?:是|为|:)?[ \t]*:?[ \t]*$",
    )
});

/// Hosts whose links are short links (a code in the path standing for another address).
const SHORT_HOSTS: &[&str] = &[
    "t.cn",
    "url.cn",
    "w.url.cn",
    "dwz.cn",
    "3.cn",
    "u.jd.com",
    "v.douyin.com",
    "v.kuaishou.com",
    "xhslink.com",
    "dpurl.cn",
    "b23.tv",
    "suo.im",
    "mrw.so",
    "sourl.cn",
    "s.click.taobao.com",
    "tinyurl.com",
    "bit.ly",
];

/// Domains every host under which makes short links (`m.tb.cn`, `c.tb.cn`, `e.tb.cn`).
const SHORT_DOMAINS: &[&str] = &["tb.cn", "xhslink.com"];

fn is_short_host(host: &str) -> bool {
    SHORT_HOSTS.contains(&host)
        || SHORT_DOMAINS
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The byte before `at` is not part of an ASCII word (so `vx` in `dvx` is no trigger).
fn starts_word(text: &str, at: usize) -> bool {
    at == 0 || !is_word_byte(text.as_bytes()[at - 1])
}

/// The byte at `at` does not continue a word of `extra`-extended characters.
fn ends_word(text: &str, at: usize, extra: &[u8]) -> bool {
    text.as_bytes()
        .get(at)
        .is_none_or(|&b| !(is_word_byte(b) || extra.contains(&b)))
}

fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn scan_normalised(text: &str) -> Vec<Raw> {
    let mut taken = Taken::default();
    let mut out = Vec::new();
    for (start, end, raw) in payment_accounts(text) {
        taken.take(start, end);
        out.push(raw);
    }
    links_and_codes(text, &mut taken, &mut out);
    wechat_ids(text, &mut taken, &mut out);
    qq_numbers(text, &mut taken, &mut out);
    phone_numbers(text, &taken, &mut out);
    out
}

/// Alipay accounts and bank cards, with their ranges in `text`.
fn payment_accounts(text: &str) -> Vec<(usize, usize, Raw)> {
    let mut out = Vec::new();
    for caps in ALIPAY.captures_iter(text) {
        if let Some(email) = caps.name("email") {
            let account = email.as_str().to_lowercase();
            let shown = format!("支付宝 {}", mask_email(&account));
            out.push((
                email.start(),
                email.end(),
                Raw::new(
                    ContactKind::PaymentAccount,
                    format!("alipay:{account}"),
                    shown,
                ),
            ));
        } else if let Some(phone) = caps.name("phone") {
            if !ends_word(text, phone.end(), b"") {
                continue;
            }
            let Some(number) = mobile_of(&digits_of(phone.as_str())) else {
                continue;
            };
            let shown = format!("支付宝 {}****{}", &number[..3], &number[7..]);
            out.push((
                phone.start(),
                phone.end(),
                Raw::new(
                    ContactKind::PaymentAccount,
                    format!("alipay:{number}"),
                    shown,
                ),
            ));
        }
    }
    for caps in CARD.captures_iter(text) {
        let Some(run) = caps.name("run") else {
            continue;
        };
        if out
            .iter()
            .any(|(s, e, _)| run.start() < *e && *s < run.end())
        {
            continue;
        }
        if let Some((len, number)) = card_in(run.as_str()) {
            let shown = format!(
                "卡 {} **** **** {}",
                &number[..4],
                &number[number.len() - 4..]
            );
            out.push((
                run.start(),
                run.start() + len,
                Raw::new(ContactKind::PaymentAccount, format!("card:{number}"), shown),
            ));
        }
    }
    out
}

/// The longest leading groups of `run` that make a card number (16–19 digits, Luhn):
/// (bytes of `run` it takes, the digits).
fn card_in(run: &str) -> Option<(usize, String)> {
    let mut best = None;
    let mut digits = String::new();
    for (i, c) in run.char_indices() {
        if c.is_ascii_digit() {
            digits.push(c);
            let group_ends = run[i + 1..]
                .chars()
                .next()
                .is_none_or(|n| !n.is_ascii_digit());
            if group_ends && (16..=19).contains(&digits.len()) && luhn_valid(&digits) {
                best = Some((i + 1, digits.clone()));
            }
            if digits.len() > 19 {
                break;
            }
        }
    }
    best
}

fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let head: String = local.chars().take(2).collect();
            format!("{head}***@{domain}")
        }
        None => "***".to_string(),
    }
}

/// Short links and 淘口令.
fn links_and_codes(text: &str, taken: &mut Taken, out: &mut Vec<Raw>) {
    for caps in URL.captures_iter(text) {
        let (Some(whole), Some(host)) = (caps.get(0), caps.name("host")) else {
            continue;
        };
        if !starts_word(text, whole.start()) || text[..whole.start()].ends_with(['.', '@', '-']) {
            continue;
        }
        // Any address is taken, short or not: digits in it (an item id) are no phone number.
        taken.take(whole.start(), whole.end());
        let host = host.as_str().to_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host);
        let path = caps.name("path").map_or("", |p| p.as_str());
        let code = path.trim_end_matches('/');
        if is_short_host(host) && code.trim_start_matches('/').len() >= 2 {
            let key = format!("{host}{code}");
            out.push(Raw::new(ContactKind::ShortLink, key.clone(), key));
        }
        if let Some(query) = caps.name("query")
            && host.ends_with("tb.cn")
        {
            for pair in query.as_str().trim_start_matches('?').split('&') {
                if let Some(code) = pair.strip_prefix("tk=")
                    && is_share_code(code)
                {
                    out.push(Raw::new(
                        ContactKind::Taokouling,
                        code,
                        format!("￥{code}￥"),
                    ));
                }
            }
        }
    }
    for caps in TAOKOULING.captures_iter(text) {
        let (Some(whole), Some(code)) = (caps.get(0), caps.name("code")) else {
            continue;
        };
        if is_share_code(code.as_str()) {
            taken.take(whole.start(), whole.end());
            let code = code.as_str();
            out.push(Raw::new(
                ContactKind::Taokouling,
                code,
                format!("￥{code}￥"),
            ));
        }
    }
    if TAOBAO_SHARE.is_match(text) {
        for caps in TAOKOULING_BRACKETED.captures_iter(text) {
            let (Some(whole), Some(code)) = (caps.get(0), caps.name("code")) else {
                continue;
            };
            let c = code.as_str();
            let mixed = c.bytes().any(|b| b.is_ascii_uppercase())
                && c.bytes().any(|b| b.is_ascii_lowercase())
                && c.bytes().any(|b| b.is_ascii_digit());
            if mixed && !taken.overlaps(whole.start(), whole.end()) {
                taken.take(whole.start(), whole.end());
                out.push(Raw::new(ContactKind::Taokouling, c, format!("￥{c}￥")));
            }
        }
    }
}

/// A 淘口令 code has letters (a price between ￥ signs has none).
fn is_share_code(code: &str) -> bool {
    (8..=14).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_alphanumeric())
        && code.bytes().any(|b| b.is_ascii_alphabetic())
}

fn wechat_ids(text: &str, taken: &mut Taken, out: &mut Vec<Raw>) {
    for caps in WECHAT.captures_iter(text) {
        let Some(trigger) = caps.name("trigger") else {
            continue;
        };
        if trigger.as_str().is_ascii() && !starts_word(text, trigger.start()) {
            continue;
        }
        if let Some(id) = caps.name("id") {
            if !ends_word(text, id.end(), b"-") || taken.overlaps(id.start(), id.end()) {
                continue;
            }
            let key = id.as_str().to_lowercase();
            if matches!(key.as_str(), "wechat" | "weixin") {
                continue;
            }
            // English prose ("send it to their WeChat before paying"): a plain word right after
            // an ASCII trigger is not taken for an id; "WeChat: before2026" or "WeChat ID abc_de"
            // still are.
            let between = &text[trigger.end()..id.start()];
            if trigger.as_str().is_ascii()
                && between.trim().is_empty()
                && id.as_str().bytes().all(|b| b.is_ascii_alphabetic())
            {
                continue;
            }
            taken.take(id.start(), id.end());
            out.push(Raw::new(ContactKind::Wechat, key.clone(), key));
        } else if let Some(phone) = caps.name("phone") {
            if !ends_word(text, phone.end(), b"") || taken.overlaps(phone.start(), phone.end()) {
                continue;
            }
            if let Some(number) = mobile_of(&digits_of(phone.as_str())) {
                out.push(Raw::new(ContactKind::Wechat, number.clone(), number));
            }
        }
    }
}

fn qq_numbers(text: &str, taken: &mut Taken, out: &mut Vec<Raw>) {
    for caps in QQ_GROUP.captures_iter(text) {
        let Some(n) = caps.name("n") else { continue };
        if ends_word(text, n.end(), b"") && !taken.overlaps(n.start(), n.end()) {
            taken.take(n.start(), n.end());
            out.push(Raw::new(ContactKind::QqGroup, n.as_str(), n.as_str()));
        }
    }
    for caps in QQ_MAIL.captures_iter(text) {
        let Some(n) = caps.name("n") else { continue };
        if starts_word(text, n.start()) && !taken.overlaps(n.start(), n.end()) {
            taken.take(n.start(), n.end());
            out.push(Raw::new(ContactKind::Qq, n.as_str(), n.as_str()));
        }
    }
    for caps in QQ.captures_iter(text) {
        let (Some(trigger), Some(n)) = (caps.name("trigger"), caps.name("n")) else {
            continue;
        };
        if trigger.as_str().is_ascii() && !starts_word(text, trigger.start()) {
            continue;
        }
        if ends_word(text, n.end(), b"") && !taken.overlaps(n.start(), n.end()) {
            // Not taken: a QQ number of 11 digits may be a mobile too.
            out.push(Raw::new(ContactKind::Qq, n.as_str(), n.as_str()));
        }
    }
}

fn phone_numbers(text: &str, taken: &Taken, out: &mut Vec<Raw>) {
    for m in PHONE.find_iter(text) {
        let (start, end) = (m.start(), m.end());
        let before_ok = text[..start]
            .bytes()
            .next_back()
            .is_none_or(|b| !(is_word_byte(b) || b"/=?&#@$".contains(&b)));
        if !before_ok || !ends_word(text, end, b"@") || taken.overlaps(start, end) {
            continue;
        }
        for (g_start, g_end, raw) in numbers_in_run(m.as_str()) {
            let mut raw = raw;
            let (abs_start, abs_end) = (start + g_start, start + g_end);
            raw.own = OWN_PHONE.is_match(&text[..abs_start]);
            if raw.kind == ContactKind::Mobile && SAME_AS_WECHAT.is_match(&text[abs_end..]) {
                out.push(Raw::new(
                    ContactKind::Wechat,
                    raw.key.clone(),
                    raw.key.clone(),
                ));
            }
            out.push(raw);
        }
    }
}

/// The phone numbers in a run of digit groups: from each group on, the longest stretch of
/// whole groups that reads as one number ("138 0013 8000 139 0013 9000" holds two).
fn numbers_in_run(run: &str) -> Vec<(usize, usize, Raw)> {
    // (start, end) of each group of digits.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let bytes = run.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let s = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            groups.push((s, i));
        } else {
            i += 1;
        }
    }
    let mut out = Vec::new();
    let mut g = 0;
    while g < groups.len() {
        let mut digits = String::new();
        let mut best: Option<(usize, Raw)> = None;
        for (j, &(s, e)) in groups.iter().enumerate().skip(g) {
            digits.push_str(&run[s..e]);
            if digits.len() > 15 {
                break;
            }
            if let Some(raw) = classify_phone(&digits) {
                best = Some((j, raw));
            }
        }
        match best {
            Some((j, raw)) => {
                let start = if run.starts_with(['+', '(']) && g == 0 {
                    0
                } else {
                    groups[g].0
                };
                out.push((start, groups[j].1, raw));
                g = j + 1;
            }
            None => g += 1,
        }
    }
    out
}

/// A mainland mobile number in `digits`, without a +86/0086 prefix.
fn mobile_of(digits: &str) -> Option<String> {
    let d = strip_country(digits, 11);
    let b = d.as_bytes();
    (b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])).then(|| d.to_string())
}

fn strip_country(digits: &str, want: usize) -> &str {
    for prefix in ["0086", "86"] {
        if let Some(rest) = digits.strip_prefix(prefix)
            && rest.len() == want
        {
            return rest;
        }
    }
    digits
}

fn classify_phone(digits: &str) -> Option<Raw> {
    if let Some(mobile) = mobile_of(digits) {
        return Some(Raw::new(ContactKind::Mobile, mobile.clone(), mobile));
    }
    let b = digits.as_bytes();
    if b.len() == 10 && (digits.starts_with("400") || digits.starts_with("800")) {
        let shown = format!("{}-{}-{}", &digits[..3], &digits[3..6], &digits[6..]);
        return Some(Raw::new(ContactKind::ServiceNumber, digits, shown));
    }
    // +86 571 8815 8198: the area code without its 0.
    let landline = match digits
        .strip_prefix("0086")
        .or_else(|| digits.strip_prefix("86"))
    {
        Some(rest) if !rest.starts_with('0') && (9..=11).contains(&rest.len()) => {
            format!("0{rest}")
        }
        _ => digits.to_string(),
    };
    let b = landline.as_bytes();
    if b.first() != Some(&b'0') || b.get(1).is_none_or(|&c| c == b'0') {
        return None;
    }
    // 010 and 02x have three-digit codes and eight-digit numbers; the rest 0xxx and seven or
    // eight digits. A local number starts with 2–9.
    let code_len = if matches!(b[1], b'1' | b'2') { 3 } else { 4 };
    // A short run of digits ("01" read off a screenshot) has no local number at all.
    let local = landline.get(code_len..)?;
    let local_ok = match code_len {
        3 => local.len() == 8,
        _ => (7..=8).contains(&local.len()),
    };
    if !local_ok || !(b'2'..=b'9').contains(&local.as_bytes()[0]) {
        return None;
    }
    let shown = format!("{}-{}", &landline[..code_len], local);
    Some(Raw::new(ContactKind::Landline, landline.clone(), shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"test account key";

    #[test]
    fn short_runs_of_digits_that_start_like_an_area_code_are_no_contact() {
        for digits in ["0", "01", "02", "010", "0571", "05712"] {
            assert!(classify_phone(digits).is_none(), "{digits}");
        }
        assert!(scan("电话 01 02 010").is_empty());
    }

    fn scan(text: &str) -> Vec<FoundContact> {
        find_contacts(
            text,
            &ContactScan {
                reporter_email: None,
                account_key: KEY,
            },
        )
    }

    fn scan_as(text: &str, email: &str) -> Vec<FoundContact> {
        find_contacts(
            text,
            &ContactScan {
                reporter_email: Some(email),
                account_key: KEY,
            },
        )
    }

    fn pairs(found: &[FoundContact]) -> Vec<(ContactKind, String)> {
        found.iter().map(|f| (f.kind, f.key.clone())).collect()
    }

    fn keys_of(text: &str, kind: ContactKind) -> Vec<String> {
        scan(text)
            .into_iter()
            .filter(|f| f.kind == kind)
            .map(|f| f.key)
            .collect()
    }

    fn has(text: &str, kind: ContactKind, key: &str) -> bool {
        keys_of(text, kind).iter().any(|k| k == key)
    }

    #[test]
    fn the_issues_two_writings_of_one_recruiter_give_the_same_keys() {
        let one = scan("加V信：sd-zhaomu2026，电话１３８ ００１３ ８０００");
        let two = scan("微信 sd-zhaomu2026 手机13800138000");
        let want = vec![
            (ContactKind::Wechat, "sd-zhaomu2026".to_string()),
            (ContactKind::Mobile, "13800138000".to_string()),
        ];
        assert_eq!(pairs(&one), want);
        assert_eq!(pairs(&two), want);
        assert_eq!(one[0].shown, "sd-zhaomu2026");
        assert_eq!(one[1].shown, "13800138000");
    }

    #[test]
    fn wechat_ids_are_found_after_every_look_alike_of_wechat() {
        for text in [
            "加微信abc_12345领返现",
            "威信：ABC_12345",
            "薇信 abc_12345 备注好评",
            "联系V信abc_12345",
            "v信:abc_12345",
            "VX：abc_12345",
            "vx abc_12345",
            "wx:abc_12345",
            "WX号 abc_12345",
            "➕v：abc_12345 返5元",
            "+V abc_12345",
            "加v abc_12345",
            "卫星：abc_12345",
            "微 信 号 ：abc_12345",
            "微信号是abc_12345，备注刷单",
            "ｗｘ：ａｂｃ＿１２３４５",
            "微信\u{200b}abc_12345",
        ] {
            assert_eq!(
                keys_of(text, ContactKind::Wechat),
                vec!["abc_12345".to_string()],
                "{text}"
            );
        }
    }

    #[test]
    fn a_word_after_wechat_in_english_prose_is_not_an_id() {
        assert!(
            keys_of(
                "The seller asked me to send a screenshot of the review to their WeChat before paying.",
                ContactKind::Wechat
            )
            .is_empty()
        );
        assert_eq!(
            keys_of(
                "Add WeChat: before2026 for the cashback",
                ContactKind::Wechat
            ),
            vec!["before2026".to_string()]
        );
        assert_eq!(
            keys_of("WeChat ID shuadan for the cashback", ContactKind::Wechat),
            vec!["shuadan".to_string()]
        );
        assert_eq!(
            keys_of("WeChat sd-zhaomu2026", ContactKind::Wechat),
            vec!["sd-zhaomu2026".to_string()]
        );
    }

    #[test]
    fn a_wechat_id_is_six_to_twenty_characters_starting_with_a_letter() {
        assert!(keys_of("微信 abc12", ContactKind::Wechat).is_empty());
        assert!(keys_of("微信 1abcdefg", ContactKind::Wechat).is_empty());
        assert!(keys_of("微信 abcdefghijklmnopqrstu", ContactKind::Wechat).is_empty());
        assert_eq!(
            keys_of("微信 abcdefghijklmnopqrst", ContactKind::Wechat),
            vec!["abcdefghijklmnopqrst".to_string()]
        );
        // Not a trigger inside a word, and 微信 followed by Chinese names no id.
        assert!(keys_of("dvx abc_12345", ContactKind::Wechat).is_empty());
        assert!(keys_of("用微信支付了5元", ContactKind::Wechat).is_empty());
    }

    #[test]
    fn a_phone_number_given_as_the_wechat_id_is_a_wechat_id_and_a_mobile() {
        let found = scan("加微信：138-0013-8000 返现");
        assert!(found.contains(&FoundContact {
            kind: ContactKind::Wechat,
            key: "13800138000".into(),
            shown: "13800138000".into()
        }));
        assert!(has(
            "加微信：138-0013-8000 返现",
            ContactKind::Mobile,
            "13800138000"
        ));
        assert!(has(
            "电话13800138000（微信同号）",
            ContactKind::Wechat,
            "13800138000"
        ));
        assert!(has(
            "手机/微信同号 13800138000",
            ContactKind::Wechat,
            "13800138000"
        ));
        assert!(!has(
            "电话13800138000，有事找客服",
            ContactKind::Wechat,
            "13800138000"
        ));
    }

    #[test]
    fn mobiles_are_normalised_from_full_width_spaced_dashed_and_prefixed_forms() {
        for text in [
            "13800138000",
            "１３８００１３８０００",
            "１３８ ００１３ ８０００",
            "138-0013-8000",
            "138 0013 8000",
            "138.0013.8000",
            "+86 138 0013 8000",
            "+8613800138000",
            "0086-13800138000",
            "(+86)13800138000",
            "电话：１３８－００１３－８０００。",
            "tel:13800138000",
        ] {
            assert_eq!(
                keys_of(text, ContactKind::Mobile),
                vec!["13800138000".to_string()],
                "{text}"
            );
        }
    }

    #[test]
    fn numbers_spelt_in_chinese_or_circled_numerals_are_numbers() {
        for text in [
            "电话：幺三八 零零幺三 八零零零",
            "手机壹叁捌零零壹叁捌零零零",
            "①③⑧⓪⓪①③⑧⓪⓪⓪",
            "一三八〇〇一三八〇〇〇",
        ] {
            assert_eq!(
                keys_of(text, ContactKind::Mobile),
                vec!["13800138000".to_string()],
                "{text}"
            );
        }
        assert_eq!(
            keys_of("扣扣：二三四五六七八九", ContactKind::Qq),
            vec!["23456789"]
        );
        // Ordinary counting words make no number.
        assert!(scan("五星好评返现两元，第一次买，三天后收到").is_empty());
    }

    #[test]
    fn numbers_that_are_not_mobiles_are_not_taken_for_one() {
        // An order number, a bank-like run, a date, a price, an item id in a URL, too short.
        for text in [
            "订单号2026112512345678",
            "订单号：4312345678901234567",
            "2026-11-25 下的单",
            "返现 5.00 元",
            "https://item.taobao.com/item.htm?id=13800138000",
            "1380013800",
            "12800138000",
            "abc13800138000",
        ] {
            assert!(keys_of(text, ContactKind::Mobile).is_empty(), "{text}");
        }
    }

    #[test]
    fn two_mobiles_in_one_run_are_two_mobiles() {
        let text = "联系 138 0013 8000 139 0013 9000";
        assert_eq!(
            keys_of(text, ContactKind::Mobile),
            vec!["13800138000".to_string(), "13900139000".to_string()]
        );
    }

    #[test]
    fn landlines_keep_their_area_code() {
        assert_eq!(
            keys_of("座机 021-62345678", ContactKind::Landline),
            vec!["02162345678"]
        );
        assert_eq!(
            keys_of("(0755)8123 4567", ContactKind::Landline),
            vec!["075581234567"]
        );
        assert_eq!(
            keys_of("电话 0731-5123456", ContactKind::Landline),
            vec!["07315123456"]
        );
        assert_eq!(
            keys_of("+86 755 8123 4567", ContactKind::Landline),
            vec!["075581234567"]
        );
        let shown = scan("座机０２１－６２３４５６７８");
        assert_eq!(shown[0].shown, "021-62345678");
        // A local number alone says nothing about where: not a contact.
        assert!(keys_of("电话 62345678", ContactKind::Landline).is_empty());
        assert!(keys_of("021-0234567", ContactKind::Landline).is_empty());
    }

    #[test]
    fn service_numbers_are_400_and_800_numbers() {
        let found = scan("招募热线：400-123-4567 或 800 820 1234");
        assert_eq!(
            pairs(&found),
            vec![
                (ContactKind::ServiceNumber, "4001234567".to_string()),
                (ContactKind::ServiceNumber, "8008201234".to_string())
            ]
        );
        assert_eq!(found[0].shown, "400-123-4567");
        assert_eq!(
            keys_of("4009-123-456", ContactKind::ServiceNumber),
            vec!["4009123456"]
        );
    }

    #[test]
    fn official_numbers_and_hotlines_are_never_contacts() {
        for text in [
            "已拨打12315投诉",
            "支付宝客服95188说不管",
            "京东客服950618",
            "打了110和96110",
            "天猫客服400-860-8608说会处理",
            "淘宝客服 0571-88158198",
            "京东 400 606 5500",
        ] {
            assert!(scan(text).is_empty(), "{text}: {:?}", scan(text));
        }
        assert_eq!(official_number("95188"), Some("支付宝"));
        assert_eq!(official_number("12315"), Some("市场监管投诉举报"));
        assert_eq!(official_number("4008608608"), Some("天猫客服"));
        assert_eq!(official_number("13800138000"), None);
        // Every entry is digits only, as keys are.
        for (number, _) in OFFICIAL_NUMBERS {
            assert!(number.bytes().all(|b| b.is_ascii_digit()), "{number}");
        }
    }

    #[test]
    fn qq_numbers_and_groups_are_told_apart() {
        assert_eq!(
            keys_of("加QQ：123456789", ContactKind::Qq),
            vec!["123456789"]
        );
        assert_eq!(
            keys_of("扣扣 123456789", ContactKind::Qq),
            vec!["123456789"]
        );
        assert_eq!(keys_of("企鹅号12345678", ContactKind::Qq), vec!["12345678"]);
        assert_eq!(
            keys_of("ＱＱ号码：１２３４５６７８", ContactKind::Qq),
            vec!["12345678"]
        );
        assert_eq!(
            keys_of("邮箱 12345678@qq.com", ContactKind::Qq),
            vec!["12345678"]
        );
        for text in [
            "QQ群：987654321",
            "进群 987654321",
            "Q群987654321",
            "群号: 987654321",
        ] {
            assert_eq!(
                keys_of(text, ContactKind::QqGroup),
                vec!["987654321"],
                "{text}"
            );
            assert!(keys_of(text, ContactKind::Qq).is_empty(), "{text}");
        }
        assert!(keys_of("QQ 1234", ContactKind::Qq).is_empty());
        assert!(keys_of("mqq 123456789", ContactKind::Qq).is_empty());
    }

    #[test]
    fn short_links_keep_host_and_code_without_scheme_or_query() {
        assert_eq!(
            keys_of("点击 https://t.cn/A6abCdEf 领取", ContactKind::ShortLink),
            vec!["t.cn/A6abCdEf"]
        );
        assert_eq!(
            keys_of(
                "http://M.TB.CN/h.5XyZabc?tk=AbCd1234XyZ",
                ContactKind::ShortLink
            ),
            vec!["m.tb.cn/h.5XyZabc"]
        );
        assert_eq!(
            keys_of(
                "复制打开抖音 https://v.douyin.com/iRNBho6u/ ",
                ContactKind::ShortLink
            ),
            vec!["v.douyin.com/iRNBho6u"]
        );
        for (text, key) in [
            ("u.jd.com/AbC12", "u.jd.com/AbC12"),
            ("xhslink.com/a/Xy12Zw", "xhslink.com/a/Xy12Zw"),
            ("https://v.kuaishou.com/7Gh2kL", "v.kuaishou.com/7Gh2kL"),
            ("url.cn/5AbCdE", "url.cn/5AbCdE"),
            ("3.cn/10-AbCd", "3.cn/10-AbCd"),
        ] {
            assert_eq!(keys_of(text, ContactKind::ShortLink), vec![key], "{text}");
        }
        // Not short links: a shop page, a host that only ends like one, a bare domain.
        assert!(keys_of("https://shop123.taobao.com/", ContactKind::ShortLink).is_empty());
        assert!(keys_of("https://at.cn/abc", ContactKind::ShortLink).is_empty());
        assert!(keys_of("t.cn", ContactKind::ShortLink).is_empty());
    }

    #[test]
    fn taokouling_codes_are_found_between_any_currency_signs() {
        for text in [
            "￥AbCd1234XyZ￥",
            "$AbCd1234XyZ$",
            "€AbCd1234XyZ€",
            "₤AbCd1234XyZ₤",
            "¥AbCd1234XyZ¥",
            "【淘宝】限时特惠 ￥AbCd1234XyZ￥ 复制这段描述后打开手机淘宝",
            "复制这段描述(AbCd1234XyZ)去【手机淘宝】",
            "https://m.tb.cn/h.5XyZabc?tk=AbCd1234XyZ",
        ] {
            assert_eq!(
                keys_of(text, ContactKind::Taokouling),
                vec!["AbCd1234XyZ"],
                "{text}"
            );
        }
        // A price between yen signs is no code; brackets outside a share text are none either.
        assert!(keys_of("￥12345678￥", ContactKind::Taokouling).is_empty());
        assert!(keys_of("型号(AbCd1234XyZ)", ContactKind::Taokouling).is_empty());
    }

    #[test]
    fn an_alipay_account_is_hashed_and_masked_and_the_same_whichever_way_written() {
        let one = scan("返现打到支付宝：138 0013 8000");
        let two = scan("支付宝账号13800138000，垫付后返还");
        let accounts: Vec<_> = one
            .iter()
            .filter(|f| f.kind == ContactKind::PaymentAccount)
            .collect();
        assert_eq!(accounts.len(), 1);
        assert_eq!(accounts[0].shown, "支付宝 138****8000");
        assert_eq!(accounts[0].key.len(), 64, "a hex HMAC-SHA256");
        assert!(!accounts[0].key.contains("13800138000"));
        assert_eq!(pairs(&one), pairs(&two));
        // The account's number is not also a mobile in clear.
        assert!(keys_of("支付宝：13800138000", ContactKind::Mobile).is_empty());
        // Another key gives another hash: the hash is keyed.
        let other = find_contacts(
            "支付宝：13800138000",
            &ContactScan {
                reporter_email: None,
                account_key: b"another key",
            },
        );
        assert_ne!(other[0].key, two[0].key);
        let mail = scan("支付宝 Zhao.Mu@163.com");
        assert_eq!(mail[0].kind, ContactKind::PaymentAccount);
        assert_eq!(mail[0].shown, "支付宝 zh***@163.com");
        assert_eq!(mail[0].key, scan("alipay:zhao.mu@163.com")[0].key);
        assert!(!format!("{:?}", two).contains("13800138000"));
    }

    #[test]
    fn bank_cards_need_a_word_for_card_sixteen_to_nineteen_digits_and_the_luhn_check() {
        assert!(luhn_valid("6222021234567890128"));
        assert!(!luhn_valid("6222021234567890123"));
        let found = scan("垫付款转账到银行卡：6222 0212 3456 7890 128，户名张三");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, ContactKind::PaymentAccount);
        assert_eq!(found[0].shown, "卡 6222 **** **** 0128");
        assert_eq!(
            found[0].key,
            scan("卡号6222021234567890128")[0].key,
            "the same card written without spaces"
        );
        // Failing the Luhn check, or with no word for a card nearby: not a card.
        assert!(scan("卡号6222021234567890123").is_empty());
        assert!(keys_of("订单号 6222021234567890128", ContactKind::PaymentAccount).is_empty());
    }

    #[test]
    fn masking_replaces_only_payment_accounts_in_the_original_text() {
        let text =
            "加微信abc_12345，返现打到支付宝：１３８ ００１３ ８０００，卡号6222021234567890128。";
        let masked = mask_payment_accounts(text);
        assert_eq!(
            masked,
            "加微信abc_12345，返现打到支付宝：138****8000，卡号6222 **** **** 0128。"
        );
        assert_eq!(mask_payment_accounts("没有账户"), "没有账户");
    }

    #[test]
    fn the_reporters_own_email_and_phone_are_not_contacts() {
        let own = "me.zhou@163.com";
        assert!(scan_as("我的支付宝是 me.zhou@163.com", own).is_empty());
        let qq = scan_as("有问题联系我 12345678@qq.com", "12345678@qq.com");
        assert!(qq.is_empty(), "{qq:?}");
        let mobile_mail = scan_as("我手机13912345678", "13912345678@163.com");
        assert!(mobile_mail.is_empty());
        assert!(
            scan("我的手机号是13912345678，对方微信abc_12345")
                .iter()
                .all(|f| f.kind == ContactKind::Wechat)
        );
        assert!(scan("本人电话：139 1234 5678").is_empty());
        assert!(has(
            "对方电话13912345678",
            ContactKind::Mobile,
            "13912345678"
        ));
    }

    #[test]
    fn a_realistic_recruitment_message_yields_each_contact_once() {
        let text = "【高薪兼职】刷单体验官招募！日结200+，加V信：ShuaDan_888（备注：体验官），\
                    或扣扣：２３４５６７８９，进群 765432198 领任务。客服热线４００－８８８－１２３４，\
                    微信号ShuaDan_888 同上。垫付款转到支付宝 ZFB@example.com，点击 t.cn/A6xYz9Qk \
                    查看教程。已打12315反映。";
        let found = scan(text);
        assert_eq!(
            pairs(&found)
                .into_iter()
                .filter(|(k, _)| *k != ContactKind::PaymentAccount)
                .collect::<Vec<_>>(),
            vec![
                (ContactKind::ShortLink, "t.cn/A6xYz9Qk".to_string()),
                (ContactKind::Wechat, "shuadan_888".to_string()),
                (ContactKind::QqGroup, "765432198".to_string()),
                (ContactKind::Qq, "23456789".to_string()),
                (ContactKind::ServiceNumber, "4008881234".to_string()),
            ]
        );
        let accounts: Vec<_> = found
            .iter()
            .filter(|f| f.kind == ContactKind::PaymentAccount)
            .map(|f| f.shown.as_str())
            .collect();
        assert_eq!(accounts, vec!["支付宝 zf***@example.com"]);
    }

    #[test]
    fn noisy_ocr_text_still_yields_its_contacts() {
        // What Tesseract makes of a screenshot: stray spaces, full-width punctuation, breaks.
        let text = "好 评 返 现 5 元\n添加 微 信 : ZhaoMu-2026\n手 机 1 3 8 0 0 1 3 8 0 0 0";
        assert!(has(text, ContactKind::Wechat, "zhaomu-2026"));
        // Digits split one by one still make one number.
        assert!(has(text, ContactKind::Mobile, "13800138000"));
    }

    #[test]
    fn strength_follows_the_kind() {
        assert!(ContactKind::Wechat.strength() > ContactKind::ShortLink.strength());
        assert!(ContactKind::PaymentAccount.strength() >= ContactKind::Wechat.strength());
        for kind in ContactKind::ALL {
            let s = kind.strength();
            assert!((1..=100).contains(&s));
            assert!(s > SAME_SHOP_PENALTY);
        }
    }
}
