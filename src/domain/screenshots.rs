//! Near-identical screenshots as rules: a screenshot's fingerprint, how far apart two are, how it
//! is cut into chunks for the database's index (multi-index hashing), which distance still links
//! two cases and how strongly. Chosen from the labelled set of `benches/chains_images.rs`
//! (docs/PERFORMANCE.md, "Near-identical screenshots").

/// Bits in a fingerprint.
pub const BITS: u32 = 256;
const WORDS: usize = (BITS / 64) as usize;

/// The most bits two fingerprints may differ in and still be the same screenshot (resized,
/// recompressed, converted, its status bar cropped away).
pub const THRESHOLD: u32 = 12;

/// How many chunks a fingerprint is cut into. Chunk `k` holds bits k, k + CHUNKS, k + 2·CHUNKS…,
/// spread over the whole picture, so that no chunk is all blank background.
pub const CHUNKS: u32 = 13;

/// Each chunk is looked up with every value this many bits from it (0: the value alone, the
/// pigeonhole principle: two fingerprints fewer than CHUNKS bits apart share a chunk exactly).
/// Two fingerprints at distance d have at least one chunk at most ⌊d / CHUNKS⌋ bits apart, so
/// every fingerprint within THRESHOLD is found as long as THRESHOLD < CHUNKS × (PROBE_RADIUS + 1).
/// 13 chunks of 19–20 bits looked up exactly: 13 index lookups, and at a million uniformly spread
/// fingerprints about one unrelated row per chunk.
pub const PROBE_RADIUS: u32 = 0;

const _: () = assert!(THRESHOLD < CHUNKS * (PROBE_RADIUS + 1));
const _: () = assert!(BITS.div_ceil(CHUNKS) < 63);

/// A screenshot's fingerprint: a 256-bit perceptual hash (DCT, each bit above or below the
/// median) of the bottom of the screen (`evidence::fingerprint`). Bit i is bit i % 64 of word
/// i / 64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScreenHash([u64; WORDS]);

impl ScreenHash {
    /// From the hasher's bytes (bit i is bit i % 8 of byte i / 8); `None` unless BITS / 8 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != (BITS / 8) as usize {
            return None;
        }
        let mut words = [0u64; WORDS];
        for (w, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *w = u64::from_le_bytes(b);
        }
        Some(ScreenHash(words))
    }

    /// From any number of bytes: cut or padded with zeros to BITS / 8.
    pub fn from_bits_lossy(bytes: &[u8]) -> Self {
        let mut full = vec![0u8; (BITS / 8) as usize];
        for (to, from) in full.iter_mut().zip(bytes) {
            *to = *from;
        }
        Self::from_bytes(&full).unwrap_or(ScreenHash([0; WORDS]))
    }

    /// As stored: 64 lowercase hex digits, the bytes in order.
    pub fn to_hex(&self) -> String {
        let bytes: Vec<u8> = self.0.iter().flat_map(|w| w.to_le_bytes()).collect();
        hex::encode(bytes)
    }

    pub fn parse_hex(s: &str) -> Option<Self> {
        Self::from_bytes(&hex::decode(s).ok()?)
    }

    fn bit(&self, i: u32) -> bool {
        self.0[(i / 64) as usize] >> (i % 64) & 1 == 1
    }

    /// How many bits differ.
    pub fn distance(&self, other: &Self) -> u32 {
        self.0
            .iter()
            .zip(other.0)
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }

    /// Chunk `k`'s value: its bits (k, k + CHUNKS, …) in order, lowest first.
    fn chunk(&self, k: u32) -> i64 {
        (k..BITS)
            .step_by(CHUNKS as usize)
            .enumerate()
            .filter(|&(_, i)| self.bit(i))
            .fold(0i64, |v, (j, _)| v | 1 << j)
    }

    /// Every chunk's value, as the index stores them: (chunk number, value).
    pub fn chunks(&self) -> Vec<(i32, i64)> {
        (0..CHUNKS).map(|k| (k as i32, self.chunk(k))).collect()
    }

    /// The chunk values a lookup reads: each chunk's own value and those PROBE_RADIUS bits from
    /// it. Any fingerprint within THRESHOLD of this one has at least one of them.
    pub fn probes(&self) -> Vec<(i32, Vec<i64>)> {
        (0..CHUNKS)
            .map(|k| {
                let values = within(self.chunk(k), chunk_width(k), PROBE_RADIUS);
                (k as i32, values)
            })
            .collect()
    }
}

