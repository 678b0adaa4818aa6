//! The two languages of the portal: zh-CN first, English second.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl serde::Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Parses a stored or submitted tag; also accepts common spellings (`zh`, `zh-cn`, `en-US`).
    pub fn parse(tag: &str) -> Option<Self> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag == "zh" || tag.starts_with("zh-") || tag.starts_with("zh_") {
            Some(Lang::ZhCn)
        } else if tag == "en" || tag.starts_with("en-") || tag.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first language of an `Accept-Language` header that the portal speaks, by q-value.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_highest_known() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1, zh-CN;q=0.5, en;q=0.4"),
            Some(Lang::ZhCn)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
    }
}
