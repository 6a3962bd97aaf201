//! The listening dashboard's numbers in one pass over the matching mentions' fast
//! fields: counts per time bucket by source and by sentiment, and totals by complaint
//! reason and intent. Nothing is read from the stored documents.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::names;

/// Time buckets: `count` buckets of `seconds` each, the first starting at `from`
/// (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buckets {
    pub from: i64,
    pub seconds: i64,
    pub count: usize,
}

impl Buckets {
    /// The bucket holding `at`, if any.
    pub fn index_of(&self, at: i64) -> Option<usize> {
        if at < self.from || self.seconds <= 0 {
            return None;
        }
        let index = ((at - self.from) / self.seconds) as usize;
        (index < self.count).then_some(index)
    }

    /// The end of the last bucket (exclusive).
    pub fn to(&self) -> i64 {
        self.from + self.seconds * self.count as i64
    }
}

/// One value's count in each bucket.
pub type BucketSeries = Vec<(String, Vec<u64>)>;

/// What [`crate::SearchIndex::aggregate`] counts over the mentions in the buckets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aggregates {
    /// Matching mentions inside the buckets.
    pub total: u64,
    /// Matching mentions per bucket.
    pub per_bucket: Vec<u64>,
    /// Per source, mentions per bucket; the largest source first.
    pub by_source: BucketSeries,
    /// Per sentiment, mentions per bucket (mentions without enrichment are not counted).
    pub by_sentiment: BucketSeries,
    /// Complaint reasons, most frequent first.
    pub by_reason: Vec<(String, u64)>,
    /// Intents, most frequent first.
    pub by_intent: Vec<(String, u64)>,
}

pub(crate) struct AggregateCollector {
    pub buckets: Buckets,
}

pub(crate) struct AggregateSegmentCollector {
    buckets: Buckets,
    created_at: Column<tantivy::DateTime>,
    per_bucket: Vec<u64>,
    /// (column, counts indexed by `ord * buckets + bucket`)
    source: Option<(StrColumn, Vec<u64>)>,
    sentiment: Option<(StrColumn, Vec<u64>)>,
    /// (column, counts indexed by ord)
    reason: Option<(StrColumn, Vec<u64>)>,
    intent: Option<(StrColumn, Vec<u64>)>,
}

/// Mergeable counts: per-bucket totals, then value → counts for the four fields.
#[derive(Default)]
pub(crate) struct AggregateFruit {
    per_bucket: Vec<u64>,
    by_source: BTreeMap<String, Vec<u64>>,
    by_sentiment: BTreeMap<String, Vec<u64>>,
    by_reason: BTreeMap<String, u64>,
    by_intent: BTreeMap<String, u64>,
}

fn column(reader: &SegmentReader, name: &str, slots: usize) -> tantivy::Result<Option<(StrColumn, Vec<u64>)>> {
    Ok(reader.fast_fields().str(name)?.map(|column| {
        let counts = vec![0; column.num_terms() * slots];
        (column, counts)
    }))
}

