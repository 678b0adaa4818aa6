//! The words and places of the demo data: shops, their addresses on each platform, regions
//! weighted the way online trade is, and reports written the way shoppers write them.

use crate::domain::region::divisions;
use crate::domain::{Category, Platform, RegionCode};
use rand::Rng;
use rand::rngs::StdRng;

/// Picks an index by integer weights (all weights together must be positive).
pub fn weighted(rng: &mut StdRng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut roll = rng.random_range(0..total.max(1));
    for (i, w) in weights.iter().enumerate() {
        if roll < *w {
            return i;
        }
        roll -= w;
    }
    weights.len().saturating_sub(1)
}

/// One of `items`, evenly.
pub fn pick<'a, T: ?Sized>(rng: &mut StdRng, items: &[&'a T]) -> &'a T {
    items[rng.random_range(0..items.len())]
}

// ---------------------------------------------------------------------------------------------
// Regions

/// Provinces by their share of reports (‰): online trade is concentrated in the south-east.
const PROVINCE_WEIGHTS: &[(&str, u32)] = &[
    ("44", 160),
    ("33", 130),
    ("32", 90),
    ("31", 70),
    ("11", 60),
    ("37", 50),
    ("35", 50),
    ("41", 40),
    ("51", 40),
    ("42", 30),
    ("43", 30),
    ("13", 30),
    ("34", 30),
    ("50", 20),
    ("61", 20),
    ("12", 20),
    ("21", 20),
    ("36", 20),
    ("45", 20),
    ("53", 15),
    ("52", 10),
    ("14", 10),
    ("22", 10),
    ("23", 10),
    ("15", 10),
    ("46", 10),
    ("62", 7),
    ("65", 7),
    ("64", 4),
    ("63", 4),
    ("54", 3),
];

/// Cities where online sellers cluster get more reports than their province's other cities.
const CITY_BOOST: &[(&str, u32)] = &[
    ("440100", 8),
    ("440300", 8),
    ("441900", 4),
    ("440600", 4),
    ("445200", 3),
    ("440500", 3),
    ("330100", 8),
    ("330700", 6),
    ("330200", 4),
    ("330300", 3),
    ("320500", 6),
    ("320100", 4),
    ("320200", 3),
    ("350200", 4),
    ("350500", 4),
    ("350100", 3),
    ("370200", 4),
    ("370100", 3),
    ("410100", 5),
    ("510100", 8),
    ("420100", 6),
    ("430100", 5),
    ("130100", 3),
    ("340100", 4),
    ("610100", 5),
];

/// Every province, with its cities and their usable county codes, and the weights to draw them.
pub struct RegionPicker {
    provinces: Vec<ProvinceChoice>,
    weights: Vec<u32>,
}

struct ProvinceChoice {
    code: RegionCode,
    cities: Vec<CityChoice>,
    city_weights: Vec<u32>,
}

struct CityChoice {
    code: RegionCode,
    /// County-level codes that `RegionCode::parse` accepts (some cities list only towns, whose
    /// nine-digit codes it refuses).
    counties: Vec<RegionCode>,
}

impl Default for RegionPicker {
    fn default() -> Self {
        Self::new()
    }
}

impl RegionPicker {
    pub fn new() -> Self {
        let mut provinces = Vec::new();
        let mut weights = Vec::new();
        for p in divisions().provinces() {
            let Some(province_code) = RegionCode::parse(&p.code) else {
                continue;
            };
            let mut cities = Vec::new();
            let mut city_weights = Vec::new();
            for (i, c) in p.children.iter().enumerate() {
                let Some(city_code) = RegionCode::parse(&c.code) else {
                    continue;
                };
                let counties = c
                    .children
                    .iter()
                    .filter_map(|k| RegionCode::parse(&k.code))
                    .collect();
                let boost = CITY_BOOST
                    .iter()
                    .find(|(code, _)| *code == c.code)
                    .map(|(_, w)| *w);
                city_weights.push(boost.unwrap_or(if i == 0 { 3 } else { 1 }));
                cities.push(CityChoice {
                    code: city_code,
                    counties,
                });
            }
            let w = PROVINCE_WEIGHTS
                .iter()
                .find(|(code, _)| p.code.starts_with(code))
                .map(|(_, w)| *w)
                .unwrap_or(5);
            provinces.push(ProvinceChoice {
                code: province_code,
                cities,
                city_weights,
            });
            weights.push(w);
        }
        Self { provinces, weights }
    }

    pub fn province_count(&self) -> usize {
        self.provinces.len()
    }

    /// A region drawn by the weights, or in the province at `forced` (an index) if given.
    pub fn draw(&self, rng: &mut StdRng, forced: Option<usize>) -> RegionCode {
        let p = forced.unwrap_or_else(|| weighted(rng, &self.weights));
        match self.provinces.get(p) {
            Some(province) => draw_in(rng, province),
            None => self.draw(rng, None),
        }
    }

    /// A region inside the province or city `within` (six digits).
    pub fn draw_within(&self, rng: &mut StdRng, within: &str) -> Option<RegionCode> {
        let province = self
            .provinces
            .iter()
            .find(|p| p.code.as_str().get(..2) == within.get(..2))?;
        if within.ends_with("0000") {
            return Some(draw_in(rng, province));
        }
        let city = province.cities.iter().find(|c| c.code.as_str() == within)?;
        Some(county_or_city(rng, city))
    }
}

fn draw_in(rng: &mut StdRng, province: &ProvinceChoice) -> RegionCode {
    if province.cities.is_empty() {
        return province.code.clone();
    }
    let city = &province.cities[weighted(rng, &province.city_weights)];
    county_or_city(rng, city)
}

