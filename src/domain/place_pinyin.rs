//! Pinyin for the names of provinces, cities and counties, shown beside the Chinese on English
//! pages (issue 16): `番禺区` → `Panyu`. The proper name is romanized without its generic term
//! (省, 市, 区, 县, 自治州 …), as maps and addresses write it in English; a one-character proper
//! name keeps its term (`沙县` → `Shaxian`). Readings come from the `pinyin` crate (the everyday
//! reading of each character) unless the [`OVERRIDES`] table knows the place's own reading
//! (番禺 is Panyu, not Fanyu). Computed once for every division, on first use.

use crate::domain::region::{Division, Region, divisions};
use pinyin::ToPinyin;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Place names whose reading differs from the characters' everyday one, by proper name (or by
/// full name where the proper name is one character).
const OVERRIDES: &[(&str, &str)] = &[
    ("番禺", "Panyu"),
    ("六安", "Lu'an"),
    ("六合", "Luhe"),
    ("蚌埠", "Bengbu"),
    ("丽水", "Lishui"),
    ("丽江", "Lijiang"),
    ("乐清", "Yueqing"),
    ("乐亭", "Laoting"),
    ("洪洞", "Hongtong"),
    ("铅山", "Yanshan"),
    // A town (解州镇, in 运城 盐湖区), not a county: the divisions data stops at counties, but
    // the reading is kept for any name that carries it.
    ("解州", "Xiezhou"),
    ("长子", "Zhangzi"),
    ("泌阳", "Biyang"),
    ("重庆", "Chongqing"),
    ("长沙", "Changsha"),
    ("长春", "Changchun"),
    ("长治", "Changzhi"),
    ("厦门", "Xiamen"),
    ("朝阳", "Chaoyang"),
    ("东莞", "Dongguan"),
    ("台州", "Taizhou"),
    ("蔚县", "Yuxian"),
    ("单县", "Shanxian"),
    ("莘县", "Shenxian"),
    ("歙县", "Shexian"),
    ("浚县", "Xunxian"),
    ("涡阳", "Guoyang"),
    ("东阿", "Dong'e"),
    ("盱眙", "Xuyi"),
    ("枞阳", "Zongyang"),
    ("牟平", "Muping"),
    ("中牟", "Zhongmou"),
    ("荥阳", "Xingyang"),
    ("荥经", "Yingjing"),
    ("会理", "Huili"),
    ("会泽", "Huize"),
    ("会同", "Huitong"),
    ("大埔", "Dabu"),
    ("柞水", "Zhashui"),
    ("犍为", "Qianwei"),
    ("筠连", "Junlian"),
    ("宿州", "Suzhou"),
    ("宿迁", "Suqian"),
    ("宿松", "Susong"),
    ("尉犁", "Yuli"),
    ("繁峙", "Fanshi"),
    ("蠡县", "Lixian"),
    ("藁城", "Gaocheng"),
];

/// Characters read one way in nearly every place name, whatever their everyday reading:
/// 长沙 Changsha, 成都 Chengdu, 喀什 Kashi, 西藏 Xizang, 曾都 Zengdu, 黄陂 Huangpi, 宝坻 Baodi,
/// 覃塘 Qintang, 蚌山 Bengshan (长子 Zhangzi is in [`OVERRIDES`]).
const PLACE_READINGS: &[(char, &str)] = &[
    ('长', "chang"),
    ('都', "du"),
    ('什', "shi"),
    ('藏', "zang"),
    ('曾', "zeng"),
    ('陂', "pi"),
    ('坻', "di"),
    ('覃', "qin"),
    ('蚌', "beng"),
];

/// Generic terms after the proper name, longest first.
const TERMS: &[&str] = &[
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "新区",
    "地区",
    "林区",
    "街道",
    "省",
    "市",
    "区",
    "县",
    "州",
    "旗",
    "盟",
    "镇",
];

