//! A small hand-written bilingual (French, English) polarity lexicon for social posts.
//!
//! Written by the Comptoir team for this project (same licence as the code,
//! AGPL-3.0-or-later); no third-party lexicon was copied. Entries are folded as the
//! tokeniser folds words (lower case, no accents, elongations collapsed to two letters).
//! The lexicon does not decide anything by itself: it adds features (counts of positive
//! and negative cues, negated cues, the last cue) whose weights the model learns.

use crate::text::{WordMap, WordSet};
use std::sync::OnceLock;

/// Polarity of a cue: -2 strongly negative … +2 strongly positive.
pub(crate) type Polarity = i8;

#[rustfmt::skip]
const POSITIVE_WORDS: &[&str] = &[
    // English
    "good", "great", "love", "loved", "loving", "lovely", "awesome", "amazing", "excellent",
    "best", "thanks", "thank", "thx", "ty", "happy", "glad", "nice", "cool", "perfect",
    "wonderful", "fantastic", "fabulous", "brilliant", "superb", "outstanding", "impressed",
    "impressive", "enjoy", "enjoyed", "pleasant", "friendly", "helpful", "kind", "smooth",
    "easy", "fast", "quick", "comfortable", "appreciate", "appreciated", "recommend", "fun",
    "beautiful", "sweet", "yay", "woohoo", "lol", "haha", "hahaha", "xd", "rocks", "rock",
    "win", "winning", "worth", "favorite", "favourite", "exceptional", "stellar", "kudos",
    "congrats", "congratulations", "grateful", "thankful", "lit", "dope", "fab", "legend",
    "lifesaver", "solved", "resolved", "fixed", "well", "better", "pleased", "exciting",
    "excited", "incredible", "professional", "courteous", "gracious", "shoutout",
    // French
    "bien", "bon", "bonne", "super", "genial", "geniale", "top", "merci", "parfait",
    "parfaite", "excellent", "excellente", "magnifique", "formidable", "adore", "aime",
    "content", "contente", "contents", "heureux", "heureuse", "ravi", "ravie", "bravo",
    "felicitations", "cool", "sympa", "agreable", "rapide", "efficace", "efficaces",
    "impeccable", "nickel", "chouette", "genialissime", "extra", "incroyable", "merveilleux",
    "recommande", "facile", "gentil", "gentille", "aimable", "serviable", "professionnel",
    "mdr", "ptdr", "jtm", "kiffe", "kif", "ouf", "dingue", "satisfait", "satisfaite", "reussi",
    "reussite", "victoire", "beau", "belle", "joie", "bonheur", "espoir", "progres",
    "ameliore", "amelioration", "solution", "positif", "positive", "fier", "fiere", "gg",
    "banger", "topissime", "genialement", "adorable", "meilleur", "meilleure",
];

#[rustfmt::skip]
const NEGATIVE_WORDS: &[&str] = &[
    // English
    "bad", "worst", "terrible", "horrible", "awful", "hate", "hated", "sucks", "suck",
    "sucked", "poor", "disappointed", "disappointing", "disappointment", "angry", "mad",
    "annoyed", "annoying", "frustrated", "frustrating", "ridiculous", "unacceptable", "rude",
    "useless", "pathetic", "fail", "failed", "fails", "failure", "delayed", "delay", "delays",
    "cancelled", "canceled", "lost", "broken", "damaged", "stuck", "wait", "waiting", "waited",
    "late", "never", "worse", "nightmare", "disgusting", "shame", "shameful", "sad", "upset",
    "wtf", "smh", "ugh", "fml", "sorry", "problem", "problems", "issue", "issues", "complaint",
    "refund", "hold", "incompetent", "joke", "garbage", "trash", "crap", "scam", "ripoff",
    "horrendous", "miserable", "stranded", "missed", "misery", "unhappy", "unprofessional",
    "lame", "meh", "slow", "dirty", "noisy", "error", "bug", "down", "outage", "crash",
    "crashed", "crashes", "hell", "disaster", "mess", "fuck", "fucking", "shit", "shitty",
    "damn", "bs", "furious", "livid", "appalling", "lies", "lied", "liar", "worry", "worried",
    "scared", "dead", "died", "kill", "killed", "war", "attack", "sick", "pain", "hurt", "cry",
    "crying", "tired", "boring", "stupid", "idiot",
    // French
    "nul", "nulle", "nuls", "naze", "mauvais", "mauvaise", "pire", "horrible", "honte",
    "honteux", "inadmissible", "inacceptable", "scandale", "scandaleux", "decu", "decue",
    "decus", "decevant", "deception", "colere", "enerve", "enervee", "marre", "relou",
    "chiant", "chiante", "galere", "galerer", "retard", "retards", "annule", "annulee",
    "annulation", "perdu", "perdue", "casse", "cassee", "panne", "bug", "bugue", "arnaque",
    "escroc", "escroquerie", "voleurs", "lamentable", "pathetique", "catastrophe",
    "catastrophique", "merde", "putain", "bordel", "degueulasse", "degoute", "degoutee",
    "insupportable", "incompetent", "incompetents", "incapable", "incapables", "attente",
    "attendre", "probleme", "problemes", "souci", "soucis", "plainte", "rembourser",
    "remboursement", "triste", "peur", "danger", "dangereux", "mort", "morts", "crise",
    "pollution", "pollue", "menace", "destruction", "detruit", "catastrophes", "grave",
    "inquietant", "inquiet", "alerte", "hausse", "victimes", "rechauffement", "abus", "fuite",
    "faillite", "echec", "erreur", "injuste", "injustice", "deplorable", "pitoyable",
    "minable", "bof", "ras", "saoule", "gave", "craint", "pourri", "pourrie", "foutage", "deg",
    "vener", "venere", "pff", "grr", "rage", "rageant", "saoulant", "soulant", "craignos",
    "abuse", "abusent", "injoignable", "impossible", "inutile", "lente", "moisi", "chelou",
    "osef", "honteuse",
];

