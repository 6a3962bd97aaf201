//! SLA policies: per-priority targets in business time.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::{CareError, Priority};

/// The three targets of one priority, in minutes of business time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaTargets {
    /// From the case's creation to the first public or private answer to the customer.
    pub first_response_minutes: u32,
    /// From a customer's message (after the first answer) to the next answer.
    pub next_response_minutes: u32,
    /// From the case's creation to its resolution.
    pub resolution_minutes: u32,
}

impl SlaTargets {
    const fn hours(first_response: u32, next_response: u32, resolution: u32) -> SlaTargets {
        SlaTargets {
            first_response_minutes: first_response * 60,
            next_response_minutes: next_response * 60,
            resolution_minutes: resolution * 60,
        }
    }

    pub fn first_response(&self) -> Duration {
        Duration::minutes(i64::from(self.first_response_minutes))
    }

    pub fn next_response(&self) -> Duration {
        Duration::minutes(i64::from(self.next_response_minutes))
    }

    pub fn resolution(&self) -> Duration {
        Duration::minutes(i64::from(self.resolution_minutes))
    }
}

/// Targets for each priority, and when to warn before a breach.
///
/// The default, in business time on the case's calendar (10 business hours a day with the
/// default calendar):
///
/// | priority | first response | next response | resolution |
/// |---|---|---|---|
/// | urgent | 30 min | 1 h | 4 h |
/// | high | 1 h | 2 h | 8 h (about a business day) |
/// | normal | 4 h | 8 h | 24 h (about two and a half business days) |
/// | low | 8 h | 24 h | 72 h (about a week and a half) |
///
/// A warning is raised once 80 % of a target has elapsed. The first-response targets match
/// what social customers expect (most expect an answer within the hour on X); the rest are
/// common help-desk defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SlaPolicyConfig")]
pub struct SlaPolicy {
    pub urgent: SlaTargets,
    pub high: SlaTargets,
    pub normal: SlaTargets,
    pub low: SlaTargets,
    /// The fraction of a target after which a pending clock is in warning, in (0, 1].
    pub warning_fraction: f64,
}

/// [`SlaPolicy`] as read from configuration, before its checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlaPolicyConfig {
    urgent: SlaTargets,
    high: SlaTargets,
    normal: SlaTargets,
    low: SlaTargets,
    #[serde(default = "default_warning_fraction")]
    warning_fraction: f64,
}

fn default_warning_fraction() -> f64 {
    0.8
}

impl TryFrom<SlaPolicyConfig> for SlaPolicy {
    type Error = CareError;

    fn try_from(config: SlaPolicyConfig) -> Result<Self, Self::Error> {
        let policy = SlaPolicy {
            urgent: config.urgent,
            high: config.high,
            normal: config.normal,
            low: config.low,
            warning_fraction: config.warning_fraction,
        };
        policy.validate()?;
        Ok(policy)
    }
}

impl Default for SlaPolicy {
    fn default() -> Self {
        SlaPolicy {
            urgent: SlaTargets {
                first_response_minutes: 30,
                ..SlaTargets::hours(0, 1, 4)
            },
            high: SlaTargets::hours(1, 2, 8),
            normal: SlaTargets::hours(4, 8, 24),
            low: SlaTargets::hours(8, 24, 72),
            warning_fraction: default_warning_fraction(),
        }
    }
}

impl SlaPolicy {
    pub fn targets(&self, priority: Priority) -> &SlaTargets {
        match priority {
            Priority::Urgent => &self.urgent,
            Priority::High => &self.high,
            Priority::Normal => &self.normal,
            Priority::Low => &self.low,
        }
    }

    /// Refuses a warning fraction outside (0, 1] and zero targets.
    pub fn validate(&self) -> Result<(), CareError> {
        if !(self.warning_fraction > 0.0 && self.warning_fraction <= 1.0) {
            return Err(CareError::config(
                "SLA policy",
                "the warning fraction must be in (0, 1]",
            ));
        }
        for priority in Priority::ALL {
            let targets = self.targets(priority);
            let minutes = [
                targets.first_response_minutes,
                targets.next_response_minutes,
                targets.resolution_minutes,
            ];
            if minutes.contains(&0) {
                return Err(CareError::config(
                    "SLA policy",
                    format!("the {} targets must not be zero", priority.as_str()),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_is_valid_and_tighter_for_more_pressing_cases() {
        let policy = SlaPolicy::default();
        policy.validate().unwrap();
        assert_eq!(
            policy.targets(Priority::Urgent).first_response(),
            Duration::minutes(30)
        );
        assert_eq!(
            policy.targets(Priority::Low).resolution(),
            Duration::hours(72)
        );
        for pair in Priority::ALL.windows(2) {
            let (tighter, looser) = (policy.targets(pair[0]), policy.targets(pair[1]));
            assert!(tighter.first_response() < looser.first_response());
            assert!(tighter.next_response() < looser.next_response());
            assert!(tighter.resolution() < looser.resolution());
        }
    }

    #[test]
    fn policies_round_trip_and_bad_ones_are_refused() {
        let json = serde_json::to_string(&SlaPolicy::default()).unwrap();
        assert_eq!(
            serde_json::from_str::<SlaPolicy>(&json).unwrap(),
            SlaPolicy::default()
        );
        let zero_target = json.replacen(
            "\"first_response_minutes\":30",
            "\"first_response_minutes\":0",
            1,
        );
        assert!(serde_json::from_str::<SlaPolicy>(&zero_target).is_err());
        let bad_fraction = json.replace("\"warning_fraction\":0.8", "\"warning_fraction\":1.5");
        assert!(serde_json::from_str::<SlaPolicy>(&bad_fraction).is_err());
    }
}