fn county_or_city(rng: &mut StdRng, city: &CityChoice) -> RegionCode {
    // Most reporters name the district or county; some only know the city.
    if city.counties.is_empty() || rng.random_bool(0.12) {
        city.code.clone()
    } else {
        city.counties[rng.random_range(0..city.counties.len())].clone()
    }
}

/// The short name of a county for a restaurant's branch (`番禺区` → `番禺`).
pub fn branch_name(region: &RegionCode) -> Option<String> {
    let r = divisions().region(region)?;
    let (_, name) = r.county.or(r.city)?;
    let trimmed = name
        .trim_end_matches("新区")
        .trim_end_matches(['区', '县', '市'])
        .to_string();
    (trimmed.chars().count() >= 2 && name != "市辖区").then_some(trimmed)
}

// ---------------------------------------------------------------------------------------------
// Platforms and categories

const PLATFORM_WEIGHTS: &[(Platform, u32)] = &[
    (Platform::Taobao, 18),
    (Platform::Pinduoduo, 18),
    (Platform::Douyin, 14),
    (Platform::Jd, 10),
    (Platform::Tmall, 8),
    (Platform::Meituan, 8),
    (Platform::Kuaishou, 7),
    (Platform::Dianping, 7),
    (Platform::Xiaohongshu, 6),
    (Platform::Xianyu, 2),
    (Platform::Other, 2),
];

const CATEGORY_WEIGHTS: &[(Category, u32)] = &[
    (Category::CashbackForReview, 22),
    (Category::FakePositiveReviews, 18),
    (Category::FakeSalesVolume, 12),
    (Category::ExperienceOfficer, 10),
    (Category::FakeLogistics, 8),
    (Category::ExtortionNegativeReviews, 8),
    (Category::ReviewSuppression, 8),
    (Category::ImpersonatedService, 8),
    (Category::FakeOrderRecruitment, 5),
    (Category::FakeOrderFraud, 4),
    (Category::Other, 6),
];

pub fn draw_category(rng: &mut StdRng) -> Category {
    let w: Vec<u32> = CATEGORY_WEIGHTS.iter().map(|(_, w)| *w).collect();
    CATEGORY_WEIGHTS[weighted(rng, &w)].0
}

/// A platform that fits the scheme: 霸王餐 and 体验官 are a restaurant and lifestyle thing,
/// empty parcels belong to the shops that ship goods.
pub fn draw_platform(rng: &mut StdRng, category: Category) -> Platform {
    let fits = |p: Platform| match category {
        Category::ExperienceOfficer => matches!(
            p,
            Platform::Meituan | Platform::Dianping | Platform::Xiaohongshu | Platform::Douyin
        ),
        Category::FakeLogistics | Category::FakeSalesVolume => !matches!(
            p,
            Platform::Meituan | Platform::Dianping | Platform::Xiaohongshu
        ),
        _ => true,
    };
    let w: Vec<u32> = PLATFORM_WEIGHTS
        .iter()
        .map(|(p, w)| if fits(*p) { *w } else { 0 })
        .collect();
    PLATFORM_WEIGHTS[weighted(rng, &w)].0
}

pub fn platform_name(p: Platform) -> &'static str {
    match p {
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
        Platform::Other => "平台",
    }
}

fn is_local_services(p: Platform) -> bool {
    matches!(p, Platform::Meituan | Platform::Dianping)
}

fn is_creator_shop(p: Platform) -> bool {
    matches!(
        p,
        Platform::Douyin | Platform::Kuaishou | Platform::Xiaohongshu | Platform::Xianyu
    )
}

// ---------------------------------------------------------------------------------------------
// Shops

/// A merchant as reports name it.
#[derive(Debug, Clone)]
pub struct Shop {
    pub platform: Platform,
    pub platform_other: Option<&'static str>,
    pub name: String,
    /// The address or ID as a reporter gives it (parsed by `ShopRef` before storing).
    pub address: String,
    pub region: RegionCode,
    /// What the shop sells, for the reports' words.
    pub goods: &'static str,
    /// A restaurant or local service (美团, 大众点评) rather than a shop that ships goods.
    pub local: bool,
    /// The scheme reports about it usually name.
    pub usual_category: Category,
    /// The screenshot (index into the image pool) its reporters tend to send.
    pub signature_image: usize,
}

const NAME_PREFIXES: &[&str] = &[
    "优品",
    "佳联",
    "鑫源",
    "诚信",
    "好运来",
    "小米粒",
    "星辰",
    "悦享",
    "美佳",
    "乐购",
    "潮品",
    "恒达",
    "森屿",
    "鹿小姐",
    "喵小铺",
    "大白熊",
    "阿福",
    "蓝海",
    "晨曦",
    "花语",
    "锦绣",
    "百草园",
    "匠心",
    "果园里",
    "小确幸",
    "暖阳",
    "青禾",
    "木子",
    "橙意",
    "初见",
    "拾光",
    "云朵",
    "盛世",
    "汇通",
    "万家福",
];