/// Words that raise the strength of the next cue (`trop bien`, `so slow`).
#[rustfmt::skip]
const INTENSIFIERS: &[&str] = &[
    "very", "so", "soo", "really", "totally", "absolutely", "extremely", "super", "too",
    "truly", "completely", "incredibly", "such", "most", "tres", "trop", "vraiment",
    "tellement", "grave", "hyper", "mega", "carrement", "archi", "completement", "si",
    "vachement", "franchement", "ultra",
];

/// Words that open a negation scope, which runs to the next punctuation.
#[rustfmt::skip]
const NEGATORS: &[&str] = &[
    "not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "without", "cannot",
    "cant", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "wont", "wouldnt",
    "couldnt", "shouldnt", "havent", "hasnt", "hadnt", "aint", "n't", "pas", "jamais", "rien",
    "aucun", "aucune", "sans", "ni", "guere", "nullement",
    // French `ne … pas` brackets the verb: the scope opens at `ne`/`n'`.
    "ne", "n'",
];

/// Two- and three-word expressions whose polarity is not the sum of their words; they
/// are read before negation so `pas terrible` is negative and `not bad` is not.
#[rustfmt::skip]
const PHRASES: &[(&str, Polarity)] = &[
    ("pas terrible", -2), ("pas top", -1), ("pas genial", -1), ("pas fou", -1),
    ("pas ouf", -1), ("pas mal", 1), ("pas de souci", 1), ("pas de soucis", 1),
    ("pas de probleme", 1), ("pas de probleme", 1), ("merci pour rien", -2), ("a chier", -2),
    ("de la merde", -2), ("en panne", -2), ("hors service", -2), ("foutage de gueule", -2),
    ("ras le bol", -2), ("bon courage", 0), ("not bad", 1), ("no problem", 1),
    ("no worries", 1), ("no complaints", 1), ("cant wait", 1), ("cant complain", 1),
    ("thanks for nothing", -2), ("what a joke", -2), ("never again", -2), ("not happy", -2),
    ("not impressed", -2), ("not great", -1), ("not good", -2), ("not working", -2),
    ("doesnt work", -2), ("dont work", -2), ("ne marche pas", -2), ("ne fonctionne pas", -2),
    ("marche pas", -2), ("fonctionne pas", -2), ("well done", 2), ("thank you", 2),
    ("yeah right", -2), ("great job", 1), ("on hold", -1), ("sit on hold", -2), ("fed up", -2),
    ("toujours pas", -1), ("jamais arrive", -2), ("jamais recu", -2), ("still no", -1),
    ("still not", -1), ("still waiting", -2), ("never arrived", -2), ("never received", -2),
    ("n' aime pas", -2), ("aime pas", -2), ("dont like", -2), ("didnt like", -2),
    ("doesnt like", -2), ("not recommend", -2), ("recommande pas", -2),
];

/// Emoji and emoticons with a clear polarity.
#[rustfmt::skip]
const POSITIVE_EMOJI: &[&str] = &[
    "😀", "😃", "😄", "😁", "😆", "😊", "🙂", "😍", "🥰", "😘", "😎", "🤩", "🥳", "👍", "👏", "🙌",
    "💪", "🎉", "✨", "❤", "💕", "💖", "💙", "💚", "💜", "💛", "🧡", "😂", "🤣", "😉", "☺", "♥",
    "✌", "👌", "🙏", "⭐", "🌟", "🔥", "💯", "😇", "😋", "🤗", ":)", ":-)", ":d", ":-d", ";)",
    ";-)", "<3", "=)", "^^", "^_^", ":p", ":-p", ":))", ":-))",
];

