//! Weak signals: the terms of one topic whose count in the current bucket rises well above
//! their own baseline. One [`WeakSignalTracker`] per topic, fed every bucket in time order
//! with the bucket's term counts (e.g. [`crate::terms_of`] over its mentions; an empty
//! bucket with no counts).
//!
//! **Baseline**: per term, an exponentially weighted mean count per bucket, with a
//! half-life in buckets; a term absent from a bucket counts 0. Until there are enough
//! buckets for the weight, it is the plain mean since the tracker started (as the
//! detector's models do), so a young tracker is not biased low.
//!
//! **Flag**: a term whose count `k` in the bucket has, against the expected count
//! `λ = max(baseline, baseline_floor)`, `k ≥ min_count`, `k ≥ min_rise · λ` and a Poisson
//! surprise `-log10 P(X ≥ k | λ) ≥ min_score`. The floor gives a new term a small
//! expected count instead of zero. Nothing is flagged during the first `warmup_buckets`.
//!
//! **Online**: the signals of a bucket depend only on it and earlier buckets: the term is
//! judged against its baseline *before* the bucket is added.
//!
//! **Bounded memory**: after each bucket, terms whose baseline fell below `forget_below`
//! are dropped, then only the `max_terms` with the highest baselines are kept (ties: the
//! most recently seen, then by term). So at most `max_terms` terms are kept between
//! buckets; a dropped term that returns is new again (its `first_seen` restarts).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::SignalsError;
use crate::stats::{poisson_upper_tail_surprise, warm_start_weight};

/// Tuning of [`WeakSignalTracker`]; counts are per bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WeakSignalsConfig {
    /// Buckets after which a past count weighs half (default 72: three days of hourly
    /// buckets, long enough that yesterday's news is still the baseline today).
    pub baseline_half_life_buckets: f64,
    /// Buckets observed before anything is flagged (default 24: one day of hourly buckets).
    pub warmup_buckets: u64,
    /// A flagged term appears at least this often in the bucket (default 5).
    pub min_count: u64,
    /// … and at least this many times its expected count (default 3).
    pub min_rise: f64,
    /// … with a Poisson surprise `-log10 p` of at least this (default 5: with 10,000
    /// terms per bucket, one chance flag every ten buckets if counts were Poisson).
    pub min_score: f64,
    /// Expected count of a term never or rarely seen (default 0.1).
    pub baseline_floor: f64,
    /// Terms kept between buckets (default 10,000).
    pub max_terms: usize,
    /// Terms whose baseline falls below this are forgotten (default 0.001: a term seen
    /// once is kept about 240 buckets with the default half-life, ten days of hours).
    pub forget_below: f64,
    /// Signals returned per bucket, best first (default 20).
    pub max_signals: usize,
}

impl Default for WeakSignalsConfig {
    fn default() -> Self {
        WeakSignalsConfig {
            baseline_half_life_buckets: 72.0,
            warmup_buckets: 24,
            min_count: 5,
            min_rise: 3.0,
            min_score: 5.0,
            baseline_floor: 0.1,
            max_terms: 10_000,
            forget_below: 0.001,
            max_signals: 20,
        }
    }
}

impl WeakSignalsConfig {
    /// Checks a positive half-life and floor, a rise of at least 1 and a score.
    pub fn validate(&self) -> Result<(), SignalsError> {
        let valid = self.baseline_half_life_buckets > 0.0
            && self.baseline_half_life_buckets.is_finite()
            && self.baseline_floor > 0.0
            && self.baseline_floor.is_finite()
            && self.min_rise >= 1.0
            && !self.min_score.is_nan()
            && self.forget_below >= 0.0;
        if !valid {
            return Err(SignalsError::InvalidConfig(format!(
                "weak signals need a positive half-life and floor, min_rise >= 1, a min_score and \
                 forget_below >= 0: {self:?}"
            )));
        }
        Ok(())
    }

    fn alpha(&self) -> f64 {
        1.0 - 0.5f64.powf(1.0 / self.baseline_half_life_buckets)
    }
}

/// A term rising against its own baseline in one bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeakSignal {
    pub term: String,
    /// Its count in the bucket.
    pub count: u64,
    /// Its mean count per bucket before this one.
    pub baseline: f64,
    /// `-log10 P(X ≥ count)` for a Poisson count with mean `max(baseline, floor)`.
    pub score: f64,
    /// The bucket in which the tracker first saw the term (this one if it is new).
    pub first_seen: i64,
}

/// What the tracker keeps per term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct TermBaseline {
    mean_count: f64,
    first_seen: i64,
    last_seen: i64,
}

