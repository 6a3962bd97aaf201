//! Staffing with Erlang C, for the early warning: how many agents an hour needs to answer
//! a given share of the contacts within a target time, and the service level a given
//! number of agents gives.
//!
//! With `λ` arrivals per hour and an average handling time `h` (hours), the offered load
//! is `A = λ·h` erlangs. For `n > A` agents, the probability that a contact waits is
//! Erlang C, computed from Erlang B with the stable recurrence
//! `B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1))` and `C = n·B / (n − A·(1 − B))`
//! (no factorials, no powers: exact enough for thousands of agents). The service level
//! (share answered within `t`) is `1 − C·exp(−(n − A)·t/h)`, and the average speed of
//! answer `C·h/(n − A)`. With `n ≤ A` the queue grows without bound: every contact waits.
//!
//! Erlang C assumes Poisson arrivals, exponential handling times and no abandonment: it
//! errs on the side of more agents, which is the safe side for a warning.

use serde::{Deserialize, Serialize};

use crate::CareError;

/// No answer needs more agents than this; the search stops there.
pub const MAX_AGENTS: u32 = 100_000;

/// The demand of one hour.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Workload {
    pub arrivals_per_hour: f64,
    /// The average time an agent spends on one contact (answering and wrapping up).
    pub average_handling_seconds: f64,
}

/// "80 % answered within 15 minutes": the share and the time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ServiceTarget {
    pub answered_within_seconds: f64,
    /// In (0, 1).
    pub service_level: f64,
}

/// What `agents` agents give for a workload.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StaffingForecast {
    pub agents: u32,
    /// The share of contacts answered within the target time, in [0, 1].
    pub service_level: f64,
    /// The probability that a contact waits at all (Erlang C).
    pub probability_of_waiting: f64,
    /// `None` when the queue grows without bound.
    pub average_speed_of_answer_seconds: Option<f64>,
    /// The share of agents' time spent on contacts, in [0, 1].
    pub occupancy: f64,
}

impl Workload {
    fn check(&self) -> Result<(), CareError> {
        let valid = self.arrivals_per_hour.is_finite()
            && self.arrivals_per_hour >= 0.0
            && self.average_handling_seconds.is_finite()
            && self.average_handling_seconds > 0.0;
        if !valid {
            return Err(CareError::config(
                "workload",
                "arrivals must be finite and not negative, handling time positive",
            ));
        }
        if self.offered_load() >= f64::from(MAX_AGENTS) {
            return Err(CareError::config(
                "workload",
                format!("it needs more than {MAX_AGENTS} agents"),
            ));
        }
        Ok(())
    }

    /// `A = λ·h`, in erlangs: the agents that would be busy all the time.
    pub fn offered_load(&self) -> f64 {
        self.arrivals_per_hour * self.average_handling_seconds / 3600.0
    }

    /// The service level, waiting probability, speed of answer and occupancy of `agents`.
    pub fn forecast(
        &self,
        agents: u32,
        answered_within_seconds: f64,
    ) -> Result<StaffingForecast, CareError> {
        self.check()?;
        if !(answered_within_seconds.is_finite() && answered_within_seconds >= 0.0) {
            return Err(CareError::config(
                "service target",
                "the answer time must be finite and not negative",
            ));
        }
        let load = self.offered_load();
        let n = f64::from(agents);
        if load == 0.0 {
            return Ok(StaffingForecast {
                agents,
                service_level: 1.0,
                probability_of_waiting: 0.0,
                average_speed_of_answer_seconds: Some(0.0),
                occupancy: 0.0,
            });
        }
        if n <= load {
            return Ok(StaffingForecast {
                agents,
                service_level: 0.0,
                probability_of_waiting: 1.0,
                average_speed_of_answer_seconds: None,
                occupancy: 1.0,
            });
        }
        let waiting = erlang_c(agents, load);
        let handling = self.average_handling_seconds;
        let service_level =
            1.0 - waiting * (-(n - load) * answered_within_seconds / handling).exp();
        Ok(StaffingForecast {
            agents,
            service_level: service_level.clamp(0.0, 1.0),
            probability_of_waiting: waiting,
            average_speed_of_answer_seconds: Some(waiting * handling / (n - load)),
            occupancy: load / n,
        })
    }

    /// The fewest agents that meet `target`, with what they give.
    pub fn agents_needed(&self, target: ServiceTarget) -> Result<StaffingForecast, CareError> {
        self.check()?;
        if !(target.service_level > 0.0 && target.service_level < 1.0) {
            return Err(CareError::config(
                "service target",
                "the service level must be between 0 and 1, excluded",
            ));
        }
        // Below the load nobody is ever answered in time; start just above it.
        let first = (self.offered_load().floor() as u32)
            .saturating_add(1)
            .max(1);
        for agents in first..=MAX_AGENTS {
            let forecast = self.forecast(agents, target.answered_within_seconds)?;
            if forecast.service_level >= target.service_level {
                return Ok(forecast);
            }
        }
        Err(CareError::config(
            "workload",
            format!("it needs more than {MAX_AGENTS} agents"),
        ))
    }
}

/// Erlang B, the blocking probability of `agents` servers under `load` erlangs, by the
/// recurrence.
fn erlang_b(agents: u32, load: f64) -> f64 {
    let mut blocking = 1.0;
    for k in 1..=agents {
        blocking = load * blocking / (f64::from(k) + load * blocking);
    }
    blocking
}

