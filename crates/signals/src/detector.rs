//! The streaming detector: several online models predict the next value, the
//! best of them turns the point's residual into a surprise, and the surprise
//! becomes a score in [0, 1]. Every step is O(1) in time and memory.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::SignalsError;
use crate::config::{DetectorConfig, Transform};
use crate::likelihood::Likelihood;
use crate::novelty::PhaseMemory;
use crate::seasonal::SeasonalModel;
use crate::stats::{two_sided_surprise, warm_start_weight};

const DAY_SECONDS: i64 = 86_400;
const WEEK_SECONDS: i64 = 7 * DAY_SECONDS;

/// What the detector knows about one model's errors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ErrorTrack {
    predictions: u64,
    residual_variance: Option<f64>,
    mean_squared_error: Option<f64>,
    recent_residual: f64,
}

/// The residual of one model at one point.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    model: usize,
    residual: f64,
}

/// Model indices: local level, daily profile, weekly profile.
const MODEL_COUNT: usize = 3;
const LOCAL: usize = 0;
const DAILY: usize = 1;
const WEEKLY: usize = 2;

/// Streaming anomaly detector for one series (one slice's counts per bucket).
///
/// Feed points in time order with [`Detector::update`]; the whole state is
/// serde-serialisable, so a restarted process resumes where it stopped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detector {
    config: DetectorConfig,
    points_seen: u64,
    lowest_value: Option<f64>,
    highest_value: Option<f64>,
    local_level: Option<f64>,
    daily: SeasonalModel,
    weekly: SeasonalModel,
    errors: [ErrorTrack; MODEL_COUNT],
    cusum_up: f64,
    cusum_down: f64,
    quiet_points_left: u32,
    likelihood: Likelihood,
    #[serde(default)]
    recent_record: f64,
    #[serde(default)]
    daily_memory: Option<PhaseMemory>,
    #[serde(default)]
    weekly_memory: Option<PhaseMemory>,
}

impl Default for Detector {
    fn default() -> Self {
        Detector::new(DetectorConfig::default()).expect("the default configuration is valid")
    }
}

impl Detector {
    pub fn new(config: DetectorConfig) -> Result<Self, SignalsError> {
        config.validate()?;
        let slot_seconds = config.seasonal_slot_seconds;
        let phase_slot = config.phase_slot_seconds;
        Ok(Detector {
            config,
            points_seen: 0,
            lowest_value: None,
            highest_value: None,
            local_level: None,
            daily: SeasonalModel::new(DAY_SECONDS, slot_seconds),
            weekly: SeasonalModel::new(WEEK_SECONDS, slot_seconds),
            errors: Default::default(),
            cusum_up: 0.0,
            cusum_down: 0.0,
            quiet_points_left: 0,
            likelihood: Likelihood::default(),
            recent_record: 0.0,
            daily_memory: (phase_slot > 0).then(|| PhaseMemory::new(DAY_SECONDS, phase_slot)),
            weekly_memory: (phase_slot > 0).then(|| PhaseMemory::new(WEEK_SECONDS, phase_slot)),
        })
    }

    pub fn config(&self) -> &DetectorConfig {
        &self.config
    }

    /// Points learned from so far.
    pub fn points_seen(&self) -> u64 {
        self.points_seen
    }

    /// [`Detector::update`] with a `chrono` timestamp.
    pub fn update_at(&mut self, timestamp: DateTime<Utc>, value: f64) -> f64 {
        self.update(timestamp.timestamp(), value)
    }