/// The weak signals of one topic. Serde-persistable: a restored tracker continues with
/// identical results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeakSignalTracker {
    config: WeakSignalsConfig,
    terms: BTreeMap<String, TermBaseline>,
    buckets_seen: u64,
    last_bucket_at: Option<i64>,
}

impl Default for WeakSignalTracker {
    fn default() -> Self {
        WeakSignalTracker::new(WeakSignalsConfig::default())
            .expect("the default configuration is valid")
    }
}

impl WeakSignalTracker {
    pub fn new(config: WeakSignalsConfig) -> Result<Self, SignalsError> {
        config.validate()?;
        Ok(WeakSignalTracker {
            config,
            terms: BTreeMap::new(),
            buckets_seen: 0,
            last_bucket_at: None,
        })
    }

    pub fn config(&self) -> &WeakSignalsConfig {
        &self.config
    }

    /// Terms currently tracked (at most `max_terms` between buckets).
    pub fn tracked_terms(&self) -> usize {
        self.terms.len()
    }

    /// A term's mean count per bucket so far, if it is tracked.
    pub fn baseline(&self, term: &str) -> Option<f64> {
        self.terms.get(term).map(|baseline| baseline.mean_count)
    }

    /// Adds the bucket starting at `bucket_at` (Unix seconds, after the previous one) with
    /// its term counts (a term listed twice adds up) and returns its weak signals, best
    /// first (score, then count, then term).
    pub fn observe<'a>(
        &mut self,
        bucket_at: i64,
        term_counts: impl IntoIterator<Item = (&'a str, u64)>,
    ) -> Result<Vec<WeakSignal>, SignalsError> {
        if let Some(previous) = self
            .last_bucket_at
            .filter(|&previous| bucket_at <= previous)
        {
            return Err(SignalsError::OutOfOrder {
                series: "weak signals".into(),
                previous,
                got: bucket_at,
            });
        }
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for (term, count) in term_counts {
            let total = counts.entry(term).or_default();
            *total = total.saturating_add(count);
        }
        let signals = if self.buckets_seen >= self.config.warmup_buckets {
            self.rising_terms(bucket_at, &counts)
        } else {
            Vec::new()
        };
        self.add_to_baselines(bucket_at, &counts);
        self.forget();
        self.buckets_seen += 1;
        self.last_bucket_at = Some(bucket_at);
        Ok(signals)
    }

    fn rising_terms(&self, bucket_at: i64, counts: &BTreeMap<&str, u64>) -> Vec<WeakSignal> {
        let config = &self.config;
        let mut signals = Vec::new();
        for (&term, &count) in counts {
            let known = self.terms.get(term);
            let baseline = known.map_or(0.0, |known| known.mean_count);
            let expected = baseline.max(config.baseline_floor);
            if count < config.min_count || (count as f64) < config.min_rise * expected {
                continue;
            }
            let score = poisson_upper_tail_surprise(count, expected);
            if score < config.min_score {
                continue;
            }
            signals.push(WeakSignal {
                term: term.to_string(),
                count,
                baseline,
                score,
                first_seen: known.map_or(bucket_at, |known| known.first_seen),
            });
        }
        signals.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(b.count.cmp(&a.count))
                .then_with(|| a.term.cmp(&b.term))
        });
        signals.truncate(config.max_signals);
        signals
    }

    fn add_to_baselines(&mut self, bucket_at: i64, counts: &BTreeMap<&str, u64>) {
        let weight = warm_start_weight(self.config.alpha(), self.buckets_seen + 1);
        for baseline in self.terms.values_mut() {
            baseline.mean_count *= 1.0 - weight;
        }
        for (&term, &count) in counts {
            if count == 0 {
                continue;
            }
            let baseline = self.terms.entry(term.to_string()).or_insert(TermBaseline {
                mean_count: 0.0,
                first_seen: bucket_at,
                last_seen: bucket_at,
            });
            baseline.mean_count += weight * count as f64;
            baseline.last_seen = bucket_at;
        }
    }

    fn forget(&mut self) {
        let forget_below = self.config.forget_below;
        self.terms
            .retain(|_, baseline| baseline.mean_count >= forget_below);
        if self.terms.len() <= self.config.max_terms {
            return;
        }
        let mut ranked: Vec<(String, TermBaseline)> =
            std::mem::take(&mut self.terms).into_iter().collect();
        ranked.sort_by(|(term_a, a), (term_b, b)| {
            b.mean_count
                .total_cmp(&a.mean_count)
                .then(b.last_seen.cmp(&a.last_seen))
                .then_with(|| term_a.cmp(term_b))
        });
        ranked.truncate(self.config.max_terms);
        self.terms = ranked.into_iter().collect();
    }
}

#[cfg(test)]
#[path = "weak_signals_tests.rs"]
mod tests;
