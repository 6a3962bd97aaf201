//! A case's SLA clocks, computed from its history: no stored timers, so changing a policy,
//! a calendar or a past event gives consistent due times at once.
//!
//! When the customer writes on a case that is pending them or resolved, the caller moves
//! it back to `open` ([`crate::status::transition`] allows it); until then its clocks stay
//! paused or stopped.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::SlaPolicy;
use crate::{BusinessCalendar, CaseStatus, Priority};

/// What happened to a case, as far as its SLA is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "status")]
pub enum CaseEventKind {
    /// The case went to this status.
    StatusChanged(CaseStatus),
    /// The customer wrote (a reply, a direct message, an e-mail).
    CustomerMessage,
    /// An agent answered the customer, publicly or privately (internal notes do not count).
    AgentReply,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub kind: CaseEventKind,
}

/// A case's history. Events may come in any order; those before `created_at` count as at
/// `created_at`, those after the `now` of a computation are ignored. A case starts as `new`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseHistory {
    pub created_at: DateTime<Utc>,
    pub events: Vec<CaseEvent>,
}

/// Where one SLA target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// Not yet reached, with time to spare.
    Pending,
    /// Not yet reached, and more than the policy's warning fraction of the target has elapsed.
    Warning,
    /// Reached in time.
    Met,
    /// Reached late, or not reached and overdue.
    Breached,
}

/// One target's due time and state. For a target not yet reached, `due_at` assumes the
/// clock runs from now on (a paused clock's due time keeps moving later while it waits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaDue {
    pub due_at: DateTime<Utc>,
    pub state: SlaState,
    /// Business time counted on this clock so far (pauses excluded); whole seconds in JSON.
    #[serde(rename = "elapsed_seconds", with = "crate::serde_seconds")]
    pub elapsed: Duration,
    #[serde(rename = "target_seconds", with = "crate::serde_seconds")]
    pub target: Duration,
}

/// The three clocks of a case at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaClock {
    pub first_response: SlaDue,
    /// The clock of the latest customer message after the first answer; `None` while there
    /// has been none.
    pub next_response: Option<SlaDue>,
    pub resolution: SlaDue,
}

/// A duration both in business time on the SLA clock (pauses excluded) and in wall time;
/// whole seconds in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElapsedTime {
    #[serde(rename = "business_seconds", with = "crate::serde_seconds")]
    pub business: Duration,
    #[serde(rename = "wall_seconds", with = "crate::serde_seconds")]
    pub wall: Duration,
}

/// Reporting figures of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseMetrics {
    /// Until the first answer; `None` while there is none.
    pub time_to_first_response: Option<ElapsedTime>,
    /// Until the latest resolution; `None` unless the case is resolved or closed.
    pub resolution_time: Option<ElapsedTime>,
    /// Customer messages answered after their next-response due time, or still unanswered past it.
    pub next_response_breaches: u32,
}

/// A case's history sorted and cut at `now`, with the facts the clocks need.
struct Timeline {
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
    /// `(from, status)`: the status in force from each instant on, starting with `new`.
    statuses: Vec<(DateTime<Utc>, CaseStatus)>,
    first_reply_at: Option<DateTime<Utc>>,
    /// When the case was last resolved, if it is resolved or closed now.
    resolved_at: Option<DateTime<Utc>>,
    /// `(customer message, answer)` cycles after the first answer.
    next_response_cycles: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
}

impl Timeline {
    fn new(history: &CaseHistory, now: DateTime<Utc>) -> Timeline {
        let created_at = history.created_at;
        let now = now.max(created_at);
        let mut events: Vec<CaseEvent> = history
            .events
            .iter()
            .map(|event| CaseEvent {
                at: event.at.max(created_at),
                kind: event.kind,
            })
            .filter(|event| event.at <= now)
            .collect();
        events.sort_by_key(|event| event.at);

        let mut statuses = vec![(created_at, CaseStatus::New)];
        let mut first_reply_at = None;
        let mut resolved_at = None;
        let mut next_response_cycles: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = Vec::new();
        for event in &events {
            match event.kind {
                CaseEventKind::StatusChanged(status) => {
                    statuses.push((event.at, status));
                    resolved_at = (!status.is_active()).then(|| resolved_at.unwrap_or(event.at));
                    if status == CaseStatus::Resolved {
                        resolved_at = Some(event.at);
                    }
                }
                CaseEventKind::AgentReply => {
                    first_reply_at.get_or_insert(event.at);
                    if let Some((_, answer @ None)) = next_response_cycles.last_mut() {
                        *answer = Some(event.at);
                    }
                }
                CaseEventKind::CustomerMessage => {
                    let waiting = matches!(next_response_cycles.last(), Some((_, None)));
                    if first_reply_at.is_some() && !waiting {
                        next_response_cycles.push((event.at, None));
                    }
                }
            }
        }
        Timeline {
            created_at,
            now,
            statuses,
            first_reply_at,
            resolved_at,
            next_response_cycles,
        }
    }