    /// Learns the point (`timestamp` in Unix seconds, UTC) and returns its
    /// anomaly score in [0, 1], computed only from this point and earlier ones.
    /// A non-finite value is treated as a missing bucket: score 0, nothing learned.
    pub fn update(&mut self, timestamp: i64, value: f64) -> f64 {
        if !value.is_finite() {
            return 0.0;
        }
        let transformed = self.transform(value);
        let noise_floor = self.noise_floor(transformed);
        let surprise = match self.best_candidate(timestamp, transformed) {
            Some(candidate) => {
                let variance = self.errors[candidate.model]
                    .residual_variance
                    .unwrap_or(0.0);
                let z = candidate.residual / (variance + noise_floor * noise_floor).sqrt();
                self.track_level_shift(z);
                two_sided_surprise(z)
            }
            None => 0.0,
        };
        self.learn(timestamp, transformed, noise_floor);
        self.points_seen += 1;
        let direct_score = 1.0 - (-surprise / self.config.surprise_scale).exp();
        let config = &self.config;
        let likelihood_surprise = self.likelihood.update(
            direct_score,
            config.likelihood_short_points,
            config.likelihood_history_alpha,
            config.likelihood_variance_floor,
        );
        let combined = (1.0 - config.likelihood_weight) * surprise
            + config.likelihood_weight * likelihood_surprise;
        let novelty = self.novelty(timestamp, (2.0 * surprise).sqrt());
        let raw_score = novelty * (1.0 - (-combined / self.config.surprise_scale).exp());
        let score = self.after_quiet_period(raw_score);
        if self.points_seen <= self.config.warmup_points {
            0.0
        } else {
            score.clamp(0.0, 1.0)
        }
    }

    fn transform(&self, value: f64) -> f64 {
        match self.config.transform {
            Transform::Identity => value,
            Transform::Anscombe => {
                value.signum() * 2.0 * (value.abs() + 0.375).sqrt()
                    - value.signum() * 2.0 * 0.375f64.sqrt()
            }
        }
    }

    /// A floor under every standard deviation: a share of the range seen so
    /// far (including this point), so a flat series does not divide by zero.
    fn noise_floor(&mut self, transformed: f64) -> f64 {
        let lowest = self
            .lowest_value
            .map_or(transformed, |lowest| lowest.min(transformed));
        let highest = self
            .highest_value
            .map_or(transformed, |highest| highest.max(transformed));
        self.lowest_value = Some(lowest);
        self.highest_value = Some(highest);
        (self.config.relative_noise_floor * (highest - lowest))
            .max(self.config.absolute_noise_floor)
    }

    fn predictions(&self, timestamp: i64) -> [Option<f64>; MODEL_COUNT] {
        let min_periods = self.config.seasonal_min_periods;
        [
            self.local_level,
            self.daily.predict(timestamp, min_periods),
            self.weekly.predict(timestamp, min_periods),
        ]
    }

    /// The residual of the model with the lowest recent squared error among
    /// those that have predicted long enough (the local level always may).
    fn best_candidate(&self, timestamp: i64, transformed: f64) -> Option<Candidate> {
        let predictions = self.predictions(timestamp);
        let mut best: Option<(f64, Candidate)> = None;
        for (model, prediction) in predictions.iter().enumerate() {
            let Some(prediction) = prediction else {
                continue;
            };
            let track = &self.errors[model];
            if track.residual_variance.is_none() {
                continue;
            }
            if model != LOCAL && track.predictions < self.config.model_min_predictions {
                continue;
            }
            let error = track.mean_squared_error.unwrap_or(f64::INFINITY);
            let candidate = Candidate {
                model,
                residual: transformed - prediction,
            };
            if best.is_none_or(|(best_error, _)| error < best_error) {
                best = Some((error, candidate));
            }
        }
        best.map(|(_, candidate)| candidate)
    }

    /// CUSUM on the standardised residual; when it fires, every model jumps
    /// by its recent mean residual, so one level shift is one alarm.
    fn track_level_shift(&mut self, z: f64) {
        let clipped = z.clamp(
            -2.0 * self.config.robust_clip_sigmas,
            2.0 * self.config.robust_clip_sigmas,
        );
        self.cusum_up = (self.cusum_up + clipped - self.config.cusum_drift).max(0.0);
        self.cusum_down = (self.cusum_down - clipped - self.config.cusum_drift).max(0.0);
        if self.cusum_up.max(self.cusum_down) < self.config.cusum_threshold {
            return;
        }
        self.cusum_up = 0.0;
        self.cusum_down = 0.0;
        if let Some(level) = self.local_level.as_mut() {
            *level += self.errors[LOCAL].recent_residual;
        }
        self.daily.shift_level(self.errors[DAILY].recent_residual);
        self.weekly.shift_level(self.errors[WEEKLY].recent_residual);
        for track in &mut self.errors {
            track.recent_residual = 0.0;
        }
    }

