//! The detector's configuration: one set of constants for every series.

use serde::{Deserialize, Serialize};

use crate::SignalsError;

/// How raw values are mapped before modelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Transform {
    /// Values as they come.
    Identity,
    /// Anscombe's `2 * sqrt(x + 3/8)` (mirrored for negative values): it makes
    /// Poisson noise roughly unit-variance, so a quiet night and a busy noon
    /// are judged on the same scale.
    Anscombe,
}

/// Tuning constants of [`crate::Detector`]. `Default` is the configuration
/// evaluated on NAB (docs/evaluation.md); rates are per point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DetectorConfig {
    pub transform: Transform,
    /// Points scored 0 while the models learn.
    pub warmup_points: u64,
    /// EWMA weight of the local (non-seasonal) level.
    pub local_level_alpha: f64,
    /// EWMA weight of each model's residual variance.
    pub residual_variance_alpha: f64,
    /// EWMA weight of the mean squared error used to pick the best model.
    pub model_selection_alpha: f64,
    /// Predictions a model must have made before it can be picked.
    pub model_min_predictions: u64,
    /// Width of a seasonal slot (both the daily and the weekly profile).
    pub seasonal_slot_seconds: i64,
    /// Weight of the deseasonalised level in the seasonal models.
    pub seasonal_level_alpha: f64,
    /// Weight of a slot's offset in the seasonal models.
    pub seasonal_offset_alpha: f64,
    /// Earlier periods a slot must have been seen in before it predicts.
    pub seasonal_min_periods: u32,
    /// Residuals beyond this many standard deviations move the models no further.
    pub robust_clip_sigmas: f64,
    /// CUSUM allowance, in standard deviations.
    pub cusum_drift: f64,
    /// CUSUM decision level: above it, the models jump to the new level.
    pub cusum_threshold: f64,
    /// Weight of the short residual average used to re-level after a shift.
    pub shift_alpha: f64,
    /// Noise floor as a fraction of the value range seen so far.
    pub relative_noise_floor: f64,
    /// Absolute noise floor in transformed units.
    pub absolute_noise_floor: f64,
    /// Surprise (`-ln p`) that maps to a score of `1 - 1/e`.
    pub surprise_scale: f64,
    /// Raw scores averaged by the likelihood stage.
    pub likelihood_short_points: usize,
    /// EWMA weight of the likelihood stage's long-run history.
    pub likelihood_history_alpha: f64,
    /// Share of the likelihood surprise in the final surprise (0 = off).
    pub likelihood_weight: f64,
    /// Variance floor of the likelihood stage.
    pub likelihood_variance_floor: f64,
    /// The novelty stage compares a point's deviation (`sqrt(2 * surprise)`,
    /// about `|z|`) with records of earlier deviations. Half-life, in points,
    /// of the record of recent ones (0 = no recent record).
    pub record_half_life_points: f64,
    /// Width of the phase slots remembering the largest deviation met at each
    /// time of day and of week in earlier periods (0 = no phase memory).
    pub phase_slot_seconds: i64,
    /// Factor by which a phase slot's memory fades per period.
    pub phase_decay: f64,
    /// A deviation is news when it exceeds `novelty_margin` times the recent
    /// record...
    pub novelty_margin: f64,
    /// ...and `phase_margin` times the one met at this time of day and week;
    pub phase_margin: f64,
    /// below a bar, the score is multiplied by `(deviation / bar)^novelty_power`.
    pub novelty_power: f64,
    /// The recent record never counts as lower than this deviation.
    pub record_floor: f64,
    /// A score at or above this starts a quiet period.
    pub alarm_score: f64,
    /// Length of the quiet period, in points.
    pub quiet_points: u32,
    /// Scores in a quiet period are multiplied by this.
    pub quiet_factor: f64,
    /// Whether a raw score at or above `alarm_score` inside a quiet period
    /// restarts it (an event that goes on is still the same event).
    pub quiet_extends: bool,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            transform: Transform::Anscombe,
            warmup_points: 150,
            local_level_alpha: 0.05,
            residual_variance_alpha: 0.005,
            model_selection_alpha: 0.005,
            model_min_predictions: 100,
            seasonal_slot_seconds: 3600,
            seasonal_level_alpha: 0.02,
            seasonal_offset_alpha: 0.1,
            seasonal_min_periods: 1,
            robust_clip_sigmas: 3.0,
            cusum_drift: 0.5,
            cusum_threshold: 5.0,
            shift_alpha: 0.3,
            relative_noise_floor: 0.01,
            absolute_noise_floor: 1e-9,
            surprise_scale: 10.0,
            likelihood_short_points: 5,
            likelihood_history_alpha: 0.0003,
            likelihood_weight: 0.5,
            likelihood_variance_floor: 1e-6,
            record_half_life_points: 100.0,
            phase_slot_seconds: 3600,
            phase_decay: 0.95,
            novelty_margin: 1.2,
            phase_margin: 1.1,
            novelty_power: 1.5,
            record_floor: 2.0,
            alarm_score: 0.45,
            quiet_points: 25,
            quiet_factor: 0.0,
            quiet_extends: true,
        }
    }
}

