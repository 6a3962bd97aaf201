//! Counters for every stage of the pipeline, exported in Prometheus' text format.

use std::sync::atomic::{AtomicU64, Ordering};

/// Monotonic counters, shared by every ingest path of one process.
#[derive(Debug, Default)]
pub struct Counters {
    pub records_read: AtomicU64,
    pub records_ignored: AtomicU64,
    pub records_quarantined: AtomicU64,
    pub mentions_normalized: AtomicU64,
    pub mentions_duplicate: AtomicU64,
    pub mentions_near_duplicate: AtomicU64,
    pub mentions_repost: AtomicU64,
    pub mentions_language_detected: AtomicU64,
    pub mentions_topic_matched: AtomicU64,
    pub mentions_enriched: AtomicU64,
    pub mentions_stored: AtomicU64,
    pub mentions_edited: AtomicU64,
    pub mentions_deleted: AtomicU64,
    pub mentions_indexed: AtomicU64,
    pub index_commits: AtomicU64,
    pub store_batches: AtomicU64,
    /// Time spent in each stage, in microseconds (summed over threads).
    pub prepare_micros: AtomicU64,
    /// Part of `prepare_micros`: the understanding models.
    pub enrich_micros: AtomicU64,
    pub influence_micros: AtomicU64,
    pub store_micros: AtomicU64,
    pub index_micros: AtomicU64,
    pub index_commit_micros: AtomicU64,
    /// Cases opened by the case rules, and the time the rules took.
    pub cases_opened: AtomicU64,
    pub cases_micros: AtomicU64,
}

impl Counters {
    pub fn add(counter: &AtomicU64, value: u64) {
        counter.fetch_add(value, Ordering::Relaxed);
    }

    /// Adds the time elapsed since `started` to a stage's clock.
    pub fn time(counter: &AtomicU64, started: std::time::Instant) {
        counter.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    }

    /// Seconds spent per stage, for benchmarks.
    pub fn stage_seconds(&self) -> [(&'static str, f64); 7] {
        let seconds = |counter: &AtomicU64| counter.load(Ordering::Relaxed) as f64 / 1e6;
        [
            ("prepare", seconds(&self.prepare_micros)),
            ("prepare_enrich", seconds(&self.enrich_micros)),
            ("influence", seconds(&self.influence_micros)),
            ("store", seconds(&self.store_micros)),
            ("index", seconds(&self.index_micros)),
            ("index_commit", seconds(&self.index_commit_micros)),
            ("cases", seconds(&self.cases_micros)),
        ]
    }

    fn all(&self) -> [(&'static str, &'static str, &AtomicU64); 24] {
        [
            ("records_read", "records read from any source", &self.records_read),
            ("records_ignored", "well-formed records that carry no mention (likes, follows)", &self.records_ignored),
            ("records_quarantined", "records rejected into quarantine", &self.records_quarantined),
            ("mentions_normalized", "mentions normalised", &self.mentions_normalized),
            ("mentions_duplicate", "mentions already stored (same source and id)", &self.mentions_duplicate),
            ("mentions_near_duplicate", "mentions linked to an original they copy", &self.mentions_near_duplicate),
            ("mentions_repost", "reposts linked to their original", &self.mentions_repost),
            ("mentions_language_detected", "mentions whose language was detected", &self.mentions_language_detected),
            ("mentions_topic_matched", "mentions that matched at least one topic", &self.mentions_topic_matched),
            ("mentions_enriched", "mentions given a sentiment, reason, intent and author type", &self.mentions_enriched),
            ("mentions_stored", "mentions stored for the first time", &self.mentions_stored),
            ("mentions_edited", "mentions replaced by an edit at the source", &self.mentions_edited),
            ("mentions_deleted", "mentions removed after a deletion at the source", &self.mentions_deleted),
            ("mentions_indexed", "mentions added to the search index", &self.mentions_indexed),
            ("index_commits", "search index commits", &self.index_commits),
            ("store_batches", "store transactions of the pipeline", &self.store_batches),
            ("stage_prepare_micros", "time spent normalising, detecting languages, matching topics", &self.prepare_micros),
            ("stage_enrich_micros", "part of the prepare stage spent in the understanding models", &self.enrich_micros),
            ("stage_influence_micros", "time spent updating authors' real influence", &self.influence_micros),
            ("stage_store_micros", "time spent in store transactions", &self.store_micros),
            ("stage_index_micros", "time spent adding to the search index", &self.index_micros),
            ("stage_index_commit_micros", "time spent committing the search index", &self.index_commit_micros),
            ("cases_opened", "cases opened by the case rules", &self.cases_opened),
            ("stage_cases_micros", "time spent in the case rules (open, thread, route, assign)", &self.cases_micros),
        ]
    }

    /// The counters in Prometheus' text exposition format.
    pub fn to_prometheus(&self) -> String {
        let mut text = String::new();
        for (name, help, counter) in self.all() {
            let value = counter.load(Ordering::Relaxed);
            text.push_str(&format!(
                "# HELP comptoir_{name}_total {help}\n# TYPE comptoir_{name}_total counter\ncomptoir_{name}_total {value}\n"
            ));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_text_has_every_counter() {
        let counters = Counters::default();
        Counters::add(&counters.mentions_stored, 3);
        let text = counters.to_prometheus();
        assert!(text.contains("comptoir_mentions_stored_total 3\n"));
        assert_eq!(text.matches("# TYPE").count(), 24);
    }
}