    /// Updates every model and its error statistics with the point.
    fn learn(&mut self, timestamp: i64, transformed: f64, noise_floor: f64) {
        let predictions = self.predictions(timestamp);
        let config = &self.config;
        let mut clips = [f64::INFINITY; MODEL_COUNT];
        for (model, prediction) in predictions.iter().enumerate() {
            let Some(prediction) = prediction else {
                continue;
            };
            let track = &mut self.errors[model];
            let residual = transformed - prediction;
            let deviation = track.residual_variance.map_or(residual.abs(), |variance| {
                (variance + noise_floor * noise_floor).sqrt()
            });
            let clip = config.robust_clip_sigmas * deviation.max(noise_floor);
            clips[model] = clip;
            let bounded = residual.clamp(-2.0 * clip, 2.0 * clip);
            let squared = bounded * bounded;
            track.predictions += 1;
            let variance_alpha =
                warm_start_weight(config.residual_variance_alpha, track.predictions);
            let selection_alpha =
                warm_start_weight(config.model_selection_alpha, track.predictions);
            track.residual_variance = Some(track.residual_variance.map_or(squared, |variance| {
                variance + variance_alpha * (squared - variance)
            }));
            track.mean_squared_error = Some(
                track
                    .mean_squared_error
                    .map_or(squared, |error| error + selection_alpha * (squared - error)),
            );
            track.recent_residual += config.shift_alpha * (residual - track.recent_residual);
        }
        self.local_level = Some(match self.local_level {
            None => transformed,
            Some(level) => {
                level
                    + config.local_level_alpha
                        * (transformed - level).clamp(-clips[LOCAL], clips[LOCAL])
            }
        });
        let seasonal_clip = clips[DAILY].min(clips[WEEKLY]).min(clips[LOCAL]);
        let (level_alpha, offset_alpha) =
            (config.seasonal_level_alpha, config.seasonal_offset_alpha);
        self.daily.update(
            timestamp,
            transformed,
            level_alpha,
            offset_alpha,
            seasonal_clip,
        );
        self.weekly.update(
            timestamp,
            transformed,
            level_alpha,
            offset_alpha,
            seasonal_clip,
        );
    }

    /// How new a surprise is, in [0, 1]: 1 when it exceeds the margin times
    /// the records of earlier surprises (decayed: overall, and at the same
    /// time of day and of week), less when something as surprising was seen
    /// recently or at this time in earlier periods. Then learns it.
    fn novelty(&mut self, timestamp: i64, deviation: f64) -> f64 {
        let config = &self.config;
        let decay = config.phase_decay;
        let damp = |record: f64, margin: f64, power: f64| {
            let bar = margin * record;
            if deviation >= bar || bar <= 0.0 {
                1.0
            } else {
                (deviation / bar).powf(power)
            }
        };
        // The models' rough surprises while they learn are not recent events to
        // measure the next ones against (the demo alarms 5 points after its
        // warm-up); the phase slots keep them, as they count a day later only.
        let remembered = if self.points_seen > config.warmup_points {
            deviation
        } else {
            0.0
        };
        let mut recent = config.record_floor;
        if config.record_half_life_points > 0.0 {
            recent = recent.max(self.recent_record);
            self.recent_record = (self.recent_record
                * 0.5f64.powf(1.0 / config.record_half_life_points))
            .max(remembered);
        }
        let mut phase = 0.0f64;
        for memory in [&mut self.daily_memory, &mut self.weekly_memory]
            .into_iter()
            .flatten()
        {
            phase = phase.max(memory.earlier(timestamp, decay));
            memory.learn(timestamp, deviation, decay);
        }
        damp(recent, config.novelty_margin, config.novelty_power).min(damp(
            phase,
            config.phase_margin,
            config.novelty_power,
        ))
    }

    /// After a strong alarm, damp scores for a while: the first detection of
    /// an event is the one that matters, repeats are noise to the reader.
    fn after_quiet_period(&mut self, raw_score: f64) -> f64 {
        if self.points_seen <= self.config.warmup_points {
            return raw_score;
        }
        if self.quiet_points_left > 0 {
            self.quiet_points_left -= 1;
            if self.config.quiet_extends && raw_score >= self.config.alarm_score {
                self.quiet_points_left = self.config.quiet_points;
            }
            return raw_score * self.config.quiet_factor;
        }
        if raw_score >= self.config.alarm_score {
            self.quiet_points_left = self.config.quiet_points;
        }
        raw_score
    }
}
