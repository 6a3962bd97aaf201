//! The early warning through the real pipeline: a synthetic outage replayed bucket by
//! bucket (with a replaced clock) opens an incident explained by "panne"-like drivers,
//! raises an in-app alert once, and the state survives a restart.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use connectors::Format;
use service::early_warning::{AlertChannel, AlertKind, EarlyWarningConfig, IncidentPatch, NewAlertRule};
use service::{App, Config, ImportOptions, Origin, import_records};

const BUCKET: i64 = 60;
const T0: i64 = 1_700_000_040; // a multiple of 60

const ORDINARY: [&str; 6] = [
    "Mon vol pour Lyon était à l'heure, merci",
    "Is the lounge at CDG open this early?",
    "Bagage arrivé rapidement à Nice aujourd'hui",
    "Nice crew on the Boston flight, thanks",
    "Question sur la franchise bagage pour Montréal",
    "Seat upgrade offered at the gate, lovely surprise",
];
const OUTAGE: [&str; 4] = [
    "Le site est en panne, impossible de faire l'enregistrement, panne réseau",
    "Panne réseau totale, no signal depuis une heure",
    "Encore une panne ? no signal sur l'appli, réseau mort",
    "panne générale du réseau, no signal à Toulouse",
];

fn line(id: usize, text: &str) -> String {
    format!(r#"{{"source":"x","external_id":"{id}","author":{{"handle":"user{}"}},"text":"{text}","created_at":"2026-11-20T10:00:00Z"}}"#, id % 97)
}

struct Replay {
    app: App,
    clock: Arc<AtomicI64>,
    next_id: usize,
}

impl Replay {
    fn open(dir: &std::path::Path) -> Replay {
        let config = Config {
            data_dir: dir.to_path_buf(),
            early_warning: EarlyWarningConfig { bucket_seconds: BUCKET, detector_warmup_buckets: Some(30), baseline_buckets: 12, weak_signals_warmup_buckets: 10 },
            ..Config::default()
        };
        let app = App::open(config).unwrap();
        let clock = Arc::new(AtomicI64::new(T0));
        let reader = clock.clone();
        app.set_early_warning_clock(Arc::new(move || reader.load(Ordering::SeqCst)));
        Replay { app, clock, next_id: 0 }
    }

    /// Stores the texts during bucket `bucket`, then lets the writer tick into the next.
    fn bucket(&mut self, bucket: i64, texts: &[&str]) {
        self.clock.store(T0 + bucket * BUCKET + 1, Ordering::SeqCst);
        let lines: Vec<String> = texts
            .iter()
            .map(|text| {
                self.next_id += 1;
                line(self.next_id, text)
            })
            .collect();
        let records = connectors::read_records(Format::Ndjson, lines.join("\n").as_bytes()).unwrap();
        let origin = Origin { format: "ndjson".into(), origin: "test".into() };
        import_records(&self.app, records, &origin, ImportOptions { threads: 1, batch_size: 500, queue_batches: 2 }, &|_| {}).unwrap();
        self.clock.store(T0 + (bucket + 1) * BUCKET, Ordering::SeqCst);
        self.app.writer().tick().unwrap();
    }
}

fn ordinary(bucket: i64) -> Vec<&'static str> {
    (0..8 + (bucket % 3) as usize).map(|i| ORDINARY[(i + bucket as usize) % ORDINARY.len()]).collect()
}

