//! Message catalogs (`locales/zh-CN.toml`, `locales/en.toml`): every word a page or an email
//! shows, looked up by key. A unit test checks both catalogs hold the same keys and that every
//! key the templates use exists.

use crate::domain::{CaseStatus, Category, DismissReason, FieldError, Lang, Platform, Problem};
use rustc_hash::FxHashMap;
use std::fmt::Display;
use std::sync::LazyLock;

/// A value to label, or a reference to one however deep: templates pass loop items by reference.
pub trait Label<T: Copy> {
    fn value(&self) -> T;
}

impl<T: Copy> Label<T> for T {
    fn value(&self) -> T {
        *self
    }
}

impl<T: Copy> Label<T> for &T {
    fn value(&self) -> T {
        **self
    }
}

impl<T: Copy> Label<T> for &&T {
    fn value(&self) -> T {
        ***self
    }
}

/// A catalog. Pages look up dozens of messages each, so the maps hash with FxHash (the keys are
/// our own, not an attacker's) and a lookup by table and key builds no string.
pub struct Messages {
    lang: Lang,
    /// Every message by its whole key (`status.submitted`).
    entries: FxHashMap<String, String>,
    /// The same messages by their table (`status`, `help.category`) and their last key part.
    tables: FxHashMap<String, FxHashMap<String, String>>,
    /// The messages that HTML escaping changes, escaped once (see [`Messages::html`]).
    escaped: FxHashMap<String, String>,
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut FxHashMap<String, String>) {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(t) => flatten(&full, t, out),
            toml::Value::String(s) => {
                out.insert(full, s.clone());
            }
            other => {
                out.insert(full, format!("{other:?}"));
            }
        }
    }
}

fn load(lang: Lang, source: &str) -> Messages {
    let table: toml::Table = source
        .parse()
        .unwrap_or_else(|e| panic!("locale {} does not parse: {e}", lang.as_str()));
    let mut entries = FxHashMap::default();
    flatten("", &table, &mut entries);
    let mut tables: FxHashMap<String, FxHashMap<String, String>> = FxHashMap::default();
    for (key, text) in &entries {
        if let Some((table, last)) = key.rsplit_once('.') {
            tables
                .entry(table.to_string())
                .or_default()
                .insert(last.to_string(), text.clone());
        }
    }
    let escaped = entries
        .iter()
        .filter_map(|(key, text)| {
            let Ok(html) = askama::filters::escape(text, askama::filters::Html);
            let html = html.to_string();
            (html != *text).then(|| (key.clone(), html))
        })
        .collect();
    Messages {
        lang,
        entries,
        tables,
        escaped,
    }
}

static ZH_CN: LazyLock<Messages> =
    LazyLock::new(|| load(Lang::ZhCn, include_str!("../locales/zh-CN.toml")));
static EN: LazyLock<Messages> =
    LazyLock::new(|| load(Lang::En, include_str!("../locales/en.toml")));

pub fn messages(lang: Lang) -> &'static Messages {
    match lang {
        Lang::ZhCn => &ZH_CN,
        Lang::En => &EN,
    }
}

impl Messages {
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The message for `key`; a missing key shows as itself (a unit test keeps that from shipping).
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.entries.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The message for `key` for an HTML template: escaped once, when the catalog was loaded,
    /// and marked safe so that askama writes it as it is. Escaping the messages again on every
    /// request (byte by byte) was a quarter of the landing page's work.
    pub fn html<'a>(&'a self, key: &'a str) -> askama::filters::Safe<&'a str> {
        askama::filters::Safe(
            self.escaped
                .get(key)
                .map_or_else(|| self.t(key), String::as_str),
        )
    }

    /// The message for `key` with `{0}` replaced.
    pub fn t1(&self, key: &str, arg: impl Display) -> String {
        self.t(key).replace("{0}", &arg.to_string())
    }

    /// The message for `key` with `{0}` and `{1}` replaced.
    pub fn t2(&self, key: &str, a: impl Display, b: impl Display) -> String {
        self.t(key)
            .replace("{0}", &a.to_string())
            .replace("{1}", &b.to_string())
    }

    pub fn status(&self, status: impl Label<CaseStatus>) -> &str {
        self.lookup("status", status.value().as_str())
    }

    pub fn platform(&self, platform: impl Label<Platform>) -> &str {
        self.lookup("platform", platform.value().as_str())
    }

    /// A stored platform keyword as people read it, with the reporter's own name for "other".
    pub fn platform_label(&self, platform: impl Label<Platform>, other: Option<&str>) -> String {
        match (platform.value(), other) {
            (Platform::Other, Some(o)) => format!("{} ({o})", self.platform(Platform::Other)),
            (p, _) => self.platform(p).to_string(),
        }
    }

    pub fn category(&self, category: impl Label<Category>) -> &str {
        self.lookup("category", category.value().as_str())
    }

    pub fn category_hint(&self, category: impl Label<Category>) -> &str {
        self.lookup("category_hint", category.value().as_str())
    }

    /// A paragraph explaining a category, for the help page.
    pub fn category_explained(&self, category: impl Label<Category>) -> &str {
        self.lookup("help.category", category.value().as_str())
    }

    /// What a status means for the reporter, for the help page.
    pub fn status_explained(&self, status: impl Label<CaseStatus>) -> &str {
        self.lookup("help.status", status.value().as_str())
    }

    /// Why two cases are linked, as a short phrase.
    pub fn link_reason(&self, reason: impl Label<crate::domain::links::LinkReason>) -> &str {
        self.lookup("link_reason", reason.value().as_str())
    }