/// Peoples named in autonomous divisions' names (`恩施土家族苗族自治州`), dropped from the
/// proper name; those written without 族 in some names last.
const PEOPLES: &[&str] = &[
    "各族",
    "满族",
    "蒙古族",
    "回族",
    "达斡尔族",
    "鄂温克族",
    "朝鲜族",
    "畲族",
    "土家族",
    "苗族",
    "瑶族",
    "侗族",
    "壮族",
    "仫佬族",
    "毛南族",
    "黎族",
    "羌族",
    "彝族",
    "藏族",
    "仡佬族",
    "布依族",
    "水族",
    "傣族",
    "哈尼族",
    "纳西族",
    "拉祜族",
    "佤族",
    "布朗族",
    "白族",
    "景颇族",
    "傈僳族",
    "独龙族",
    "怒族",
    "普米族",
    "裕固族",
    "哈萨克族",
    "保安族",
    "东乡族",
    "撒拉族",
    "土族",
    "维吾尔",
    "哈萨克",
    "蒙古",
    "柯尔克孜",
    "塔吉克",
    "锡伯",
];

/// Placeholder levels of the data (`市辖区`, `省直辖县级行政区划`): no place, no pinyin.
fn is_placeholder(name: &str) -> bool {
    name == "市辖区" || name == "县" || name.ends_with("行政区划")
}

/// The proper name of a division: `番禺区` → `番禺`, `恩施土家族苗族自治州` → `恩施`,
/// `沙县` → `沙县` (one character is not a name on its own).
fn proper_name(name: &str) -> &str {
    // The longest term that leaves a name of two characters or more (碑林区 is 碑林, not 碑).
    let Some(stem) = TERMS
        .iter()
        .filter_map(|t| name.strip_suffix(t))
        .find(|s| s.chars().count() >= 2)
    else {
        return name;
    };
    let mut proper = stem;
    'peoples: loop {
        for people in PEOPLES {
            if let Some(rest) = proper.strip_suffix(people)
                && rest.chars().count() >= 2
            {
                proper = rest;
                continue 'peoples;
            }
        }
        break;
    }
    // `东乡族自治县`, `鄂温克族自治旗`: the people is the name.
    if proper == stem
        && let Some(rest) = stem.strip_suffix('族')
        && rest.chars().count() >= 2
        && stem.len() < name.len()
        && name[stem.len()..].starts_with("自治")
    {
        proper = rest;
    }
    if proper.chars().count() < 2 {
        name
    } else {
        proper
    }
}

/// `Guangzhou`, `Xi'an`: syllables joined, an apostrophe before a, o, e after the first.
fn romanize(name: &str) -> String {
    let mut out = String::new();
    for (ch, py) in name.chars().zip(name.to_pinyin()) {
        match py {
            Some(py) => {
                let syllable = PLACE_READINGS
                    .iter()
                    .find(|(c, _)| *c == ch)
                    .map_or_else(|| py.plain(), |(_, r)| *r);
                if !out.is_empty() && syllable.starts_with(['a', 'o', 'e']) {
                    out.push('\'');
                }
                if out.is_empty() {
                    let mut cs = syllable.chars();
                    if let Some(first) = cs.next() {
                        out.extend(first.to_uppercase());
                        out.push_str(cs.as_str());
                    }
                } else {
                    out.push_str(syllable);
                }
            }
            None => out.push(ch),
        }
    }
    out
}

/// The pinyin of one division's name (empty for the data's placeholder levels).
pub fn place_pinyin(name: &str) -> String {
    if is_placeholder(name) {
        return String::new();
    }
    let lookup = |key: &str| OVERRIDES.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    if let Some(known) = lookup(name) {
        return known.to_string();
    }
    let proper = proper_name(name);
    lookup(proper).map_or_else(|| romanize(proper), str::to_string)
}

static BY_CODE: LazyLock<HashMap<&'static str, String>> = LazyLock::new(|| {
    fn walk(d: &'static Division, out: &mut HashMap<&'static str, String>) {
        out.insert(d.code.as_str(), place_pinyin(&d.name));
        for c in &d.children {
            walk(c, out);
        }
    }
    let mut out = HashMap::new();
    for p in divisions().provinces() {
        walk(p, &mut out);
    }
    out
});

/// The pinyin of the division with this six- (or nine-) digit code, computed once for all.
pub fn by_code(code: &str) -> Option<&'static str> {
    BY_CODE
        .get(code)
        .map(String::as_str)
        .filter(|s| !s.is_empty())
}

