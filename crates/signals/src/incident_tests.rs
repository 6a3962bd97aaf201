//! Tests of the incident state machine: the rules on hand-made series, and properties on
//! arbitrary ones (never two open incidents per slice, resumable state).

use proptest::prelude::*;

use super::*;

const BUCKET: i64 = 300;

fn tracker(cool_down_buckets: u32) -> IncidentTracker {
    IncidentTracker::new(IncidentConfig {
        open_threshold: 0.6,
        close_threshold: 0.3,
        cool_down_buckets,
    })
    .unwrap()
}

fn feed(tracker: &mut IncidentTracker, slice: &str, scores: &[f64]) -> Vec<(usize, IncidentEvent)> {
    scores
        .iter()
        .enumerate()
        .filter_map(|(index, &score)| {
            let event = tracker
                .observe(slice, index as i64 * BUCKET, score)
                .unwrap();
            event.map(|event| (index, event))
        })
        .collect()
}

#[test]
fn default_opens_at_the_tuned_nab_threshold() {
    let mut tracker = IncidentTracker::default();
    assert_eq!(tracker.observe("panne", 0, 0.509).unwrap(), None);
    assert_eq!(
        tracker.observe("panne", 300, 0.510).unwrap(),
        Some(IncidentEvent::Opened {
            slice: "panne".into(),
            started_at: 300,
            peak: 0.510
        })
    );
}

#[test]
fn opens_extends_and_closes_after_the_cool_down() {
    let mut tracker = tracker(2);
    let scores = [0.1, 0.7, 0.4, 0.2, 0.35, 0.1, 0.1, 0.1, 0.1];
    let events = feed(&mut tracker, "topic", &scores);
    assert_eq!(
        events,
        vec![
            (
                1,
                IncidentEvent::Opened {
                    slice: "topic".into(),
                    started_at: 300,
                    peak: 0.7
                }
            ),
            // 0.2 cools once, 0.35 is hot again, then two cool buckets, and the third closes.
            (
                7,
                IncidentEvent::Closed {
                    slice: "topic".into(),
                    started_at: 300,
                    ended_at: 1200,
                    peak: 0.7,
                    buckets: 4
                }
            ),
        ]
    );
    assert!(tracker.open_incident("topic").is_none());
}

#[test]
fn a_re_alert_updates_only_when_it_raises_the_peak() {
    let mut tracker = tracker(3);
    let events = feed(&mut tracker, "topic", &[0.8, 0.7, 0.9, 0.9, 0.65]);
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[1],
        (
            2,
            IncidentEvent::Updated {
                slice: "topic".into(),
                started_at: 0,
                peak: 0.9,
                buckets: 3
            }
        )
    );
    let open = tracker.open_incident("topic").unwrap();
    assert_eq!(open.repeated_alerts, 3);
    assert_eq!(open.peak_at, 600);
}

#[test]
fn a_re_alert_within_the_cool_down_joins_the_open_incident() {
    let mut tracker = tracker(3);
    let events = feed(&mut tracker, "topic", &[0.8, 0.0, 0.0, 0.0, 0.75]);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(tracker.open_incident("topic").unwrap().buckets, 5);
}

#[test]
fn a_re_alert_after_the_cool_down_opens_a_new_incident() {
    let mut tracker = tracker(1);
    let events = feed(&mut tracker, "topic", &[0.8, 0.0, 0.0, 0.75]);
    let kinds: Vec<_> = events
        .iter()
        .map(|(index, event)| (*index, kind(event)))
        .collect();
    assert_eq!(kinds, vec![(0, "opened"), (2, "closed"), (3, "opened")]);
}

#[test]
fn slices_are_independent() {
    let mut tracker = tracker(1);
    tracker.observe("a", 0, 0.9).unwrap();
    let opened_b = tracker.observe("b", 0, 0.9).unwrap();
    assert!(matches!(opened_b, Some(IncidentEvent::Opened { .. })));
    assert_eq!(tracker.open_incidents().count(), 2);
}

