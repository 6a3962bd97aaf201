//! The terms of a mention for [`crate::drivers`] and [`crate::weak_signals`]: words and
//! two-word phrases, with French and English stop words removed.
//!
//! Words come from `listen::for_each_word`, the tokenizer the live matcher and the search
//! index share, so a driver "reseau" is exactly the word a user types in a query (folded:
//! lower case, no accents). Each term is returned once per text, so counting terms over
//! mentions counts mentions, and a text repeating "panne" fifty times weighs as one.
//!
//! A unigram is a word of two or more bytes that is not a stop word nor a negation. A
//! bigram is two adjacent words where neither is a stop word; negations may start or end
//! one, so "no signal" and "toujours pas" survive while "de" and "the" never appear.
//!
//! The stop lists are abridged from the Snowball project's French and English lists
//! (snowballstem.org/algorithms/{french,english}/stop.txt, BSD-3-Clause), folded like the
//! tokenizer folds, plus web noise ("https", "amp", "rt"). With `language` `fr` or `en`
//! only that list applies; with any other or no language, both do.

/// Words that carry no topic in French (Snowball, abridged, folded).
const FRENCH_STOP_WORDS: &[&str] = &[
    "a", "ai", "aie", "as", "au", "aux", "avait", "avec", "avez", "avons", "c", "ca", "ce", "ces",
    "cet", "cette", "d", "dans", "de", "des", "du", "elle", "elles", "en", "es", "est", "et",
    "etaient", "etait", "ete", "etre", "eu", "fait", "il", "ils", "j", "je", "l", "la", "le",
    "les", "leur", "leurs", "lui", "m", "ma", "mais", "me", "meme", "mes", "moi", "mon", "n", "ne",
    "nos", "notre", "nous", "on", "ont", "ou", "par", "pour", "qu", "que", "qui", "s", "sa", "se",
    "ses", "si", "son", "sont", "sur", "t", "ta", "te", "tes", "toi", "ton", "tu", "un", "une",
    "vos", "votre", "vous", "y", "tres", "tout", "tous", "toute", "comme", "bien", "aussi",
    "encore", "deja", "quand",
];

/// Words that carry no topic in English (Snowball, abridged).
const ENGLISH_STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "am", "an", "and", "any", "are", "as", "at", "be", "been",
    "being", "but", "by", "can", "could", "d", "did", "do", "does", "doing", "for", "from", "had",
    "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "just", "ll", "m", "me", "more", "my", "of", "on", "or", "our",
    "ours", "out", "re", "s", "she", "so", "some", "such", "t", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "to", "too", "up", "ve", "very",
    "was", "we", "were", "what", "when", "where", "which", "while", "who", "why", "will", "with",
    "would", "you", "your", "yours", "also", "get", "got", "now", "still",
];

/// Markup and link debris of social posts.
const WEB_NOISE: &[&str] = &[
    "http", "https", "www", "co", "com", "fr", "amp", "rt", "via",
];

/// Dropped as unigrams (they say nothing alone) but kept inside bigrams, where they carry
/// the meaning of an outage: "no signal", "pas reseau", "sans internet".
const NEGATIONS: &[&str] = &[
    "no", "not", "never", "nothing", "cannot", "pas", "plus", "sans", "aucun", "aucune", "jamais",
    "rien",
];

/// The distinct unigrams and bigrams of `text`, in order of first appearance. `language`
/// is an ISO 639-1 code as in `domain::Mention::language`.
pub fn terms_of(text: &str, language: Option<&str>) -> Vec<String> {
    let is_stop_word = |word: &str| {
        let french = !matches!(language, Some("en")) && FRENCH_STOP_WORDS.contains(&word);
        let english = !matches!(language, Some("fr")) && ENGLISH_STOP_WORDS.contains(&word);
        french || english || WEB_NOISE.contains(&word)
    };
    let mut terms: Vec<String> = Vec::new();
    let mut push = |term: String| {
        if !terms.contains(&term) {
            terms.push(term);
        }
    };
    let mut words: Vec<String> = Vec::new();
    listen::for_each_word(text, |word, _position| {
        // Compatibility folding can turn one character into a space and a mark (Arabic
        // presentation forms such as U+FE72): split again so no term holds a stray space.
        words.extend(word.split_whitespace().map(str::to_string));
    });
    let mut previous: Option<&str> = None;
    for word in &words {
        let word = word.as_str();
        let stop = is_stop_word(word) || (word.len() < 2 && !NEGATIONS.contains(&word));
        if !stop && !NEGATIONS.contains(&word) {
            push(word.to_string());
        }
        if let Some(first) = previous.take().filter(|_| !stop) {
            push(format!("{first} {word}"));
        }
        previous = (!stop).then_some(word);
    }
    terms
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn terms_are_distinct_short_phrases_without_stop_words(
            text in "\\PC{0,200}",
            language in prop::option::of(prop::sample::select(vec!["fr", "en", "de"])),
        ) {
            let terms = terms_of(&text, language);
            for (index, term) in terms.iter().enumerate() {
                prop_assert!(!terms[..index].contains(term), "{} twice", term);
                let words: Vec<&str> = term.split(' ').collect();
                prop_assert!(words.len() <= 2 && words.iter().all(|word| !word.is_empty()));
                if words.len() == 1 {
                    prop_assert!(!NEGATIONS.contains(&words[0]) && !WEB_NOISE.contains(&words[0]));
                }
                prop_assert!(words.iter().all(|word| !FRENCH_STOP_WORDS.contains(word)
                    || language == Some("en")));
            }
        }
    }

    #[test]
    fn french_outage_tweet() {
        let terms = terms_of(
            "Toujours pas de réseau à Lyon, la panne dure ! #panne",
            Some("fr"),
        );
        assert_eq!(
            terms,
            [
                "toujours",
                "toujours pas",
                "reseau",
                "lyon",
                "panne",
                "dure",
                "panne dure",
                "dure panne"
            ]
        );
    }

    #[test]
    fn english_negation_phrase() {
        let terms = terms_of("No signal in the whole of Manchester since 9am", Some("en"));
        assert_eq!(
            terms,
            [
                "signal",
                "no signal",
                "whole",
                "manchester",
                "since",
                "manchester since",
                "9am",
                "since 9am"
            ]
        );
    }

    #[test]
    fn unknown_language_removes_both_lists() {
        let terms = terms_of("the réseau est down", None);
        assert_eq!(terms, ["reseau", "down"]);
        let terms_en = terms_of("the réseau est down", Some("en"));
        assert!(terms_en.contains(&"est".to_string()));
    }

    #[test]
    fn repeated_terms_count_once_and_links_are_noise() {
        let terms = terms_of("panne panne panne https://t.co/abc", Some("fr"));
        assert_eq!(terms, ["panne", "panne panne", "abc"]);
    }

    #[test]
    fn no_text_no_terms() {
        assert!(terms_of("", Some("fr")).is_empty());
        assert!(terms_of("🔥🔥 !!", None).is_empty());
        assert!(
            terms_of("\u{fe72}", None)
                .iter()
                .all(|term| !term.contains(' '))
        );
    }
}
