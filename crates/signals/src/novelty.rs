//! "Seen before at this time of day (or week)?": per phase slot, the largest
//! surprise met there in earlier periods, decayed once a period. A spike that
//! comes back every day at 2 a.m. (a batch job, the market's opening) stops
//! being news after its first occurrences; a new one, or a bigger one, is.
//! Memory is fixed by the period and the slot width, so each point is O(1).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct Slot {
    /// Largest surprise in this slot in periods before `period` (decayed).
    earlier: f32,
    /// Largest surprise in this slot during `period`.
    current: f32,
    period: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseMemory {
    period_seconds: i64,
    slot_seconds: i64,
    slots: Vec<Slot>,
}

impl PhaseMemory {
    /// `period_seconds` must be a positive multiple of `slot_seconds`.
    pub fn new(period_seconds: i64, slot_seconds: i64) -> Self {
        let count = (period_seconds / slot_seconds).max(1) as usize;
        PhaseMemory {
            period_seconds,
            slot_seconds,
            slots: vec![Slot::default(); count],
        }
    }

    fn position(&self, timestamp: i64) -> (usize, i64) {
        let within = timestamp.rem_euclid(self.period_seconds);
        let index = ((within / self.slot_seconds) as usize).min(self.slots.len() - 1);
        (index, timestamp.div_euclid(self.period_seconds))
    }

    /// The largest surprise met in earlier periods in this slot or its two
    /// neighbours (a daily spike drifts by a few minutes), decayed by `decay`
    /// per period since.
    pub fn earlier(&self, timestamp: i64, decay: f64) -> f64 {
        let (index, period) = self.position(timestamp);
        let count = self.slots.len();
        let mut record = 0.0f64;
        for neighbour in [count - 1, 0, 1] {
            let slot = &self.slots[(index + neighbour) % count];
            let seen = if slot.period < period {
                f64::from(slot.earlier.max(slot.current))
                    * decay.powi((period - slot.period - 1).min(1_000) as i32)
            } else {
                f64::from(slot.earlier)
            };
            record = record.max(seen);
        }
        record
    }

    /// Records `surprise` at `timestamp` (time order).
    pub fn learn(&mut self, timestamp: i64, surprise: f64, decay: f64) {
        let (index, period) = self.position(timestamp);
        let slot = &mut self.slots[index];
        if slot.period < period {
            let carried = f64::from(slot.earlier.max(slot.current))
                * decay.powi((period - slot.period).min(1_000) as i32);
            *slot = Slot {
                earlier: carried as f32,
                current: 0.0,
                period,
            };
        }
        slot.current = slot.current.max(surprise as f32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    #[test]
    fn remembers_a_slot_from_an_earlier_period_only() {
        let mut memory = PhaseMemory::new(DAY, 900);
        memory.learn(2 * 3600, 20.0, 0.5);
        assert_eq!(
            memory.earlier(2 * 3600 + 60, 0.5),
            0.0,
            "same day is not 'before'"
        );
        let next_day = DAY + 2 * 3600 + 900;
        assert_eq!(
            memory.earlier(next_day, 0.5),
            20.0,
            "a neighbouring slot the day after"
        );
        assert_eq!(
            memory.earlier(DAY + 5 * 3600, 0.5),
            0.0,
            "another time of day"
        );
        assert_eq!(
            memory.earlier(3 * DAY + 2 * 3600, 0.5),
            5.0,
            "decayed per period"
        );
    }
}
