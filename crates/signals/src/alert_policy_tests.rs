//! Tests of the alert policy: duplicates, token buckets to the second, and properties on
//! arbitrary alert streams (rate bound, no duplicate within a window, resumable).

use proptest::prelude::*;

use super::*;

fn policy(per_hour: u32, burst: u32, window: i64) -> AlertPolicy {
    AlertPolicy::new(AlertPolicyConfig {
        dedup_window_seconds: window,
        default_limit: RateLimit {
            alerts_per_hour: per_hour,
            burst,
        },
        rule_limits: BTreeMap::new(),
    })
    .unwrap()
}

#[test]
fn the_same_key_is_suppressed_within_the_window_and_counted() {
    let mut policy = policy(60, 10, 600);
    assert_eq!(
        policy.decide("volume", "panne:1000", 1_000),
        AlertDecision::Send
    );
    assert_eq!(
        policy.decide("volume", "panne:1000", 1_100),
        AlertDecision::Duplicate {
            sent_at: 1_000,
            suppressed: 1
        }
    );
    assert_eq!(
        policy.decide("volume", "panne:1000", 1_599),
        AlertDecision::Duplicate {
            sent_at: 1_000,
            suppressed: 2
        }
    );
    // The window runs from the send, not from the last duplicate.
    assert_eq!(
        policy.decide("volume", "panne:1000", 1_600),
        AlertDecision::Send
    );
    assert_eq!(
        policy.counts(),
        AlertCounts {
            sent: 2,
            duplicates: 2,
            rate_limited: 0
        }
    );
}

#[test]
fn other_keys_and_other_rules_are_not_duplicates() {
    let mut policy = policy(60, 10, 600);
    assert_eq!(policy.decide("volume", "a", 0), AlertDecision::Send);
    assert_eq!(policy.decide("volume", "b", 0), AlertDecision::Send);
    assert_eq!(policy.decide("negative", "a", 0), AlertDecision::Send);
}

#[test]
fn a_token_bucket_allows_a_burst_then_one_per_interval() {
    // 12 per hour: one token every 300 s, bursts of 2.
    let mut policy = policy(12, 2, 0);
    assert_eq!(policy.decide("vip", "1", 0), AlertDecision::Send);
    assert_eq!(policy.decide("vip", "2", 0), AlertDecision::Send);
    assert_eq!(
        policy.decide("vip", "3", 10),
        AlertDecision::RateLimited {
            next_allowed_at: 300
        }
    );
    assert_eq!(
        policy.decide("vip", "3", 299),
        AlertDecision::RateLimited {
            next_allowed_at: 300
        }
    );
    assert_eq!(policy.decide("vip", "3", 300), AlertDecision::Send);
    assert_eq!(
        policy.decide("vip", "4", 301),
        AlertDecision::RateLimited {
            next_allowed_at: 600
        }
    );
    // A long quiet refills only up to the burst.
    assert_eq!(policy.decide("vip", "5", 100_000), AlertDecision::Send);
    assert_eq!(policy.decide("vip", "6", 100_000), AlertDecision::Send);
    assert!(matches!(
        policy.decide("vip", "7", 100_000),
        AlertDecision::RateLimited { .. }
    ));
    assert_eq!(policy.counts().rate_limited, 4);
}

#[test]
fn a_rate_limited_alert_is_not_a_duplicate_when_retried() {
    let mut policy = policy(1, 1, 3_600);
    assert_eq!(policy.decide("keyword", "a", 0), AlertDecision::Send);
    assert_eq!(
        policy.decide("keyword", "b", 5),
        AlertDecision::RateLimited {
            next_allowed_at: 3_600
        }
    );
    assert_eq!(policy.decide("keyword", "b", 3_600), AlertDecision::Send);
}

#[test]
fn duplicates_take_no_token() {
    let mut policy = policy(1, 1, 3_600);
    assert_eq!(policy.decide("sla", "a", 0), AlertDecision::Send);
    for at in 1..50 {
        assert!(matches!(
            policy.decide("sla", "a", at),
            AlertDecision::Duplicate { .. }
        ));
    }
    assert_eq!(policy.decide("sla", "b", 3_600), AlertDecision::Send);
}

