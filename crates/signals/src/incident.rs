//! Incidents: turns a slice's anomaly score per bucket into incidents that open, grow and
//! close, with one event per change.
//!
//! A slice (a topic, a keyword, a source, negative mentions only…) is named by a string.
//! Per slice the tracker is either idle or holds one open incident:
//!
//! - **open** when a bucket's score reaches `open_threshold` → [`IncidentEvent::Opened`];
//! - **extend** while scores stay at or above `close_threshold` ("hot" buckets); a re-alert
//!   (another score at or above `open_threshold`) opens nothing: it emits
//!   [`IncidentEvent::Updated`] only when it raises the peak, otherwise it is counted in
//!   [`OpenIncident::repeated_alerts`] and stays silent;
//! - **close** after `cool_down_buckets` consecutive buckets below `close_threshold`
//!   → [`IncidentEvent::Closed`], whose `ended_at` is the last hot bucket.
//!
//! The cool-down counts observed buckets, so feed every bucket of a slice with an open
//! incident (a missing bucket scores 0). Only open incidents take memory: an idle slice
//! costs nothing. The tracker is `Serialize + Deserialize`, so it survives a restart.
//!
//! With the default [`crate::DetectorConfig`], the detector scores the 100 points after an
//! alarm as 0 (its quiet period), so an incident fed those scores closes after exactly
//! `cool_down_buckets`: the cool-down, not the scores, sets its length.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::SignalsError;

/// The alert threshold tuned on NAB's labelled series for [`crate::Detector`] with its
/// default configuration (docs/evaluation.md, standard profile).
pub const TUNED_ALERT_THRESHOLD: f64 = 0.510;

/// When an incident opens and closes. Scores are those of [`crate::Detector`], in [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentConfig {
    /// A score at or above this opens an incident (default [`TUNED_ALERT_THRESHOLD`]).
    pub open_threshold: f64,
    /// A score at or above this keeps an open incident going (default 0.4, a surprise of
    /// about 5 nats: one bucket in 170 by chance).
    pub close_threshold: f64,
    /// Consecutive buckets below `close_threshold` that close an incident (default 12:
    /// one hour of 5-minute buckets).
    pub cool_down_buckets: u32,
}

impl Default for IncidentConfig {
    fn default() -> Self {
        IncidentConfig {
            open_threshold: TUNED_ALERT_THRESHOLD,
            close_threshold: 0.4,
            cool_down_buckets: 12,
        }
    }
}

impl IncidentConfig {
    /// Checks `0 ≤ close_threshold ≤ open_threshold ≤ 1` and `open_threshold > 0`.
    pub fn validate(&self) -> Result<(), SignalsError> {
        let ordered = 0.0 <= self.close_threshold
            && self.close_threshold <= self.open_threshold
            && self.open_threshold <= 1.0
            && self.open_threshold > 0.0;
        if !ordered {
            return Err(SignalsError::InvalidConfig(format!(
                "incident thresholds need 0 <= close ({}) <= open ({}) <= 1 and open > 0",
                self.close_threshold, self.open_threshold
            )));
        }
        Ok(())
    }
}

/// A change of a slice's incident. An incident is identified by `(slice, started_at)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum IncidentEvent {
    /// The score crossed the open threshold; `started_at` is that bucket.
    Opened {
        slice: String,
        started_at: i64,
        peak: f64,
    },
    /// A re-alert raised the peak; `buckets` counts the buckets since the opening one,
    /// both included.
    Updated {
        slice: String,
        started_at: i64,
        peak: f64,
        buckets: u32,
    },
    /// The cool-down ran out; `ended_at` is the last bucket at or above the close
    /// threshold and `buckets` counts the buckets from `started_at` to `ended_at`.
    Closed {
        slice: String,
        started_at: i64,
        ended_at: i64,
        peak: f64,
        buckets: u32,
    },
}

