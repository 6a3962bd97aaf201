//! Published polarity lexicons (`models/polarity-lexicons.tsv`, built by
//! `tools/build_lexicons.py`): English from VADER (vaderSentiment 3.3.2, MIT; 7,490
//! words, emoticons and slang with their mean human valence in [-4, 4]) and French from
//! Pattern / textblob-fr (`fr-sentiment.xml`, PDDL; 4,122 folded adjective forms, polarity
//! times 4). Their valences become features of the linear models (`features.rs`): a
//! binned valence per word, after negation, and binned sums per post, so a polar word
//! the training data never showed still counts.
//!
//! The file is part of the feature extraction: changing it means raising
//! [`crate::FEATURE_SET_VERSION`].

use crate::text::WordMap;
use std::sync::OnceLock;

static FILE: &str = include_str!("../../../models/polarity-lexicons.tsv");

/// English and French valences of a folded word, each in [-4, 4] when known.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Valences {
    pub english: Option<f32>,
    pub french: Option<f32>,
}

fn table() -> &'static WordMap<Valences> {
    static TABLE: OnceLock<WordMap<Valences>> = OnceLock::new();
    TABLE.get_or_init(|| {
        FILE.lines()
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let word = fields.next()?;
                let parse = |field: Option<&str>| {
                    field
                        .and_then(|value| value.parse::<f32>().ok())
                        .filter(|value| value.is_finite())
                        .map(|value| value.clamp(-4.0, 4.0))
                };
                let valences = Valences {
                    english: parse(fields.next()),
                    french: parse(fields.next()),
                };
                (!word.is_empty()).then_some((word, valences))
            })
            .collect()
    })
}

/// The valences of a folded word (or emoticon), if either lexicon has it.
#[inline]
pub(crate) fn valences(word: &str) -> Option<Valences> {
    table().get(word).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_lexicons_are_read() {
        assert!(valences("great").unwrap().english.unwrap() > 2.0);
        assert!(valences("horrible").unwrap().english.unwrap() < -2.0);
        assert!(valences("decu").unwrap().french.unwrap() < 0.0);
        assert!(valences(":)").unwrap().english.unwrap() > 0.0);
        assert_eq!(valences("zzqx"), None);
    }
}
