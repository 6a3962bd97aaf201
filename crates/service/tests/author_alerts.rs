//! Alert rules about who speaks, through the real pipeline: an influential author (by
//! the real influence the writer computes) and a contact marked VIP raise one alert each,
//! an ordinary author none, and a second post by the same person in the hour none.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use connectors::Format;
use domain::Source;
use service::early_warning::{AlertChannel, AlertKind, EarlyWarningConfig, NewAlertRule};
use service::{App, Config, ImportOptions, Origin, import_records};

const BUCKET: i64 = 60;
const T0: i64 = 1_700_000_040;

fn replay_bucket(app: &App, clock: &AtomicI64, bucket: i64, lines: &[String]) {
    clock.store(T0 + bucket * BUCKET + 1, Ordering::SeqCst);
    let records = connectors::read_records(Format::Ndjson, lines.join("\n").as_bytes()).unwrap();
    let origin = Origin { format: "ndjson".into(), origin: "test".into() };
    import_records(app, records, &origin, ImportOptions { threads: 1, batch_size: 500, queue_batches: 2 }, &|_| {}).unwrap();
    clock.store(T0 + (bucket + 1) * BUCKET, Ordering::SeqCst);
    app.writer().tick().unwrap();
}

fn post(id: &str, handle: &str, followers: u64, likes: u64, text: &str) -> String {
    format!(
        r#"{{"source":"x","external_id":"{id}","author":{{"handle":"{handle}","followers":{followers}}},"text":"{text}","created_at":"2026-11-20T10:00:00Z","metrics":{{"likes":{likes},"reposts":{likes}}}}}"#
    )
}

fn rule(name: &str, kind: AlertKind, min_influence: Option<f64>) -> NewAlertRule {
    NewAlertRule { name: name.into(), kind, slice: None, keyword: None, min_influence, threshold: None, within_minutes: None, channel: AlertChannel::InApp }
}

#[test]
fn influential_authors_and_vip_contacts_raise_one_alert_each() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        early_warning: EarlyWarningConfig { bucket_seconds: BUCKET, detector_warmup_buckets: Some(30), baseline_buckets: 12, weak_signals_warmup_buckets: 10 },
        ..Config::default()
    };
    let app = App::open(config).unwrap();
    let clock = Arc::new(AtomicI64::new(T0));
    let reader = clock.clone();
    app.set_early_warning_clock(Arc::new(move || reader.load(Ordering::SeqCst)));

    // Bucket 0: the authors appear; the writer computes their influence and contacts.
    replay_bucket(
        &app,
        &clock,
        0,
        &[
            post("1", "bigvoice", 2_000_000, 50_000, "Great flight today"),
            post("2", "quiet", 3, 0, "Where is my bag?"),
            post("3", "annvip", 10, 0, "Bonjour"),
        ],
    );
    let scores = app.store().author_influence(&[(Source::X, "bigvoice"), (Source::X, "quiet")]).unwrap();
    let (big, small) = (scores[0].as_ref().unwrap().score, scores[1].as_ref().unwrap().score);
    assert!(big > small, "{big} > {small}");
    let threshold = (big + small) / 2.0;
    let influential = app.create_alert_rule(rule("Influencers", AlertKind::InfluentialAuthor, Some(threshold))).unwrap();
    assert_eq!(influential.min_influence, Some(threshold));
    let vip_rule = app.create_alert_rule(rule("VIP", AlertKind::VipContact, None)).unwrap();
    let page = app.store().list_contacts(Some("annvip"), None, 10).unwrap();
    let mut ann = page.into_iter().next().expect("the author became a contact");
    ann.vip = true;
    ann.display_name = Some("Ann Vip".into());
    assert!(app.store().update_contact(&ann).unwrap());

    // Bucket 1: each posts again.
    replay_bucket(
        &app,
        &clock,
        1,
        &[
            post("4", "bigvoice", 2_000_000, 40_000, "Lost my bag, seriously?"),
            post("5", "quiet", 3, 0, "Still no bag"),
            post("6", "annvip", 10, 0, "Mon vol est annulé"),
        ],
    );
    let alerts = app.list_alerts(20).unwrap();
    let by_rule = |id: i64| alerts.iter().filter(|alert| alert.rule_id == Some(id)).collect::<Vec<_>>();
    let influencer_alerts = by_rule(influential.id);
    assert_eq!(influencer_alerts.len(), 1, "{alerts:?}");
    assert!(influencer_alerts[0].text.contains("bigvoice") && influencer_alerts[0].text.contains("Lost my bag"), "{alerts:?}");
    let vip_alerts = by_rule(vip_rule.id);
    assert_eq!(vip_alerts.len(), 1, "{alerts:?}");
    assert!(vip_alerts[0].text.contains("VIP customer Ann Vip"), "{alerts:?}");

    // Bucket 2: the same people again within the hour: de-duplicated.
    replay_bucket(&app, &clock, 2, &[post("7", "bigvoice", 2_000_000, 40_000, "Update"), post("8", "annvip", 10, 0, "Toujours rien")]);
    assert_eq!(app.list_alerts(20).unwrap().len(), 2);
}

#[test]
fn influence_thresholds_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(Config { data_dir: dir.path().to_path_buf(), ..Config::default() }).unwrap();
    let error = app.create_alert_rule(rule("Bad", AlertKind::InfluentialAuthor, Some(101.0))).unwrap_err();
    assert_eq!(error.kind(), domain::ErrorKind::Invalid);
    let default = app.create_alert_rule(rule("Default", AlertKind::InfluentialAuthor, None)).unwrap();
    assert_eq!(default.min_influence, Some(60.0));
}
