//! The report form's region lists (every province, city and county, so the form works without
//! JavaScript): rendered once, since they never change, and only the chosen option marked per
//! request.

use crate::domain::lang::Lang;
use crate::domain::place_pinyin;
use crate::domain::region::{Division, divisions};
use askama::Template;
use std::borrow::Cow;
use std::sync::LazyLock;

#[derive(Template)]
#[template(path = "pages/report/region_options.html")]
struct RegionOptions {
    which: &'static str,
    provinces: &'static [Division],
    /// English pages show each name's pinyin beside it (`番禺区 Panyu`).
    pinyin: bool,
}

impl RegionOptions {
    fn py(&self, code: &str) -> &'static str {
        if self.pinyin {
            place_pinyin::by_code(code).unwrap_or("")
        } else {
            ""
        }
    }
}

const FIELDS: [&str; 3] = ["region_province", "region_city", "region_code"];

fn render(pinyin: bool) -> [String; 3] {
    FIELDS.map(|which| {
        RegionOptions {
            which,
            provinces: divisions().provinces(),
            pinyin,
        }
        .render()
        .unwrap_or_default()
    })
}

static RENDERED: LazyLock<[String; 3]> = LazyLock::new(|| render(false));
static RENDERED_EN: LazyLock<[String; 3]> = LazyLock::new(|| render(true));

/// The `<option>`s of the list named by its form field, with `selected` on the chosen code.
/// The chosen value is only searched for, never written out, so any input is safe here.
pub fn options(field: &str, chosen: &str, lang: Lang) -> Cow<'static, str> {
    let Some(i) = FIELDS.iter().position(|f| *f == field) else {
        return Cow::Borrowed("");
    };
    let all = match lang {
        Lang::ZhCn => &RENDERED[i],
        Lang::En => &RENDERED_EN[i],
    };
    let chosen = chosen.trim();
    if chosen.is_empty() || !chosen.bytes().all(|b| b.is_ascii_digit()) {
        return Cow::Borrowed(all.as_str());
    }
    Cow::Owned(all.replacen(
        &format!("value=\"{chosen}\">"),
        &format!("value=\"{chosen}\" selected>"),
        1,
    ))
}

#[cfg(test)]
mod tests {
    use super::options;
    use crate::domain::lang::Lang;

    #[test]
    fn every_division_is_listed_once_and_the_chosen_one_is_marked() {
        let counties = options("region_code", "440113", Lang::ZhCn);
        assert_eq!(counties.matches("<option ").count(), 3056);
        assert!(counties.contains(r#"<option value="440113" selected>番禺区</option>"#));
        assert_eq!(counties.matches(" selected>").count(), 1);
        assert_eq!(
            options("region_province", "", Lang::ZhCn)
                .matches("<option ")
                .count(),
            31
        );
        assert_eq!(
            options("region_city", "\"><script>", Lang::ZhCn)
                .matches(" selected")
                .count(),
            0
        );
        assert!(
            options("region_city", "440100", Lang::ZhCn)
                .contains(r#"<optgroup label="广东省" data-parent="440000">"#)
        );
    }

    #[test]
    fn english_pages_show_pinyin_beside_each_name() {
        let counties = options("region_code", "440113", Lang::En);
        assert_eq!(counties.matches("<option ").count(), 3056);
        assert!(
            counties
                .contains(r#"<option lang="zh-CN" value="440113" selected>番禺区 Panyu</option>"#)
        );
        // The Chinese name is marked as Chinese (an option holds text only, so the whole option,
        // whose pinyin is that name's reading): every option and group, none left unmarked.
        assert_eq!(
            counties.matches("<option ").count(),
            counties.matches(r#"<option lang="zh-CN" "#).count()
        );
        assert!(!options("region_code", "", Lang::ZhCn).contains("lang="));
        assert!(
            options("region_province", "", Lang::En)
                .contains(r#"<option lang="zh-CN" value="440000">广东省 Guangdong</option>"#)
        );
        assert!(
            options("region_city", "", Lang::En)
                .contains(r#"<option lang="zh-CN" value="341500">六安市 Lu&#39;an</option>"#)
        );
    }
}
