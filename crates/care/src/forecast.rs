//! The arrivals forecast behind the staffing recommendation: how many cases each hour of
//! the coming week will bring, from the history of case arrivals.
//!
//! The method is a seasonal average, deliberately simple and explainable to a supervisor:
//!
//! 1. **Weekly seasonality.** The forecast for an hour is the weighted mean of the counts at
//!    the same local hour of the same weekday over the last `weeks` weeks (in the team's time
//!    zone, so 9:00 on a Monday stays 9:00 across a daylight-saving change), the most recent
//!    week weighing most (weight `decay^k` for the week `k + 1` weeks back).
//! 2. **Daily seasonality only**, when less than one week of history exists: the weighted
//!    mean of the same local hour over the last days (up to seven).
//! 3. **Level.** The last 24 hours are compared with what the same method predicted for
//!    them; the forecast is scaled by a damped ratio, `1 + trend_weight·(ratio − 1)`, kept
//!    within `[1/1.5, 1.5]` so a single spike (an outage) does not double next week.
//!
//! Hours before the first recorded arrival are unknown, not zero: a new installation gets a
//! forecast from the days it has, and says which basis it used.

use chrono::{DateTime, Duration, DurationRound, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::CareError;
use crate::staffing::{ServiceTarget, StaffingForecast, Workload};

/// The count of arrivals in the hour that starts at `hour` (UTC, on the hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourlyCount {
    pub hour: DateTime<Utc>,
    pub count: u32,
}

/// How the forecast weighs the past.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ForecastConfig {
    /// How many weeks back the weekly average looks.
    pub weeks: u32,
    /// The weight of each older week (or day) relative to the one after it, in (0, 1].
    pub decay: f64,
    /// How much of the last day's deviation from the forecast carries over, in [0, 1].
    pub trend_weight: f64,
}

impl Default for ForecastConfig {
    fn default() -> Self {
        ForecastConfig {
            weeks: 8,
            decay: 0.7,
            trend_weight: 0.5,
        }
    }
}

/// What the forecast stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForecastBasis {
    /// At least one full week of history: weekly and daily seasonality.
    Weekly,
    /// At least one day but less than a week: daily seasonality only.
    Daily,
    /// Less than a day of history: no forecast (zeros).
    None,
}

/// The expected arrivals of one hour.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HourForecast {
    /// The start of the hour, UTC.
    pub hour: DateTime<Utc>,
    /// The same instant on the team's wall clock.
    pub local_hour: NaiveDateTime,
    pub expected_arrivals: f64,
}

/// The forecast of the coming hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArrivalsForecast {
    pub basis: ForecastBasis,
    /// The level factor applied from the last 24 hours (1 when not enough data).
    pub level_factor: f64,
    pub hours: Vec<HourForecast>,
}

/// The most hours one forecast covers (five weeks).
pub const MAX_FORECAST_HOURS: usize = 24 * 7 * 5;

