//! Turns a post into hashed sparse features for the linear models.
//!
//! Features (each one hashed with a namespace so they never collide by design):
//! - folded word unigrams, prefixed `NEG_` inside a negation scope (from a negator such
//!   as `not`, `never`, `pas`, `jamais`, `rien`, `ne … plus` to the next punctuation or
//!   `but`/`mais`), and word bigrams;
//! - hashtag words (also as plain words) and character 4-grams of every word, so
//!   misspellings and elongations (`nuul`, `sooo`) share most features with the word;
//! - emoji and emoticons as tokens, with their polarity class;
//! - lexicon cues (`lexicon.rs`): counts of positive and negative cues, negated and
//!   intensified cues (`trop bien`, `so slow`), phrases read before negation
//!   (`pas terrible`, `not bad`), the polarity of the last cue, mixed polarity;
//! - shape: elongation, shouting, `!`/`?` runs, links, and irony markers.
//!
//! The hash is written here rather than taken from `std` because the model files depend
//! on it: it must never change between Rust versions or machines. A feature's hash is
//! FNV-1a (64 bits: offset basis 0xcbf29ce484222325, prime 0x100000001b3) over its
//! namespace byte then its bytes (parts separated by one zero byte), followed by the
//! finaliser `h ^= h >> 29; h *= 0xbf58476d1ce4e5b9; h ^= h >> 32`. A word bigram is
//! not hashed from its bytes again: it combines the FNV states of its two words
//! ([`combine_bigram`]). The model uses the low bits of the hash as the bucket; bits
//! 59–60 then carry the feature's group ([`group`], read by training only) and bit 63
//! marks a cue ([`PRIOR_BIT`]).
//!
//! Feature set 2 (this one) replaced the char 3–5-grams of feature set 1 by 4-grams and
//! bigrams hashed from bytes by combined word states: 2.5 times fewer features a post.
//! Changing what is extracted means raising [`FEATURE_SET_VERSION`]: old model files are
//! then refused instead of silently scoring garbage.

use crate::lexicon::{self, Polarity, WordInfo};
use crate::text::{Token, TokenKind, tokenize};

/// Version of the feature extraction; stored in every model file.
pub const FEATURE_SET_VERSION: u32 = 3;

/// Size of the dense block of every model (the word-vector dimensions).
pub(crate) const DENSE_DIMENSIONS: usize = 3 * crate::embeddings::DIMENSIONS;

/// A post's features, ready for a linear model: each hash is one feature of value
/// `value` (the vector is L2-normalised, so long posts do not score louder).
#[derive(Debug, Clone)]
pub(crate) struct Features {
    pub hashes: Vec<u64>,
    pub value: f32,
    /// The dense block: the mean word vector of the post's known words
    /// ([`crate::embeddings`]), L2-normalised then scaled; zeros when no word is known.
    pub dense: Vec<f32>,
}

/// A tokenised post with its features, shared by the models and the intent rules.
#[derive(Debug, Clone)]
pub(crate) struct PreparedText {
    pub tokens: Vec<Token>,
    pub features: Features,
    /// Which phrase lists occur in the post: bits of [`phrase_list`].
    pub phrases: u32,
    /// Lexicon cues by effective polarity, after negation (read by tests and debugging).
    #[cfg_attr(not(test), allow(dead_code))]
    pub positive_cues: u32,
    #[cfg_attr(not(test), allow(dead_code))]
    pub negative_cues: u32,
}

/// Set on the hashes of the features written from our own knowledge (lexicon cues and
/// phrases, shape flags): training keeps their naive-Bayes scale at 1 or more, so a cue
/// rare in the training data (`pas mal`) is not scaled away. The model indexes buckets
/// with the low bits, so this bit changes no bucket.
pub(crate) const PRIOR_BIT: u64 = 1 << 63;