/// What the tracker keeps about a slice's open incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenIncident {
    pub started_at: i64,
    pub peak: f64,
    pub peak_at: i64,
    /// The last bucket at or above the close threshold.
    pub last_hot_at: i64,
    /// The last bucket observed.
    pub last_bucket_at: i64,
    /// Buckets observed since the opening one, both included.
    pub buckets: u32,
    /// Value of `buckets` at the last hot bucket.
    pub buckets_to_last_hot: u32,
    /// Consecutive buckets below the close threshold.
    pub cool_buckets: u32,
    /// Re-alerts absorbed without an event (they did not raise the peak).
    pub repeated_alerts: u32,
}

/// The incidents of every slice. See the module docs for the rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentTracker {
    config: IncidentConfig,
    open: BTreeMap<String, OpenIncident>,
}

impl Default for IncidentTracker {
    fn default() -> Self {
        IncidentTracker::new(IncidentConfig::default()).expect("the default configuration is valid")
    }
}

impl IncidentTracker {
    pub fn new(config: IncidentConfig) -> Result<Self, SignalsError> {
        config.validate()?;
        Ok(IncidentTracker {
            config,
            open: BTreeMap::new(),
        })
    }

    pub fn config(&self) -> &IncidentConfig {
        &self.config
    }

    /// The slice's open incident, if any.
    pub fn open_incident(&self, slice: &str) -> Option<&OpenIncident> {
        self.open.get(slice)
    }

    /// Every open incident, by slice.
    pub fn open_incidents(&self) -> impl Iterator<Item = (&str, &OpenIncident)> {
        self.open
            .iter()
            .map(|(slice, incident)| (slice.as_str(), incident))
    }

    /// Feeds the score of the slice's bucket starting at `bucket_at` (Unix seconds) and
    /// returns the event it causes, if any. A non-finite score counts as 0. Buckets of a
    /// slice with an open incident must come in increasing time order.
    pub fn observe(
        &mut self,
        slice: &str,
        bucket_at: i64,
        score: f64,
    ) -> Result<Option<IncidentEvent>, SignalsError> {
        let score = if score.is_finite() { score } else { 0.0 };
        let Some(incident) = self.open.get_mut(slice) else {
            return Ok(self.maybe_open(slice, bucket_at, score));
        };
        if bucket_at <= incident.last_bucket_at {
            return Err(SignalsError::OutOfOrder {
                series: slice.to_string(),
                previous: incident.last_bucket_at,
                got: bucket_at,
            });
        }
        incident.last_bucket_at = bucket_at;
        incident.buckets = incident.buckets.saturating_add(1);
        if score < self.config.close_threshold {
            incident.cool_buckets += 1;
            if incident.cool_buckets <= self.config.cool_down_buckets {
                return Ok(None);
            }
            let closed = self.open.remove(slice).expect("the incident is open");
            return Ok(Some(IncidentEvent::Closed {
                slice: slice.to_string(),
                started_at: closed.started_at,
                ended_at: closed.last_hot_at,
                peak: closed.peak,
                buckets: closed.buckets_to_last_hot,
            }));
        }
        incident.cool_buckets = 0;
        incident.last_hot_at = bucket_at;
        incident.buckets_to_last_hot = incident.buckets;
        if score < self.config.open_threshold {
            return Ok(None);
        }
        if score <= incident.peak {
            incident.repeated_alerts = incident.repeated_alerts.saturating_add(1);
            return Ok(None);
        }
        incident.peak = score;
        incident.peak_at = bucket_at;
        Ok(Some(IncidentEvent::Updated {
            slice: slice.to_string(),
            started_at: incident.started_at,
            peak: score,
            buckets: incident.buckets,
        }))
    }

    fn maybe_open(&mut self, slice: &str, bucket_at: i64, score: f64) -> Option<IncidentEvent> {
        if score < self.config.open_threshold {
            return None;
        }
        let incident = OpenIncident {
            started_at: bucket_at,
            peak: score,
            peak_at: bucket_at,
            last_hot_at: bucket_at,
            last_bucket_at: bucket_at,
            buckets: 1,
            buckets_to_last_hot: 1,
            cool_buckets: 0,
            repeated_alerts: 0,
        };
        self.open.insert(slice.to_string(), incident);
        Some(IncidentEvent::Opened {
            slice: slice.to_string(),
            started_at: bucket_at,
            peak: score,
        })
    }
}

#[cfg(test)]
#[path = "incident_tests.rs"]
mod tests;
