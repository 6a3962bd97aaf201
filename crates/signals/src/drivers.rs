//! Drivers: what is over-represented in a spike's window against the baseline.
//!
//! Input is two [`FeatureCounts`], `(kind, value) -> count` for the window and for the
//! baseline (terms and phrases, places, sources, authors). Each kind is compared on its
//! own, since a mention has many terms but one source.
//!
//! **Statistic**: Dunning's log-likelihood ratio G² (Dunning 1993, "Accurate methods for
//! the statistics of surprise and coincidence") on the 2×2 table of the value against the
//! rest of its kind, in the window and in the baseline:
//!
//! ```text
//!             value   rest of the kind
//! window      a       n_w − a
//! baseline    b       n_b − b            G² = 2 Σ O · ln(O / E),  E = row total · column total / N
//! ```
//!
//! G² follows χ² with one degree of freedom under "same share in both periods", so its
//! square root is a normal deviate: the **score** is `sqrt(G²)` for a value whose share
//! rose (others are not drivers). A score of 2.58 is a one-sided p of about 0.005.
//!
//! Why G² and not the log-odds ratio with an informative Dirichlet prior (Monroe et al.
//! 2008): with the prior taken from the pooled counts, a value unseen in the baseline gets
//! a pseudo-count well below 1 there, whose variance dominates its z-score: "panne" in 4 of
//! 28 window terms against 0 of 725 baseline terms (the outage test) scores about 2.2,
//! below any useful cut, and the brand-new word is the driver an outage has. G² gives 5.2.
//!
//! Robustness: an empty window or baseline gives no drivers (nothing can be said to be
//! over-represented against nothing); a value unseen in the baseline gets a finite score
//! and a finite lift (the lift divides by the add-½ smoothed baseline rate); G² overstates
//! the evidence of very small counts, so values below `min_window_count` are never
//! drivers; the only value of a kind cannot rise.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::SignalsError;

/// What a feature describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// A word or a two-word phrase (see [`crate::terms_of`]).
    Term,
    Place,
    Source,
    Author,
}

/// Counts per `(kind, value)`, e.g. in how many mentions of a period each term appears.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureCounts {
    counts: BTreeMap<FeatureKind, BTreeMap<String, u64>>,
}

impl FeatureCounts {
    pub fn new() -> Self {
        FeatureCounts::default()
    }

    /// Adds `count` to the value's count (saturating).
    pub fn add(&mut self, kind: FeatureKind, value: &str, count: u64) {
        let values = self.counts.entry(kind).or_default();
        match values.get_mut(value) {
            Some(existing) => *existing = existing.saturating_add(count),
            None => {
                values.insert(value.to_string(), count);
            }
        }
    }

    /// The value's count, 0 when unseen.
    pub fn count(&self, kind: FeatureKind, value: &str) -> u64 {
        self.counts
            .get(&kind)
            .and_then(|values| values.get(value))
            .copied()
            .unwrap_or(0)
    }

    /// The sum of the counts of a kind.
    pub fn total(&self, kind: FeatureKind) -> u64 {
        self.counts
            .get(&kind)
            .map(|values| {
                values
                    .values()
                    .fold(0u64, |sum, count| sum.saturating_add(*count))
            })
            .unwrap_or(0)
    }

    fn values(&self, kind: FeatureKind) -> impl Iterator<Item = (&str, u64)> {
        self.counts
            .get(&kind)
            .into_iter()
            .flatten()
            .map(|(value, count)| (value.as_str(), *count))
    }

    fn kinds(&self) -> impl Iterator<Item = FeatureKind> + '_ {
        self.counts.keys().copied()
    }
}

/// How drivers are chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DriversConfig {
    /// A driver appears at least this often in the window (default 3: two mentions that
    /// share a word are a coincidence, not a driver).
    pub min_window_count: u64,
    /// A driver's z-score is at least this (default 2.58, one-sided p ≈ 0.005).
    pub min_score: f64,
    /// Drivers kept per kind, best first (default 10).
    pub max_per_kind: usize,
}

