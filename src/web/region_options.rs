//! The report form's region lists (every province, city and county, so the form works without
//! JavaScript): rendered once, since they never change, and only the chosen option marked per
//! request.

use crate::domain::region::{Division, divisions};
use askama::Template;
use std::borrow::Cow;
use std::sync::LazyLock;

#[derive(Template)]
#[template(path = "pages/report/region_options.html")]
struct RegionOptions {
    which: &'static str,
    provinces: &'static [Division],
}

const FIELDS: [&str; 3] = ["region_province", "region_city", "region_code"];

static RENDERED: LazyLock<[String; 3]> = LazyLock::new(|| {
    FIELDS.map(|which| {
        RegionOptions {
            which,
            provinces: divisions().provinces(),
        }
        .render()
        .unwrap_or_default()
    })
});

/// The `<option>`s of the list named by its form field, with `selected` on the chosen code.
/// The chosen value is only searched for, never written out, so any input is safe here.
pub fn options(field: &str, chosen: &str) -> Cow<'static, str> {
    let Some(i) = FIELDS.iter().position(|f| *f == field) else {
        return Cow::Borrowed("");
    };
    let all = &RENDERED[i];
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

    #[test]
    fn every_division_is_listed_once_and_the_chosen_one_is_marked() {
        let counties = options("region_code", "440113");
        assert_eq!(counties.matches("<option ").count(), 3056);
        assert!(counties.contains(r#"<option value="440113" selected>番禺区</option>"#));
        assert_eq!(counties.matches(" selected>").count(), 1);
        assert_eq!(
            options("region_province", "").matches("<option ").count(),
            31
        );
        assert_eq!(
            options("region_city", "\"><script>")
                .matches(" selected")
                .count(),
            0
        );
        assert!(
            options("region_city", "440100")
                .contains(r#"<optgroup label="广东省" data-parent="440000">"#)
        );
    }
}
