//! Near-duplicate detection: MinHash over word pairs, looked up through LSH bands.
//!
//! Copy-paste campaigns and reposts with a prefix produce texts that share most of their
//! words. Each text of at least [`MIN_WORDS`] words gets a MinHash signature of its word
//! 2-grams (after dropping @handles and URLs, which campaigns vary on purpose); two texts
//! whose estimated Jaccard similarity is at least [`MIN_SIMILARITY`] are near-duplicates.
//! Eight bands of four hashes find candidates in a few hash-map probes (a pair at 0.8
//! similarity shares a band with probability > 0.98). Memory is bounded: only the last
//! [`CAPACITY`] signatures are kept.

use std::collections::{HashMap, VecDeque};

use domain::MentionId;

/// Texts shorter than this are too generic ("thank you so much") to call copies.
pub const MIN_WORDS: usize = 6;
/// Estimated Jaccard similarity of word pairs from which two texts are copies.
pub const MIN_SIMILARITY: f32 = 0.7;
/// Signatures remembered.
pub const CAPACITY: usize = 200_000;

const HASHES: usize = 32;
const BANDS: usize = 8;
const ROWS: usize = HASHES / BANDS;

/// A MinHash signature.
pub type Signature = [u32; HASHES];

/// The signature of a text's folded words, or `None` when the text is too short.
#[cfg(test)]
pub fn signature<'a>(words: impl IntoIterator<Item = &'a str>) -> Option<Signature> {
    let word_hashes: Vec<u64> = words
        .into_iter()
        .filter(|word| !word.starts_with('@') && !word.starts_with("http"))
        .map(hash_word)
        .collect();
    signature_of_hashes(&word_hashes)
}

/// The signature of a text given the [`hash_word`] of each of its words in order.
pub fn signature_of_hashes(word_hashes: &[u64]) -> Option<Signature> {
    if word_hashes.len() < MIN_WORDS {
        return None;
    }
    let mut minimums = [u32::MAX; HASHES];
    for pair in word_hashes.windows(2) {
        let shingle = pair[0].rotate_left(17) ^ pair[1];
        for (seed, minimum) in minimums.iter_mut().enumerate() {
            let value = (mix(shingle ^ SEEDS[seed]) >> 32) as u32;
            if value < *minimum {
                *minimum = value;
            }
        }
    }
    Some(minimums)
}

/// The share of equal hashes: an estimate of the Jaccard similarity.
pub fn similarity(a: &Signature, b: &Signature) -> f32 {
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f32 / HASHES as f32
}

/// FNV-1a of a word.
pub fn hash_word(word: &str) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for byte in word.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// SplitMix64's finaliser: a cheap, well-spread 64-bit mix.
fn mix(mut value: u64) -> u64 {
    value = (value ^ (value >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    value = (value ^ (value >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    value ^ (value >> 31)
}

const SEEDS: [u64; HASHES] = {
    let mut seeds = [0u64; HASHES];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut i = 0;
    while i < HASHES {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        seeds[i] = state;
        i += 1;
    }
    seeds
};

fn band_key(signature: &Signature, band: usize) -> u64 {
    let mut key = band as u64;
    for value in &signature[band * ROWS..(band + 1) * ROWS] {
        key = mix(key ^ u64::from(*value));
    }
    key
}

/// The signatures of recently stored originals.
#[derive(Debug, Default)]
pub struct NearDuplicateIndex {
    bands: HashMap<u64, Vec<usize>>,
    /// Slot = position since the start; the front is the oldest kept.
    entries: VecDeque<(Signature, MentionId)>,
    first_slot: usize,
}

impl NearDuplicateIndex {
    /// The original a signature copies, if a remembered one is similar enough.
    pub fn find(&self, signature: &Signature) -> Option<MentionId> {
        (0..BANDS).find_map(|band| {
            self.bands.get(&band_key(signature, band))?.iter().find_map(|slot| {
                let (other, id) = self.entries.get(slot.checked_sub(self.first_slot)?)?;
                (similarity(signature, other) >= MIN_SIMILARITY).then_some(*id)
            })
        })
    }

    /// Remembers an original, forgetting the oldest beyond [`CAPACITY`].
    pub fn insert(&mut self, signature: Signature, id: MentionId) {
        let slot = self.first_slot + self.entries.len();
        for band in 0..BANDS {
            self.bands.entry(band_key(&signature, band)).or_default().push(slot);
        }
        self.entries.push_back((signature, id));
        if self.entries.len() > CAPACITY {
            let (old, _) = self.entries.pop_front().expect("not empty");
            let old_slot = self.first_slot;
            self.first_slot += 1;
            for band in 0..BANDS {
                let key = band_key(&old, band);
                if let Some(slots) = self.bands.get_mut(&key) {
                    slots.retain(|slot| *slot != old_slot);
                    if slots.is_empty() {
                        self.bands.remove(&key);
                    }
                }
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(text: &str) -> Option<Signature> {
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        signature(words.iter().map(String::as_str))
    }

    #[test]
    fn a_campaign_copy_is_found_and_a_different_text_is_not() {
        let original = sig("Boycott this airline they lost my luggage and never answered my calls for two weeks").unwrap();
        let copy = sig("@delta Boycott this airline they lost my luggage and never answered my calls for two weeks!! http://x.co/1").unwrap();
        let other = sig("Great crew on my flight to Paris today, the food was lovely and we landed early").unwrap();
        let mut index = NearDuplicateIndex::default();
        index.insert(original, MentionId(1));
        assert_eq!(index.find(&copy), Some(MentionId(1)));
        assert_eq!(index.find(&other), None);
        assert_eq!(sig("thanks so much"), None);
    }

    #[test]
    fn memory_stays_bounded_and_old_entries_are_forgotten() {
        let mut index = NearDuplicateIndex::default();
        let first = sig("one two three four five six seven eight").unwrap();
        index.insert(first, MentionId(0));
        for id in 1..=(CAPACITY as i64) {
            let mut signature = [0u32; HASHES];
            for (i, value) in signature.iter_mut().enumerate() {
                *value = (mix(id as u64 * 64 + i as u64) >> 32) as u32;
            }
            index.insert(signature, MentionId(id));
        }
        assert_eq!(index.len(), CAPACITY);
        assert_eq!(index.find(&first), None);
    }
}
