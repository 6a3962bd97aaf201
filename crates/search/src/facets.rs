//! Counts of all matching mentions by source, language, day, sentiment and intent, from
//! the fast fields.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::names;

/// How many matching mentions per source, per language and per day.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Facets {
    /// Most frequent first.
    pub by_source: Vec<(String, u64)>,
    /// Most frequent first; mentions of unknown language are not counted.
    pub by_language: Vec<(String, u64)>,
    /// `2015-02-24`, oldest first.
    pub by_day: Vec<(String, u64)>,
    /// Most frequent first; mentions without enrichment are not counted.
    pub by_sentiment: Vec<(String, u64)>,
    /// Most frequent first; mentions without enrichment are not counted.
    pub by_intent: Vec<(String, u64)>,
    /// Complaint reasons, most frequent first; mentions without a reason are not counted.
    pub by_reason: Vec<(String, u64)>,
}

const FACET_FIELDS: [&str; 6] = [names::SOURCE, names::LANG, names::DAY, names::SENTIMENT, names::INTENT, names::REASON];

pub(crate) struct FacetCollector;

pub(crate) struct FacetSegmentCollector {
    columns: Vec<Option<(StrColumn, Vec<u64>)>>,
}

/// Counts per value, for each facet field.
type FacetCounts = [BTreeMap<String, u64>; 6];

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = FacetSegmentCollector;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<FacetSegmentCollector> {
        let mut columns = Vec::with_capacity(FACET_FIELDS.len());
        for name in FACET_FIELDS {
            let column = reader.fast_fields().str(name)?;
            columns.push(column.map(|column| {
                let counts = vec![0; column.num_terms()];
                (column, counts)
            }));
        }
        Ok(FacetSegmentCollector { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segment_counts: Vec<FacetCounts>) -> tantivy::Result<FacetCounts> {
        let mut merged = FacetCounts::default();
        for counts in segment_counts {
            for (total, segment) in merged.iter_mut().zip(counts) {
                for (value, count) in segment {
                    *total.entry(value).or_default() += count;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter_mut().flatten() {
            for ord in column.term_ords(doc) {
                counts[ord as usize] += 1;
            }
        }
    }

    fn harvest(self) -> FacetCounts {
        let mut fruit = FacetCounts::default();
        for (values, column) in fruit.iter_mut().zip(self.columns) {
            let Some((column, counts)) = column else { continue };
            for (ord, count) in counts.into_iter().enumerate().filter(|(_, count)| *count > 0) {
                let mut value = String::new();
                if column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                    values.insert(value, count);
                }
            }
        }
        fruit
    }
}

impl Facets {
    pub(crate) fn from_counts([sources, languages, days, sentiments, intents, reasons]: FacetCounts) -> Facets {
        let most_frequent_first = |counts: BTreeMap<String, u64>| {
            let mut sorted: Vec<(String, u64)> = counts.into_iter().collect();
            sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            sorted
        };
        Facets {
            by_source: most_frequent_first(sources),
            by_language: most_frequent_first(languages),
            by_day: days.into_iter().collect(),
            by_sentiment: most_frequent_first(sentiments),
            by_intent: most_frequent_first(intents),
            by_reason: most_frequent_first(reasons),
        }
    }
}