/// (what the shop is called for, what its reports name as goods)
const SHOP_GOODS: &[(&str, &[&str])] = &[
    (
        "数码",
        &["蓝牙耳机", "手机壳", "充电宝", "数据线", "智能手表"],
    ),
    ("家居", &["收纳盒", "四件套", "记忆枕", "拖把", "香薰机"]),
    ("女装", &["连衣裙", "羽绒服", "针织衫", "阔腿裤"]),
    ("母婴", &["纸尿裤", "奶瓶", "婴儿湿巾", "儿童书包"]),
    ("零食", &["坚果礼盒", "牛肉干", "螺蛳粉", "辣条"]),
    ("宠物用品", &["猫粮", "猫砂", "狗粮", "宠物玩具"]),
    ("美妆", &["面膜", "口红", "精华液", "防晒霜"]),
    ("厨具", &["空气炸锅", "不粘锅", "保温杯", "电饭煲"]),
    ("鞋业", &["运动鞋", "帆布鞋", "拖鞋"]),
    ("家纺", &["蚕丝被", "乳胶枕", "毛巾"]),
    ("汽车用品", &["行车记录仪", "车载香薰", "座垫"]),
    ("水果", &["砂糖橘", "猕猴桃", "车厘子", "芒果"]),
    ("个护", &["电动牙刷", "洗发水", "剃须刀"]),
    ("小家电", &["扫地机器人", "吹风机", "电热水壶"]),
    ("茶叶", &["铁观音", "普洱茶", "龙井"]),
];

const FOOD_NAMES: &[&str] = &[
    "蜀香",
    "川味坊",
    "湘里人家",
    "胖哥",
    "渔家乐",
    "老街",
    "阿强",
    "一品鲜",
    "炭火",
    "小巷",
    "山城",
    "围炉",
    "大碗",
    "福满楼",
    "好食光",
    "拾味",
    "柒号",
    "江湖",
];
const FOOD_KINDS: &[(&str, &[&str])] = &[
    ("火锅", &["双人火锅套餐", "四人火锅套餐"]),
    ("烧烤", &["烧烤双人餐", "烤串套餐"]),
    ("烤鱼", &["烤鱼双人餐"]),
    ("奶茶", &["奶茶两杯", "果茶套餐"]),
    ("甜品", &["蛋糕", "甜品双人套餐"]),
    ("私房菜", &["四人餐"]),
    ("自助餐", &["自助晚餐"]),
    ("美甲", &["美甲套餐", "美睫"]),
    ("足疗", &["足疗套餐"]),
    ("剧本杀", &["剧本杀体验"]),
    ("轻食", &["轻食套餐"]),
];

const CREATOR_NAMES: &[&str] = &[
    "小鹿",
    "阿紫",
    "甜甜",
    "柚子",
    "大橙子",
    "七七",
    "糖糖",
    "阿杰",
    "小鱼儿",
    "木木",
    "桃子",
    "乐乐",
];
const CREATOR_SUFFIXES: &[&str] = &["的小店", "好物分享", "严选", "优选", "的店铺", "家的宝藏店"];

const OTHER_PLATFORMS: &[&str] = &["得物", "唯品会", "苏宁易购", "微信小程序商城", "当当"];

fn digits(rng: &mut StdRng, n: u32) -> String {
    let lo = 10u64.pow(n - 1);
    rng.random_range(lo..lo * 10).to_string()
}

fn alnum(rng: &mut StdRng, n: usize) -> String {
    const SET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..n)
        .map(|_| char::from(SET[rng.random_range(0..SET.len())]))
        .collect()
}

fn hex(rng: &mut StdRng, n: usize) -> String {
    const SET: &[u8] = b"0123456789abcdef";
    (0..n)
        .map(|_| char::from(SET[rng.random_range(0..SET.len())]))
        .collect()
}

/// A shop's address on its platform, in the forms shoppers copy from the app.
fn shop_address(rng: &mut StdRng, platform: Platform, other: Option<&str>) -> String {
    match platform {
        Platform::Taobao => {
            let len = rng.random_range(6..10);
            format!("https://shop{}.taobao.com", digits(rng, len))
        }
        Platform::Tmall => format!(
            "https://{}{}.tmall.com",
            alnum(rng, 6).to_lowercase(),
            rng.random_range(1..99)
        ),
        Platform::Jd => format!(
            "https://mall.jd.com/index-{}.html",
            rng.random_range(1_000_000..13_000_000)
        ),
        Platform::Pinduoduo => {
            format!(
                "https://mobile.yangkeduo.com/mall_page.html?mall_id={}",
                digits(rng, 9)
            )
        }
        Platform::Douyin => format!(
            "https://haohuo.jinritemai.com/views/shop/index?id={}",
            alnum(rng, 8)
        ),
        Platform::Kuaishou => format!(
            "https://www.kuaishou.com/profile/3x{}",
            alnum(rng, 13).to_lowercase()
        ),
        Platform::Meituan => format!("https://www.meituan.com/meishi/{}/", digits(rng, 9)),
        Platform::Dianping => format!("https://www.dianping.com/shop/{}", alnum(rng, 16)),
        Platform::Xiaohongshu => {
            format!("https://www.xiaohongshu.com/user/profile/{}", hex(rng, 24))
        }
        Platform::Xianyu => format!(
            "https://www.goofish.com/personal?userId={}",
            digits(rng, 10)
        ),
        Platform::Other => match other {
            Some("得物") => format!("https://www.dewu.com/shop/{}", digits(rng, 7)),
            Some("唯品会") => format!("https://m.vip.com/brand-{}.html", digits(rng, 7)),
            Some("苏宁易购") => {
                format!("https://shop.suning.com/{}/index.html", digits(rng, 8))
            }
            Some("当当") => format!("https://shop.dangdang.com/{}", digits(rng, 5)),
            // A shop without a web address: reporters give what the app shows.
            _ => format!("小程序店铺ID {}", digits(rng, 8)),
        },
    }
}