/// Bits 59–60 of a hash name its feature group ([`group`]): words, bigrams, character
/// n-grams, cues. The model indexes buckets with the low bits, so they change no bucket.
pub(crate) const GROUP_SHIFT: u32 = 59;
const GROUP_MASK: u64 = 3 << GROUP_SHIFT;
pub(crate) mod group {
    // Training reads only BIGRAM (`TrainOptions::bigram_scale`); the others name the
    // rest so that every hash carries its group.
    #![allow(dead_code)]
    pub const WORD: u64 = 0;
    pub const BIGRAM: u64 = 1;
    pub const CHAR_NGRAM: u64 = 2;
    pub const CUE: u64 = 3;
}

#[inline]
fn tag(hash: u64, group: u64) -> u64 {
    (hash & !GROUP_MASK) | (group << GROUP_SHIFT)
}

/// The group a feature hash belongs to (a value of [`group`]).
#[inline]
pub(crate) fn group_of(hash: u64) -> u64 {
    (hash & GROUP_MASK) >> GROUP_SHIFT
}

/// The phrase lists read in one pass over every post (bits of [`PreparedText::phrases`]):
/// the lexicon's irony lists and the intent rules' lists.
pub(crate) mod phrase_list {
    pub const IRONY_MARKER: u32 = 1 << 0;
    pub const IRONIC_PRAISE: u32 = 1 << 1;
    pub const SPAM: u32 = 1 << 2;
    pub const OUTAGE: u32 = 1 << 3;
    pub const PURCHASE: u32 = 1 << 4;
    pub const SUGGESTION: u32 = 1 << 5;
}

fn phrase_lists(words: &[&str]) -> u32 {
    use crate::intent::{OUTAGE_PHRASES, PURCHASE_PHRASES, SPAM_PHRASES, SUGGESTION_PHRASES};
    static LISTS: std::sync::OnceLock<crate::text::PhraseSets> = std::sync::OnceLock::new();
    LISTS
        .get_or_init(|| {
            // In the order of the bits of `phrase_list`.
            crate::text::PhraseSets::new(&[
                lexicon::IRONY_MARKERS,
                lexicon::IRONIC_PRAISE,
                SPAM_PHRASES,
                OUTAGE_PHRASES,
                PURCHASE_PHRASES,
                SUGGESTION_PHRASES,
            ])
        })
        .matches(words)
}

mod namespace {
    pub const WORD: u8 = 1;
    pub const NEGATED_WORD: u8 = 2;
    pub const BIGRAM: u8 = 3;
    pub const HASHTAG: u8 = 4;
    pub const CHAR_NGRAM: u8 = 5;
    pub const PHRASE: u8 = 6;
    pub const CUE: u8 = 7;
    pub const PHRASE_WORD: u8 = 8;
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a state after the namespace byte.
#[inline]
fn fnv_start(namespace: u8) -> u64 {
    (FNV_OFFSET ^ u64::from(namespace)).wrapping_mul(FNV_PRIME)
}

#[inline]
fn fnv_byte(hash: u64, byte: u8) -> u64 {
    (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
}

/// A final mix so the low bits (used as the index) depend on every input byte.
#[inline]
fn finish(mut hash: u64) -> u64 {
    hash ^= hash >> 29;
    hash = hash.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash ^ (hash >> 32)
}

/// FNV-1a over a namespace byte and parts separated by a zero byte, then [`finish`].
fn hash_parts(namespace: u8, parts: &[&[u8]]) -> u64 {
    let mut hash = fnv_start(namespace);
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            hash = hash.wrapping_mul(FNV_PRIME);
        }
        for byte in *part {
            hash = fnv_byte(hash, *byte);
        }
    }
    finish(hash)
}

/// The feature of two consecutive words, from their two word hashes (no second pass
/// over the bytes): `finish((rotate_left(first, 21) ^ second ^ BIGRAM) · K)`.
#[inline]
fn combine_bigram(first: u64, second: u64) -> u64 {
    finish(
        (first.rotate_left(21) ^ second ^ u64::from(namespace::BIGRAM))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15),
    )
}

/// FNV-1a of arbitrary bytes, used for model fingerprints.
pub(crate) fn fingerprint(bytes: &[u8]) -> u64 {
    hash_parts(0, &[bytes])
}

struct Collector {
    hashes: Vec<u64>,
    positive_cues: u32,
    negative_cues: u32,
    last_cue: Polarity,
    /// Sums of the published lexicons' positive and negative valences after negation:
    /// `[english positive, english negative, french positive, french negative]`.
    valence_sums: [f32; 4],
}

