//! The shopping and review platforms a report can be about.

use super::keyword::keyword_enum;

keyword_enum! {
    /// Where the fake reviews or transactions were seen.
    pub enum Platform {
        Taobao => "taobao",
        Tmall => "tmall",
        Jd => "jd",
        Pinduoduo => "pinduoduo",
        Douyin => "douyin",
        Kuaishou => "kuaishou",
        Meituan => "meituan",
        Dianping => "dianping",
        Xiaohongshu => "xiaohongshu",
        Xianyu => "xianyu",
        Other => "other",
    }
}