    /// Why two cases are linked, as a sentence (the case page's related cases).
    pub fn link_sentence(&self, reason: impl Label<crate::domain::links::LinkReason>) -> &str {
        self.lookup("link_sentence", reason.value().as_str())
    }

    pub fn contact_kind(&self, kind: impl Label<crate::domain::contact::ContactKind>) -> &str {
        self.lookup("contact_kind", kind.value().as_str())
    }

    pub fn merchant_kind(&self, kind: impl Label<crate::domain::merchant::IdentityKind>) -> &str {
        self.lookup("merchant_kind", kind.value().as_str())
    }

    pub fn strength_band(&self, band: impl Label<crate::domain::links::StrengthBand>) -> &str {
        self.lookup("strength_band", band.value().as_str())
    }

    pub fn dismiss_reason(&self, reason: impl Label<DismissReason>) -> &str {
        self.lookup("dismiss_reason", reason.value().as_str())
    }

    pub fn field_label(&self, field: &str) -> &str {
        self.lookup("field", field)
    }

    /// One sentence naming the field and what is wrong with it.
    pub fn field_error(&self, error: &FieldError) -> String {
        let problem = match error.problem {
            Problem::Required => self.t("problem.required").to_string(),
            Problem::TooLong { max } => self.t1("problem.too_long", max),
            Problem::UnknownChoice => self.t("problem.unknown_choice").to_string(),
            Problem::BadUrl => self.t("problem.bad_url").to_string(),
            Problem::BadEmail => self.t("problem.bad_email").to_string(),
            Problem::BadDate => self.t("problem.bad_date").to_string(),
            Problem::DateInFuture => self.t("problem.date_in_future").to_string(),
            Problem::BadOrderNumber => self.t("problem.bad_order_number").to_string(),
            Problem::UnknownRegion => self.t("problem.unknown_region").to_string(),
            Problem::RegionMismatch => self.t("problem.region_mismatch").to_string(),
        };
        self.t2("problem.sentence", self.field_label(error.field), problem)
    }

    fn lookup(&self, table: &str, key: &str) -> &str {
        self.tables
            .get(table)
            .and_then(|t| t.get(key))
            .map(String::as_str)
            .unwrap_or("?")
    }

    #[cfg(test)]
    fn keys(&self) -> std::collections::BTreeSet<&str> {
        self.entries.keys().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_hold_the_same_keys() {
        let zh = messages(Lang::ZhCn).keys();
        let en = messages(Lang::En).keys();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "only zh-CN: {only_zh:?}; only en: {only_en:?}"
        );
    }

    #[test]
    fn every_enum_value_has_a_label() {
        for lang in Lang::ALL {
            let m = messages(lang);
            for s in CaseStatus::ALL {
                assert_ne!(m.status(*s), "?", "{lang:?} status {s}");
            }
            for p in Platform::ALL {
                assert_ne!(m.platform(*p), "?", "{lang:?} platform {p}");
            }
            for c in Category::ALL {
                assert_ne!(m.category(*c), "?", "{lang:?} category {c}");
                assert_ne!(m.category_hint(*c), "?", "{lang:?} category hint {c}");
            }
            for r in DismissReason::ALL {
                assert_ne!(m.dismiss_reason(*r), "?", "{lang:?} reason {r}");
            }
            for r in crate::domain::links::LinkReason::ALL {
                assert_ne!(m.link_reason(*r), "?", "{lang:?} link reason {r}");
                assert_ne!(m.link_sentence(*r), "?", "{lang:?} link sentence {r}");
            }
        }
    }

    /// `html` gives each message as askama's escaping of `t` would, every time.
    #[test]
    fn html_messages_are_escaped_as_askama_escapes() {
        for lang in [Lang::ZhCn, Lang::En] {
            let m = messages(lang);
            for key in m.keys() {
                let Ok(expected) = askama::filters::escape(m.t(key), askama::filters::Html);
                assert_eq!(m.html(key).0, expected.to_string(), "{lang:?} {key}");
            }
        }
        let en = messages(Lang::En);
        assert!(en.html("report.shop_url_hint").0.contains("shop&#39;s"));
        let missing = "no.such.key";
        assert_eq!(en.html(missing).0, missing);
    }

    /// Every `t("…")`, `html("…")`, `t1("…"` and `t2("…"` in a template or in the Rust sources names a key.
    #[test]
    fn every_key_used_exists() {
        let keys = messages(Lang::ZhCn).keys();
        let mut missing = Vec::new();
        for dir in ["templates", "src"] {
            visit(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(dir)
                    .as_path(),
                &mut |text, path| {
                    for pattern in ["t(\"", "html(\"", "t1(\"", "t2(\""] {
                        for (i, _) in text.match_indices(pattern) {
                            // Only method calls (`m.t(`), not `format(` and the like.
                            if !text[..i].ends_with('.') {
                                continue;
                            }
                            let rest = &text[i + pattern.len()..];
                            if let Some(end) = rest.find('"') {
                                let key = &rest[..end];
                                if key.contains('.') && !keys.contains(key) && !key.contains('{') {
                                    missing.push(format!("{}: {key}", path.display()));
                                }
                            }
                        }
                    }
                },
            );
        }
        assert!(missing.is_empty(), "missing message keys: {missing:#?}");
    }

    fn visit(dir: &std::path::Path, f: &mut dyn FnMut(&str, &std::path::Path)) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                visit(&path, f);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                f(&text, &path);
            }
        }
    }
}