/// Forecasts `hours` hours from `from` (rounded down to the hour) in time zone `tz`, from
/// `history`: hourly counts before `from` (any order; hours after `from` are ignored, hours
/// missing between the first recorded one and `from` count as zero arrivals).
pub fn forecast_arrivals(
    history: &[HourlyCount],
    tz: Tz,
    from: DateTime<Utc>,
    hours: usize,
    config: ForecastConfig,
) -> Result<ArrivalsForecast, CareError> {
    if !(config.decay > 0.0 && config.decay <= 1.0)
        || !(0.0..=1.0).contains(&config.trend_weight)
        || config.weeks == 0
        || config.weeks > 104
    {
        return Err(CareError::config(
            "forecast",
            "weeks must be 1–104, decay in (0, 1], trend weight in [0, 1]",
        ));
    }
    if hours > MAX_FORECAST_HOURS {
        return Err(CareError::config(
            "forecast",
            format!("at most {MAX_FORECAST_HOURS} hours"),
        ));
    }
    let from = from
        .duration_trunc(Duration::hours(1))
        .map_err(|_| CareError::config("forecast", "the start is out of range"))?;
    let series = Series::new(history, from, config.weeks);
    let span_hours = series.known_hours();
    let basis = if span_hours >= 24 * 7 {
        ForecastBasis::Weekly
    } else if span_hours >= 24 {
        ForecastBasis::Daily
    } else {
        ForecastBasis::None
    };
    let level_factor = if basis == ForecastBasis::None {
        1.0
    } else {
        series.level_factor(tz, from, basis, config)
    };
    let hours = (0..hours)
        .map(|offset| {
            let hour = from + Duration::hours(offset as i64);
            let expected = match basis {
                ForecastBasis::None => 0.0,
                _ => series.seasonal(tz, hour, from, basis, config) * level_factor,
            };
            HourForecast {
                hour,
                local_hour: hour.with_timezone(&tz).naive_local(),
                expected_arrivals: expected,
            }
        })
        .collect();
    Ok(ArrivalsForecast {
        basis,
        level_factor,
        hours,
    })
}

/// Hourly counts indexed by hours before `end`.
struct Series {
    end: DateTime<Utc>,
    /// `counts[i]` is the hour starting at `end - (len - i) hours`; the first entry is the
    /// first hour with a recorded arrival (or the window's start).
    counts: Vec<u32>,
}

impl Series {
    fn new(history: &[HourlyCount], end: DateTime<Utc>, weeks: u32) -> Series {
        // One extra week: the level factor looks one day further back than the forecast.
        let window = (i64::from(weeks) + 1) * 24 * 7;
        let start = end - Duration::hours(window);
        let first = history
            .iter()
            .filter(|entry| entry.hour >= start && entry.hour < end)
            .map(|entry| entry.hour)
            .min();
        let Some(first) = first else {
            return Series {
                end,
                counts: Vec::new(),
            };
        };
        let first = first.duration_trunc(Duration::hours(1)).unwrap_or(first);
        let len = (end - first).num_hours().max(0) as usize;
        let mut counts = vec![0u32; len];
        for entry in history {
            if entry.hour >= first && entry.hour < end {
                let index = (entry.hour - first).num_hours() as usize;
                if let Some(slot) = counts.get_mut(index) {
                    *slot = slot.saturating_add(entry.count);
                }
            }
        }
        Series { end, counts }
    }

    fn known_hours(&self) -> usize {
        self.counts.len()
    }

    fn count_at(&self, hour: DateTime<Utc>) -> Option<u32> {
        if hour >= self.end {
            return None;
        }
        let back = (self.end - hour).num_hours();
        let len = self.counts.len() as i64;
        if back <= 0 || back > len {
            return None;
        }
        self.counts.get((len - back) as usize).copied()
    }

    /// The seasonal estimate for `hour` from data strictly before `cutoff`.
    fn seasonal(
        &self,
        tz: Tz,
        hour: DateTime<Utc>,
        cutoff: DateTime<Utc>,
        basis: ForecastBasis,
        config: ForecastConfig,
    ) -> f64 {
        let local = hour.with_timezone(&tz).naive_local();
        let (step_days, lags) = match basis {
            ForecastBasis::Weekly => (7, config.weeks as i64),
            _ => (1, 7),
        };
        let mut weighted = 0.0;
        let mut weights = 0.0;
        let mut weight = 1.0;
        let mut taken = 0;
        let mut lag = 1;
        // Walk back one season at a time until `lags` past seasons were used or the data
        // runs out.
        while taken < lags && lag <= lags + 40 {
            let past_local = local - Duration::days(step_days * lag);
            lag += 1;
            let Some(past) = tz.from_local_datetime(&past_local).earliest() else {
                continue; // the hour did not exist (spring forward)
            };
            let past = past.with_timezone(&Utc);
            if past >= cutoff {
                continue; // not yet known at the cutoff
            }
            let past = past
                .with_minute(0)
                .and_then(|p| p.with_second(0))
                .unwrap_or(past);
            let Some(count) = self.count_at(past) else {
                break; // older than the first recorded hour
            };
            weighted += weight * f64::from(count);
            weights += weight;
            weight *= config.decay;
            taken += 1;
        }
        if weights == 0.0 { 0.0 } else { weighted / weights }
    }

