//! Near-identical texts, as rules: a text normalised (full-width → half-width, lower case, no
//! spaces or punctuation), cut into overlapping shingles of `k` characters (Chinese needs no
//! word splitting), summarised by a MinHash signature and cut into LSH bands. Two texts that
//! share a band are candidates; their shingles' Jaccard similarity decides. The parameters were
//! chosen by `cargo bench --bench chains_texts` (docs/PERFORMANCE.md).

use super::links::Passage;
use std::collections::HashSet;

/// How texts are shingled, signed and banded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Characters per shingle.
    pub k: usize,
    /// LSH bands; `bands * rows` MinHash values make the signature.
    pub bands: usize,
    /// MinHash values per band.
    pub rows: usize,
}

/// The parameters the index is kept with (a change needs the index rebuilt).
pub const PARAMS: Params = Params {
    k: 2,
    bands: 32,
    rows: 3,
};

/// The least Jaccard similarity of two texts' shingles for them to be linked.
pub const THRESHOLD: f64 = 0.40;

/// The fewest normalised characters a text needs to be indexed: shorter texts ("好评", "很好")
/// match too much to mean anything.
pub const MIN_CHARS: usize = 12;

impl Params {
    pub fn hashes(self) -> usize {
        self.bands * self.rows
    }
}

/// A text's characters as compared: full-width forms made half-width, lower case, without
/// whitespace and punctuation; with, for each, the index of the character it came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Normalised {
    pub chars: Vec<char>,
    /// `origin[i]`: the index (in chars, not bytes) in the original text of `chars[i]`.
    pub origin: Vec<usize>,
}

pub fn normalise(text: &str) -> Normalised {
    let mut out = Normalised::default();
    for (i, c) in text.chars().enumerate() {
        let c = half_width(c);
        if !c.is_alphanumeric() {
            continue;
        }
        for lower in c.to_lowercase() {
            out.chars.push(lower);
            out.origin.push(i);
        }
    }
    out
}

/// Full-width ASCII forms (Ａ, １, ！) as ASCII, the ideographic space as a space.
fn half_width(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

/// The set of `k`-character shingles of normalised characters, each hashed to 64 bits (a text
/// shorter than `k` is one shingle).
pub fn shingles(chars: &[char], k: usize) -> HashSet<u64> {
    let k = k.max(1);
    if chars.is_empty() {
        return HashSet::new();
    }
    if chars.len() <= k {
        return HashSet::from([hash_chars(chars)]);
    }
    chars.windows(k).map(hash_chars).collect()
}

fn hash_chars(chars: &[char]) -> u64 {
    chars
        .iter()
        .fold(0x9E37_79B9_7F4A_7C15, |h, &c| mix(h ^ u64::from(c as u32)))
}

/// splitmix64's finaliser: a fixed, well-spread 64-bit mix (signatures are stored, so the hash
/// must never change between builds or machines, which `std`'s hasher does not promise).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The MinHash signature of a shingle set: for each of `hashes` seeded hash functions, the
/// least value over the set (32 bits kept). An empty set has an all-`u32::MAX` signature.
pub fn signature(shingles: &HashSet<u64>, hashes: usize) -> Vec<u32> {
    let seeds: Vec<u64> = (0..hashes as u64)
        .map(|i| mix(i.wrapping_mul(0xD6E8_FEB8_6659_FD93)))
        .collect();
    let mut sig = vec![u32::MAX; hashes];
    for &s in shingles {
        for (slot, seed) in sig.iter_mut().zip(&seeds) {
            let v = (mix(s ^ seed) >> 32) as u32;
            if v < *slot {
                *slot = v;
            }
        }
    }
    sig
}

/// The LSH band values of a signature: one 63-bit value per band of `rows` values, the band's
/// number mixed in so that equal rows in different bands never collide.
pub fn bands(sig: &[u32], p: Params) -> Vec<i64> {
    sig.chunks(p.rows.max(1))
        .take(p.bands)
        .enumerate()
        .map(|(band, rows)| {
            let h = rows
                .iter()
                .fold(mix(band as u64 + 1), |h, &v| mix(h ^ u64::from(v)));
            (h >> 1) as i64
        })
        .collect()
}

/// The share of equal values in two signatures: an estimate of the Jaccard similarity.
pub fn estimate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len() as f64
}

/// |A ∩ B| / |A ∪ B|; 0 for two empty sets.
pub fn jaccard(a: &HashSet<u64>, b: &HashSet<u64>) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let common = small.iter().filter(|s| large.contains(s)).count();
    let union = a.len() + b.len() - common;
    if union == 0 {
        0.0
    } else {
        common as f64 / union as f64
    }
}

/// The probability that two texts of Jaccard similarity `s` share at least one band.
pub fn candidate_probability(s: f64, p: Params) -> f64 {
    1.0 - (1.0 - s.powi(p.rows as i32)).powi(p.bands as i32)
}

/// What the index keeps of one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub signature: Vec<u32>,
    pub bands: Vec<i64>,
}