/// A region's names in pinyin, province first: `Guangdong, Guangzhou, Panyu` (the data's
/// placeholder levels left out).
pub fn region_pinyin(region: &Region) -> String {
    [
        Some(&region.province),
        region.city.as_ref(),
        region.county.as_ref(),
    ]
    .into_iter()
    .flatten()
    .filter_map(|(code, _)| by_code(code))
    .collect::<Vec<_>>()
    .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_names_read_their_own_way() {
        for (name, expected) in [
            ("番禺区", "Panyu"),
            ("六安市", "Lu'an"),
            ("蚌埠市", "Bengbu"),
            ("丽水市", "Lishui"),
            ("乐清市", "Yueqing"),
            ("洪洞县", "Hongtong"),
            ("铅山县", "Yanshan"),
            ("解州镇", "Xiezhou"),
            ("重庆市", "Chongqing"),
            ("厦门市", "Xiamen"),
            ("长沙市", "Changsha"),
            ("东阿县", "Dong'e"),
            ("蔚县", "Yuxian"),
            ("六合区", "Luhe"),
            ("盱眙县", "Xuyi"),
            ("西藏自治区", "Xizang"),
            ("成都市", "Chengdu"),
            ("长安区", "Chang'an"),
            ("长子县", "Zhangzi"),
            ("喀什地区", "Kashi"),
            ("黄陂区", "Huangpi"),
            ("宝坻区", "Baodi"),
            ("泌阳县", "Biyang"),
        ] {
            assert_eq!(place_pinyin(name), expected, "{name}");
        }
    }

    #[test]
    fn everyday_readings_and_generic_terms() {
        for (name, expected) in [
            ("广东省", "Guangdong"),
            ("广州市", "Guangzhou"),
            ("杭州市", "Hangzhou"),
            ("余杭区", "Yuhang"),
            ("西安市", "Xi'an"),
            ("北京市", "Beijing"),
            ("沙县", "Shaxian"),
            ("沙县区", "Shaxian"),
            ("碑林区", "Beilin"),
            ("神农架林区", "Shennongjia"),
            ("滨海新区", "Binhai"),
            ("城区", "Chengqu"),
            ("新疆维吾尔自治区", "Xinjiang"),
            ("广西壮族自治区", "Guangxi"),
            ("西藏自治区", "Xizang"),
            ("内蒙古自治区", "Neimenggu"),
            ("恩施土家族苗族自治州", "Enshi"),
            ("双江拉祜族佤族布朗族傣族自治县", "Shuangjiang"),
            ("博尔塔拉蒙古自治州", "Bo'ertala"),
            ("东乡族自治县", "Dongxiang"),
            ("鄂伦春自治旗", "Elunchun"),
            ("市辖区", ""),
            ("省直辖县级行政区划", ""),
        ] {
            assert_eq!(place_pinyin(name), expected, "{name}");
        }
    }

    #[test]
    fn every_division_has_its_pinyin_once() {
        assert_eq!(by_code("440113"), Some("Panyu"));
        assert_eq!(by_code("440100"), Some("Guangzhou"));
        assert_eq!(by_code("110100"), None, "北京 市辖区 is a placeholder");
        let panyu = crate::domain::region::RegionCode::parse("440113").expect("番禺区");
        let region = divisions().region(&panyu).expect("known");
        assert_eq!(region_pinyin(&region), "Guangdong, Guangzhou, Panyu");
        let chaoyang = crate::domain::region::RegionCode::parse("110105").expect("朝阳区");
        let region = divisions().region(&chaoyang).expect("known");
        assert_eq!(region_pinyin(&region), "Beijing, Chaoyang");
        let missing: Vec<&str> = BY_CODE
            .iter()
            .filter(|(_, v)| {
                v.chars()
                    .any(|c| !c.is_ascii_alphabetic() && c != '\'' && c != 'ü')
            })
            .map(|(k, _)| *k)
            .collect();
        assert!(missing.is_empty(), "names left in Chinese: {missing:?}");
    }
}
