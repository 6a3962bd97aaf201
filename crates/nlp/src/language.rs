//! Language detection tuned for short social posts in French and English.
//!
//! General-purpose detectors (whatlang's trigrams) are weak on one-line posts: "Vol
//! annulé, merci Air France" is too short for trigram statistics. We first count
//! function words and diacritics of French and English, which decide most posts in
//! microseconds, and fall back to whatlang over a short allow-list for the rest.

use whatlang::{Detector, Lang};

use crate::text::WordSet;

/// A detected language with a confidence in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanguageGuess {
    /// ISO 639-1 code.
    pub code: &'static str,
    pub confidence: f32,
}

/// Words that are frequent in one of the two languages and rare in the other.
const FRENCH_WORDS: &[&str] = &[
    "le", "la", "les", "un", "une", "des", "du", "de", "et", "est", "je", "tu", "il", "elle",
    "nous", "vous", "ils", "pas", "ne", "que", "qui", "pour", "avec", "sur", "dans", "mon", "ma",
    "mes", "ton", "votre", "vos", "notre", "nos", "ce", "cette", "ces", "au", "aux", "mais", "ou",
    "donc", "car", "tres", "très", "merci", "bonjour", "encore", "toujours", "depuis", "rien",
    "plus", "sont", "suis", "ai", "avez", "avons", "fait", "été", "ete", "j", "c", "l", "d", "qu",
    "n", "m", "s", "y", "ça", "ca", "quand", "comme", "aussi", "alors", "sans", "chez", "leur",
    "leurs", "retard", "annulé", "vol", "colis", "oui", "non", "svp", "bjr", "jamais", "toujours",
    "aujourd", "hui", "demain", "hier", "trop",
];

const ENGLISH_WORDS: &[&str] = &[
    "the", "a", "an", "and", "is", "are", "was", "were", "i", "you", "he", "she", "we", "they",
    "my", "your", "our", "their", "not", "no", "to", "of", "in", "on", "for", "with", "at", "this",
    "that", "it", "be", "have", "has", "had", "do", "does", "did", "don", "can", "will", "just",
    "thanks", "thank", "please", "why", "what", "how", "when", "from", "me", "so", "but", "or",
    "if", "been", "get", "got", "again", "still", "flight", "now", "t", "im", "ve", "ll", "its",
    "any", "all", "out", "up", "hour", "hours", "help", "customer", "service", "would", "could",
    "should", "am", "by", "about", "there", "one", "time",
];

/// The cue lists as hash sets, built once, for every word of every mention.
static FRENCH_SET: std::sync::LazyLock<WordSet> =
    std::sync::LazyLock::new(|| FRENCH_WORDS.iter().copied().collect());
static ENGLISH_SET: std::sync::LazyLock<WordSet> =
    std::sync::LazyLock::new(|| ENGLISH_WORDS.iter().copied().collect());

/// Detects the language of a short text; `None` when nothing can be told.
pub fn detect_language(text: &str) -> Option<LanguageGuess> {
    let (french, english, words) = count_cues(text);
    if french + english >= 2 || (words <= 3 && french + english >= 1) {
        let (code, winner, loser) = if french > english {
            ("fr", french, english)
        } else {
            ("en", english, french)
        };
        // A quarter of the words must be cues: "nos" or "y" alone do not make Spanish French.
        if winner >= loser * 2 && winner > loser && winner * 4 >= words {
            let confidence = (winner as f32 / (winner + loser) as f32).min(0.99);
            return Some(LanguageGuess { code, confidence });
        }
    }
    detect_with_trigrams(text)
}

/// Counts French cues, English cues, and words. Cheap: one pass, no allocation for
/// ASCII words.
fn count_cues(text: &str) -> (u32, u32, u32) {
    let mut french = 0u32;
    let mut english = 0u32;
    let mut words = 0u32;
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if word.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        words += 1;
        let lowered;
        let word = if word.bytes().any(|b| b.is_ascii_uppercase()) {
            lowered = word.to_lowercase();
            lowered.as_str()
        } else {
            word
        };
        if FRENCH_SET.contains(word) {
            french += 1;
        }
        if ENGLISH_SET.contains(word) {
            english += 1;
        }
        if word.contains([
            'é', 'è', 'ê', 'à', 'ç', 'ù', 'â', 'î', 'ô', 'û', 'ë', 'ï', 'œ',
        ]) {
            french += 1;
        }
    }
    (french, english, words)
}

fn detect_with_trigrams(text: &str) -> Option<LanguageGuess> {
    const ALLOWED: [Lang; 8] = [
        Lang::Eng,
        Lang::Fra,
        Lang::Spa,
        Lang::Deu,
        Lang::Ita,
        Lang::Por,
        Lang::Nld,
        Lang::Jpn,
    ];
    let detector = Detector::with_allowlist(ALLOWED.to_vec());
    let info = detector.detect(text)?;
    if info.confidence() < 0.2 {
        return None;
    }
    let code = match info.lang() {
        Lang::Eng => "en",
        Lang::Fra => "fr",
        Lang::Spa => "es",
        Lang::Deu => "de",
        Lang::Ita => "it",
        Lang::Por => "pt",
        Lang::Nld => "nl",
        Lang::Jpn => "ja",
        _ => return None,
    };
    Some(LanguageGuess {
        code,
        confidence: info.confidence() as f32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Option<&'static str> {
        detect_language(text).map(|guess| guess.code)
    }

    #[test]
    fn short_french_posts_are_french() {
        assert_eq!(code("Vol annulé, merci Air France"), Some("fr"));
        assert_eq!(code("encore un retard de 2h"), Some("fr"));
        assert_eq!(code("@SNCF c'est nul"), Some("fr"));
        assert_eq!(code("Mon colis n'est toujours pas arrivé !!"), Some("fr"));
    }

    #[test]
    fn short_english_posts_are_english() {
        assert_eq!(code("@united lost my bag again"), Some("en"));
        assert_eq!(code("Thanks for the quick help!"), Some("en"));
        assert_eq!(code("why is my flight delayed"), Some("en"));
    }

    #[test]
    fn other_languages_fall_back_to_trigrams() {
        assert_eq!(
            code("El vuelo fue cancelado y nadie nos dio ninguna explicación sobre el equipaje"),
            Some("es")
        );
    }

    #[test]
    fn nothing_to_tell_gives_none() {
        assert_eq!(code("🙂🙂"), None);
        assert_eq!(code("12345"), None);
    }
}