/// A new shop on `platform` in `region`.
pub fn new_shop(
    rng: &mut StdRng,
    platform: Platform,
    region: RegionCode,
    category: Category,
    images: usize,
) -> Shop {
    let platform_other = (platform == Platform::Other).then(|| pick(rng, OTHER_PLATFORMS));
    let (name, goods) = if is_local_services(platform) {
        let (kind, dishes) = FOOD_KINDS[rng.random_range(0..FOOD_KINDS.len())];
        let base = format!("{}{}", pick(rng, FOOD_NAMES), kind);
        let name = match branch_name(&region) {
            Some(b) if rng.random_bool(0.7) => format!("{base}({b}店)"),
            _ => base,
        };
        (name, pick(rng, dishes))
    } else if is_creator_shop(platform) && rng.random_bool(0.6) {
        let (_, goods) = SHOP_GOODS[rng.random_range(0..SHOP_GOODS.len())];
        (
            format!(
                "{}{}",
                pick(rng, CREATOR_NAMES),
                pick(rng, CREATOR_SUFFIXES)
            ),
            pick(rng, goods),
        )
    } else {
        let (kind, goods) = SHOP_GOODS[rng.random_range(0..SHOP_GOODS.len())];
        let suffixes: &[&str] = match platform {
            Platform::Tmall | Platform::Jd => &["旗舰店", "官方旗舰店", "专营店", "专卖店"],
            Platform::Pinduoduo => &["工厂店", "优选", "百货店", "专营店", "批发店"],
            _ => &["小铺", "工厂店", "生活馆", "专营店", "优选店", "旗舰店"],
        };
        let city = match divisions().region(&region).and_then(|r| r.city) {
            Some((_, c)) if c != "市辖区" && c != "县" && rng.random_bool(0.25) => {
                c.trim_end_matches('市').to_string()
            }
            _ => String::new(),
        };
        (
            format!(
                "{city}{}{kind}{}",
                pick(rng, NAME_PREFIXES),
                pick(rng, suffixes)
            ),
            pick(rng, goods),
        )
    };
    let address = if rng.random_bool(0.06) && platform != Platform::Other {
        // Some reporters type the shop's ID as the app shows it instead of a link.
        format!("{}店铺ID {}", platform_name(platform), digits(rng, 8))
    } else {
        shop_address(rng, platform, platform_other)
    };
    Shop {
        platform,
        platform_other,
        name,
        address,
        region,
        goods,
        local: is_local_services(platform),
        usual_category: category,
        signature_image: rng.random_range(0..images.max(1)),
    }
}

/// A product page on the shop's platform, when the reporter gave one.
pub fn product_url(rng: &mut StdRng, platform: Platform) -> Option<String> {
    let url = match platform {
        Platform::Taobao => format!("https://item.taobao.com/item.htm?id={}", digits(rng, 12)),
        Platform::Tmall => format!("https://detail.tmall.com/item.htm?id={}", digits(rng, 12)),
        Platform::Jd => format!("https://item.jd.com/{}.html", digits(rng, 11)),
        Platform::Pinduoduo => format!(
            "https://mobile.yangkeduo.com/goods.html?goods_id={}",
            digits(rng, 12)
        ),
        Platform::Douyin => format!(
            "https://haohuo.jinritemai.com/views/product/item2?id={}",
            digits(rng, 19)
        ),
        Platform::Meituan => format!("https://www.meituan.com/deal/{}.html", digits(rng, 9)),
        _ => return None,
    };
    Some(url)
}

/// An order number in the platform's own format.
pub fn order_number(rng: &mut StdRng, platform: Platform, on: chrono::NaiveDate) -> String {
    match platform {
        Platform::Pinduoduo => format!("{}-{}", on.format("%y%m%d"), digits(rng, 15)),
        Platform::Jd => digits(rng, 12),
        Platform::Meituan | Platform::Dianping => digits(rng, 16),
        Platform::Douyin | Platform::Kuaishou => digits(rng, 19),
        _ => digits(rng, 19),
    }
}

// ---------------------------------------------------------------------------------------------
// Reporters

const EMAIL_NAMES: &[&str] = &[
    "liu.yang",
    "wangfang",
    "zhangwei",
    "li_na",
    "chenjing",
    "yang.lei",
    "xiaoyu",
    "hui.zhao",
    "sunmin",
    "zhou.jie",
    "wu_ting",
    "xu.qian",
    "shopper",
    "mingming",
    "lanlan",
    "dawei",
    "huang.li",
    "he.ping",
    "gao.xin",
    "lin.yi",
    "luo.chen",
    "zheng.hao",
    "alice.w",
    "kevin.z",
];

/// A reporter's address on a domain reserved for examples (RFC 2606): demo data never reaches a
/// real mailbox, even if an officer acts on a demo case on a portal that sends mail.
pub fn reporter_email(rng: &mut StdRng) -> String {
    let domain = pick(rng, &["example.com", "example.net", "example.org"]);
    match rng.random_range(0..3) {
        0 => {
            let len = rng.random_range(8..11);
            format!("{}@{domain}", digits(rng, len))
        }
        1 => format!(
            "{}{}@{domain}",
            pick(rng, EMAIL_NAMES),
            rng.random_range(1..2000)
        ),
        _ => format!("{}@{domain}", pick(rng, EMAIL_NAMES)),
    }
}

/// A client address from the ranges reserved for documentation (RFC 5737, RFC 3849).
pub fn reporter_ip(rng: &mut StdRng) -> String {
    match rng.random_range(0..10) {
        0 => format!(
            "2001:db8:{:x}::{:x}",
            rng.random_range(1..0xffff),
            rng.random_range(1..0xffff)
        ),
        1..=4 => format!("203.0.113.{}", rng.random_range(1..255)),
        5..=7 => format!("198.51.100.{}", rng.random_range(1..255)),
        _ => format!("192.0.2.{}", rng.random_range(1..255)),
    }
}