/// Erlang C from Erlang B; `agents > load > 0`.
fn erlang_c(agents: u32, load: f64) -> f64 {
    let blocking = erlang_b(agents, load);
    let n = f64::from(agents);
    (n * blocking / (n - load * (1.0 - blocking))).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn erlang_b_matches_the_tables() {
        // Erlang B tables: 10 erlangs on 10 lines block 21.46 %; 2 erlangs on 5 lines 3.67 %.
        assert!((erlang_b(10, 10.0) - 0.2146).abs() < 0.0001);
        assert!((erlang_b(5, 2.0) - 0.0367).abs() < 0.0001);
        assert!(erlang_b(5_000, 4_000.0).is_finite());
    }

    /// The textbook example: 100 calls per half hour, 3-minute handling time, 80 % answered
    /// within 20 seconds: 10 erlangs, 14 agents, and with 11 agents a 68.2 % chance of
    /// waiting. The other rows are the same formula's values (checked with an independent
    /// computation), to the 4th decimal.
    #[test]
    fn the_textbook_call_centre() {
        let workload = Workload {
            arrivals_per_hour: 200.0,
            average_handling_seconds: 180.0,
        };
        assert!((workload.offered_load() - 10.0).abs() < 1e-12);
        let expected = [
            (11, 0.6821, 0.3896, 122.8),
            (12, 0.4494, 0.6402, 40.4),
            (13, 0.2853, 0.7956, 17.1),
            (14, 0.1741, 0.8884, 7.8),
        ];
        for (agents, waiting, service_level, speed_of_answer) in expected {
            let forecast = workload.forecast(agents, 20.0).unwrap();
            assert!(
                (forecast.probability_of_waiting - waiting).abs() < 0.0001,
                "{forecast:?}"
            );
            assert!(
                (forecast.service_level - service_level).abs() < 0.0001,
                "{forecast:?}"
            );
            assert!(
                (forecast.average_speed_of_answer_seconds.unwrap() - speed_of_answer).abs() < 0.05,
                "{forecast:?}"
            );
        }
        let needed = workload
            .agents_needed(ServiceTarget {
                answered_within_seconds: 20.0,
                service_level: 0.8,
            })
            .unwrap();
        assert_eq!(needed.agents, 14);
        assert!((needed.occupancy - 10.0 / 14.0).abs() < 1e-12);
    }

    #[test]
    fn social_care_within_fifteen_minutes() {
        // 60 mentions an hour, 6 minutes each, 80 % answered within 15 minutes.
        let workload = Workload {
            arrivals_per_hour: 60.0,
            average_handling_seconds: 360.0,
        };
        let needed = workload
            .agents_needed(ServiceTarget {
                answered_within_seconds: 900.0,
                service_level: 0.8,
            })
            .unwrap();
        assert_eq!(needed.agents, 7);
        assert!(workload.forecast(6, 900.0).unwrap().service_level < 0.8);
    }

    #[test]
    fn large_loads_stay_finite() {
        let workload = Workload {
            arrivals_per_hour: 50_000.0,
            average_handling_seconds: 300.0,
        };
        let needed = workload
            .agents_needed(ServiceTarget {
                answered_within_seconds: 60.0,
                service_level: 0.9,
            })
            .unwrap();
        assert!(needed.agents > 4_166 && needed.agents < 4_300, "{needed:?}");
        assert!(needed.probability_of_waiting.is_finite());
    }

    #[test]
    fn edge_cases_and_bad_input() {
        let quiet = Workload {
            arrivals_per_hour: 0.0,
            average_handling_seconds: 300.0,
        };
        assert_eq!(quiet.forecast(0, 60.0).unwrap().service_level, 1.0);
        let busy = Workload {
            arrivals_per_hour: 100.0,
            average_handling_seconds: 360.0,
        };
        let too_few = busy.forecast(10, 60.0).unwrap();
        assert_eq!(
            (
                too_few.service_level,
                too_few.average_speed_of_answer_seconds
            ),
            (0.0, None)
        );
        for bad in [f64::NAN, -1.0, f64::INFINITY] {
            assert!(
                Workload {
                    arrivals_per_hour: bad,
                    average_handling_seconds: 60.0
                }
                .forecast(3, 20.0)
                .is_err()
            );
            assert!(
                Workload {
                    arrivals_per_hour: 10.0,
                    average_handling_seconds: bad
                }
                .forecast(3, 20.0)
                .is_err()
            );
        }
        assert!(
            Workload {
                arrivals_per_hour: 1e12,
                average_handling_seconds: 60.0
            }
            .agents_needed(ServiceTarget {
                answered_within_seconds: 20.0,
                service_level: 0.8
            })
            .is_err()
        );
        assert!(
            busy.agents_needed(ServiceTarget {
                answered_within_seconds: 20.0,
                service_level: 1.0
            })
            .is_err()
        );
    }

    proptest! {
        #[test]
        fn more_agents_never_serve_worse(
            arrivals in 0.0f64..2_000.0, handling in 1.0f64..3_600.0, within in 0.0f64..3_600.0, agents in 0u32..300,
        ) {
            let workload = Workload { arrivals_per_hour: arrivals, average_handling_seconds: handling };
            let fewer = workload.forecast(agents, within).unwrap();
            let more = workload.forecast(agents + 1, within).unwrap();
            prop_assert!(more.service_level >= fewer.service_level - 1e-12);
            prop_assert!((0.0..=1.0).contains(&fewer.service_level));
            prop_assert!((0.0..=1.0).contains(&fewer.probability_of_waiting));
        }
    }
}
