//! The early warning in the running product (issue #5): counts stored mentions per time
//! bucket and per slice (the whole stream, each listening topic, negative mentions), and
//! when a bucket closes feeds each count to the slice's [`signals::Detector`], its score
//! to the [`signals::IncidentTracker`], each topic's terms to its
//! [`signals::WeakSignalTracker`], and raises alerts.
//!
//! **Buckets are ingestion time** (the clock when the writer stores a mention), not the
//! mention's `created_at`: a live stream's two agree within seconds, and a bulk import of
//! old posts then counts as one burst of work rather than replaying years of history
//! through the detectors. Buckets are aligned on multiples of `bucket_seconds`.
//!
//! The hot path only counts (a few integer increments per stored mention). Everything
//! else happens when a bucket closes: at the first batch or writer tick after its end.
//! The mentions of a bucket are found again by id: ids grow with ingestion, and the
//! highest id counted when each bucket closed is kept.
//!
//! State (detectors, trackers, open incidents, the alert policy) is saved as JSON in the
//! store's `state` table after each close, so a restart continues; the partial counts of
//! the open bucket are not saved (a restart loses at most one bucket's counts). Only the
//! process that owns the search index runs the early warning (one writer of that state).

mod alerts;
mod api;
mod author_alerts;
mod buckets;
mod incidents;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use domain::{SentimentLabel, StoredMention};
use serde::{Deserialize, Serialize};
use signals::{AlertPolicy, Detector, DetectorConfig, IncidentTracker, WeakSignal, WeakSignalTracker};
use store::Store;

use crate::ServiceError;

pub use alerts::{AlertChannel, AlertKind, AlertRule, Deliveries, NewAlertRule, WEBHOOK_SIGNATURE_HEADER, sign_body};
pub use api::{Alert, Page};
pub use alerts::{Delivery, EmailReply};
pub use incidents::{Incident, IncidentPatch, IncidentStatus, TimelineEvent};

/// The key of the saved state in the store's `state` table.
const STATE_KEY: &str = "early_warning.state";
/// The key of each topic's latest weak signals (read by the API without the writer).
const WEAK_SIGNALS_KEY: &str = "early_warning.weak_signals";
/// At most this many of a bucket's mentions are read back when it closes.
const MAX_BUCKET_MENTIONS: usize = 20_000;
/// After a long stop, at most this many empty buckets are fed as zeros.
const MAX_EMPTY_BUCKETS: i64 = 288;

/// `[early_warning]` in the configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EarlyWarningConfig {
    /// The length of a bucket (default 300: five minutes).
    pub bucket_seconds: i64,
    /// Buckets each detector learns before it scores (default: the detector's 150).
    pub detector_warmup_buckets: Option<u64>,
    /// Buckets before an incident compared with it to find its drivers (default 12).
    pub baseline_buckets: usize,
    /// Buckets a topic's weak-signal tracker learns before it flags terms (default 24).
    pub weak_signals_warmup_buckets: u64,
}

impl Default for EarlyWarningConfig {
    fn default() -> Self {
        EarlyWarningConfig { bucket_seconds: 300, detector_warmup_buckets: None, baseline_buckets: 12, weak_signals_warmup_buckets: 24 }
    }
}

/// Now, in Unix seconds. Tests replace the wall clock to replay hours in a second.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

fn wall_clock() -> Clock {
    Arc::new(|| chrono::Utc::now().timestamp())
}

/// Per-topic weak signals of the latest bucket that had some, with example mentions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopicWeakSignals {
    pub bucket_at: Option<i64>,
    pub signals: Vec<WeakSignalWithExamples>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeakSignalWithExamples {
    #[serde(flatten)]
    pub signal: WeakSignal,
    /// Up to three mentions of the bucket with the term.
    pub example_mention_ids: Vec<i64>,
}

/// What survives a restart.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SavedState {
    /// Start of the open bucket.
    bucket_at: Option<i64>,
    /// Highest mention id counted so far.
    last_id: i64,
    /// (bucket start, highest mention id counted when it closed) of recent buckets.
    boundaries: VecDeque<(i64, i64)>,
    detectors: BTreeMap<String, Detector>,
    tracker: IncidentTracker,
    /// The stored incident of each slice with an open incident.
    incident_ids: BTreeMap<String, i64>,
    weak_signals: BTreeMap<String, WeakSignalTracker>,
    policy: AlertPolicy,
}

/// Mentions counted in the open bucket.
#[derive(Debug, Default)]
struct BucketCounts {
    total: u64,
    negative: u64,
    per_topic: HashMap<String, u64>,
}

