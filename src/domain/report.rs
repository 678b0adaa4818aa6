//! A report as submitted: the raw form, the rules each field must meet, and the valid report
//! that only those rules can build.

use super::shop::{ShopRefError, parse_web_url};
use super::{Category, Lang, Platform, RegionCode, ShopRef};
use chrono::NaiveDate;
use url::Url;

pub const MAX_DESCRIPTION_CHARS: usize = 5000;
pub const MAX_SHOP_NAME_CHARS: usize = 200;
pub const MAX_PLATFORM_OTHER_CHARS: usize = 50;
pub const MAX_PRODUCT_URL_CHARS: usize = 1000;
pub const MAX_ORDER_NUMBER_CHARS: usize = 64;
pub const MAX_EMAIL_CHARS: usize = 254;

/// The text fields of the report form exactly as they arrived (DESIGN.md "Stable hooks").
#[derive(Debug, Clone, Default)]
pub struct ReportForm {
    pub platform: String,
    pub platform_other: String,
    pub shop_name: String,
    pub shop_url: String,
    pub region_province: String,
    pub region_city: String,
    pub region_code: String,
    pub product_url: String,
    pub order_number: String,
    pub category: String,
    pub seen_on: String,
    pub description: String,
    pub email: String,
    pub language: String,
    pub consent_share_contact: bool,
    pub consent_share_platform: bool,
    pub also_complaint: bool,
}

impl ReportForm {
    /// Stores a text field by its form name; unknown names are ignored.
    pub fn set(&mut self, name: &str, value: String) {
        let slot = match name {
            "platform" => &mut self.platform,
            "platform_other" => &mut self.platform_other,
            "shop_name" => &mut self.shop_name,
            "shop_url" => &mut self.shop_url,
            "region_province" => &mut self.region_province,
            "region_city" => &mut self.region_city,
            "region_code" => &mut self.region_code,
            "product_url" => &mut self.product_url,
            "order_number" => &mut self.order_number,
            "category" => &mut self.category,
            "seen_on" => &mut self.seen_on,
            "description" => &mut self.description,
            "email" => &mut self.email,
            "language" => &mut self.language,
            "consent_share_contact" => {
                self.consent_share_contact = is_checked(&value);
                return;
            }
            "consent_share_platform" => {
                self.consent_share_platform = is_checked(&value);
                return;
            }
            "also_complaint" => {
                self.also_complaint = is_checked(&value);
                return;
            }
            _ => return,
        };
        *slot = value;
    }
}

fn is_checked(value: &str) -> bool {
    matches!(value.trim(), "on" | "1" | "true" | "yes")
}

/// What is wrong with one field. The web layer turns it into words in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong { max: usize },
    UnknownChoice,
    BadUrl,
    BadEmail,
    BadDate,
    DateInFuture,
    BadOrderNumber,
    UnknownRegion,
    RegionMismatch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub problem: Problem,
}

/// A report whose every field holds. Only `ReportForm::validate` makes one.
#[derive(Debug, Clone)]
pub struct ValidReport {
    pub platform: Platform,
    pub platform_other: Option<String>,
    pub shop_name: String,
    pub shop: ShopRef,
    pub region: RegionCode,
    pub product_url: Option<Url>,
    pub order_number: Option<String>,
    pub category: Category,
    pub seen_on: NaiveDate,
    pub description: String,
    pub email: Option<lettre::Address>,
    pub language: Lang,
    pub consent_share_contact: bool,
    /// Checked copies of the screenshots may go to the platform with its notice (default off).
    pub consent_share_platform: bool,
    pub also_complaint: bool,
}

