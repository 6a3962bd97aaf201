//! A seasonal profile learned online: one offset per time slot of a period
//! (hour of the day, hour of the week), kept relative to a deseasonalised level,
//! in the manner of Holt-Winters. Slots come from the timestamp, so missing
//! buckets and irregular sampling need no special care.

use serde::{Deserialize, Serialize};

/// One slot of the profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Slot {
    offset: f64,
    periods_seen: u32,
    last_period: i64,
}

/// Seasonal model: `prediction = level + offset[slot(t)]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeasonalModel {
    period_seconds: i64,
    slot_seconds: i64,
    level: Option<f64>,
    slots: Vec<Option<Slot>>,
}

impl SeasonalModel {
    /// `period_seconds` must be a positive multiple of `slot_seconds`.
    pub fn new(period_seconds: i64, slot_seconds: i64) -> Self {
        let slot_count = (period_seconds / slot_seconds).max(1) as usize;
        SeasonalModel {
            period_seconds,
            slot_seconds,
            level: None,
            slots: vec![None; slot_count],
        }
    }

    fn slot_index(&self, timestamp: i64) -> usize {
        let within_period = timestamp.rem_euclid(self.period_seconds);
        ((within_period / self.slot_seconds) as usize).min(self.slots.len() - 1)
    }

    /// The prediction for `timestamp`, once its slot has been seen in at least
    /// `min_periods` earlier periods.
    pub fn predict(&self, timestamp: i64, min_periods: u32) -> Option<f64> {
        let level = self.level?;
        let slot = self.slots[self.slot_index(timestamp)].as_ref()?;
        let current_period = timestamp.div_euclid(self.period_seconds);
        let completed_periods = if slot.last_period == current_period {
            slot.periods_seen.saturating_sub(1)
        } else {
            slot.periods_seen
        };
        (completed_periods >= min_periods).then_some(level + slot.offset)
    }

    /// Learns from `value`; `residual_clip` bounds how far one point can move
    /// the level or an offset (robustness to spikes).
    pub fn update(
        &mut self,
        timestamp: i64,
        value: f64,
        level_alpha: f64,
        offset_alpha: f64,
        residual_clip: f64,
    ) {
        let index = self.slot_index(timestamp);
        let period = timestamp.div_euclid(self.period_seconds);
        let level = *self.level.get_or_insert(value);
        let slot = self.slots[index].get_or_insert(Slot {
            offset: value - level,
            periods_seen: 0,
            last_period: period,
        });
        if slot.periods_seen == 0 || slot.last_period != period {
            slot.periods_seen = slot.periods_seen.saturating_add(1);
            slot.last_period = period;
        }
        let level_error = (value - slot.offset - level).clamp(-residual_clip, residual_clip);
        let new_level = level + level_alpha * level_error;
        let offset_error = (value - new_level - slot.offset).clamp(-residual_clip, residual_clip);
        slot.offset += offset_alpha * offset_error;
        self.level = Some(new_level);
    }

    /// Moves the level by `shift` (after a detected level shift).
    pub fn shift_level(&mut self, shift: f64) {
        if let Some(level) = self.level.as_mut() {
            *level += shift;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3600;
    const DAY: i64 = 24 * HOUR;

    #[test]
    fn learns_a_daily_shape_and_predicts_it() {
        let mut model = SeasonalModel::new(DAY, HOUR);
        let shape = |timestamp: i64| {
            if (timestamp % DAY) < 12 * HOUR {
                10.0
            } else {
                20.0
            }
        };
        for step in 0..(10 * 24) {
            let timestamp = step * HOUR;
            model.update(timestamp, shape(timestamp), 0.05, 0.3, f64::INFINITY);
        }
        let morning = 10 * DAY + 3 * HOUR;
        let evening = 10 * DAY + 15 * HOUR;
        assert!((model.predict(morning, 2).unwrap() - 10.0).abs() < 0.5);
        assert!((model.predict(evening, 2).unwrap() - 20.0).abs() < 0.5);
    }

    #[test]
    fn predicts_nothing_before_a_slot_has_been_seen_in_earlier_periods() {
        let mut model = SeasonalModel::new(DAY, HOUR);
        model.update(0, 5.0, 0.1, 0.1, f64::INFINITY);
        assert_eq!(model.predict(60, 1), None);
        assert_eq!(model.predict(2 * HOUR, 0), None);
        assert!(model.predict(DAY, 1).is_some());
    }
}