pub struct EarlyWarning {
    store: Arc<dyn Store>,
    config: EarlyWarningConfig,
    clock: Clock,
    state: SavedState,
    counts: BucketCounts,
    deliveries: Deliveries,
}

impl EarlyWarning {
    /// Loads the saved state (or starts fresh).
    pub fn load(store: Arc<dyn Store>, config: EarlyWarningConfig, deliveries: Deliveries) -> Result<EarlyWarning, ServiceError> {
        if config.bucket_seconds <= 0 {
            return Err(ServiceError::Config("early_warning.bucket_seconds must be at least 1".into()));
        }
        let state = match store.get_state(STATE_KEY)? {
            Some(saved) => serde_json::from_str(&saved).unwrap_or_else(|error| {
                tracing::warn!(%error, "the saved early-warning state is unreadable: starting afresh");
                SavedState::default()
            }),
            None => SavedState::default(),
        };
        Ok(EarlyWarning { store, config, clock: wall_clock(), state, counts: BucketCounts::default(), deliveries })
    }

    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// Counts a batch of newly stored mentions (the hot path: no I/O unless a bucket
    /// closed since the last call).
    pub fn count(&mut self, mentions: &[StoredMention]) -> Result<(), ServiceError> {
        self.close_due_buckets()?;
        for mention in mentions {
            self.counts.total += 1;
            if mention.enrichment.as_ref().is_some_and(|enrichment| enrichment.sentiment == SentimentLabel::Negative) {
                self.counts.negative += 1;
            }
            for topic in &mention.topics {
                match self.counts.per_topic.get_mut(topic) {
                    Some(count) => *count += 1,
                    None => {
                        self.counts.per_topic.insert(topic.clone(), 1);
                    }
                }
            }
            self.state.last_id = self.state.last_id.max(mention.id.0);
        }
        Ok(())
    }

    /// Closes the buckets whose end has passed (called on every writer tick too, so a
    /// quiet stream still closes its buckets).
    pub fn close_due_buckets(&mut self) -> Result<(), ServiceError> {
        let now = (self.clock)();
        let current = now - now.rem_euclid(self.config.bucket_seconds);
        let Some(open) = self.state.bucket_at else {
            self.state.bucket_at = Some(current);
            return Ok(());
        };
        if current <= open {
            return Ok(());
        }
        let counts = std::mem::take(&mut self.counts);
        self.close_bucket(open, counts)?;
        let first_empty = (open + self.config.bucket_seconds).max(current - MAX_EMPTY_BUCKETS * self.config.bucket_seconds);
        let mut empty = first_empty;
        while empty < current {
            self.close_bucket(empty, BucketCounts::default())?;
            empty += self.config.bucket_seconds;
        }
        self.state.bucket_at = Some(current);
        self.save()
    }

    fn save(&self) -> Result<(), ServiceError> {
        let saved = serde_json::to_string(&self.state).map_err(|error| ServiceError::Invalid(error.to_string()))?;
        self.store.set_state(STATE_KEY, &saved)?;
        Ok(())
    }

    fn new_detector(&self) -> Detector {
        Detector::new(detector_config(&self.config)).unwrap_or_default()
    }
}

/// The detector of every slice: the evaluated default, with a shorter warm-up if asked.
pub fn detector_config(config: &EarlyWarningConfig) -> DetectorConfig {
    let mut detector = DetectorConfig::default();
    if let Some(warmup) = config.detector_warmup_buckets {
        detector.warmup_points = warmup;
        detector.model_min_predictions = detector.model_min_predictions.min(warmup.max(1));
    }
    detector
}

/// Which slice a stored mention belongs to: `total`, `negative`, `topic:NAME`.
pub fn in_slice(slice: &str, mention: &StoredMention) -> bool {
    match slice {
        "total" => true,
        "negative" => mention.enrichment.as_ref().is_some_and(|enrichment| enrichment.sentiment == SentimentLabel::Negative),
        _ => slice.strip_prefix("topic:").is_some_and(|topic| mention.topics.iter().any(|name| name == topic)),
    }
}

/// Each topic's latest weak signals, as saved by the running early warning.
pub fn saved_weak_signals(store: &dyn Store) -> Result<BTreeMap<String, TopicWeakSignals>, ServiceError> {
    Ok(match store.get_state(WEAK_SIGNALS_KEY)? {
        Some(saved) => serde_json::from_str(&saved).unwrap_or_default(),
        None => BTreeMap::new(),
    })
}
