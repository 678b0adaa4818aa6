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

impl Platform {
    /// The platform's own name, the same in both languages (it is what shoppers call it).
    pub fn display_name(self) -> &'static str {
        match self {
            Platform::Taobao => "淘宝",
            Platform::Tmall => "天猫",
            Platform::Jd => "京东",
            Platform::Pinduoduo => "拼多多",
            Platform::Douyin => "抖音",
            Platform::Kuaishou => "快手",
            Platform::Meituan => "美团",
            Platform::Dianping => "大众点评",
            Platform::Xiaohongshu => "小红书",
            Platform::Xianyu => "闲鱼",
            Platform::Other => "其他",
        }
    }
}