impl Collector {
    fn add(&mut self, namespace: u8, parts: &[&[u8]]) {
        let hash = hash_parts(namespace, parts);
        let prior = matches!(namespace, namespace::CUE | namespace::PHRASE);
        let hash = tag(hash, if prior { group::CUE } else { group::WORD });
        self.hashes
            .push(if prior { hash | PRIOR_BIT } else { hash });
    }

    /// A word of the published lexicons ([`crate::polarity`]): its valence, flipped and
    /// damped inside a negation scope (VADER's factor −0.74), as a binned feature per
    /// language, and summed for the post.
    fn valence(&mut self, valences: crate::polarity::Valences, negated: bool) {
        for (language, valence, sums) in [(b"en", valences.english, 0), (b"fr", valences.french, 2)]
        {
            let Some(valence) = valence else { continue };
            let effective = if negated { -0.74 * valence } else { valence };
            let bin = (effective * 2.0).round().clamp(-8.0, 8.0) as i8;
            self.add(namespace::CUE, &[b"valence", language, &[bin as u8]]);
            if effective > 0.0 {
                self.valence_sums[sums] += effective;
            } else {
                self.valence_sums[sums + 1] -= effective;
            }
        }
    }

    fn flag(&mut self, name: &str) {
        self.add(namespace::CUE, &[name.as_bytes()]);
    }

    /// Records a lexicon cue of `polarity`, seen inside a negation scope or not.
    fn cue(&mut self, polarity: Polarity, negated: bool, intensified: bool) {
        let effective = if negated {
            -polarity.signum()
        } else {
            polarity.signum()
        };
        let name = match (polarity.signum(), negated) {
            (1, false) => "positive",
            (-1, false) => "negative",
            (1, true) => "negated_positive",
            (-1, true) => "negated_negative",
            _ => return,
        };
        self.flag(name);
        if intensified {
            self.add(namespace::CUE, &[b"intensified", name.as_bytes()]);
        }
        if polarity.abs() >= 2 && !negated {
            self.add(namespace::CUE, &[b"strong", name.as_bytes()]);
        }
        // A negated negative ("not bad") is mildly positive, not strongly: it counts as
        // half a cue by only updating the last cue.
        match (effective, negated) {
            (1, false) => self.positive_cues += 1,
            (-1, _) => self.negative_cues += 1,
            _ => {}
        }
        self.last_cue = effective;
    }
}

/// Tokenises `text` and extracts its features.
pub(crate) fn prepare(text: &str) -> PreparedText {
    let tokens = tokenize(text);
    let mut collector = Collector {
        hashes: Vec::with_capacity(tokens.len() * 12 + 8),
        positive_cues: 0,
        negative_cues: 0,
        last_cue: 0,
        valence_sums: [0.0; 4],
    };
    // One lexicon lookup per token, read by every step below.
    let infos: Vec<WordInfo> = tokens
        .iter()
        .map(|token| match token.kind {
            TokenKind::Word | TokenKind::HashtagWord | TokenKind::Emoji => {
                lexicon::word_info(&token.text)
            }
            _ => WordInfo::default(),
        })
        .collect();
    let consumed = add_phrases(&tokens, &infos, &mut collector);
    add_words_and_cues(&tokens, &infos, &consumed, &mut collector);
    add_bigrams(&tokens, &mut collector);
    let phrases = add_summary(&tokens, &mut collector);
    let value = 1.0 / (collector.hashes.len().max(1) as f32).sqrt();
    let dense = mean_word_vector(&tokens);
    PreparedText {
        tokens,
        features: Features {
            hashes: collector.hashes,
            value,
            dense,
        },
        positive_cues: collector.positive_cues,
        negative_cues: collector.negative_cues,
        phrases,
    }
}