// ---------------------------------------------------------------------------------------------
// Descriptions

/// The slots a description template can use.
pub struct Slots<'a> {
    pub shop: &'a Shop,
    pub goods: &'a str,
}

fn fill(rng: &mut StdRng, template: &str, s: &Slots<'_>) -> String {
    let amount = pick(rng, &["2", "3", "5", "5", "8", "10", "15", "20"]);
    let amount2 = pick(rng, &["3", "5", "10"]);
    let words = pick(rng, &["15", "20", "30", "50"]);
    let photos = pick(rng, &["3", "3", "4", "6", "9"]);
    let sales = pick(rng, &["1万", "3万", "5000", "10万", "2.6万"]);
    let days = pick(rng, &["两", "三", "五"]);
    let problems: &[&str] = if s.shop.local {
        &[
            "菜品分量比图片少一半",
            "上菜等了一个多小时",
            "套餐里的菜和团购页面不一样",
            "服务员态度很差",
        ]
    } else {
        &[
            "收到的东西和图片严重不符",
            "用了两天就坏了",
            "有明显的异味",
            "尺码和描述不一样",
            "保质期只剩一个月",
        ]
    };
    let problem = pick(rng, problems);
    let hotline = format!(
        "400-{}-{}",
        rng.random_range(100..999),
        rng.random_range(1000..9999)
    );
    let wechat = format!("wx{}", digits(rng, 8));
    template
        .replace("{shop}", &s.shop.name)
        .replace("{platform}", platform_name(s.shop.platform))
        .replace("{goods}", s.goods)
        .replace("{amt2}", amount2)
        .replace("{amt}", amount)
        .replace("{words}", words)
        .replace("{photos}", photos)
        .replace("{sales}", sales)
        .replace("{days}", days)
        .replace("{problem}", problem)
        .replace("{hotline}", &hotline)
        .replace("{wechat}", &wechat)
}

/// Reports of 好评返现: every one names the scheme in the words shoppers use.
const CASHBACK: &[&str] = &[
    "收到的{goods}包裹里夹了一张“好评返现”卡片，写着“五星好评+{words}字带图评价，截图发给客服返现{amt}元”。卡片背面印着客服微信号{wechat}，要求先把评价截图发过去才给红包。这种用钱换好评的做法会误导其他买家。",
    "下单{goods}后，客服主动发消息：“亲，给个五星好评并晒{photos}张图，联系客服领{amt}元红包哦～”。我没有回复，第二天又催了一次，说好评返现活动今天截止。聊天截图已上传。",
    "商品详情页的评价都很好，收到货才发现{problem}。包装里有一张好评返现卡：“五星好评截图返{amt}元，追评再返{amt2}元”。怀疑这家店的好评大多是这么来的。",
    "包裹里放了一张刮刮卡，刮开写着“恭喜获得{amt}元现金红包，五星好评后添加微信领取”。加了微信后对方要求先发好评截图，这就是好评返现，用红包买好评。",
    "{goods}到货后收到短信：“感谢支持，五星好评返现{amt}元，评价满{words}字+{photos}张图”。我给了中评，客服打电话让我改成好评，说改了马上好评返现{amt}元。",
    "在{platform}买的{goods}，快递盒里有张卡片写着“晒图好评返现”，扫码进群后群主说好评截图发群里就发{amt}元红包，群里每天都有几十个人在发好评截图领钱。",
];

/// 好评返现 at a restaurant or a local service.
const CASHBACK_LOCAL: &[&str] = &[
    "在{shop}消费后结账时，店员拿来一张卡片：“{platform}五星好评+{photos}张图，凭截图立减{amt}元”。当场写了好评才给优惠，这就是好评返现。",
    "团购了{goods}，到店后店员说有好评返现活动：给{platform}写五星好评返{amt}元，还指定要写“环境好、服务热情”，不写就不返。",
    "店家通过{platform}私信发来好评返现：“五星好评+晒图，联系客服返{amt}元红包”，还附上了店家微信{wechat}。",
];

const CASHBACK_EN: &[&str] = &[
    "The parcel with my {goods} contained a card offering ¥{amt} cash back (好评返现) for a five-star review with {photos} photos. The seller asked me to send a screenshot of the review to their WeChat before paying.",
    "After I received the {goods}, customer service messaged me: five stars and a photo review, then ¥{amt} red packet. They reminded me twice. Screenshots attached.",
];

const FAKE_REVIEWS: &[&str] = &[
    "这家店{goods}的评价区几乎全是五星，而且很多评价内容一模一样：“质量很好，物流很快，包装精美，下次还会回购”。好几个账号都是默认头像，评价时间集中在同一天。",
    "朋友拉我进了一个“刷单返款群”，群主每天发这家店的链接，让大家下单后给五星好评并带图，确认收货后返本金再加{amt}元佣金。我截了群聊记录。",
    "店铺的追评里大量出现和商品无关的图片，有的评价连商品名字都写错了，明显是复制粘贴的刷好评。问大家里真实买家都在说{problem}。",
    "{platform}上这家店的{goods}评分4.9，但买过的人在问大家里都说不要买。评价里很多模板化的长评，句式一样，只换了几个字，怀疑是花钱买的虚假好评。",
    "有人在兼职群里招“评价员”，说给这家店写一条带图好评{amt}元，图片由店家统一提供。我收到的就是截图里这套{goods}的买家秀图片。",
];