#[test]
fn non_finite_scores_count_as_zero() {
    let mut tracker = tracker(0);
    assert_eq!(tracker.observe("a", 0, f64::NAN).unwrap(), None);
    tracker.observe("a", 300, 0.9).unwrap();
    let closed = tracker.observe("a", 600, f64::INFINITY).unwrap();
    assert!(matches!(
        closed,
        Some(IncidentEvent::Closed { ended_at: 300, .. })
    ));
}

#[test]
fn a_bucket_out_of_order_is_refused_while_open() {
    let mut tracker = tracker(2);
    tracker.observe("a", 600, 0.9).unwrap();
    let error = tracker.observe("a", 600, 0.1).unwrap_err();
    assert_eq!(
        error,
        SignalsError::OutOfOrder {
            series: "a".into(),
            previous: 600,
            got: 600
        }
    );
    assert_eq!(error.kind(), domain::ErrorKind::Invalid);
}

#[test]
fn thresholds_must_be_ordered() {
    for (open_threshold, close_threshold) in [(0.5, 0.6), (1.2, 0.3), (0.0, 0.0), (f64::NAN, 0.1)] {
        let config = IncidentConfig {
            open_threshold,
            close_threshold,
            cool_down_buckets: 1,
        };
        assert!(
            IncidentTracker::new(config).is_err(),
            "{open_threshold} {close_threshold}"
        );
    }
}

fn kind(event: &IncidentEvent) -> &'static str {
    match event {
        IncidentEvent::Opened { .. } => "opened",
        IncidentEvent::Updated { .. } => "updated",
        IncidentEvent::Closed { .. } => "closed",
    }
}

proptest! {
    #[test]
    fn events_alternate_open_then_close_per_slice(
        points in prop::collection::vec((0usize..3, 0.0f64..1.0), 0..400),
        cool_down_buckets in 0u32..6,
    ) {
        let mut tracker = tracker(cool_down_buckets);
        let mut open_since: [Option<i64>; 3] = [None; 3];
        for (index, (slice, score)) in points.into_iter().enumerate() {
            let name = ["a", "b", "c"][slice];
            let at = index as i64 * BUCKET;
            match tracker.observe(name, at, score).unwrap() {
                Some(IncidentEvent::Opened { started_at, peak, .. }) => {
                    prop_assert!(open_since[slice].is_none(), "two incidents open on {}", name);
                    prop_assert!(peak >= 0.6);
                    open_since[slice] = Some(started_at);
                }
                Some(IncidentEvent::Updated { started_at, .. }) => {
                    prop_assert_eq!(open_since[slice], Some(started_at));
                }
                Some(IncidentEvent::Closed { started_at, ended_at, .. }) => {
                    prop_assert_eq!(open_since[slice], Some(started_at));
                    prop_assert!(ended_at >= started_at && ended_at < at);
                    open_since[slice] = None;
                }
                None => {}
            }
            prop_assert_eq!(tracker.open_incident(name).is_some(), open_since[slice].is_some());
        }
    }

    #[test]
    fn a_persisted_tracker_resumes_identically(
        scores in prop::collection::vec(0.0f64..1.0, 1..200),
        cut in 0usize..200,
    ) {
        let cut = cut.min(scores.len());
        let mut straight = tracker(3);
        let mut resumed = tracker(3);
        for (index, &score) in scores[..cut].iter().enumerate() {
            straight.observe("s", index as i64, score).unwrap();
            resumed.observe("s", index as i64, score).unwrap();
        }
        let saved = serde_json::to_string(&resumed).unwrap();
        let mut resumed: IncidentTracker = serde_json::from_str(&saved).unwrap();
        for (index, &score) in scores.iter().enumerate().skip(cut) {
            let at = index as i64;
            prop_assert_eq!(straight.observe("s", at, score).unwrap(), resumed.observe("s", at, score).unwrap());
        }
    }
}