/// The post's word vectors pooled (SWEM, Shen et al. 2018): their mean, their
/// per-dimension maximum and minimum, each part of norm 1; zeros when no
/// word (hashtag words included) has a vector.
fn mean_word_vector(tokens: &[Token]) -> Vec<f32> {
    let table = crate::embeddings::Embeddings::get();
    const D: usize = crate::embeddings::DIMENSIONS;
    let mut sums = [0i32; D];
    let mut maxima = [i8::MIN; D];
    let mut minima = [i8::MAX; D];
    let mut found = 0;
    for token in tokens {
        if !matches!(token.kind, TokenKind::Word | TokenKind::HashtagWord) {
            continue;
        }
        if let Some(vector) = table.vector(&token.text) {
            for (index, component) in vector.iter().enumerate() {
                sums[index] += i32::from(*component);
                maxima[index] = maxima[index].max(*component);
                minima[index] = minima[index].min(*component);
            }
            found += 1;
        }
    }
    let mut dense = vec![0f32; DENSE_DIMENSIONS];
    if found == 0 {
        return dense;
    }
    let parts: [Vec<f32>; 3] = [
        sums.iter().map(|v| *v as f32).collect(),
        maxima.iter().map(|v| f32::from(*v)).collect(),
        minima.iter().map(|v| f32::from(*v)).collect(),
    ];
    for (part, values) in parts.iter().enumerate().take(DENSE_DIMENSIONS / D) {
        let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            let factor = 1.0 / norm;
            for (slot, value) in dense[part * D..(part + 1) * D].iter_mut().zip(values) {
                *slot = value * factor;
            }
        }
    }
    dense
}

/// Reads lexicon phrases first; returns which tokens they consumed.
fn add_phrases(tokens: &[Token], infos: &[WordInfo], collector: &mut Collector) -> Vec<bool> {
    let mut consumed = vec![false; tokens.len()];
    let longest = lexicon::longest_phrase_words();
    let mut start = 0;
    let mut phrase = String::new();
    while start < tokens.len() {
        let mut matched = 0;
        let candidate = infos[start].starts_phrase;
        for length in (2..=longest.min(tokens.len() - start)).rev() {
            let window = &tokens[start..start + length];
            if !candidate || !window.iter().all(Token::is_word) {
                continue;
            }
            phrase.clear();
            for (index, token) in window.iter().enumerate() {
                if index > 0 {
                    phrase.push(' ');
                }
                phrase.push_str(&token.text);
            }
            if let Some(polarity) = lexicon::phrase_polarity(&phrase) {
                collector.add(namespace::PHRASE, &[phrase.as_bytes()]);
                collector.cue(polarity, false, false);
                // A phrase of our lexicon counts in the valence sums too (see
                // `add_words_and_cues`): `pas terrible` is a negative post's only cue.
                let valence = 2.0 * f32::from(polarity.clamp(-2, 2));
                collector.valence(
                    crate::polarity::Valences {
                        english: Some(valence),
                        french: Some(valence),
                    },
                    false,
                );
                matched = length;
                break;
            }
        }
        if matched > 0 {
            consumed[start..start + matched]
                .iter_mut()
                .for_each(|flag| *flag = true);
            start += matched;
        } else {
            start += 1;
        }
    }
    consumed
}

/// Words that end a negation scope.
fn is_contrast_word(word: &str) -> bool {
    matches!(
        word,
        "but" | "however" | "though" | "mais" | "pourtant" | "cependant"
    )
}