fn optional(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

impl ReportForm {
    /// Checks every field and returns all problems at once, so the reporter fixes them in one go.
    /// `today` is the reporter's date (China time); a sighting may not be later than it.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidReport, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail =
            |field: &'static str, problem: Problem| errors.push(FieldError { field, problem });

        let platform = match optional(&self.platform) {
            None => {
                fail("platform", Problem::Required);
                None
            }
            Some(p) => Platform::parse(p).or_else(|| {
                fail("platform", Problem::UnknownChoice);
                None
            }),
        };
        let platform_other = optional(&self.platform_other).map(str::to_string);
        if platform == Some(Platform::Other) {
            match &platform_other {
                None => fail("platform_other", Problem::Required),
                Some(o) if too_long(o, MAX_PLATFORM_OTHER_CHARS) => fail(
                    "platform_other",
                    Problem::TooLong {
                        max: MAX_PLATFORM_OTHER_CHARS,
                    },
                ),
                Some(_) => {}
            }
        }

        let shop_name = self.shop_name.trim().to_string();
        if shop_name.is_empty() {
            fail("shop_name", Problem::Required);
        } else if too_long(&shop_name, MAX_SHOP_NAME_CHARS) {
            fail(
                "shop_name",
                Problem::TooLong {
                    max: MAX_SHOP_NAME_CHARS,
                },
            );
        }

        let shop = match ShopRef::parse(&self.shop_url) {
            Ok(s) => Some(s),
            Err(e) => {
                fail(
                    "shop_url",
                    match e {
                        ShopRefError::Empty => Problem::Required,
                        ShopRefError::TooLong => Problem::TooLong {
                            max: super::shop::MAX_SHOP_REF_CHARS,
                        },
                        ShopRefError::BadUrl => Problem::BadUrl,
                    },
                );
                None
            }
        };

        let region = self.region(&mut fail);

        let product_url = match optional(&self.product_url) {
            None => None,
            Some(u) if too_long(u, MAX_PRODUCT_URL_CHARS) => {
                fail(
                    "product_url",
                    Problem::TooLong {
                        max: MAX_PRODUCT_URL_CHARS,
                    },
                );
                None
            }
            Some(u) => parse_web_url(u).or_else(|| {
                fail("product_url", Problem::BadUrl);
                None
            }),
        };

        let order_number = optional(&self.order_number).map(str::to_string);
        if let Some(o) = &order_number {
            if too_long(o, MAX_ORDER_NUMBER_CHARS) {
                fail(
                    "order_number",
                    Problem::TooLong {
                        max: MAX_ORDER_NUMBER_CHARS,
                    },
                );
            } else if !o
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' '))
            {
                fail("order_number", Problem::BadOrderNumber);
            }
        }

        let category = match optional(&self.category) {
            None => {
                fail("category", Problem::Required);
                None
            }
            Some(c) => Category::parse(c).or_else(|| {
                fail("category", Problem::UnknownChoice);
                None
            }),
        };

        let seen_on = match optional(&self.seen_on) {
            None => {
                fail("seen_on", Problem::Required);
                None
            }
            Some(d) => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Err(_) => {
                    fail("seen_on", Problem::BadDate);
                    None
                }
                Ok(d) if d > today => {
                    fail("seen_on", Problem::DateInFuture);
                    None
                }
                Ok(d) if chrono::Datelike::year(&d) < 2000 => {
                    fail("seen_on", Problem::BadDate);
                    None
                }
                Ok(d) => Some(d),
            },
        };

        // Line endings are normalized so that the 5,000-character limit means what a person sees.
        let description = self.description.replace("\r\n", "\n").trim().to_string();
        if description.is_empty() {
            fail("description", Problem::Required);
        } else if too_long(&description, MAX_DESCRIPTION_CHARS) {
            fail(
                "description",
                Problem::TooLong {
                    max: MAX_DESCRIPTION_CHARS,
                },
            );
        }

        let email = match optional(&self.email) {
            None => None,
            Some(e) if too_long(e, MAX_EMAIL_CHARS) => {
                fail(
                    "email",
                    Problem::TooLong {
                        max: MAX_EMAIL_CHARS,
                    },
                );
                None
            }
            Some(e) => e
                .parse::<lettre::Address>()
                .ok()
                .filter(|a| a.domain().contains('.'))
                .or_else(|| {
                    fail("email", Problem::BadEmail);
                    None
                }),
        };

        let language = match optional(&self.language) {
            None => Lang::ZhCn,
            Some(l) => Lang::parse(l).unwrap_or_else(|| {
                fail("language", Problem::UnknownChoice);
                Lang::ZhCn
            }),
        };

        match (platform, shop, region, category, seen_on) {
            (Some(platform), Some(shop), Some(region), Some(category), Some(seen_on))
                if errors.is_empty() =>
            {
                Ok(ValidReport {
                    platform,
                    platform_other: if platform == Platform::Other {
                        platform_other
                    } else {
                        None
                    },
                    shop_name,
                    shop,
                    region,
                    product_url,
                    order_number,
                    category,
                    seen_on,
                    description,
                    email,
                    language,
                    // Consent to share contact details means nothing without contact details.
                    consent_share_contact: self.consent_share_contact,
                    consent_share_platform: self.consent_share_platform,
                    also_complaint: self.also_complaint,
                })
            }
            _ => Err(errors),
        }
    }

    /// The most specific region chosen; the coarser choices, when given, must contain it.
    fn region(&self, fail: &mut impl FnMut(&'static str, Problem)) -> Option<RegionCode> {
        let mut chosen: Vec<(&'static str, RegionCode)> = Vec::new();
        for (field, raw) in [
            ("region_province", &self.region_province),
            ("region_city", &self.region_city),
            ("region_code", &self.region_code),
        ] {
            if let Some(raw) = optional(raw) {
                match RegionCode::parse(raw) {
                    Some(code) => chosen.push((field, code)),
                    None => {
                        fail(field, Problem::UnknownRegion);
                        return None;
                    }
                }
            }
        }
        let (field, most_specific) = match chosen.last() {
            Some(last) => last.clone(),
            None => {
                fail("region_code", Problem::Required);
                return None;
            }
        };
        if chosen
            .iter()
            .any(|(_, coarser)| !most_specific.is_within(coarser))
        {
            fail(field, Problem::RegionMismatch);
            return None;
        }
        Some(most_specific)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).expect("valid date")
    }

    fn good() -> ReportForm {
        ReportForm {
            platform: "pinduoduo".into(),
            shop_name: "某某旗舰店".into(),
            shop_url: "https://mobile.yangkeduo.com/mall_page.html?mall_id=123".into(),
            region_code: "440113".into(),
            category: "cashback_for_review".into(),
            seen_on: "2026-11-20".into(),
            description: "收到好评返现卡片：五星好评截图返现 5 元。".into(),
            email: "shopper@example.com".into(),
            language: "zh-CN".into(),
            ..ReportForm::default()
        }
    }

    fn problems(form: &ReportForm) -> Vec<(&'static str, Problem)> {
        match form.validate(today()) {
            Ok(_) => vec![],
            Err(e) => e.into_iter().map(|e| (e.field, e.problem)).collect(),
        }
    }

    #[test]
    fn a_complete_report_is_valid() {
        let r = good().validate(today()).expect("valid");
        assert_eq!(r.platform, Platform::Pinduoduo);
        assert_eq!(r.region.as_str(), "440113");
        assert_eq!(
            r.email.map(|e| e.to_string()).as_deref(),
            Some("shopper@example.com")
        );
    }

    #[test]
    fn all_missing_fields_are_reported_together() {
        let p = problems(&ReportForm::default());
        for field in [
            "platform",
            "shop_name",
            "shop_url",
            "region_code",
            "category",
            "seen_on",
            "description",
        ] {
            assert!(p.contains(&(field, Problem::Required)), "{field}: {p:?}");
        }
    }

    #[test]
    fn description_is_limited_to_5000_characters_not_bytes() {
        let mut f = good();
        f.description = "好".repeat(5000);
        assert!(problems(&f).is_empty());
        f.description = "好".repeat(5001);
        assert_eq!(
            problems(&f),
            vec![("description", Problem::TooLong { max: 5000 })]
        );
    }

    #[test]
    fn bad_email_and_future_date_are_refused() {
        let mut f = good();
        f.email = "not-an-email".into();
        f.seen_on = "2026-12-01".into();
        assert_eq!(
            problems(&f),
            vec![
                ("seen_on", Problem::DateInFuture),
                ("email", Problem::BadEmail)
            ]
        );
    }

    #[test]
    fn other_platform_needs_its_name() {
        let mut f = good();
        f.platform = "other".into();
        assert_eq!(problems(&f), vec![("platform_other", Problem::Required)]);
        f.platform_other = "得物".into();
        assert!(problems(&f).is_empty());
    }

    #[test]
    fn region_choices_must_nest() {
        let mut f = good();
        f.region_province = "440000".into();
        f.region_city = "440100".into();
        assert!(problems(&f).is_empty());
        f.region_city = "440300".into();
        assert_eq!(problems(&f), vec![("region_code", Problem::RegionMismatch)]);
        f.region_code = String::new();
        f.region_city = "440300".into();
        assert_eq!(
            f.validate(today())
                .map(|r| r.region.to_string())
                .ok()
                .as_deref(),
            Some("440300")
        );
    }

    #[test]
    fn unknown_keywords_are_refused() {
        let mut f = good();
        f.category = "fake".into();
        f.platform = "amazon".into();
        assert_eq!(
            problems(&f),
            vec![
                ("platform", Problem::UnknownChoice),
                ("category", Problem::UnknownChoice)
            ]
        );
    }
}
