//! Phrases and `a NEAR/n b` as a tantivy query, evaluated with `listen::positions` so that
//! the index and the live matcher agree on every edge case (order, overlap, repeated words).
//!
//! Also avoids tantivy 0.27's `PhraseScorer`, whose `seek_danger` trips a debug assertion
//! under a `MustNot` clause.

use tantivy::postings::Postings;
use tantivy::query::{ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, BitSetDocSet, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

/// What the words' positions must satisfy.
#[derive(Debug, Clone)]
pub(crate) enum Positional {
    /// The words in a row.
    Phrase(Vec<String>),
    /// Both sides (one word or a phrase each), either order, at most `max_between` words apart.
    Near { left: Vec<String>, right: Vec<String>, max_between: u32 },
}

#[derive(Debug, Clone)]
pub(crate) struct PositionalQuery {
    pub field: Field,
    pub shape: Positional,
}

impl Query for PositionalQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(PositionalWeight { query: self.clone() }))
    }
}

struct PositionalWeight {
    query: PositionalQuery,
}

impl PositionalWeight {
    /// Matching documents of one segment, in order.
    fn matching_docs(&self, reader: &SegmentReader) -> tantivy::Result<Vec<DocId>> {
        let field = &self.query.field;
        let (left, right, max_between) = match &self.query.shape {
            Positional::Phrase(words) => (words, None, 0),
            Positional::Near { left, right, max_between } => (left, Some(right), *max_between),
        };
        let mut distinct_words: Vec<&String> = left.iter().chain(right.into_iter().flatten()).collect();
        distinct_words.sort();
        distinct_words.dedup();
        let inverted_index = reader.inverted_index(*field)?;
        let mut postings = Vec::with_capacity(distinct_words.len());
        for word in &distinct_words {
            let term = Term::from_field_text(*field, word);
            match inverted_index.read_postings(&term, IndexRecordOption::WithFreqsAndPositions)? {
                Some(word_postings) => postings.push(word_postings),
                None => return Ok(Vec::new()),
            }
        }
        let slot_of = |word: &String| distinct_words.binary_search(&word).unwrap_or(0);
        let left_slots: Vec<usize> = left.iter().map(slot_of).collect();
        let right_slots: Vec<usize> = right.into_iter().flatten().map(slot_of).collect();
        let mut positions: Vec<Vec<u32>> = vec![Vec::new(); postings.len()];
        let mut matching = Vec::new();
        let mut candidate = postings[0].doc();
        while candidate != TERMINATED {
            let furthest = postings
                .iter_mut()
                .map(|p| if p.doc() < candidate { p.seek(candidate) } else { p.doc() })
                .max()
                .unwrap_or(TERMINATED);
            if furthest != candidate {
                candidate = furthest;
                continue;
            }
            for (word_postings, word_positions) in postings.iter_mut().zip(&mut positions) {
                word_postings.positions(word_positions);
            }
            let starts = |slots: &[usize]| {
                let lists: Vec<&[u32]> = slots.iter().map(|&slot| positions[slot].as_slice()).collect();
                listen::positions::phrase_starts(&lists)
            };
            let left_starts = starts(&left_slots);
            let is_match = match right {
                None => !left_starts.is_empty(),
                Some(right) => {
                    let right_starts = starts(&right_slots);
                    let left_span = (left_starts.as_slice(), left.len() as u32);
                    let right_span = (right_starts.as_slice(), right.len() as u32);
                    listen::positions::near(left_span, right_span, max_between)
                }
            };
            if is_match {
                matching.push(candidate);
            }
            candidate = postings[0].advance();
        }
        Ok(matching)
    }
}

impl Weight for PositionalWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let matching = self.matching_docs(reader)?;
        if matching.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        let mut matching_set = BitSet::with_max_value(reader.max_doc());
        for doc in matching {
            matching_set.insert(doc);
        }
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(matching_set), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.matching_docs(reader)?.binary_search(&doc).is_ok() {
            Ok(Explanation::new("phrase or NEAR (constant score)", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!("document {doc} does not match")))
        }
    }
}