    /// The periods in `[from, until)` during which the clocks run.
    fn running_periods(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut periods = Vec::new();
        for (index, (start, status)) in self.statuses.iter().enumerate() {
            let end = self
                .statuses
                .get(index + 1)
                .map_or(until, |(next, _)| *next);
            let (start, end) = (*start.max(&from), end.min(until));
            let running = matches!(
                status,
                CaseStatus::New | CaseStatus::Open | CaseStatus::OnHold
            );
            if running && start < end {
                periods.push((start, end));
            }
        }
        periods
    }

    /// Runs one clock from `start` for `target` of business time, until it is stopped at
    /// `stopped_at` or, failing that, until now.
    fn run(
        &self,
        calendar: &BusinessCalendar,
        start: DateTime<Utc>,
        target: Duration,
        stopped_at: Option<DateTime<Utc>>,
        warning_fraction: f64,
    ) -> SlaDue {
        let end = stopped_at.unwrap_or(self.now).min(self.now);
        let mut elapsed = Duration::zero();
        let mut due_at = None;
        for (from, until) in self.running_periods(start, end) {
            let in_period = calendar.business_time_between(from, until);
            if due_at.is_none() && elapsed + in_period >= target {
                due_at = Some(calendar.add_business_time(from, target - elapsed));
            }
            elapsed += in_period;
        }
        let due_at = due_at.unwrap_or_else(|| calendar.add_business_time(end, target - elapsed));
        let state = match stopped_at {
            Some(stop) if stop <= self.now => {
                if stop <= due_at {
                    SlaState::Met
                } else {
                    SlaState::Breached
                }
            }
            _ if self.now > due_at || elapsed > target => SlaState::Breached,
            _ if elapsed.num_seconds() as f64 >= target.num_seconds() as f64 * warning_fraction => {
                SlaState::Warning
            }
            _ => SlaState::Pending,
        };
        SlaDue {
            due_at,
            state,
            elapsed,
            target,
        }
    }
}

impl SlaClock {
    /// The clocks of a case of `priority` at `now`.
    pub fn compute(
        policy: &SlaPolicy,
        calendar: &BusinessCalendar,
        priority: Priority,
        history: &CaseHistory,
        now: DateTime<Utc>,
    ) -> SlaClock {
        let timeline = Timeline::new(history, now);
        let targets = policy.targets(priority);
        let fraction = policy.warning_fraction;
        let first_response_stop = timeline.first_reply_at.or(timeline.resolved_at);
        let first_response = timeline.run(
            calendar,
            timeline.created_at,
            targets.first_response(),
            first_response_stop,
            fraction,
        );
        let next_response =
            timeline
                .next_response_cycles
                .last()
                .map(|(message_at, answered_at)| {
                    timeline.run(
                        calendar,
                        *message_at,
                        targets.next_response(),
                        answered_at.or(timeline.resolved_at),
                        fraction,
                    )
                });
        let resolution = timeline.run(
            calendar,
            timeline.created_at,
            targets.resolution(),
            timeline.resolved_at,
            fraction,
        );
        SlaClock {
            first_response,
            next_response,
            resolution,
        }
    }

    pub fn first_response_due_at(&self) -> DateTime<Utc> {
        self.first_response.due_at
    }

    pub fn next_response_due_at(&self) -> Option<DateTime<Utc>> {
        self.next_response.map(|due| due.due_at)
    }

    pub fn resolution_due_at(&self) -> DateTime<Utc> {
        self.resolution.due_at
    }
}

impl CaseMetrics {
    /// The reporting figures of a case at `now`.
    pub fn compute(
        policy: &SlaPolicy,
        calendar: &BusinessCalendar,
        priority: Priority,
        history: &CaseHistory,
        now: DateTime<Utc>,
    ) -> CaseMetrics {
        let timeline = Timeline::new(history, now);
        let elapsed = |until: DateTime<Utc>| ElapsedTime {
            business: timeline
                .running_periods(timeline.created_at, until)
                .into_iter()
                .map(|(from, to)| calendar.business_time_between(from, to))
                .sum(),
            wall: until - timeline.created_at,
        };
        let target = policy.targets(priority).next_response();
        let next_response_breaches = timeline
            .next_response_cycles
            .iter()
            .filter(|(message_at, answered_at)| {
                let due = timeline.run(
                    calendar,
                    *message_at,
                    target,
                    *answered_at,
                    policy.warning_fraction,
                );
                due.state == SlaState::Breached
            })
            .count() as u32;
        CaseMetrics {
            time_to_first_response: timeline.first_reply_at.map(elapsed),
            resolution_time: timeline.resolved_at.map(elapsed),
            next_response_breaches,
        }
    }
}
