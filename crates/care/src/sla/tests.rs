//! SLA clock tests on the default policy and calendar, and properties of pausing and
//! of due times.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::{BusinessCalendar, CaseStatus, Priority};

fn paris(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Paris
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// Monday 30 November 2026 at `h:mi` in Paris, plus `days`.
fn week_of_nov_30(days: u32, h: u32, mi: u32) -> DateTime<Utc> {
    paris(2026, 11, 30, h, mi) + Duration::days(i64::from(days))
}

fn event(at: DateTime<Utc>, kind: CaseEventKind) -> CaseEvent {
    CaseEvent { at, kind }
}

fn status(at: DateTime<Utc>, to: CaseStatus) -> CaseEvent {
    event(at, CaseEventKind::StatusChanged(to))
}

fn clock(priority: Priority, history: &CaseHistory, now: DateTime<Utc>) -> SlaClock {
    SlaClock::compute(
        &SlaPolicy::default(),
        &BusinessCalendar::default(),
        priority,
        history,
        now,
    )
}

fn metrics(history: &CaseHistory, now: DateTime<Utc>) -> CaseMetrics {
    CaseMetrics::compute(
        &SlaPolicy::default(),
        &BusinessCalendar::default(),
        Priority::Normal,
        history,
        now,
    )
}

#[test]
fn a_new_case_is_pending_then_in_warning_then_breached() {
    let history = CaseHistory {
        created_at: week_of_nov_30(0, 10, 0),
        events: vec![],
    };
    let at_eleven = clock(Priority::Normal, &history, week_of_nov_30(0, 11, 0));
    assert_eq!(at_eleven.first_response_due_at(), week_of_nov_30(0, 14, 0));
    assert_eq!(at_eleven.first_response.state, SlaState::Pending);
    // 24 business hours: 9 on Monday, 10 on Tuesday, 5 on Wednesday.
    assert_eq!(at_eleven.resolution_due_at(), week_of_nov_30(2, 14, 0));
    assert_eq!(at_eleven.next_response, None);
    let at_twenty_past_one = clock(Priority::Normal, &history, week_of_nov_30(0, 13, 20));
    assert_eq!(at_twenty_past_one.first_response.state, SlaState::Warning);
    assert_eq!(
        at_twenty_past_one.first_response.elapsed,
        Duration::minutes(200)
    );
    assert_eq!(
        clock(Priority::Normal, &history, week_of_nov_30(0, 14, 1))
            .first_response
            .state,
        SlaState::Breached
    );
}

#[test]
fn a_reply_in_time_meets_the_first_response_target_and_a_late_one_breaches_it() {
    let mut history = CaseHistory {
        created_at: week_of_nov_30(0, 10, 0),
        events: vec![event(week_of_nov_30(0, 12, 0), CaseEventKind::AgentReply)],
    };
    let met = clock(Priority::Normal, &history, week_of_nov_30(1, 9, 0));
    assert_eq!(met.first_response.state, SlaState::Met);
    assert_eq!(met.first_response_due_at(), week_of_nov_30(0, 14, 0));
    history.events[0].at = week_of_nov_30(0, 15, 0);
    assert_eq!(
        clock(Priority::Normal, &history, week_of_nov_30(1, 9, 0))
            .first_response
            .state,
        SlaState::Breached
    );
}

#[test]
fn waiting_for_the_customer_pauses_the_clocks() {
    let history = CaseHistory {
        created_at: week_of_nov_30(0, 10, 0),
        events: vec![
            event(week_of_nov_30(0, 11, 0), CaseEventKind::AgentReply),
            status(week_of_nov_30(0, 11, 0), CaseStatus::PendingCustomer),
            event(week_of_nov_30(1, 11, 0), CaseEventKind::CustomerMessage),
            status(week_of_nov_30(1, 11, 0), CaseStatus::Open),
        ],
    };
    let now = week_of_nov_30(1, 12, 0);
    let clock = clock(Priority::Normal, &history, now);
    // Ten paused business hours (Monday 11:00–19:00, Tuesday 9:00–11:00) move the
    // resolution from Wednesday 14:00 to Thursday 14:00.
    assert_eq!(clock.resolution_due_at(), week_of_nov_30(3, 14, 0));
    assert_eq!(clock.resolution.elapsed, Duration::hours(2));
    let next_response = clock.next_response.unwrap();
    assert_eq!(next_response.due_at, week_of_nov_30(1, 19, 0));
    assert_eq!(next_response.state, SlaState::Pending);

    // While still pending, the due time keeps moving later.
    let mut still_pending = history.clone();
    still_pending.events.truncate(2);
    let monday = SlaClock::compute(
        &SlaPolicy::default(),
        &BusinessCalendar::default(),
        Priority::Normal,
        &still_pending,
        week_of_nov_30(0, 12, 0),
    );
    let tuesday = SlaClock::compute(
        &SlaPolicy::default(),
        &BusinessCalendar::default(),
        Priority::Normal,
        &still_pending,
        week_of_nov_30(1, 12, 0),
    );
    assert!(monday.resolution_due_at() < tuesday.resolution_due_at());
    assert_eq!(tuesday.resolution.state, SlaState::Pending);
}

#[test]
fn a_resolved_case_stops_its_clocks_and_a_reopened_one_resumes() {
    let created_at = week_of_nov_30(0, 10, 0);
    let resolved = CaseHistory {
        created_at,
        events: vec![
            event(week_of_nov_30(0, 11, 0), CaseEventKind::AgentReply),
            status(week_of_nov_30(0, 12, 0), CaseStatus::Resolved),
        ],
    };
    let clock_resolved = clock(Priority::Normal, &resolved, week_of_nov_30(6, 0, 0));
    assert_eq!(clock_resolved.resolution.state, SlaState::Met);
    assert_eq!(clock_resolved.resolution.elapsed, Duration::hours(2));
    let mut reopened = resolved.clone();
    reopened
        .events
        .push(status(week_of_nov_30(1, 10, 0), CaseStatus::Open));
    let clock_reopened = clock(Priority::Normal, &reopened, week_of_nov_30(1, 11, 0));
    assert_eq!(clock_reopened.resolution.state, SlaState::Pending);
    assert_eq!(clock_reopened.resolution.elapsed, Duration::hours(3));
    // 21 hours left from Tuesday 11:00: 8 on Tuesday, 10 on Wednesday, 3 on Thursday.
    assert_eq!(clock_reopened.resolution_due_at(), week_of_nov_30(3, 12, 0));
}

#[test]
fn an_urgent_case_written_on_saturday_is_due_on_monday_morning() {
    let history = CaseHistory {
        created_at: paris(2026, 11, 28, 15, 0),
        events: vec![],
    };
    let clock = clock(Priority::Urgent, &history, paris(2026, 11, 29, 12, 0));
    assert_eq!(clock.first_response_due_at(), week_of_nov_30(0, 9, 30));
    assert_eq!(clock.resolution_due_at(), week_of_nov_30(0, 13, 0));
    assert_eq!(clock.first_response.state, SlaState::Pending);
}

#[test]
fn metrics_count_business_and_wall_time() {
    let history = CaseHistory {
        created_at: paris(2026, 11, 27, 18, 0),
        events: vec![
            event(week_of_nov_30(0, 9, 30), CaseEventKind::AgentReply),
            status(week_of_nov_30(0, 9, 30), CaseStatus::PendingCustomer),
            status(week_of_nov_30(1, 9, 0), CaseStatus::Resolved),
        ],
    };
    let figures = metrics(&history, week_of_nov_30(2, 0, 0));
    let first = figures.time_to_first_response.unwrap();
    assert_eq!(first.business, Duration::minutes(90));
    assert_eq!(first.wall, Duration::minutes(63 * 60 + 30));
    let resolution = figures.resolution_time.unwrap();
    assert_eq!(
        resolution.business,
        Duration::minutes(90),
        "the pending time does not count"
    );
    assert_eq!(resolution.wall, Duration::hours(87));
    assert_eq!(
        metrics(
            &CaseHistory {
                created_at: history.created_at,
                events: vec![]
            },
            week_of_nov_30(0, 10, 0)
        )
        .resolution_time,
        None
    );
}

#[test]
fn late_answers_to_follow_ups_are_counted() {
    let history = CaseHistory {
        created_at: week_of_nov_30(0, 9, 0),
        events: vec![
            event(week_of_nov_30(0, 9, 10), CaseEventKind::AgentReply),
            event(week_of_nov_30(0, 9, 20), CaseEventKind::CustomerMessage),
            event(week_of_nov_30(1, 9, 0), CaseEventKind::AgentReply), // 9h40 later: breached
            event(week_of_nov_30(1, 10, 0), CaseEventKind::CustomerMessage),
            event(week_of_nov_30(1, 10, 30), CaseEventKind::CustomerMessage),
            event(week_of_nov_30(1, 11, 0), CaseEventKind::AgentReply), // in time
        ],
    };
    assert_eq!(
        metrics(&history, week_of_nov_30(2, 0, 0)).next_response_breaches,
        1
    );
    let clock = clock(Priority::Normal, &history, week_of_nov_30(2, 0, 0));
    let next = clock.next_response.unwrap();
    assert_eq!(
        (next.state, next.due_at),
        (SlaState::Met, week_of_nov_30(1, 18, 0))
    );
}

#[test]
fn events_out_of_order_or_before_creation_or_in_the_future_are_handled() {
    let created_at = week_of_nov_30(0, 10, 0);
    let history = CaseHistory {
        created_at,
        events: vec![
            event(week_of_nov_30(5, 10, 0), CaseEventKind::AgentReply), // after now: ignored
            event(
                created_at - Duration::hours(1),
                CaseEventKind::CustomerMessage,
            ),
        ],
    };
    let clock = clock(Priority::Normal, &history, week_of_nov_30(0, 11, 0));
    assert_eq!(clock.first_response.state, SlaState::Pending);
    assert_eq!(clock.next_response, None);
    let before_creation = SlaClock::compute(
        &SlaPolicy::default(),
        &BusinessCalendar::default(),
        Priority::Low,
        &history,
        created_at - Duration::days(3),
    );
    assert_eq!(before_creation.first_response.elapsed, Duration::zero());
}

#[test]
fn clocks_serialise_for_the_api() {
    let history = CaseHistory {
        created_at: week_of_nov_30(0, 10, 0),
        events: vec![status(week_of_nov_30(0, 10, 5), CaseStatus::Open)],
    };
    let history_json = serde_json::to_string(&history).unwrap();
    assert!(
        history_json.contains(r#""kind":"status_changed","status":"open""#),
        "{history_json}"
    );
    assert_eq!(
        serde_json::from_str::<CaseHistory>(&history_json).unwrap(),
        history
    );
    let every_kind = CaseHistory {
        created_at: history.created_at,
        events: vec![
            event(week_of_nov_30(0, 11, 0), CaseEventKind::AgentReply),
            event(week_of_nov_30(0, 12, 0), CaseEventKind::CustomerMessage),
            status(week_of_nov_30(0, 13, 0), CaseStatus::PendingCustomer),
        ],
    };
    let every_kind_json = serde_json::to_string(&every_kind).unwrap();
    assert!(
        every_kind_json.contains(r#""kind":"agent_reply""#),
        "{every_kind_json}"
    );
    assert_eq!(
        serde_json::from_str::<CaseHistory>(&every_kind_json).unwrap(),
        every_kind
    );
    let json =
        serde_json::to_value(clock(Priority::High, &history, week_of_nov_30(0, 10, 10))).unwrap();
    assert_eq!(json["first_response"]["state"], "pending");
    assert_eq!(json["first_response"]["elapsed_seconds"], 600);
    assert_eq!(json["first_response"]["target_seconds"], 3600);
    assert_eq!(json["first_response"]["due_at"], "2026-11-30T10:00:00Z");
    let back: SlaClock = serde_json::from_value(json).unwrap();
    assert_eq!(
        back,
        clock(Priority::High, &history, week_of_nov_30(0, 10, 10))
    );
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (1_767_225_600i64..1_798_761_600)
        .prop_map(|seconds| DateTime::from_timestamp(seconds, 0).unwrap())
}

fn message_events() -> impl Strategy<Value = Vec<(i64, bool)>> {
    prop::collection::vec((0i64..14 * 24 * 60, any::<bool>()), 0..6)
}

fn priority() -> impl Strategy<Value = Priority> {
    prop::sample::select(Priority::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn pausing_never_moves_a_due_time_earlier(
        created_at in instant(), messages in message_events(), priority in priority(),
        pause_start in 0i64..10 * 24 * 60, pause_minutes in 0i64..5 * 24 * 60, now_after in 0i64..20 * 24 * 60,
    ) {
        let events: Vec<CaseEvent> = messages.iter().map(|(minutes, from_customer)| {
            let kind = if *from_customer { CaseEventKind::CustomerMessage } else { CaseEventKind::AgentReply };
            event(created_at + Duration::minutes(*minutes), kind)
        }).collect();
        let plain = CaseHistory { created_at, events: events.clone() };
        let mut paused = plain.clone();
        let paused_from = created_at + Duration::minutes(pause_start);
        paused.events.push(status(paused_from, CaseStatus::PendingCustomer));
        paused.events.push(status(paused_from + Duration::minutes(pause_minutes), CaseStatus::Open));
        let now = created_at + Duration::minutes(now_after);
        let without_pause = clock(priority, &plain, now);
        let with_pause = clock(priority, &paused, now);
        prop_assert!(with_pause.first_response_due_at() >= without_pause.first_response_due_at());
        prop_assert!(with_pause.resolution_due_at() >= without_pause.resolution_due_at());
        if let (Some(with), Some(without)) = (with_pause.next_response_due_at(), without_pause.next_response_due_at()) {
            prop_assert!(with >= without);
        }
    }

    #[test]
    fn due_times_are_monotone_in_the_creation_time(
        a in instant(), b in instant(), priority in priority(), now_after in 0i64..30 * 24 * 60,
    ) {
        let (early, late) = (a.min(b), a.max(b));
        let now = late + Duration::minutes(now_after);
        let early_clock = clock(priority, &CaseHistory { created_at: early, events: vec![] }, now);
        let late_clock = clock(priority, &CaseHistory { created_at: late, events: vec![] }, now);
        prop_assert!(early_clock.first_response_due_at() <= late_clock.first_response_due_at());
        prop_assert!(early_clock.resolution_due_at() <= late_clock.resolution_due_at());
    }

    #[test]
    fn met_or_breached_agrees_with_the_due_time(
        created_at in instant(), reply_after in 0i64..7 * 24 * 60, priority in priority(),
    ) {
        let reply_at = created_at + Duration::minutes(reply_after);
        let history = CaseHistory { created_at, events: vec![event(reply_at, CaseEventKind::AgentReply)] };
        let first = clock(priority, &history, reply_at + Duration::days(1)).first_response;
        prop_assert_eq!(first.state == SlaState::Met, reply_at <= first.due_at);
        prop_assert!(matches!(first.state, SlaState::Met | SlaState::Breached));
    }
}
