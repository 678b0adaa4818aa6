//! Contacts found in a report's text and in the text read from its screenshots: the phone
//! numbers, ids, groups, links and accounts through which a chain recruits, normalised so that
//! the same contact written two ways is one contact.

use super::keyword::keyword_enum;

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