fn add_words_and_cues(
    tokens: &[Token],
    infos: &[WordInfo],
    consumed: &[bool],
    collector: &mut Collector,
) {
    let mut negated = false;
    let mut intensify_next = false;
    for (index, token) in tokens.iter().enumerate() {
        let word = token.text.as_str();
        if token.is_boundary() || is_contrast_word(word) {
            negated = false;
            intensify_next = false;
        }
        if consumed[index] {
            // A phrase is read whole; its words count as words of a phrase, not as the
            // words alone (`mal` in `pas mal` is not the negative `mal`).
            collector.add(namespace::PHRASE_WORD, &[word.as_bytes()]);
            continue;
        }
        if token.is_word() && opens_negation(tokens, infos, index) {
            collector.add(namespace::WORD, &[word.as_bytes()]);
            negated = true;
            continue;
        }
        // `nuuuul` was collapsed to `nuul`; its fully squeezed form `nul` is the word
        // the lexicon and the training data know (`goooood` keeps `good`, known as is).
        let mut info = infos[index];
        let squeezed = token.elongated.then(|| squeeze(word));
        let word = match &squeezed {
            Some(squeezed) if info.polarity.is_none() => {
                info = lexicon::word_info(squeezed);
                squeezed.as_str()
            }
            _ => word,
        };
        let word_namespace = if negated {
            namespace::NEGATED_WORD
        } else {
            namespace::WORD
        };
        collector.add(word_namespace, &[word.as_bytes()]);
        // The published lexicons; a word of our own lexicon that neither has counts with
        // a valence of 2 per polarity step in both (`slow`, `relou`, emoji), so a post
        // whose only cue is ours does not look cue-less.
        let mut valences = crate::polarity::valences(word).unwrap_or_default();
        if let Some(polarity) = info.polarity {
            let ours = 2.0 * f32::from(polarity.clamp(-2, 2));
            valences.english = valences.english.or(Some(ours));
            valences.french = valences.french.or(Some(ours));
        }
        if valences.english.is_some() || valences.french.is_some() {
            collector.valence(valences, negated);
        }
        if token.kind == TokenKind::HashtagWord {
            collector.add(namespace::HASHTAG, &[word.as_bytes()]);
        }
        if token.is_word() {
            // Character n-grams are not marked by negation: tried, and the cross-validated
            // macro-F1 fell by about one point on every data set.
            add_char_ngrams(word, collector);
        }
        if token.elongated {
            collector.flag("elongated");
        }
        if token.shouted {
            collector.flag("shouted");
        }
        let Some(polarity) = info.polarity else {
            intensify_next = token.is_word() && info.intensifier;
            continue;
        };
        // `trop bien`, `super lent`, `grave nul`: the intensifier is not a cue itself.
        let next_is_cue = infos
            .get(index + 1)
            .is_some_and(|next| next.polarity.is_some());
        if info.intensifier && next_is_cue {
            intensify_next = true;
            continue;
        }
        collector.cue(
            polarity,
            negated,
            intensify_next || token.elongated || token.shouted,
        );
        if token.kind == TokenKind::Emoji {
            collector.flag(if polarity > 0 {
                "emoji_positive"
            } else {
                "emoji_negative"
            });
        }
        intensify_next = false;
    }
}

/// Collapses every run of a repeated letter to one: `nuul` → `nul`.
fn squeeze(word: &str) -> String {
    let mut squeezed = String::with_capacity(word.len());
    for character in word.chars() {
        if !squeezed.ends_with(character) {
            squeezed.push(character);
        }
    }
    squeezed
}

/// `not`, `never`, `pas`… open a negation scope; French `plus` only after `ne`/`n'`
/// (`ne marche plus`), since alone it means "more".
fn opens_negation(tokens: &[Token], infos: &[WordInfo], index: usize) -> bool {
    let word = tokens[index].text.as_str();
    if infos[index].negator {
        return true;
    }
    word == "plus"
        && tokens[index.saturating_sub(3)..index]
            .iter()
            .any(|token| token.text == "ne" || token.text == "n'")
}

/// Character 4-grams of `<word>` (the word between boundary marks `<` and `>`), so
/// misspellings, elongations and inflections (`nuul`, `annule`/`annulee`) share most
/// features with the word. Only 4-grams: 3- to 5-grams cost three times the hashes and
/// weight lookups for no cross-validated gain (docs/understanding.md). Words of one
/// letter, or longer than 40 bytes, have none.
fn add_char_ngrams(word: &str, collector: &mut Collector) {
    const LENGTH: usize = 4;
    let bytes = word.as_bytes();
    if bytes.len() < 2 || bytes.len() > 40 {
        return;
    }
    let mut padded = [0u8; 42];
    padded[0] = b'<';
    padded[1..=bytes.len()].copy_from_slice(bytes);
    padded[bytes.len() + 1] = b'>';
    let padded = &padded[..bytes.len() + 2];
    // The whole padded word is not an n-gram of itself (`<ok>`): the word feature has it.
    if padded.len() <= LENGTH {
        return;
    }
    let start = fnv_start(namespace::CHAR_NGRAM);
    for window in padded.windows(LENGTH) {
        let mut hash = start;
        for byte in window {
            hash = fnv_byte(hash, *byte);
        }
        collector.hashes.push(tag(finish(hash), group::CHAR_NGRAM));
    }
}