impl Default for DriversConfig {
    fn default() -> Self {
        DriversConfig {
            min_window_count: 3,
            min_score: 2.58,
            max_per_kind: 10,
        }
    }
}

impl DriversConfig {
    /// Checks that the minimum score is a number.
    pub fn validate(&self) -> Result<(), SignalsError> {
        if self.min_score.is_nan() {
            return Err(SignalsError::InvalidConfig(
                "drivers need a min_score, got NaN".into(),
            ));
        }
        Ok(())
    }
}

/// A value over-represented in the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Driver {
    pub kind: FeatureKind,
    pub value: String,
    pub window_count: u64,
    /// Share of the kind's baseline total (0 when unseen or the baseline is empty).
    pub baseline_rate: f64,
    /// Share of the kind's window total.
    pub window_rate: f64,
    /// `window_rate` over the add-½ smoothed baseline rate: how many times more frequent.
    pub lift: f64,
    /// The signed square root of Dunning's G² (module docs).
    pub score: f64,
}

/// The drivers of `window` against `baseline`, best first within each kind; kinds in
/// [`FeatureKind`] order. Deterministic: ties break by value.
pub fn drivers(
    window: &FeatureCounts,
    baseline: &FeatureCounts,
    config: &DriversConfig,
) -> Result<Vec<Driver>, SignalsError> {
    config.validate()?;
    let mut all = Vec::new();
    for kind in window.kinds() {
        let mut of_kind = drivers_of_kind(kind, window, baseline, config);
        of_kind.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.value.cmp(&b.value))
        });
        of_kind.truncate(config.max_per_kind);
        all.extend(of_kind);
    }
    Ok(all)
}

fn drivers_of_kind(
    kind: FeatureKind,
    window: &FeatureCounts,
    baseline: &FeatureCounts,
    config: &DriversConfig,
) -> Vec<Driver> {
    let window_total = window.total(kind) as f64;
    let baseline_total = baseline.total(kind) as f64;
    if window_total == 0.0 || baseline_total == 0.0 {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (value, window_count) in window.values(kind) {
        if window_count < config.min_window_count {
            continue;
        }
        let baseline_count = baseline.count(kind, value) as f64;
        let in_window = window_count as f64;
        let window_rate = in_window / window_total;
        let baseline_rate = baseline_count / baseline_total;
        if window_rate <= baseline_rate {
            continue;
        }
        let table = [
            [in_window, window_total - in_window],
            [baseline_count, baseline_total - baseline_count],
        ];
        let score = log_likelihood_ratio(table).sqrt();
        if score < config.min_score {
            continue;
        }
        let smoothed_baseline_rate = (baseline_count + 0.5) / (baseline_total + 0.5);
        found.push(Driver {
            kind,
            value: value.to_string(),
            window_count,
            baseline_rate,
            window_rate,
            lift: window_rate / smoothed_baseline_rate,
            score,
        });
    }
    found
}

/// Dunning's G² of a 2×2 contingency table, `0 · ln 0` taken as 0; never negative.
fn log_likelihood_ratio(table: [[f64; 2]; 2]) -> f64 {
    let rows = [table[0][0] + table[0][1], table[1][0] + table[1][1]];
    let columns = [table[0][0] + table[1][0], table[0][1] + table[1][1]];
    let total = rows[0] + rows[1];
    let mut sum = 0.0;
    for (row, cells) in table.iter().enumerate() {
        for (column, &observed) in cells.iter().enumerate() {
            if observed > 0.0 {
                let expected = rows[row] * columns[column] / total;
                sum += observed * (observed / expected).ln();
            }
        }
    }
    (2.0 * sum).max(0.0)
}

#[cfg(test)]
#[path = "drivers_tests.rs"]
mod tests;
