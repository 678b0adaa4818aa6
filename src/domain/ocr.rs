//! Text read from screenshots (OCR), as rules: what a reading came to, which command does it,
//! and how Tesseract's output is tidied (it spaces out Chinese characters).

use super::keyword::keyword_enum;

keyword_enum! {
    /// What reading a screenshot came to.
    pub enum OcrState {
        /// Text was read (possibly none).
        Read => "read",
        /// This server has no `tesseract` with the simplified-Chinese model.
        Unavailable => "unavailable",
        /// Tesseract ran and failed, or took longer than `OCR_TIME_LIMIT_SECONDS`.
        Failed => "failed",
    }
}

/// How long one reading may take before the process is killed.
pub const OCR_TIME_LIMIT_SECONDS: u64 = 30;

/// The languages asked of Tesseract: simplified Chinese, then English for ids and links.
pub const OCR_LANGUAGES: &str = "chi_sim+eng";

/// The model `tesseract --list-langs` must list for OCR to run.
pub const OCR_REQUIRED_MODEL: &str = "chi_sim";

/// Tesseract's output as people would have written it: no space between two Chinese characters
/// (or between one and Chinese punctuation), lines without trailing spaces, no empty lines.
pub fn tidy(raw: &str) -> String {
    let mut lines = Vec::new();
    for line in raw.lines() {
        let chars: Vec<char> = line.trim().chars().collect();
        let mut out = String::new();
        for (i, &c) in chars.iter().enumerate() {
            if c.is_whitespace() {
                let prev = out.chars().last();
                let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
                if prev.is_some_and(is_wide) && next.is_some_and(|&n| is_wide(n))
                    || prev.is_some_and(char::is_whitespace)
                {
                    continue;
                }
                out.push(' ');
            } else {
                out.push(c);
            }
        }
        if !out.is_empty() {
            lines.push(out);
        }
    }
    lines.join("\n")
}

/// A CJK ideograph or full-width punctuation mark.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// Whether `tesseract --list-langs` output lists the simplified-Chinese model.
pub fn lists_required_model(list_langs_output: &str) -> bool {
    list_langs_output
        .lines()
        .any(|l| l.trim() == OCR_REQUIRED_MODEL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidying_joins_spaced_out_chinese_and_keeps_spaces_between_latin_words() {
        assert_eq!(
            tidy("  好 评 返 现 5 元 ， 加 微 信 sd-zhaomu2026  \n\n Good  job \n"),
            "好评返现 5 元，加微信 sd-zhaomu2026\nGood job"
        );
        assert_eq!(tidy(""), "");
    }

    #[test]
    fn the_model_list_must_name_chi_sim() {
        let listed = "List of available languages in \"/usr/share/tesseract-ocr/5/tessdata/\" (3):\nchi_sim\neng\nosd\n";
        assert!(lists_required_model(listed));
        assert!(!lists_required_model(
            "List of available languages (2):\neng\nosd\n"
        ));
        assert!(!lists_required_model("chi_sim_vert\n"));
    }

    #[test]
    fn states_read_back_from_their_names() {
        for s in OcrState::ALL {
            assert_eq!(OcrState::parse(s.as_str()), Some(*s));
        }
    }
}
