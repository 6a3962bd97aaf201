//! Tests of the weak-signal tracker: a rising term among steady ones, warm-up, order,
//! bounded memory, and properties (online, resumable, every flag meets its thresholds).

use proptest::prelude::*;

use super::*;

const HOUR: i64 = 3600;

/// Steady terms: "forfait" 10 per bucket, "facture" alternating 3 and 5.
fn steady(bucket: i64) -> Vec<(&'static str, u64)> {
    vec![
        ("forfait", 10),
        ("facture", if bucket % 2 == 0 { 3 } else { 5 }),
    ]
}

fn warmed_up(tracker: &mut WeakSignalTracker, buckets: i64) {
    for bucket in 0..buckets {
        assert!(
            tracker
                .observe(bucket * HOUR, steady(bucket))
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn a_new_term_rising_is_flagged_and_steady_ones_are_not() {
    let mut tracker = WeakSignalTracker::default();
    warmed_up(&mut tracker, 48);
    let mut bucket = steady(48);
    bucket.push(("coupure", 9));
    bucket[0].1 = 16; // "forfait" a little busier than usual: not a weak signal
    let signals = tracker.observe(48 * HOUR, bucket).unwrap();
    assert_eq!(signals.len(), 1, "{signals:?}");
    let coupure = &signals[0];
    assert_eq!(
        (coupure.term.as_str(), coupure.count, coupure.baseline),
        ("coupure", 9, 0.0)
    );
    assert_eq!(coupure.first_seen, 48 * HOUR);
    assert!(coupure.score > 10.0, "{coupure:?}");
}

#[test]
fn a_known_term_rising_keeps_its_first_seen_and_its_baseline() {
    let mut tracker = WeakSignalTracker::default();
    for bucket in 0..48 {
        let mut counts = steady(bucket);
        counts.push(("5g", 1));
        tracker.observe(bucket * HOUR, counts).unwrap();
    }
    let signals = tracker.observe(48 * HOUR, [("5g", 12)]).unwrap();
    assert_eq!(signals.len(), 1, "{signals:?}");
    assert_eq!(signals[0].first_seen, 0);
    assert!((signals[0].baseline - 1.0).abs() < 1e-9, "{:?}", signals[0]);
}

#[test]
fn nothing_is_flagged_during_warm_up() {
    let mut tracker = WeakSignalTracker::default();
    warmed_up(&mut tracker, 23);
    assert!(
        tracker
            .observe(23 * HOUR, [("coupure", 50)])
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        tracker.observe(24 * HOUR, [("panne", 50)]).unwrap()[0].term,
        "panne"
    );
}

#[test]
fn small_counts_are_never_signals() {
    let mut tracker = WeakSignalTracker::default();
    warmed_up(&mut tracker, 30);
    assert!(
        tracker
            .observe(30 * HOUR, [("rare", 4)])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn counts_of_a_term_listed_twice_add_up() {
    let mut tracker = WeakSignalTracker::default();
    warmed_up(&mut tracker, 30);
    let signals = tracker
        .observe(30 * HOUR, [("panne", 3), ("panne", 3)])
        .unwrap();
    assert_eq!(signals[0].count, 6);
}

#[test]
fn buckets_must_move_forward() {
    let mut tracker = WeakSignalTracker::default();
    tracker.observe(HOUR, steady(1)).unwrap();
    let error = tracker.observe(HOUR, steady(1)).unwrap_err();
    assert!(matches!(
        error,
        SignalsError::OutOfOrder {
            previous: HOUR,
            got: HOUR,
            ..
        }
    ));
}

#[test]
fn memory_is_bounded_by_max_terms() {
    let config = WeakSignalsConfig {
        max_terms: 50,
        ..WeakSignalsConfig::default()
    };
    let mut tracker = WeakSignalTracker::new(config).unwrap();
    for bucket in 0..40 {
        let names: Vec<String> = (0..30).map(|index| format!("t{bucket}-{index}")).collect();
        let mut counts: Vec<(&str, u64)> = names.iter().map(|name| (name.as_str(), 1)).collect();
        counts.extend(steady(bucket));
        tracker.observe(bucket * HOUR, counts).unwrap();
        assert!(tracker.tracked_terms() <= 50);
    }
    // The steady terms have the highest baselines, so they survive the cap.
    assert!(tracker.baseline("forfait").is_some() && tracker.baseline("facture").is_some());
}

#[test]
fn a_bad_configuration_is_refused() {
    for config in [
        WeakSignalsConfig {
            min_rise: 0.5,
            ..WeakSignalsConfig::default()
        },
        WeakSignalsConfig {
            baseline_half_life_buckets: 0.0,
            ..WeakSignalsConfig::default()
        },
        WeakSignalsConfig {
            baseline_floor: 0.0,
            ..WeakSignalsConfig::default()
        },
    ] {
        assert!(matches!(
            WeakSignalTracker::new(config),
            Err(SignalsError::InvalidConfig(_))
        ));
    }
}

/// Buckets of counts over a vocabulary of 12 terms, mostly small, some bursts.
fn buckets() -> impl Strategy<Value = Vec<Vec<(usize, u64)>>> {
    prop::collection::vec(prop::collection::vec((0usize..12, 0u64..8), 0..10), 1..80).prop_map(
        |buckets| {
            buckets
                .into_iter()
                .enumerate()
                .map(|(index, mut counts)| {
                    if index % 17 == 16 {
                        counts.push((index % 12, 40));
                    }
                    counts
                })
                .collect()
        },
    )
}

const TERMS: [&str; 12] = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"];

fn small_config() -> WeakSignalsConfig {
    WeakSignalsConfig {
        warmup_buckets: 5,
        max_terms: 6,
        ..WeakSignalsConfig::default()
    }
}

fn run(
    tracker: &mut WeakSignalTracker,
    buckets: &[Vec<(usize, u64)>],
    first: usize,
) -> Vec<Vec<WeakSignal>> {
    buckets
        .iter()
        .enumerate()
        .map(|(index, counts)| {
            let at = (first + index) as i64 * HOUR;
            tracker
                .observe(at, counts.iter().map(|&(term, count)| (TERMS[term], count)))
                .unwrap()
        })
        .collect()
}

proptest! {
    #[test]
    fn online_and_resumable(series in buckets(), cut in 0usize..80) {
        let cut = cut.min(series.len());
        let mut straight = WeakSignalTracker::new(small_config()).unwrap();
        let full = run(&mut straight, &series, 0);
        let mut prefix = WeakSignalTracker::new(small_config()).unwrap();
        let head = run(&mut prefix, &series[..cut], 0);
        prop_assert_eq!(&full[..cut], &head[..]);
        let saved = serde_json::to_string(&prefix).unwrap();
        let mut resumed: WeakSignalTracker = serde_json::from_str(&saved).unwrap();
        let tail = run(&mut resumed, &series[cut..], cut);
        prop_assert_eq!(&full[cut..], &tail[..]);
    }

    #[test]
    fn every_signal_meets_the_thresholds(series in buckets()) {
        let config = small_config();
        let mut tracker = WeakSignalTracker::new(config.clone()).unwrap();
        for signals in run(&mut tracker, &series, 0) {
            prop_assert!(tracker.tracked_terms() <= config.max_terms);
            for signal in &signals {
                let expected = signal.baseline.max(config.baseline_floor);
                prop_assert!(signal.count >= config.min_count);
                prop_assert!(signal.count as f64 >= config.min_rise * expected);
                prop_assert!(signal.score >= config.min_score && signal.score.is_finite());
            }
            for pair in signals.windows(2) {
                prop_assert!(pair[0].score >= pair[1].score);
            }
        }
    }
}