fn add_bigrams(tokens: &[Token], collector: &mut Collector) {
    let mut previous: Option<u64> = None;
    for token in tokens {
        if token.is_boundary() {
            previous = None;
            continue;
        }
        let mut hash = fnv_start(namespace::BIGRAM);
        for byte in token.text.as_bytes() {
            hash = fnv_byte(hash, *byte);
        }
        if let Some(first) = previous {
            collector
                .hashes
                .push(tag(combine_bigram(first, hash), group::BIGRAM));
        }
        previous = Some(hash);
    }
}

/// The post's valence sums per language, binned, and VADER's normalised compound
/// `s / sqrt(s² + 15)` of their difference in ten bins; nothing for a language none of
/// whose words the lexicon has.
fn add_valence_summary(collector: &mut Collector) {
    let bin = |sum: f32| -> u8 {
        match sum {
            s if s <= 0.0 => 0,
            s if s <= 1.0 => 1,
            s if s <= 2.0 => 2,
            s if s <= 4.0 => 3,
            _ => 4,
        }
    };
    for (language, sums) in [(b"en", 0), (b"fr", 2)] {
        let (positive, negative) = (
            collector.valence_sums[sums],
            collector.valence_sums[sums + 1],
        );
        if positive == 0.0 && negative == 0.0 {
            continue;
        }
        let total = positive - negative;
        let compound = total / (total * total + 15.0).sqrt();
        let compound_bin = ((compound + 1.0) * 5.0).floor().clamp(0.0, 9.0) as u8;
        collector.add(
            namespace::CUE,
            &[b"valence_compound", language, &[compound_bin]],
        );
        collector.add(
            namespace::CUE,
            &[b"valence_positive", language, &[bin(positive)]],
        );
        collector.add(
            namespace::CUE,
            &[b"valence_negative", language, &[bin(negative)]],
        );
    }
}

