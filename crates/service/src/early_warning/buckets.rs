//! What happens when a bucket closes: detection per slice, incidents, weak signals,
//! keyword alerts.

use std::collections::{BTreeMap, BTreeSet};

use domain::{MentionId, StoredMention};
use signals::{IncidentEvent, WeakSignalTracker, WeakSignalsConfig};

use super::{BucketCounts, EarlyWarning, MAX_BUCKET_MENTIONS, TopicWeakSignals, WEAK_SIGNALS_KEY, WeakSignalWithExamples, in_slice};
use crate::ServiceError;

impl EarlyWarning {
    pub(super) fn close_bucket(&mut self, bucket_at: i64, counts: BucketCounts) -> Result<(), ServiceError> {
        let first_id = self.state.boundaries.back().map_or(0, |&(_, last_id)| last_id);
        let last_id = self.state.last_id;
        let mentions = if counts.total == 0 { Vec::new() } else { self.mentions_between(first_id, last_id)? };

        let mut slice_counts: BTreeMap<String, u64> = BTreeMap::new();
        slice_counts.insert("total".into(), counts.total);
        slice_counts.insert("negative".into(), counts.negative);
        for (topic, count) in &counts.per_topic {
            slice_counts.insert(format!("topic:{topic}"), *count);
        }
        // Every topic is counted from its creation, even before its first mention.
        for topic in self.store.list_topics()? {
            slice_counts.entry(format!("topic:{}", topic.topic.name)).or_insert(0);
        }
        for slice in self.state.detectors.keys() {
            slice_counts.entry(slice.clone()).or_insert(0);
        }
        for (slice, count) in &slice_counts {
            let detector = match self.state.detectors.get_mut(slice) {
                Some(detector) => detector,
                None => {
                    let detector = self.new_detector();
                    self.state.detectors.entry(slice.clone()).or_insert(detector)
                }
            };
            let score = detector.update(bucket_at, *count as f64);
            let event = self.state.tracker.observe(slice, bucket_at, score)?;
            self.on_bucket_scored(slice, bucket_at, *count, score, event, &mentions)?;
        }
        self.observe_weak_signals(bucket_at, &counts, &mentions)?;
        self.check_keyword_rules(bucket_at, &mentions)?;
        self.check_author_rules(bucket_at, &mentions)?;
        self.check_sla_backlog_rules(bucket_at)?;

        self.state.boundaries.push_back((bucket_at, last_id));
        while self.state.boundaries.len() > self.config.baseline_buckets + 1 {
            self.state.boundaries.pop_front();
        }
        Ok(())
    }

    /// Stored mentions with an id in `(after, up_to]`, the latest [`MAX_BUCKET_MENTIONS`].
    pub(super) fn mentions_between(&self, after: i64, up_to: i64) -> Result<Vec<StoredMention>, ServiceError> {
        let from = (after + 1).max(up_to - MAX_BUCKET_MENTIONS as i64 + 1);
        let ids: Vec<MentionId> = (from..=up_to).map(MentionId).collect();
        let mut mentions = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(1_000) {
            mentions.extend(self.store.get_mentions(chunk)?);
        }
        Ok(mentions)
    }

    fn on_bucket_scored(
        &mut self,
        slice: &str,
        bucket_at: i64,
        count: u64,
        score: f64,
        event: Option<IncidentEvent>,
        mentions: &[StoredMention],
    ) -> Result<(), ServiceError> {
        match event {
            Some(IncidentEvent::Opened { started_at, peak, .. }) => {
                self.open_incident(slice, started_at, peak, count, score, mentions)?;
            }
            Some(IncidentEvent::Updated { peak, .. }) => self.extend_incident(slice, bucket_at, count, score, mentions, Some(peak), None)?,
            Some(IncidentEvent::Closed { ended_at, peak, .. }) => {
                self.extend_incident(slice, bucket_at, count, score, mentions, Some(peak), Some(ended_at))?;
                self.state.incident_ids.remove(slice);
            }
            None if self.state.incident_ids.contains_key(slice) => {
                self.extend_incident(slice, bucket_at, count, score, mentions, None, None)?;
            }
            None => {}
        }
        Ok(())
    }

    fn observe_weak_signals(&mut self, bucket_at: i64, counts: &BucketCounts, mentions: &[StoredMention]) -> Result<(), ServiceError> {
        let mut topics: BTreeSet<String> = self.state.weak_signals.keys().cloned().collect();
        topics.extend(counts.per_topic.keys().cloned());
        if topics.is_empty() {
            return Ok(());
        }
        let mut latest = super::saved_weak_signals(self.store.as_ref())?;
        let mut changed = false;
        for topic in topics {
            let slice = format!("topic:{topic}");
            let mut term_counts: BTreeMap<String, u64> = BTreeMap::new();
            let mut examples: BTreeMap<String, Vec<i64>> = BTreeMap::new();
            for mention in mentions.iter().filter(|mention| in_slice(&slice, mention)) {
                for term in signals::terms_of(&mention.mention.text, mention.mention.language.as_deref()) {
                    let ids = examples.entry(term.clone()).or_default();
                    if ids.len() < 3 {
                        ids.push(mention.id.0);
                    }
                    *term_counts.entry(term).or_default() += 1;
                }
            }
            let warmup = self.config.weak_signals_warmup_buckets;
            let tracker = self.state.weak_signals.entry(topic.clone()).or_insert_with(|| {
                WeakSignalTracker::new(WeakSignalsConfig { warmup_buckets: warmup, ..WeakSignalsConfig::default() }).unwrap_or_default()
            });
            let signals = tracker.observe(bucket_at, term_counts.iter().map(|(term, count)| (term.as_str(), *count)))?;
            if signals.is_empty() {
                continue;
            }
            let with_examples = signals
                .into_iter()
                .map(|signal| {
                    let example_mention_ids = examples.get(&signal.term).cloned().unwrap_or_default();
                    WeakSignalWithExamples { signal, example_mention_ids }
                })
                .collect();
            latest.insert(topic, TopicWeakSignals { bucket_at: Some(bucket_at), signals: with_examples });
            changed = true;
        }
        if changed {
            let saved = serde_json::to_string(&latest).map_err(|error| ServiceError::Invalid(error.to_string()))?;
            self.store.set_state(WEAK_SIGNALS_KEY, &saved)?;
        }
        Ok(())
    }
}