/// The fingerprint of a text with the index's parameters; `None` for a text too short to link.
pub fn fingerprint(text: &str) -> Option<Fingerprint> {
    fingerprint_with(text, PARAMS)
}

pub fn fingerprint_with(text: &str, p: Params) -> Option<Fingerprint> {
    let norm = normalise(text);
    if norm.chars.len() < MIN_CHARS {
        return None;
    }
    let signature = signature(&shingles(&norm.chars, p.k), p.hashes());
    let bands = bands(&signature, p);
    Some(Fingerprint { signature, bands })
}

/// A signature as stored: 4 bytes per value, little-endian.
pub fn signature_bytes(sig: &[u32]) -> Vec<u8> {
    sig.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn signature_from_bytes(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// The similarity of two texts: the Jaccard similarity of their shingles.
pub fn similarity(a: &str, b: &str) -> f64 {
    let k = PARAMS.k;
    jaccard(
        &shingles(&normalise(a).chars, k),
        &shingles(&normalise(b).chars, k),
    )
}

/// A link's strength, 1–100, from the similarity: at the threshold a likely link (60), the same
/// text a certain one (100).
pub fn strength(similarity: f64) -> u8 {
    let over = ((similarity - THRESHOLD) / (1.0 - THRESHOLD)).clamp(0.0, 1.0);
    (60.0 + 40.0 * over).round().clamp(1.0, 100.0) as u8
}

/// How much of `mine` is shown on either side of the shared part, in characters.
pub const WINDOW: usize = 60;

/// `mine` split around the longest passage it shares with `theirs` (compared normalised, shown
/// as written), with at most `WINDOW` characters either side (an ellipsis where cut), the shared
/// part itself at most `3 * WINDOW` characters. `None` when they share nothing.
pub fn shared_passage(mine: &str, theirs: &str) -> Option<Passage> {
    let (a, b) = (normalise(mine), normalise(theirs));
    let (start, len) = longest_common_run(&a.chars, &b.chars)?;
    let original: Vec<char> = mine.chars().collect();
    let from = a.origin[start];
    let to = a.origin[start + len - 1] + 1;
    let shared_end = to.min(from + 3 * WINDOW);
    let before_from = from.saturating_sub(WINDOW);
    let after_to = (to + WINDOW).min(original.len());
    let mut before: String = original[before_from..from].iter().collect();
    if before_from > 0 {
        before.insert(0, '…');
    }
    let mut shared: String = original[from..shared_end].iter().collect();
    if shared_end < to {
        shared.push('…');
    }
    let mut after: String = original[to..after_to].iter().collect();
    if after_to < original.len() {
        after.push('…');
    }
    Some(Passage {
        before,
        shared,
        after,
    })
}

/// The start in `a` and the length of the longest run of characters `a` and `b` share.
fn longest_common_run(a: &[char], b: &[char]) -> Option<(usize, usize)> {
    // Texts are at most a few thousand characters: one row of the classic table at a time.
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    let mut best = (0, 0);
    for (i, ca) in a.iter().enumerate() {
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = if ca == cb { prev[j] + 1 } else { 0 };
            if cur[j + 1] > best.1 {
                best = (i + 1 - cur[j + 1], cur[j + 1]);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (best.1 > 0).then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_makes_full_width_half_width_lowers_case_and_drops_spaces_and_punctuation() {
        let n = normalise("质量 很好！ＡＢＣ１２３，Good　buy。");
        assert_eq!(n.chars.iter().collect::<String>(), "质量很好abc123goodbuy");
        // Each character remembers where it was written.
        assert_eq!(n.origin[0], 0);
        assert_eq!(n.origin[2], 3);
        assert_eq!(n.chars.len(), n.origin.len());
    }

    #[test]
    fn the_same_words_written_differently_have_the_same_shingles() {
        let a = normalise("加V信：ABC，质量好");
        let b = normalise("加ｖ信 abc 质量好！");
        assert_eq!(shingles(&a.chars, 3), shingles(&b.chars, 3));
    }

    #[test]
    fn shingles_overlap_by_all_but_one_character() {
        let n = normalise("一二三四五");
        assert_eq!(shingles(&n.chars, 3).len(), 3);
        assert_eq!(shingles(&n.chars, 5).len(), 1);
        assert_eq!(
            shingles(&n.chars, 9).len(),
            1,
            "a short text is one shingle"
        );
        assert!(shingles(&[], 3).is_empty());
        // A repeated shingle counts once.
        assert_eq!(shingles(&normalise("好好好好好").chars, 3).len(), 1);
    }

    #[test]
    fn jaccard_of_equal_disjoint_and_half_overlapping_sets() {
        let a: HashSet<u64> = [1, 2, 3, 4].into();
        let b: HashSet<u64> = [3, 4, 5, 6].into();
        assert_eq!(jaccard(&a, &a), 1.0);
        assert_eq!(jaccard(&a, &[7, 8].into()), 0.0);
        assert!((jaccard(&a, &b) - 2.0 / 6.0).abs() < 1e-9);
        assert_eq!(jaccard(&HashSet::new(), &HashSet::new()), 0.0);
    }

    #[test]
    fn minhash_estimates_the_jaccard_similarity() {
        let a: HashSet<u64> = (0..1000).collect();
        let b: HashSet<u64> = (500..1500).collect();
        let (sa, sb) = (signature(&a, 256), signature(&b, 256));
        let truth = jaccard(&a, &b);
        assert!((estimate(&sa, &sb) - truth).abs() < 0.08, "{truth}");
        assert_eq!(estimate(&sa, &sa), 1.0);
        assert_eq!(signature(&a, 64), signature(&a, 64), "deterministic");
    }

    #[test]
    fn signatures_and_bands_never_change_between_builds() {
        // Stored rows depend on these exact values.
        let fp = fingerprint("这款保温杯质量非常好，保温效果一流，物流也很快，五星好评！")
            .expect("long enough");
        assert_eq!(fp.signature.len(), PARAMS.hashes());
        assert_eq!(fp.bands.len(), PARAMS.bands);
        assert_eq!(
            hash_chars(&['好']),
            0x5e9c_5995_458a_fc5c_u64,
            "{:x}",
            hash_chars(&['好'])
        );
    }

    #[test]
    fn equal_bands_mean_equal_rows_in_the_same_band_only() {
        let p = Params {
            k: 3,
            bands: 4,
            rows: 2,
        };
        let a = [1, 2, 3, 4, 5, 6, 7, 8];
        let b = [1, 2, 0, 0, 5, 6, 0, 0];
        let (ba, bb) = (bands(&a, p), bands(&b, p));
        assert_eq!(ba.len(), 4);
        assert_eq!(ba[0], bb[0]);
        assert_ne!(ba[1], bb[1]);
        assert_eq!(ba[2], bb[2]);
        // The same rows in another band give another value.
        let c = [5, 6, 1, 2, 0, 0, 0, 0];
        assert_ne!(bands(&c, p)[0], ba[2]);
        assert!(
            ba.iter().all(|&v| v >= 0),
            "band values fit a signed column"
        );
    }

    #[test]
    fn the_s_curve_lets_similar_texts_through_and_keeps_dissimilar_ones_out() {
        assert!(candidate_probability(0.5, PARAMS) > 0.98);
        assert!(candidate_probability(0.05, PARAMS) < 0.01);
    }

    #[test]
    fn a_short_text_is_not_indexed() {
        assert_eq!(fingerprint("好评！好评！"), None);
        assert!(fingerprint("好评返现五元，加微信领取，质量很好很满意").is_some());
    }

    #[test]
    fn signatures_survive_storage() {
        let sig = vec![0, 1, u32::MAX, 0xDEAD_BEEF];
        assert_eq!(signature_from_bytes(&signature_bytes(&sig)), sig);
    }

    #[test]
    fn a_lightly_edited_review_is_similar_and_another_review_is_not() {
        let template = "宝贝收到了，质量非常好，做工精细，和卖家描述的完全一致，物流也很快，包装很严实，\
                        客服态度特别好，有问必答，性价比超高，推荐大家购买，五星好评！";
        let edited = "宝贝收到啦，质量非常好，做工精致，和卖家描述的完全一样，物流也超快，包装很严实，\
                      客服态度特别好，有问必答，性价比很高，推荐大家购买，五星好评！！";
        let other = "用了一周才来评价，电池续航一般，屏幕显示清楚，声音有点小，总体还行吧，\
                     对得起这个价格，下次还会再来。";
        assert!(similarity(template, edited) >= THRESHOLD);
        assert!(similarity(template, other) < THRESHOLD);
        assert!(strength(similarity(template, template)) == 100);
        assert!(strength(THRESHOLD) == 60);
    }

    #[test]
    fn the_passage_is_the_longest_shared_run_shown_as_written() {
        let mine = "前面的话。加V信：sd-zhaomu2026，返现五元！后面的话";
        let theirs = "别的内容 加v信 sd zhaomu2026 返现五元 其他";
        let p = shared_passage(mine, theirs).expect("they share a run");
        assert_eq!(p.before, "前面的话。");
        assert_eq!(p.shared, "加V信：sd-zhaomu2026，返现五元");
        assert_eq!(p.after, "！后面的话");
        assert_eq!(shared_passage("一二三", "四五六"), None);
    }

    #[test]
    fn the_passage_is_cut_to_a_readable_window() {
        let long_before = "甲".repeat(200);
        let long_after = "乙".repeat(200);
        let mine = format!("{long_before}共同的一段话在这里{long_after}");
        let p = shared_passage(&mine, "丙丙共同的一段话在这里丁丁").expect("shared");
        assert_eq!(p.shared, "共同的一段话在这里");
        assert_eq!(p.before.chars().count(), WINDOW + 1);
        assert!(p.before.starts_with('…'));
        assert_eq!(p.after.chars().count(), WINDOW + 1);
        assert!(p.after.ends_with('…'));
    }
}
