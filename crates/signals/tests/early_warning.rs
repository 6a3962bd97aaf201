//! The early-warning pieces together, as the service will chain them: a topic's counts
//! per bucket go through the detector, its scores open and close an incident, the
//! incident's mentions are explained by their drivers, and its alert passes the policy.

use signals::{
    AlertDecision, AlertPolicy, Detector, FeatureCounts, FeatureKind, IncidentEvent,
    IncidentTracker, WeakSignalTracker, drivers, terms_of,
};

const BUCKET: i64 = 300;
const START: i64 = 1_700_000_000;

/// Mentions per 5-minute bucket: a smooth daily rhythm, small deterministic noise, and an
/// outage from bucket 2,000 to 2,011.
fn volume(bucket: i64) -> f64 {
    let day_fraction = ((START + bucket * BUCKET) % 86_400) as f64 / 86_400.0;
    let rhythm = 8.0 - 5.0 * (2.0 * std::f64::consts::PI * day_fraction).cos();
    let noise = ((bucket * 7_919) % 5) as f64;
    let outage = if (2_000..2_012).contains(&bucket) {
        150.0
    } else {
        0.0
    };
    rhythm + noise + outage
}

fn mention(bucket: i64, index: i64) -> &'static str {
    if (2_000..2_012).contains(&bucket) && index % 3 != 0 {
        [
            "Panne réseau à Lyon, plus rien",
            "Aucun réseau depuis 1h, panne ?",
        ][(index % 2) as usize]
    } else {
        [
            "Merci pour la fibre",
            "Question sur ma facture",
            "Le forfait est bien",
        ][(index % 3) as usize]
    }
}

#[test]
fn a_spike_opens_one_incident_explained_by_its_words_and_alerts_once() {
    let mut detector = Detector::default();
    let mut incidents = IncidentTracker::default();
    let mut policy = AlertPolicy::default();
    let mut weak_signals = WeakSignalTracker::default();
    let mut events = Vec::new();
    let mut alerts = Vec::new();
    let mut rising = Vec::new();
    for bucket in 0..2_100 {
        let at = START + bucket * BUCKET;
        let count = volume(bucket);
        let score = detector.update(at, count);
        let mut terms: Vec<(String, u64)> = Vec::new();
        for index in 0..count as i64 {
            for term in terms_of(mention(bucket, index), Some("fr")) {
                match terms.iter_mut().find(|(known, _)| *known == term) {
                    Some((_, total)) => *total += 1,
                    None => terms.push((term, 1)),
                }
            }
        }
        let signals = weak_signals
            .observe(
                at,
                terms.iter().map(|(term, total)| (term.as_str(), *total)),
            )
            .unwrap();
        rising.extend(signals.into_iter().map(|signal| (bucket, signal.term)));
        if let Some(event) = incidents.observe("topic:operateur", at, score).unwrap() {
            if let IncidentEvent::Opened { started_at, .. } = &event {
                let key = format!("topic:operateur@{started_at}");
                alerts.push(policy.decide("volume anomaly", &key, at));
            }
            events.push((bucket, event));
        }
    }

    let opened: Vec<_> = events
        .iter()
        .filter(|(_, event)| matches!(event, IncidentEvent::Opened { .. }))
        .collect();
    assert_eq!(opened.len(), 1, "{events:?}");
    assert!(
        (2_000..2_003).contains(&opened[0].0),
        "opened late: {events:?}"
    );
    assert!(
        events
            .iter()
            .any(|(_, event)| matches!(event, IncidentEvent::Closed { .. })),
        "{events:?}"
    );
    assert_eq!(alerts, [AlertDecision::Send]);
    assert!(
        rising
            .iter()
            .any(|(bucket, term)| *bucket == 2_000 && term == "panne"),
        "{rising:?}"
    );

    let mut window = FeatureCounts::new();
    let mut baseline = FeatureCounts::new();
    for bucket in 1_900..2_012 {
        let counts = if bucket >= 2_000 {
            &mut window
        } else {
            &mut baseline
        };
        for index in 0..volume(bucket) as i64 {
            for term in terms_of(mention(bucket, index), Some("fr")) {
                counts.add(FeatureKind::Term, &term, 1);
            }
        }
    }
    let found = drivers(&window, &baseline, &Default::default()).unwrap();
    let top: Vec<&str> = found
        .iter()
        .take(3)
        .map(|driver| driver.value.as_str())
        .collect();
    assert!(
        top.contains(&"panne") && top.contains(&"reseau"),
        "{found:#?}"
    );
}