const FAKE_REVIEWS_LOCAL: &[&str] = &[
    "{shop}在{platform}上评分很高，但最近一个月的五星评价大多来自新注册的账号，内容几乎一样：“味道很好，服务热情，环境干净，下次还来”。我去吃过，{problem}。",
    "有人在兼职群里发这家店的点评任务：写一条带图五星评价给{amt}元，图片由店家统一提供。评价区里能找到很多用同样图片的评价。",
];

const FAKE_REVIEWS_EN: &[&str] = &[
    "Almost all five-star reviews of this shop's {goods} repeat the same sentences, from accounts with default avatars, posted within a few days. Real buyers in the Q&A section say {problem}. I believe the reviews are paid for.",
];

const EXPERIENCE_OFFICER: &[&str] = &[
    "商家在{platform}招募“探店体验官”，免费体验{goods}（价值{amt}8元），条件是必须发五星好评加{photos}张图，并且不能写任何缺点。评价发布后要截图给店家核对才算完成。",
    "店里服务员说扫码参加“霸王餐”活动，给五星好评并写满{words}字就免单。我看到旁边几桌都在写评价。这家店的高分评价很多都是这样来的。",
    "一个“美食达人”群里长期发布这家店的体验官名额，报名后到店消费，发点评好评后全额返还。要求评价里必须提到“环境好、上菜快、性价比高”，还要打满五星。",
    "{shop}在小红书上找素人写笔记，霸王餐吃完要发五星点评和笔记，笔记里不能出现“广告”“合作”等字样。我被拉进群里，截图是群公告。",
];

/// 体验官 for goods: buy, praise, get the money back.
const EXPERIENCE_OFFICER_GOODS: &[&str] = &[
    "{shop}在直播间和私信里招募“产品体验官”，免费寄送{goods}，条件是收到后给五星好评并晒{photos}张图，评价通过审核后才退还货款。",
    "商家在{platform}上找人做“体验官”：先自己下单买{goods}，给五星好评加追评后全额返款，再送{amt}元，要求评价里不能提到返款。",
];

const FAKE_SALES: &[&str] = &[
    "这家店的{goods}显示月销{sales}+，但评价只有寥寥几条，问大家里也没人回复。有人在兼职群里发任务：拍下这个链接，不发货，商家返还货款再给{amt}元佣金，就是刷单冲销量。",
    "我应聘过这家店的“刷单兼职”，对方给了一个链接，要求用小号拍下{goods}，空包发货，确认收货后返款加佣金{amt}元。我没有做，但是截了聊天记录。",
    "直播间里主播一直说“已经卖出{sales}单”，但下单后发现销量数字是后台随便改的，评论区全是同一批账号在刷“已拍”“已下单”，刷单冲销量。",
    "店铺新品上架{days}天销量就过万，详情页写着“爆款热销”。我在一个任务平台上看到这家店的刷单任务，每单佣金{amt}元，要求停留浏览三分钟再下单。",
];

/// Reports of 刷单 recruitment: the recruiter's channel and the pay per fake order.
const RECRUITMENT: &[&str] = &[
    "在{platform}买的{goods}包裹里夹着一张小卡片：“诚招兼职刷手，日结{amt}0元起，加微信{wechat}”。扫码进群后，群主每天发{platform}店铺的下单链接，让大家拍下后写五星好评，商家返还货款再给佣金。",
    "有个自称“{shop}运营”的人在评论区私信我，招“体验官”：按要求搜索关键词、货比三家后下单，收货好评后返款加{amt}元佣金。对方让我加微信{wechat}领任务。",
    "刷到一个“居家兼职”视频，留言后被拉进QQ群，群里管理员发的任务全是给网店刷单刷好评，每单佣金{amt}元，要求用自己的账号下单、写{words}字好评并晒图。",
];

/// Reports of 刷单诈骗: cashback as bait, money paid first and never returned.
const FRAUD: &[&str] = &[
    "有人加我微信{wechat}说做{platform}刷单兼职，第一单垫付{amt}0元后返了本金和佣金，第二单要求连做三单“任务”才能返款，我垫付了{amt}00多元后对方就不回消息了。以返现为诱饵骗取垫付资金，已拨打96110。",
    "在{shop}买了{goods}后，包裹里的卡片说“好评返现{amt}元，加客服微信领取”。加了之后对方说要先做一个“刷单任务”激活返现，让我在一个App里垫付货款，后来提示“操作超时”要求继续转账解冻，才发现被骗。",
    "兼职群里有人发“{platform}店铺补单”任务，说垫付后立刻返还本金加佣金{amt}%。前两次都返了，第三次要求垫付大额，之后群解散，客服微信{wechat}把我拉黑。已经报警。",
];

const FAKE_LOGISTICS: &[&str] = &[
    "收到了一个空包裹，快递单上写的是{goods}，但里面只有一张纸。查了一下，这是别人用我的地址寄的空包，用来给刷单制造虚假物流信息。",
    "我家地址最近连续收到{days}个来自这家店的快递，里面都是一小包纸巾或者空盒子。我从没在这家店买过东西，怀疑是用我的信息刷单，物流记录是假的。",
    "订单显示已签收，但我根本没收到货，客服说物流显示签收了。查物流轨迹发现是从一个“礼品代发”网点发出的，重量只有0.05kg，和{goods}完全不符，就是空包裹虚假物流。",
];