/// Adds the post-level features; returns the phrase lists found ([`phrase_list`]).
fn add_summary(tokens: &[Token], collector: &mut Collector) -> u32 {
    let bucket = |count: u32| match count {
        0 => b"0",
        1 => b"1",
        2 => b"2",
        _ => b"3",
    };
    let (positive, negative) = (collector.positive_cues, collector.negative_cues);
    collector.add(namespace::CUE, &[b"positive_count", bucket(positive)]);
    collector.add(namespace::CUE, &[b"negative_count", bucket(negative)]);
    match collector.last_cue.signum() {
        1 => collector.flag("last_positive"),
        -1 => collector.flag("last_negative"),
        _ => collector.flag("no_cue"),
    }
    if positive > 0 && negative > 0 {
        collector.flag("mixed");
    }
    add_valence_summary(collector);
    let words: Vec<&str> = tokens.iter().map(|token| token.text.as_str()).collect();
    let phrases = phrase_lists(&words);
    if phrases & phrase_list::IRONY_MARKER != 0 {
        collector.flag("irony_marker");
    }
    if negative > 0 && phrases & phrase_list::IRONIC_PRAISE != 0 {
        collector.flag("ironic_praise");
    }
    for token in tokens {
        match token.text.as_str() {
            "?" => collector.flag("question"),
            "!!" | "?!" => collector.flag("exclamations"),
            _ if token.kind == TokenKind::Url => collector.flag("link"),
            _ => {}
        }
    }
    collector.flag("bias");
    phrases
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_flag(prepared: &PreparedText, name: &str) -> bool {
        prepared
            .features
            .hashes
            .contains(&cue_hash(&[name.as_bytes()]))
    }

    /// A word feature's hash as `prepare` writes it (tagged with its group).
    fn word_hash(namespace: u8, word: &[u8]) -> u64 {
        tag(hash_parts(namespace, &[word]), group::WORD)
    }

    fn cue_hash(parts: &[&[u8]]) -> u64 {
        tag(hash_parts(namespace::CUE, parts), group::CUE) | PRIOR_BIT
    }

    #[test]
    fn negation_scope_marks_words_until_punctuation() {
        let prepared = prepare("never flying with them, good crew");
        let hashes = &prepared.features.hashes;
        assert!(hashes.contains(&word_hash(namespace::NEGATED_WORD, b"with")));
        assert!(!hashes.contains(&word_hash(namespace::WORD, b"with")));
        assert!(hashes.contains(&word_hash(namespace::WORD, b"good")));
        assert!(!hashes.contains(&word_hash(namespace::NEGATED_WORD, b"good")));
    }

    #[test]
    fn phrases_are_read_before_negation() {
        let pas_terrible = prepare("franchement c'est pas terrible");
        assert_eq!(
            (pas_terrible.positive_cues, pas_terrible.negative_cues),
            (0, 1)
        );
        let not_bad = prepare("not bad at all");
        assert_eq!((not_bad.positive_cues, not_bad.negative_cues), (1, 0));
    }

    #[test]
    fn negated_positive_counts_as_negative() {
        let prepared = prepare("le service n'est jamais rapide");
        assert_eq!((prepared.positive_cues, prepared.negative_cues), (0, 1));
    }

    #[test]
    fn french_plus_negates_only_after_ne() {
        assert_eq!(prepare("ça ne marche plus bien").negative_cues, 1);
        assert_eq!(prepare("plus rapide").positive_cues, 1);
    }

    #[test]
    fn elongated_words_find_their_lexicon_entry() {
        assert_eq!(prepare("c'est nuuuuul").negative_cues, 1);
        assert_eq!(prepare("goooood").positive_cues, 1);
    }

    #[test]
    fn intensifiers_and_irony_are_flagged() {
        let prepared = prepare("trop bien");
        assert_eq!(prepared.positive_cues, 1);
        assert!(
            prepared
                .features
                .hashes
                .contains(&cue_hash(&[b"intensified", b"positive"]))
        );
        assert!(has_flag(
            &prepare("great job losing my bag again 🙄"),
            "irony_marker"
        ));
        assert!(has_flag(
            &prepare("great job, lost my bag"),
            "ironic_praise"
        ));
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let long_word = "a".repeat(10_000);
        for text in [
            "",
            "#",
            "@",
            "'",
            "n'",
            "'n",
            "&amp;",
            "&",
            "::::",
            "http",
            ":-",
            "<",
            "^",
            "…",
            "e\u{301}\u{301}",
            "🙂\u{200d}🙂\u{fe0f}",
            "#_",
            "@_",
            "pas",
            "ne plus",
            &long_word,
        ] {
            let prepared = prepare(text);
            assert!(prepared.features.value.is_finite());
        }
    }

    #[test]
    fn every_hash_carries_its_group_and_groups_change_no_bucket() {
        let prepared = prepare("not a good flight, lost my bag");
        let hashes = &prepared.features.hashes;
        let count = |wanted: u64| hashes.iter().filter(|h| group_of(**h) == wanted).count();
        // Words (7, `not` included, plus any phrase words), bigrams (5: the comma breaks
        // the chain), character 4-grams of the words of four letters or more, and cues.
        assert!(count(group::WORD) >= 7);
        assert_eq!(count(group::BIGRAM), 5);
        assert!(count(group::CHAR_NGRAM) > 10);
        assert!(count(group::CUE) >= 3);
        let raw = hash_parts(namespace::WORD, &[b"good"]);
        assert_eq!(tag(raw, group::BIGRAM) & 0xffff_ffff, raw & 0xffff_ffff);
        assert_eq!(tag(raw, group::BIGRAM) & PRIOR_BIT, raw & PRIOR_BIT);
    }

    #[test]
    fn hash_is_stable_across_versions() {
        // Model files depend on these exact values.
        assert_eq!(fingerprint(b"comptoir"), fingerprint(b"comptoir"));
        assert_eq!(hash_parts(namespace::WORD, &[b"good"]) & 0xffff, 0xfd74);
    }
}