impl DetectorConfig {
    /// Checks that rates are in (0, 1] and scales are positive.
    pub fn validate(&self) -> Result<(), SignalsError> {
        let rates = [
            ("local_level_alpha", self.local_level_alpha),
            ("residual_variance_alpha", self.residual_variance_alpha),
            ("model_selection_alpha", self.model_selection_alpha),
            ("seasonal_level_alpha", self.seasonal_level_alpha),
            ("seasonal_offset_alpha", self.seasonal_offset_alpha),
            ("shift_alpha", self.shift_alpha),
            ("likelihood_history_alpha", self.likelihood_history_alpha),
        ];
        for (name, rate) in rates {
            if !(rate > 0.0 && rate <= 1.0) {
                return Err(SignalsError::InvalidConfig(format!(
                    "{name} must be in (0, 1], got {rate}"
                )));
            }
        }
        let positives = [
            ("robust_clip_sigmas", self.robust_clip_sigmas),
            ("cusum_threshold", self.cusum_threshold),
            ("surprise_scale", self.surprise_scale),
            ("absolute_noise_floor", self.absolute_noise_floor),
        ];
        for (name, value) in positives {
            if value.is_nan() || value <= 0.0 {
                return Err(SignalsError::InvalidConfig(format!(
                    "{name} must be positive, got {value}"
                )));
            }
        }
        if self.seasonal_slot_seconds <= 0
            || (7 * 86_400) % self.seasonal_slot_seconds != 0
            || 86_400 % self.seasonal_slot_seconds != 0
        {
            return Err(SignalsError::InvalidConfig(
                "seasonal_slot_seconds must divide one day".into(),
            ));
        }
        if self.phase_slot_seconds < 0
            || (self.phase_slot_seconds > 0 && 86_400 % self.phase_slot_seconds != 0)
        {
            return Err(SignalsError::InvalidConfig(
                "phase_slot_seconds must be 0 or divide one day".into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.phase_decay)
            || self.novelty_margin.is_nan()
            || self.phase_margin.is_nan()
            || self.record_floor.is_nan()
            || self.novelty_power.is_nan()
            || self.novelty_power < 0.0
            || self.record_half_life_points.is_nan()
        {
            return Err(SignalsError::InvalidConfig(
                "phase_decay must be in [0, 1], the margins, the floor and the half-life numbers, novelty_power not negative".into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.quiet_factor) || !(0.0..=1.0).contains(&self.alarm_score) {
            return Err(SignalsError::InvalidConfig(
                "quiet_factor and alarm_score must be in [0, 1]".into(),
            ));
        }
        if self.cusum_drift < 0.0 || self.relative_noise_floor < 0.0 {
            return Err(SignalsError::InvalidConfig(
                "cusum_drift and relative_noise_floor must not be negative".into(),
            ));
        }
        Ok(())
    }
}