const EXTORTION: &[&str] = &[
    "我是一家小店的店主。最近有个买家拍了{goods}后给了一星差评，然后私聊要求“给{amt}0元就删差评”，不给就继续找人刷差评。聊天记录已截图，怀疑是职业差评师。",
    "我们店被职业差评师盯上了：同一个人用不同账号买了{days}次{goods}，每次都给一星差评，说{problem}，然后通过客服要求赔偿{amt}00元，说赔了就改成好评。",
    "有人在评价区发“差评删除服务”的广告，同时私信商家勒索：不付{amt}00元就在抖音发视频说{goods}有问题。对方账号和截图都附上了。",
];

const SUPPRESSION: &[&str] = &[
    "我在这家店买的{goods}{problem}，写了一条差评，三天后差评不见了。客服打电话说给{amt}元补偿，让我把评价改成好评，我拒绝后评价就被折叠了。",
    "我给的真实中评被商家投诉删除了，平台通知说“评价违规”。但我的评价只是如实说了{problem}，没有任何违规内容。现在店铺评价区全是好评。",
    "商家一直打电话要求我删除差评，说不删就天天打，还说知道我的地址。我的差评写的是{goods}{problem}。截图是通话记录和短信。",
    "差评被删除了：我给{shop}写了差评并附了照片，第二天就显示“该评价已被隐藏”。问平台客服，说是商家申诉成功。商家差评被删除后评分又回到4.9。",
];

const SUPPRESSION_LOCAL: &[&str] = &[
    "我在{platform}给{shop}写了差评，说的是{problem}，第二天就被商家申诉删除了。店长还打电话说可以送代金券，让我改成好评。",
];

const IMPERSONATION: &[&str] = &[
    "有人冒充{platform}官方客服打电话，说我买的{goods}有质量问题要给我退款赔偿，让我加一个QQ，然后引导我开通“备用金”借款。来电号码是{hotline}，自称官方400客服热线。",
    "在搜索引擎搜“{platform}客服电话”，排在前面的是一个假的400热线{hotline}，接通后对方要我提供订单号和手机验证码，说帮我取消会员自动扣费。",
    "收到短信：“您在{platform}购买的{goods}因好评率异常被冻结，请致电{hotline}处理”，这是冒充官方400客服热线的诈骗，短信里还用了{shop}的名字。",
];

const OTHER: &[&str] = &[
    "这家店用“晒图抽奖”的名义诱导买家给好评，说五星好评晒图就能参加抽奖，但是中奖名单从来没有公布过。",
    "主播在直播间说“评论区刷一波好评送优惠券”，很多评论都是为了领券写的，根本没用过{goods}。",
    "商家在商品主图里放了伪造的“销量第一”“好评率99%”证书图片，点进去看评价却很少。",
];

const CLOSERS: &[&str] = &[
    "",
    "",
    "",
    "希望平台和监管部门核实处理。",
    "我已经在平台投诉过，没有结果。",
    "附上截图，请核实。",
    "我朋友在同一家店也遇到过同样的情况。",
    "订单信息见截图。",
    "这种行为对认真写评价的买家很不公平。",
];

/// The description a reporter writes for `category`, in Chinese or (`english`) in English.
pub fn description(
    rng: &mut StdRng,
    category: Category,
    slots: &Slots<'_>,
    english: bool,
) -> String {
    let local = slots.shop.local;
    let templates: &[&str] = match (category, english) {
        (Category::CashbackForReview, true) => CASHBACK_EN,
        (Category::CashbackForReview, false) if local => CASHBACK_LOCAL,
        (Category::CashbackForReview, false) => CASHBACK,
        (Category::FakePositiveReviews, true) => FAKE_REVIEWS_EN,
        (Category::FakePositiveReviews, false) if local => FAKE_REVIEWS_LOCAL,
        (Category::FakePositiveReviews, false) => FAKE_REVIEWS,
        (Category::ExperienceOfficer, _) if local => EXPERIENCE_OFFICER,
        (Category::ExperienceOfficer, _) => EXPERIENCE_OFFICER_GOODS,
        (Category::FakeSalesVolume, _) => FAKE_SALES,
        (Category::FakeLogistics, _) => FAKE_LOGISTICS,
        (Category::ExtortionNegativeReviews, _) => EXTORTION,
        (Category::ReviewSuppression, _) if local => SUPPRESSION_LOCAL,
        (Category::ReviewSuppression, _) => SUPPRESSION,
        (Category::ImpersonatedService, _) => IMPERSONATION,
        (Category::FakeOrderRecruitment, _) => RECRUITMENT,
        (Category::FakeOrderFraud, _) => FRAUD,
        (Category::Other, _) => OTHER,
    };
    let template = templates[rng.random_range(0..templates.len())];
    let body = fill(rng, template, slots);
    // The closing words about reviews fit the schemes that are about reviews.
    let about_reviews = !matches!(
        category,
        Category::ImpersonatedService
            | Category::ExtortionNegativeReviews
            | Category::FakeLogistics
    );
    let closers = if about_reviews {
        CLOSERS
    } else {
        &CLOSERS[..6]
    };
    let closer = if english { "" } else { pick(rng, closers) };
    if closer.is_empty() {
        body
    } else {
        format!("{body}{closer}")
    }
}

/// A report that names 好评返现 (the newcomer's scenario needs these words).
pub fn cashback_description(rng: &mut StdRng, slots: &Slots<'_>) -> String {
    let template = CASHBACK[rng.random_range(0..CASHBACK.len())];
    let body = fill(rng, template, slots);
    format!("{body}{}", pick(rng, CLOSERS))
}

// ---------------------------------------------------------------------------------------------
// Officers' words

