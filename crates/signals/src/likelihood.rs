//! The "anomaly likelihood" stage (in the spirit of Numenta's HTM post-processing):
//! how unusual is the recent average raw score compared with this series' own
//! history of raw scores? A series that is always a little surprising then
//! needs a bigger surprise to alarm than a calm one.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::stats::{one_sided_surprise, warm_start_weight};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Likelihood {
    recent: VecDeque<f64>,
    history_points: u64,
    history_mean: Option<f64>,
    history_variance: f64,
}

impl Likelihood {
    /// Adds `raw_score` (in [0, 1]) and returns the surprise (`-ln p`) of the
    /// average of the last `short_points` raw scores under the long-run
    /// distribution (EWMA weight `history_alpha`), then learns it.
    pub fn update(
        &mut self,
        raw_score: f64,
        short_points: usize,
        history_alpha: f64,
        variance_floor: f64,
    ) -> f64 {
        self.recent.push_back(raw_score);
        while self.recent.len() > short_points.max(1) {
            self.recent.pop_front();
        }
        let short_average = self.recent.iter().sum::<f64>() / self.recent.len() as f64;
        let surprise = match self.history_mean {
            None => 0.0,
            Some(mean) => one_sided_surprise(
                (short_average - mean) / (self.history_variance + variance_floor).sqrt(),
            ),
        };
        match self.history_mean {
            None => self.history_mean = Some(short_average),
            Some(mean) => {
                self.history_points += 1;
                let history_alpha = warm_start_weight(history_alpha, self.history_points);
                let deviation = short_average - mean;
                self.history_variance +=
                    history_alpha * (deviation * deviation - self.history_variance);
                self.history_mean = Some(mean + history_alpha * deviation);
            }
        }
        surprise
    }
}