impl Collector for AggregateCollector {
    type Fruit = AggregateFruit;
    type Child = AggregateSegmentCollector;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<AggregateSegmentCollector> {
        let slots = self.buckets.count;
        Ok(AggregateSegmentCollector {
            buckets: self.buckets,
            created_at: reader.fast_fields().date(names::CREATED_AT)?,
            per_bucket: vec![0; slots],
            source: column(reader, names::SOURCE, slots)?,
            sentiment: column(reader, names::SENTIMENT, slots)?,
            reason: column(reader, names::REASON, 1)?,
            intent: column(reader, names::INTENT, 1)?,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<AggregateFruit>) -> tantivy::Result<AggregateFruit> {
        let slots = self.buckets.count;
        let mut merged = AggregateFruit { per_bucket: vec![0; slots], ..AggregateFruit::default() };
        let add_series = |total: &mut BTreeMap<String, Vec<u64>>, part: BTreeMap<String, Vec<u64>>| {
            for (value, counts) in part {
                let entry = total.entry(value).or_insert_with(|| vec![0; slots]);
                entry.iter_mut().zip(counts).for_each(|(sum, count)| *sum += count);
            }
        };
        for fruit in fruits {
            merged.per_bucket.iter_mut().zip(&fruit.per_bucket).for_each(|(sum, count)| *sum += count);
            add_series(&mut merged.by_source, fruit.by_source);
            add_series(&mut merged.by_sentiment, fruit.by_sentiment);
            for (value, count) in fruit.by_reason {
                *merged.by_reason.entry(value).or_default() += count;
            }
            for (value, count) in fruit.by_intent {
                *merged.by_intent.entry(value).or_default() += count;
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for AggregateSegmentCollector {
    type Fruit = AggregateFruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(created_at) = self.created_at.first(doc) else { return };
        let Some(bucket) = self.buckets.index_of(created_at.into_timestamp_secs()) else { return };
        self.per_bucket[bucket] += 1;
        let slots = self.buckets.count;
        for (column, counts) in [&mut self.source, &mut self.sentiment].into_iter().flatten() {
            if let Some(ord) = column.ords().first(doc) {
                counts[ord as usize * slots + bucket] += 1;
            }
        }
        for (column, counts) in [&mut self.reason, &mut self.intent].into_iter().flatten() {
            if let Some(ord) = column.ords().first(doc) {
                counts[ord as usize] += 1;
            }
        }
    }

    fn harvest(self) -> AggregateFruit {
        let slots = self.buckets.count;
        let series = |column: Option<(StrColumn, Vec<u64>)>| {
            let mut out = BTreeMap::new();
            let Some((column, counts)) = column else { return out };
            for (ord, chunk) in counts.chunks(slots.max(1)).enumerate() {
                let mut value = String::new();
                if chunk.iter().any(|count| *count > 0) && column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                    out.insert(value, chunk.to_vec());
                }
            }
            out
        };
        let totals = |column: Option<(StrColumn, Vec<u64>)>| {
            let mut out = BTreeMap::new();
            let Some((column, counts)) = column else { return out };
            for (ord, count) in counts.into_iter().enumerate().filter(|(_, count)| *count > 0) {
                let mut value = String::new();
                if column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                    out.insert(value, count);
                }
            }
            out
        };
        AggregateFruit {
            per_bucket: self.per_bucket,
            by_source: series(self.source),
            by_sentiment: series(self.sentiment),
            by_reason: totals(self.reason),
            by_intent: totals(self.intent),
        }
    }
}

fn largest_first_series(series: BTreeMap<String, Vec<u64>>) -> BucketSeries {
    let mut sorted: BucketSeries = series.into_iter().collect();
    sorted.sort_by(|a, b| b.1.iter().sum::<u64>().cmp(&a.1.iter().sum::<u64>()).then_with(|| a.0.cmp(&b.0)));
    sorted
}

fn most_frequent_first(counts: BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut sorted: Vec<(String, u64)> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    sorted
}

impl Aggregates {
    pub(crate) fn from_fruit(fruit: AggregateFruit) -> Aggregates {
        Aggregates {
            total: fruit.per_bucket.iter().sum(),
            per_bucket: fruit.per_bucket,
            by_source: largest_first_series(fruit.by_source),
            by_sentiment: largest_first_series(fruit.by_sentiment),
            by_reason: most_frequent_first(fruit.by_reason),
            by_intent: most_frequent_first(fruit.by_intent),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_falls_in_its_bucket_or_none() {
        let buckets = Buckets { from: 1_000, seconds: 60, count: 3 };
        assert_eq!(buckets.index_of(999), None);
        assert_eq!(buckets.index_of(1_000), Some(0));
        assert_eq!(buckets.index_of(1_059), Some(0));
        assert_eq!(buckets.index_of(1_060), Some(1));
        assert_eq!(buckets.index_of(1_179), Some(2));
        assert_eq!(buckets.index_of(1_180), None);
        assert_eq!(buckets.to(), 1_180);
        assert_eq!(Buckets { from: 0, seconds: 0, count: 3 }.index_of(5), None);
    }
}