#[test]
fn rules_have_their_own_limits() {
    let mut config = AlertPolicyConfig::default();
    config.rule_limits.insert(
        "vip".into(),
        RateLimit {
            alerts_per_hour: 1,
            burst: 1,
        },
    );
    let mut policy = AlertPolicy::new(config).unwrap();
    assert_eq!(policy.decide("vip", "a", 0), AlertDecision::Send);
    assert!(matches!(
        policy.decide("vip", "b", 0),
        AlertDecision::RateLimited { .. }
    ));
    for key in ["a", "b", "c"] {
        assert_eq!(policy.decide("volume", key, 0), AlertDecision::Send);
    }
}

#[test]
fn earlier_timestamps_refill_nothing() {
    let mut policy = policy(3_600, 1, 0);
    assert_eq!(policy.decide("r", "a", 1_000), AlertDecision::Send);
    assert_eq!(
        policy.decide("r", "b", 10),
        AlertDecision::RateLimited {
            next_allowed_at: 1_001
        }
    );
    assert_eq!(policy.decide("r", "b", 1_001), AlertDecision::Send);
}

#[test]
fn limits_of_zero_are_refused() {
    let mut config = AlertPolicyConfig::default();
    config.rule_limits.insert(
        "muted".into(),
        RateLimit {
            alerts_per_hour: 0,
            burst: 1,
        },
    );
    assert!(matches!(
        AlertPolicy::new(config),
        Err(SignalsError::InvalidConfig(_))
    ));
    let config = AlertPolicyConfig {
        dedup_window_seconds: -1,
        ..AlertPolicyConfig::default()
    };
    assert!(AlertPolicy::new(config).is_err());
}

/// Alerts in time order: (seconds since the previous one, rule, key).
fn alerts() -> impl Strategy<Value = Vec<(i64, usize, usize)>> {
    prop::collection::vec((0i64..400, 0usize..2, 0usize..4), 0..200)
}

fn timed(steps: &[(i64, usize, usize)]) -> Vec<(i64, &'static str, &'static str)> {
    let mut at = 0;
    steps
        .iter()
        .map(|&(gap, rule, key)| {
            at += gap;
            (at, ["volume", "vip"][rule], ["a", "b", "c", "d"][key])
        })
        .collect()
}

proptest! {
    #[test]
    fn sends_respect_the_token_bucket_and_the_window(steps in alerts()) {
        let (per_hour, burst, window) = (6i64, 2i64, 900i64);
        let mut policy = policy(per_hour as u32, burst as u32, window);
        let mut sends: Vec<(i64, &str, &str)> = Vec::new();
        for (at, rule, key) in timed(&steps) {
            if policy.decide(rule, key, at) == AlertDecision::Send {
                sends.push((at, rule, key));
            }
        }
        for (index, &(start, rule, key)) in sends.iter().enumerate() {
            for &(later, other_rule, other_key) in &sends[index + 1..] {
                if (other_rule, other_key) == (rule, key) {
                    prop_assert!(later >= start + window, "{key} sent at {start} and {later}");
                }
            }
            // In any span starting at a send, at most burst + refills of that span.
            for span in [0i64, 600, 3_600] {
                let in_span = sends[index..]
                    .iter()
                    .filter(|&&(at, other_rule, _)| other_rule == rule && at <= start + span)
                    .count() as i64;
                prop_assert!(in_span <= burst + span * per_hour / 3_600, "{in_span} in {span}s");
            }
        }
        let counts = policy.counts();
        prop_assert_eq!(counts.sent + counts.duplicates + counts.rate_limited, steps.len() as u64);
    }

    #[test]
    fn a_persisted_policy_decides_identically(steps in alerts(), cut in 0usize..200) {
        let alerts = timed(&steps);
        let cut = cut.min(alerts.len());
        let mut straight = AlertPolicy::default();
        let mut first = AlertPolicy::default();
        for &(at, rule, key) in &alerts[..cut] {
            prop_assert_eq!(straight.decide(rule, key, at), first.decide(rule, key, at));
        }
        let saved = serde_json::to_string(&first).unwrap();
        let mut resumed: AlertPolicy = serde_json::from_str(&saved).unwrap();
        for &(at, rule, key) in &alerts[cut..] {
            prop_assert_eq!(straight.decide(rule, key, at), resumed.decide(rule, key, at));
        }
    }
}