#[test]
fn a_synthetic_outage_opens_one_incident_explained_by_its_words_and_alerts_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut replay = Replay::open(dir.path());
    replay.app.create_topic(&domain::NewListeningTopic { name: "Panne".into(), query: "panne OR réseau".into(), languages: vec![], owner: String::new() }).unwrap();
    let rule = replay
        .app
        .create_alert_rule(NewAlertRule { name: "Volume".into(), kind: AlertKind::VolumeAnomaly, slice: Some("total".into()), keyword: None, min_influence: None, threshold: None, within_minutes: None, channel: AlertChannel::InApp })
        .unwrap();
    for bucket in 0..60 {
        replay.bucket(bucket, &ordinary(bucket));
    }
    assert!(replay.app.list_incidents(None, 10).unwrap().items.is_empty(), "no incident before the outage");

    let mut spike: Vec<&str> = (0..80).map(|i| OUTAGE[i % OUTAGE.len()]).collect();
    spike.extend(ordinary(60));
    replay.bucket(60, &spike);
    for bucket in 61..64 {
        replay.bucket(bucket, &ordinary(bucket));
    }

    let incidents = replay.app.list_incidents(None, 10).unwrap().items;
    let total = incidents.iter().find(|incident| incident.slice == "total").expect("the total stream opened an incident");
    assert_eq!(total.started_at.timestamp(), T0 + 60 * BUCKET);
    let terms: Vec<&str> = total.drivers.iter().map(|driver| driver.value.as_str()).collect();
    assert!(terms.contains(&"panne"), "{terms:?}");
    assert!(terms.iter().any(|term| *term == "no signal" || *term == "réseau"), "{terms:?}");
    assert!(total.buckets.len() >= 4, "the open incident follows its slice: {:?}", total.buckets);
    let linked = replay.app.incident_mentions(total.id, None, 500).unwrap().items;
    assert!(linked.len() >= 80 && linked.len() <= 88 + 3 * 10, "{} linked mentions", linked.len());
    assert!(incidents.iter().any(|incident| incident.slice == "topic:Panne"), "{:?}", incidents.iter().map(|i| &i.slice).collect::<Vec<_>>());

    let alerts = replay.app.list_alerts(10).unwrap();
    assert_eq!(alerts.iter().filter(|alert| alert.rule_id == Some(rule.id)).count(), 1, "{alerts:?}");
    assert_eq!(alerts[0].incident_id, Some(total.id));

    let acknowledged = replay.app.patch_incident(total.id, &IncidentPatch { status: Some("acknowledged".into()), owner: Some("marie".into()), by: None, ..IncidentPatch::default() }).unwrap();
    assert_eq!(acknowledged.owner.as_deref(), Some("marie"));
    assert_eq!(acknowledged.timeline.len(), total.timeline.len() + 2);
    let back = replay.app.patch_incident(total.id, &IncidentPatch { status: Some("open".into()), ..IncidentPatch::default() });
    assert_eq!(back.unwrap_err().kind(), domain::ErrorKind::Conflict);

    // A restart continues from the saved detectors: the same slices, no second incident.
    let Replay { app, .. } = replay;
    drop(app);
    let mut replay = Replay::open(dir.path());
    replay.clock.store(T0 + 64 * BUCKET, Ordering::SeqCst);
    replay.next_id = 10_000;
    for bucket in 64..70 {
        replay.bucket(bucket, &ordinary(bucket));
    }
    let saved = replay.app.store().get_state("early_warning.state").unwrap().unwrap();
    assert!(saved.contains("topic:Panne") && saved.contains("detectors"));
    assert_eq!(replay.app.list_incidents(None, 10).unwrap().items.len(), incidents.len());
}

#[test]
fn a_muted_rule_raises_nothing_until_unmuted() {
    let dir = tempfile::tempdir().unwrap();
    let mut replay = Replay::open(dir.path());
    let keyword = |name: &str| NewAlertRule {
        name: name.into(),
        kind: AlertKind::Keyword,
        slice: None,
        keyword: Some("panne".into()),
        min_influence: None,
        threshold: None,
        within_minutes: None,
        channel: AlertChannel::InApp,
    };
    let loud = replay.app.create_alert_rule(keyword("loud")).unwrap();
    let quiet = replay.app.create_alert_rule(keyword("quiet")).unwrap();
    assert!(replay.app.set_alert_rule_muted(quiet.id, true).unwrap().muted);
    replay.bucket(0, &[OUTAGE[0]]);
    let raised = |replay: &Replay, rule: i64| replay.app.list_alerts(50).unwrap().iter().filter(|alert| alert.rule_id == Some(rule)).count();
    assert_eq!((raised(&replay, loud.id), raised(&replay, quiet.id)), (1, 0));
    assert!(replay.app.list_alert_rules().unwrap().iter().any(|rule| rule.id == quiet.id && rule.muted));
    assert!(!replay.app.set_alert_rule_muted(quiet.id, false).unwrap().muted);
    replay.bucket(1, &[OUTAGE[1]]);
    assert_eq!(raised(&replay, quiet.id), 1, "unmuted, it raises again");
    assert_eq!(replay.app.set_alert_rule_muted(999_999, true).unwrap_err().kind(), domain::ErrorKind::NotFound);
}