    fn level_factor(
        &self,
        tz: Tz,
        from: DateTime<Utc>,
        basis: ForecastBasis,
        config: ForecastConfig,
    ) -> f64 {
        let day_start = from - Duration::hours(24);
        let mut actual = 0.0;
        let mut predicted = 0.0;
        for offset in 0..24 {
            let hour = day_start + Duration::hours(offset);
            let Some(count) = self.count_at(hour) else {
                return 1.0;
            };
            actual += f64::from(count);
            predicted += self.seasonal(tz, hour, day_start, basis, config);
        }
        // Below about one arrival an hour the ratio is noise.
        if predicted < 24.0 {
            return 1.0;
        }
        let ratio = actual / predicted;
        (1.0 + config.trend_weight * (ratio - 1.0)).clamp(1.0 / 1.5, 1.5)
    }
}

/// One hour of the staffing plan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HourPlan {
    pub hour: DateTime<Utc>,
    pub local_hour: NaiveDateTime,
    pub expected_arrivals: f64,
    /// The fewest agents that meet the target (Erlang C).
    pub recommended_agents: u32,
    /// The agents on the roster for this hour.
    pub rostered_agents: u32,
    /// The service level the roster is expected to give, in [0, 1].
    pub expected_service_level: f64,
}

/// The staffing plan for the forecast hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffingPlan {
    pub target: ServiceTarget,
    pub average_handling_seconds: f64,
    pub hours: Vec<HourPlan>,
    /// The share of the expected arrivals answered within the target time with the roster,
    /// weighted by arrivals (1 when nothing is expected).
    pub expected_compliance: f64,
    /// Hours where the roster has fewer agents than recommended.
    pub understaffed_hours: usize,
}

/// Recommends agents per hour for `forecast` and what `roster` (agents on duty for a local
/// hour) is expected to give.
pub fn staffing_plan(
    forecast: &ArrivalsForecast,
    average_handling_seconds: f64,
    target: ServiceTarget,
    roster: impl Fn(NaiveDateTime) -> u32,
) -> Result<StaffingPlan, CareError> {
    let mut hours = Vec::with_capacity(forecast.hours.len());
    let mut answered = 0.0;
    let mut arrivals = 0.0;
    let mut understaffed_hours = 0;
    for hour in &forecast.hours {
        let workload = Workload {
            arrivals_per_hour: hour.expected_arrivals,
            average_handling_seconds,
        };
        let recommended: StaffingForecast = if hour.expected_arrivals > 0.0 {
            workload.agents_needed(target)?
        } else {
            workload.forecast(0, target.answered_within_seconds)?
        };
        let rostered = roster(hour.local_hour);
        let with_roster = workload.forecast(rostered, target.answered_within_seconds)?;
        answered += with_roster.service_level * hour.expected_arrivals;
        arrivals += hour.expected_arrivals;
        if rostered < recommended.agents {
            understaffed_hours += 1;
        }
        hours.push(HourPlan {
            hour: hour.hour,
            local_hour: hour.local_hour,
            expected_arrivals: hour.expected_arrivals,
            recommended_agents: recommended.agents,
            rostered_agents: rostered,
            expected_service_level: with_roster.service_level,
        });
    }
    Ok(StaffingPlan {
        target,
        average_handling_seconds,
        hours,
        expected_compliance: if arrivals > 0.0 {
            answered / arrivals
        } else {
            1.0
        },
        understaffed_hours,
    })
}

#[cfg(test)]
#[path = "forecast_tests.rs"]
mod tests;