#[rustfmt::skip]
const NEGATIVE_EMOJI: &[&str] = &[
    "😠", "😡", "🤬", "😤", "😞", "😟", "😢", "😭", "😩", "😫", "😒", "🙄", "😑", "😐", "😕", "🙁",
    "☹", "😣", "😖", "😰", "😱", "🤮", "🤢", "💩", "👎", "💔", "😬", "🤦", "😓", "😔", ":(", ":-(",
    ":'(", ":'-(", ":/", ":-/", "</3", "-_-", "=(", ":((", ":-((", ":|", ":-|",
];

/// Explicit irony markers (`#sarcasm`, eye-roll emoji, "yeah right").
#[rustfmt::skip]
pub(crate) const IRONY_MARKERS: &[&str] = &[
    "sarcasm", "sarcastic", "irony", "ironie", "ironique", "sarcasme", "🙄", "😒", "🙃",
    "yeah right", "oh great", "quelle surprise", "what a surprise", "merci pour rien",
    "thanks for nothing",
];

/// Thanks and praise that are ironic when the post also carries a negative cue
/// ("great job losing my bag", "bravo la SNCF, encore en retard").
#[rustfmt::skip]
pub(crate) const IRONIC_PRAISE: &[&str] = &[
    "thanks a lot", "great job", "genius", "bravo", "chapeau", "as usual", "comme d' hab",
    "comme d' habitude", "encore une fois", "once again", "as always", "thanks again",
    "love how", "love that", "j' adore", "merci encore",
];

/// What the lexicon knows of one word, found with one lookup.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct WordInfo {
    pub polarity: Option<Polarity>,
    pub negator: bool,
    pub intensifier: bool,
    /// Some lexicon phrase starts with this word.
    pub starts_phrase: bool,
}

struct Lexicon {
    /// Every word the lexicon knows anything of (the union of the tables here).
    infos: WordMap<WordInfo>,
    phrases: WordMap<Polarity>,
    longest_phrase_words: usize,
}

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut words: WordMap<Polarity> = WordMap::default();
        for word in POSITIVE_WORDS.iter().chain(POSITIVE_EMOJI) {
            words.insert(*word, 1);
        }
        for word in NEGATIVE_WORDS.iter().chain(NEGATIVE_EMOJI) {
            words.insert(*word, -1);
        }
        let phrases: WordMap<_> = PHRASES.iter().copied().collect();
        let longest_phrase_words = PHRASES
            .iter()
            .map(|(phrase, _)| phrase.split(' ').count())
            .max()
            .unwrap_or(1);
        let phrase_first_words: WordSet = PHRASES
            .iter()
            .filter_map(|(phrase, _)| phrase.split(' ').next())
            .collect();
        let negators: WordSet = NEGATORS.iter().copied().collect();
        let intensifiers: WordSet = INTENSIFIERS.iter().copied().collect();
        let mut infos: WordMap<WordInfo> = WordMap::default();
        for (word, polarity) in &words {
            infos.entry(*word).or_default().polarity = Some(*polarity);
        }
        for word in &negators {
            infos.entry(*word).or_default().negator = true;
        }
        for word in &intensifiers {
            infos.entry(*word).or_default().intensifier = true;
        }
        for word in &phrase_first_words {
            infos.entry(*word).or_default().starts_phrase = true;
        }
        Lexicon {
            infos,
            phrases,
            longest_phrase_words,
        }
    })
}

/// All the lexicon knows of one folded word or emoji (nothing: the default).
pub(crate) fn word_info(word: &str) -> WordInfo {
    lexicon().infos.get(word).copied().unwrap_or_default()
}

/// The polarity of one folded word or emoji, if the lexicon knows it.
#[cfg(test)]
pub(crate) fn word_polarity(word: &str) -> Option<Polarity> {
    word_info(word).polarity
}

/// The polarity of a space-joined expression (`pas terrible`), if it is a known phrase.
pub(crate) fn phrase_polarity(phrase: &str) -> Option<Polarity> {
    lexicon().phrases.get(phrase).copied()
}

pub(crate) fn longest_phrase_words() -> usize {
    lexicon().longest_phrase_words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_knows_slang_in_both_languages() {
        assert_eq!(word_polarity("relou"), Some(-1));
        assert_eq!(word_polarity("nul"), Some(-1));
        assert_eq!(word_polarity("awesome"), Some(1));
        assert_eq!(word_polarity("😡"), Some(-1));
        assert_eq!(phrase_polarity("pas terrible"), Some(-2));
        assert_eq!(phrase_polarity("not bad"), Some(1));
    }

    #[test]
    fn entries_are_folded_like_tokens() {
        for word in POSITIVE_WORDS.iter().chain(NEGATIVE_WORDS).chain(NEGATORS) {
            assert!(word.is_ascii(), "{word} must be folded");
            assert_eq!(word.to_lowercase(), *word);
        }
    }
}