pub const REQUESTS: &[&str] = &[
    "您好，请补充订单号，以及商家发送好评返现卡片的完整照片（包括卡片背面的联系方式），以便我们核实。",
    "您好，截图中看不到店铺名称，请补充一张能显示店铺名称和聊天时间的完整截图。",
    "您好，请问商家是通过什么方式联系您的（短信、电话还是平台聊天）？如有通话记录或短信截图请一并上传。",
    "您好，为便于核实，请提供下单时间和收货地址所在的城市，以及快递单的照片。",
    "您好，请补充您看到的刷单任务的完整截图（包括任务发布者的账号）。",
];

pub const REPLIES: &[&str] = &[
    "已补充订单截图，卡片背面的照片也上传了。",
    "商家是在平台聊天里联系我的，聊天记录截图已经上传，请查看。",
    "订单号在截图里，快递单照片找不到了，只有物流页面的截图。",
    "补充：今天又收到了商家的短信，内容和之前一样。",
];

pub const NOTES: &[&str] = &[
    "已联系平台核实订单信息，等待回复。",
    "同一店铺已有多起类似举报，建议并案处理。",
    "截图中的卡片与该店其他举报中的一致，可以相互印证。",
    "已查看商品评价区，近一个月五星好评集中出现，内容高度雷同。",
    "举报人描述清楚，证据链较完整。",
    "需核实卡片上的微信号是否为店铺客服号。",
    "商家所在地与属地市场监管部门已确认。",
];

pub const SUBSTANTIATE_NOTES: &[&str] = &[
    "证据充分：好评返现卡片、客服聊天记录与订单信息一致，认定存在以利诱方式获取好评的行为。",
    "多名举报人提供的截图相互印证，认定商家组织刷单炒信。",
    "经平台核实，该店铺存在虚构交易，认定属实。",
];

/// Findings as the regulator reads them: what was found, on what evidence.
pub const FINDINGS: &[&str] = &[
    "举报人提供的包裹内“好评返现”卡片照片、与客服的聊天记录及订单截图相互印证：商家以返现 3–5 元为条件诱导消费者给予五星好评并晒图，属于以利诱方式编造用户评价、进行虚假商业宣传的行为。",
    "多名举报人分别提供的截图显示，同一店铺商品评价中大量出现内容雷同的模板化好评，且下单账户存在集中购买、空包发货的特征，可以认定商家组织虚假交易（刷单）提升销量和排名。",
    "举报人提供的商品页面截图与物流记录显示，该店铺存在虚构物流信息、以空包裹制造成交记录的情形，相关销量数据不实。",
];

pub const CLOSE_NOTES: &[&str] = &[
    "已移交属地市场监管部门，商家已整改并停止发放好评返现卡片，结案。",
    "平台已对店铺作出处罚（扣分、限制推广），相关虚假评价已清除，结案。",
    "属地市场监管部门已立案调查并反馈处理结果，结案。",
];

/// The message sent with a dismissal, in the reason's words.
pub fn dismiss_message(reason: crate::domain::DismissReason) -> &'static str {
    use crate::domain::DismissReason as R;
    match reason {
        R::InsufficientEvidence => {
            "您好，您提供的截图无法显示商家名称和具体的利诱内容，且未能补充订单信息，现有证据不足以认定，本案不予立案。感谢您的举报。"
        }
        R::Duplicate => {
            "您好，该商家的同一行为已在其他案件中处理，本举报合并处理，不再单独立案。感谢您的举报。"
        }
        R::OutOfScope => {
            "您好，您反映的是商品质量和售后问题，不属于虚假评价举报的受理范围，建议通过平台售后或全国12315平台投诉。"
        }
        R::Spam => "举报内容与所填商家无关，且无有效信息，不予受理。",
    }
}

pub const WITHDRAW_REASONS: &[&str] = &[
    "商家已经联系我道歉并退款了。",
    "填错了店铺，重新提交了一份。",
    "平台已经处理了，不需要再跟进。",
];

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn every_drawn_region_parses_and_lies_in_its_province() {
        let picker = RegionPicker::new();
        assert_eq!(picker.province_count(), 31);
        let mut rng = StdRng::seed_from_u64(7);
        for p in 0..picker.province_count() {
            let r = picker.draw(&mut rng, Some(p));
            assert!(RegionCode::parse(r.as_str()).is_some());
        }
        let r = picker.draw_within(&mut rng, "440100").expect("广州");
        assert_eq!(r.city_code().as_deref(), Some("440100"));
    }

    #[test]
    fn shop_addresses_are_accepted_by_the_report_rules() {
        let picker = RegionPicker::new();
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..500 {
            let region = picker.draw(&mut rng, None);
            let category = draw_category(&mut rng);
            let platform = draw_platform(&mut rng, category);
            let shop = new_shop(&mut rng, platform, region, category, 24);
            assert!(
                crate::domain::ShopRef::parse(&shop.address).is_ok(),
                "{}",
                shop.address
            );
            let text = description(
                &mut rng,
                category,
                &Slots {
                    shop: &shop,
                    goods: shop.goods,
                },
                false,
            );
            assert!(!text.contains('{'), "{text}");
        }
    }

    #[test]
    fn cashback_reports_name_the_scheme() {
        let picker = RegionPicker::new();
        let mut rng = StdRng::seed_from_u64(3);
        let region = picker.draw(&mut rng, None);
        let shop = new_shop(
            &mut rng,
            Platform::Pinduoduo,
            region,
            Category::CashbackForReview,
            24,
        );
        for _ in 0..50 {
            assert!(
                cashback_description(
                    &mut rng,
                    &Slots {
                        shop: &shop,
                        goods: shop.goods
                    }
                )
                .contains("好评返现")
            );
        }
    }
}
