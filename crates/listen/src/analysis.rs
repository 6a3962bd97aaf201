//! The one tokenizer shared by the live matcher and the search index: what a word is.
//!
//! A word is a maximal run of Unicode letters and digits (combining marks continue a word).
//! Everything else separates words: spaces, punctuation, apostrophes, hyphens, `#`, `@`,
//! emoji. Each word is folded: lower-cased, accents removed (`é`→`e`, `ç`→`c`), a few
//! letters spelled out (`œ`→`oe`, `æ`→`ae`, `ß`→`ss`). Positions count words from 0.
//!
//! The search crate registers [`for_each_word`] as a tantivy tokenizer, so the index and
//! the matcher see exactly the same words.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Words longer than this (after folding) are dropped: they are base64 blobs or keyboard
/// mashing, and the index has a hard limit on term length.
pub const MAX_WORD_BYTES: usize = 128;

/// Calls `on_word(folded_word, position)` for every word of `text`, in order.
pub fn for_each_word(text: &str, mut on_word: impl FnMut(&str, u32)) {
    let mut folded = String::new();
    let mut position: u32 = 0;
    let mut word_start: Option<usize> = None;
    for (index, character) in text.char_indices() {
        let continues_word = if character.is_ascii() {
            character.is_ascii_alphanumeric()
        } else {
            character.is_alphanumeric() || is_combining_mark(character)
        };
        match (continues_word, word_start) {
            (true, None) => word_start = Some(index),
            (false, Some(start)) => {
                emit_word(&text[start..index], &mut folded, &mut position, &mut on_word);
                word_start = None;
            }
            _ => {}
        }
    }
    if let Some(start) = word_start {
        emit_word(&text[start..], &mut folded, &mut position, &mut on_word);
    }
}

/// The folded words of `text`, in order (convenience over [`for_each_word`]).
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for_each_word(text, |word, _| words.push(word.to_string()));
    words
}

fn emit_word(
    raw_word: &str,
    folded: &mut String,
    position: &mut u32,
    on_word: &mut impl FnMut(&str, u32),
) {
    let word = if raw_word.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit()) {
        raw_word
    } else {
        folded.clear();
        fold_into(raw_word, folded);
        folded.as_str()
    };
    if word.is_empty() || word.len() > MAX_WORD_BYTES {
        return;
    }
    on_word(word, *position);
    *position += 1;
}

/// Folds a whole value without splitting it into words (hashtags, handles, author):
/// lower-cased, accents removed, like the words of [`for_each_word`].
pub fn fold(value: &str) -> String {
    let mut folded = String::with_capacity(value.len());
    fold_into(value, &mut folded);
    folded
}

fn fold_into(value: &str, out: &mut String) {
    if value.is_ascii() {
        out.extend(value.chars().map(|character| character.to_ascii_lowercase()));
        return;
    }
    for character in value.chars() {
        if character.is_ascii() {
            out.push(character.to_ascii_lowercase());
            continue;
        }
        decompose_compatible(character, |decomposed| {
            for lower in decomposed.to_lowercase() {
                if !is_combining_mark(lower) {
                    push_spelled_out(lower, out);
                }
            }
        });
    }
}

/// Letters that Unicode does not decompose but French, German and Nordic readers treat
/// as their spelled-out Latin equivalents.
fn push_spelled_out(character: char, out: &mut String) {
    match character {
        'œ' => out.push_str("oe"),
        'æ' => out.push_str("ae"),
        'ß' => out.push_str("ss"),
        'ø' => out.push('o'),
        'ł' => out.push('l'),
        'đ' | 'ð' => out.push('d'),
        'þ' => out.push_str("th"),
        'ı' => out.push('i'),
        _ => out.push(character),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positioned(text: &str) -> Vec<(String, u32)> {
        let mut out = Vec::new();
        for_each_word(text, |word, position| out.push((word.to_string(), position)));
        out
    }

    #[test]
    fn splits_on_punctuation_apostrophes_and_hyphens() {
        assert_eq!(words("L'avion est-il en RETARD?"), ["l", "avion", "est", "il", "en", "retard"]);
        assert_eq!(words("lost my luggage!!"), ["lost", "my", "luggage"]);
    }

    #[test]
    fn folds_accents_case_and_ligatures() {
        assert_eq!(words("Café CAFÉ ça Œuvre Straße Ærø"), ["cafe", "cafe", "ca", "oeuvre", "strasse", "aero"]);
        assert_eq!(words("re\u{301}sume\u{301}"), ["resume"], "decomposed accents stay in the word");
        assert_eq!(words("ﬁn"), ["fin"], "compatibility ligatures are spelled out");
    }

    #[test]
    fn hashtags_and_handles_contribute_their_words() {
        assert_eq!(words("#retard @alice.bsky.social"), ["retard", "alice", "bsky", "social"]);
    }

    #[test]
    fn emoji_are_separators_and_positions_count_words() {
        assert_eq!(
            positioned("vol🛫annulé 😡 encore"),
            [("vol".into(), 0), ("annule".into(), 1), ("encore".into(), 2)]
        );
        assert!(words("😡🛫 -- !!").is_empty());
    }

    #[test]
    fn digits_and_other_scripts_are_words() {
        assert_eq!(words("AF1234 東京 Москва"), ["af1234", "東京", "москва"]);
    }

    #[test]
    fn overlong_words_are_dropped_without_taking_a_position() {
        let long = "x".repeat(MAX_WORD_BYTES + 1);
        assert_eq!(positioned(&format!("a {long} b")), [("a".into(), 0), ("b".into(), 1)]);
    }

    #[test]
    fn fold_keeps_a_value_whole() {
        assert_eq!(fold("Alice.BSKY.social"), "alice.bsky.social");
        assert_eq!(fold("Éé_Ça"), "ee_ca");
    }
}