/// Every value of `width` bits at most `radius` bits from `value`, `value` first.
fn within(value: i64, width: u32, radius: u32) -> Vec<i64> {
    let mut values = vec![value];
    let mut ring = vec![value];
    for _ in 0..radius {
        ring = ring
            .iter()
            .flat_map(|v| (0..width).map(move |j| v ^ (1 << j)))
            .filter(|v| !values.contains(v))
            .collect();
        ring.sort_unstable();
        ring.dedup();
        values.extend(&ring);
    }
    values
}

/// How many bits chunk `k` holds.
fn chunk_width(k: u32) -> u32 {
    (BITS - k).div_ceil(CHUNKS)
}

/// Whether two fingerprints are of the same screenshot.
pub fn is_near(distance: u32) -> bool {
    distance <= THRESHOLD
}

/// How strong a link two fingerprints `distance` bits apart make, 1–100: 100 for the same picture,
/// then down in a straight line to 60 (the lowest "likely") at THRESHOLD. In the labelled set no
/// two different screenshots of the same app screen came within THRESHOLD of each other, and
/// copies spread over the whole range, so the whole range reads at least "likely".
pub fn strength(distance: u32) -> u8 {
    if distance > THRESHOLD {
        return 0;
    }
    let drop = 40 * distance / THRESHOLD;
    (100 - drop) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(seed: u64) -> ScreenHash {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut words = [0u64; WORDS];
        for w in &mut words {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *w = x;
        }
        ScreenHash(words)
    }

    fn flip(h: ScreenHash, bits: &[u32]) -> ScreenHash {
        let mut words = h.0;
        for &i in bits {
            words[(i / 64) as usize] ^= 1 << (i % 64);
        }
        ScreenHash(words)
    }

    #[test]
    fn a_fingerprint_reads_back_from_its_hex() {
        let h = hash(7);
        assert_eq!(h.to_hex().len(), 64);
        assert_eq!(ScreenHash::parse_hex(&h.to_hex()), Some(h));
        assert_eq!(ScreenHash::parse_hex("abcd"), None);
        assert_eq!(ScreenHash::parse_hex("zz"), None);
    }

    #[test]
    fn the_chunks_hold_every_bit_once() {
        let widths: u32 = (0..CHUNKS).map(chunk_width).sum();
        assert_eq!(widths, BITS);
        let h = hash(3);
        let ones: u32 = h.chunks().iter().map(|(_, v)| v.count_ones()).sum();
        assert_eq!(ones, h.distance(&ScreenHash([0; WORDS])));
        assert!(h.chunks().iter().all(|&(_, v)| v >= 0));
    }

    #[test]
    fn every_fingerprint_within_the_threshold_shares_a_probed_chunk() {
        let h = hash(11);
        let probes = h.probes();
        // Worst cases: the differing bits spread over all chunks as evenly as possible.
        for d in 0..=THRESHOLD {
            for offset in 0..CHUNKS {
                let bits: Vec<u32> = (0..d).map(|j| (offset + j) % BITS).collect();
                let other = flip(h, &bits);
                assert_eq!(h.distance(&other), d);
                let found = other
                    .chunks()
                    .iter()
                    .any(|(k, v)| probes[*k as usize].1.contains(v));
                assert!(found, "distance {d} (offset {offset}) not found");
            }
        }
    }

    #[test]
    fn one_bit_more_than_the_probes_cover_can_be_missed() {
        // One bit more than the probes reach in every chunk: no chunk is found. The index promises
        // nothing there, which is why THRESHOLD stays below CHUNKS × (PROBE_RADIUS + 1).
        let h = hash(5);
        let bits: Vec<u32> = (0..CHUNKS * (PROBE_RADIUS + 1)).collect();
        let other = flip(h, &bits);
        let probes = h.probes();
        assert!(
            !other
                .chunks()
                .iter()
                .any(|(k, v)| probes[*k as usize].1.contains(v))
        );
    }

    #[test]
    fn a_probe_radius_reaches_every_value_that_many_bits_away() {
        assert_eq!(within(0b101, 3, 0), vec![0b101]);
        assert_eq!(within(0b101, 3, 1).len(), 4);
        assert_eq!(within(0b101, 3, 2).len(), 7);
        assert_eq!(within(0, 20, 1).len(), 21);
    }

    #[test]
    fn strength_falls_with_distance_and_stays_likely_within_the_threshold() {
        assert_eq!(strength(0), 100);
        assert_eq!(strength(THRESHOLD), 60);
        assert_eq!(strength(THRESHOLD + 1), 0);
        assert!(strength(1) < 100 && strength(1) > strength(THRESHOLD / 2));
        assert!(is_near(THRESHOLD) && !is_near(THRESHOLD + 1));
    }
}
