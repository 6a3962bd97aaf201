//! The ingestion pipeline end to end on the embedded default: parse, normalise,
//! de-duplicate, detect the language, match topics, store, index, heal after a crash.

use connectors::{Format, Record};
use domain::{IngestEvent, NewListeningTopic, Source};
use service::{import_records, App, Config, ImportOptions, Origin, Sort};

fn open(dir: &std::path::Path) -> App {
    App::open(Config { data_dir: dir.to_path_buf(), ..Config::default() }).unwrap()
}

fn import(app: &App, format: Format, text: &str) -> service::BatchReport {
    let records = connectors::read_records(format, text.as_bytes()).unwrap();
    let origin = Origin { format: format.name().into(), origin: "test".into() };
    import_records(app, records, &origin, ImportOptions { threads: 2, batch_size: 3, queue_batches: 2 }, &|_| {}).unwrap()
}

fn ndjson_line(id: &str, text: &str, extra: &str) -> String {
    format!(
        r#"{{"source":"x","external_id":"{id}","author":{{"handle":"alice"}},"text":"{text}","created_at":"2026-11-20T10:00:00Z"{extra}}}"#
    )
}

fn ids(app: &App, query: &str) -> Vec<String> {
    let found = app.search(query, Sort::Oldest, 100, 0).unwrap();
    assert_eq!(found.total, found.mentions.len(), "total counts every match for {query}");
    found.mentions.into_iter().map(|m| m.mention.external_id).collect()
}

#[test]
fn mentions_land_once_and_are_searchable_and_tagged() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    app.create_topic(&NewListeningTopic { name: "bagages".into(), query: "~bagage OR luggage".into(), languages: vec![], owner: String::new() }).unwrap();
    let input = [
        ndjson_line("1", "They lost my luggage again &amp; nobody cares #fail", ""),
        ndjson_line("2", "Mon bagage est perdu, encore un retard à Orly", ""),
        "{not json".to_string(),
        ndjson_line("3", "Great flight today, thanks @united", ""),
        ndjson_line("1", "They lost my luggage again &amp; nobody cares #fail", ""),
    ]
    .join("\n");
    let report = import(&app, Format::Ndjson, &input);
    assert_eq!((report.read, report.stored, report.duplicates, report.quarantined), (5, 3, 1, 1));
    assert_eq!(report.quarantine_samples[0].position, "line 3");

    let stored = app.store().find_mention(Source::X, "1").unwrap().unwrap();
    assert_eq!(stored.mention.text, "They lost my luggage again & nobody cares #fail");
    assert_eq!(stored.mention.hashtags, vec!["fail".to_string()]);
    assert_eq!(stored.mention.language.as_deref(), Some("en"));
    assert_eq!(stored.topics, vec!["bagages".to_string()]);
    let french = app.store().find_mention(Source::X, "2").unwrap().unwrap();
    assert_eq!(french.mention.language.as_deref(), Some("fr"));
    assert_eq!(french.topics, vec!["bagages".to_string()]);

    assert_eq!(ids(&app, "\"lost my luggage\""), vec!["1"]);
    assert_eq!(ids(&app, "lang:fr retard*"), vec!["2"]);
    assert_eq!(ids(&app, "@united"), vec!["3"]);
    assert_eq!(ids(&app, "*").len(), 3);

    let again = import(&app, Format::Ndjson, &input);
    assert_eq!((again.stored, again.duplicates), (0, 4), "a replayed stream stores nothing twice");
    assert_eq!(app.store().count_mentions().unwrap(), 3);
}

#[test]
fn copies_and_reposts_link_to_their_original() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let campaign = "Boycott this airline they lost my luggage and never answered my calls";
    let input = [
        ndjson_line("10", campaign, ""),
        ndjson_line("11", &format!("{campaign} @delta"), ""),
        ndjson_line("12", &format!("RT @alice: {campaign}"), r#","links":{"reposted":"10"}"#),
        ndjson_line("13", "A completely different complaint about the food on board today", ""),
    ]
    .join("\n");
    let report = import(&app, Format::Ndjson, &input);
    assert_eq!(report.stored, 4, "copies are stored, not dropped");
    assert_eq!(report.linked_copies, 2);
    let original = app.store().find_mention(Source::X, "10").unwrap().unwrap();
    for copy in ["11", "12"] {
        let stored = app.store().find_mention(Source::X, copy).unwrap().unwrap();
        assert_eq!(stored.duplicate_of, Some(original.id), "mention {copy}");
    }
    assert_eq!(app.store().find_mention(Source::X, "13").unwrap().unwrap().duplicate_of, None);
    // A later batch finds the original through the near-duplicate memory.
    import(&app, Format::Ndjson, &ndjson_line("14", &format!("{campaign}!!"), ""));
    assert_eq!(app.store().find_mention(Source::X, "14").unwrap().unwrap().duplicate_of, Some(original.id));
}

#[test]
fn deletions_and_edits_at_the_source_reach_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    import(&app, Format::Ndjson, &[ndjson_line("20", "my parcel is late", ""), ndjson_line("21", "parcel arrived", "")].join("\n"));
    assert_eq!(ids(&app, "parcel").len(), 2);
    let origin = Origin { format: "test".into(), origin: "test".into() };
    let mut edited = connectors::parse_mention_json(&ndjson_line("21", "parcel arrived broken", "")).unwrap();
    edited.text = "parcel arrived broken".into();
    let records = vec![
        Record::Event { position: "1".into(), event: IngestEvent::Delete { source: Source::X, external_id: "20".into() } },
        Record::Event { position: "2".into(), event: IngestEvent::Edit(edited) },
    ];
    let report = import_records(&app, records, &origin, ImportOptions { threads: 1, batch_size: 10, queue_batches: 1 }, &|_| {}).unwrap();
    assert_eq!((report.deleted, report.edited), (1, 1));
    assert_eq!(ids(&app, "parcel"), vec!["21"]);
    assert_eq!(ids(&app, "broken"), vec!["21"]);
    assert!(app.store().find_mention(Source::X, "20").unwrap().is_none());
}

#[test]
fn after_a_crash_the_index_catches_up_with_the_store_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    {
        let app = open(dir.path());
        import(&app, Format::Ndjson, &ndjson_line("30", "first mention before the crash", ""));
        // A write that reached the store but not the index: what a kill between the two
        // commits leaves behind.
        let mention = connectors::parse_mention_json(&ndjson_line("31", "second mention lost by the index", "")).unwrap();
        app.store().insert_mentions(&[store_write(mention)]).unwrap();
        app.store().delete_mention(Source::X, "30").unwrap();
    }
    let app = open(dir.path());
    assert_eq!(ids(&app, "mention"), vec!["31"]);
}

fn store_write(mention: domain::Mention) -> service::MentionWrite {
    service::MentionWrite { mention, duplicate_of: None, topics: vec![], enrichment: None }
}

#[test]
fn a_french_complaint_is_stored_negative_and_found_by_sentiment() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    app.create_topic(&NewListeningTopic { name: "colère".into(), query: "sentiment:negative".into(), languages: vec![], owner: String::new() }).unwrap();
    let input = [
        ndjson_line("40", "Vol annulé et bagage perdu, service client nul, je suis très déçu 😡", ""),
        ndjson_line("41", "Merci pour ce vol parfait, équipage super sympa, j'adore !", ""),
        ndjson_line("42", "Flight cancelled again, worst airline ever, never again", ""),
    ]
    .join("\n");
    import(&app, Format::Ndjson, &input);

    let complaint = app.store().find_mention(Source::X, "40").unwrap().unwrap();
    assert_eq!(complaint.mention.language.as_deref(), Some("fr"));
    let enrichment = complaint.enrichment.as_ref().expect("every stored mention is enriched");
    assert_eq!(enrichment.sentiment, domain::SentimentLabel::Negative, "{enrichment:?}");
    assert_eq!(enrichment.intent, domain::Intent::Complaint, "{enrichment:?}");
    assert!(enrichment.reason.is_some(), "a complaint gets a reason: {enrichment:?}");
    assert_eq!(enrichment.model_version, app.model_version());
    assert_eq!(complaint.topics, vec!["colère".to_string()], "topics see the enrichment");
    let praise = app.store().find_mention(Source::X, "41").unwrap().unwrap();
    assert_eq!(praise.enrichment.unwrap().sentiment, domain::SentimentLabel::Positive);
    assert!(praise.topics.is_empty());

    assert_eq!(ids(&app, "sentiment:negative lang:fr"), vec!["40"]);
    assert_eq!(ids(&app, "sentiment:negative"), vec!["40", "42"]);
    assert_eq!(ids(&app, "intent:complaint lang:en"), vec!["42"]);
    let found = app.search("*", Sort::Oldest, 10, 0).unwrap();
    assert!(found.facets.by_sentiment.contains(&("negative".to_string(), 2)), "{:?}", found.facets);
}

#[test]
fn reenrich_fills_mentions_stored_without_enrichment_and_the_index_follows() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let mention = connectors::parse_mention_json(&ndjson_line("50", "Worst service ever, my bag is lost", "")).unwrap();
    app.store().insert_mentions(&[store_write(mention)]).unwrap();
    app.writer().flush().unwrap();
    assert!(ids(&app, "sentiment:negative").is_empty());

    let report = app.reenrich(service::ReenrichScope::Outdated, &|_| {}).unwrap();
    assert_eq!((report.updated, report.sentiment_changed), (1, 1));
    let stored = app.store().find_mention(Source::X, "50").unwrap().unwrap();
    assert_eq!(stored.enrichment.unwrap().model_version, app.model_version());
    assert_eq!(ids(&app, "sentiment:negative"), vec!["50"]);
    let again = app.reenrich(service::ReenrichScope::Outdated, &|_| {}).unwrap();
    assert_eq!(again.updated, 0, "already current");
    assert_eq!(app.reenrich(service::ReenrichScope::All, &|_| {}).unwrap().updated, 1);
}

#[test]
fn corrections_are_exported_as_training_rows_latest_first() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    import(&app, Format::Ndjson, &ndjson_line("60", "Remboursement toujours pas reçu, 3 semaines", ""));
    let id = app.store().find_mention(Source::X, "60").unwrap().unwrap().id;
    let correction = |sentiment: &str| service::EnrichmentCorrectionRequest {
        sentiment: Some(sentiment.into()),
        reason: Some("billing_and_refunds".into()),
        intent: None,
        corrected_by: "agent".into(),
    };
    app.correct_enrichment(id, &correction("neutral")).unwrap();
    let corrected = app.correct_enrichment(id, &correction("negative")).unwrap();
    assert_eq!(corrected.enrichment.unwrap().sentiment, domain::SentimentLabel::Negative);
    assert!(matches!(app.correct_enrichment(id, &correction("angry")), Err(service::ServiceError::Invalid(_))));

    let out = dir.path().join("corrections.csv");
    assert_eq!(app.export_corrections(&out).unwrap(), 2);
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        csv,
        "text,label,field\n\"Remboursement toujours pas reçu, 3 semaines\",billing_and_refunds,reason\n\"Remboursement toujours pas reçu, 3 semaines\",negative,sentiment\n"
    );
}

#[test]
fn authors_earn_real_influence_from_engagement_and_echoes_not_followers() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let post = |id: &str, handle: &str, followers: u64, likes: u64, links: &str| {
        format!(
            r#"{{"source":"x","external_id":"{id}","author":{{"handle":"{handle}","followers":{followers}}},"text":"post {id} about the new timetable","created_at":"2026-11-20T10:00:00Z","metrics":{{"likes":{likes},"reposts":0,"replies":0,"quotes":0}}{links}}}"#
        )
    };
    let input = [
        // A celebrity whose posts earn little, a local voice whose posts carry.
        post("c1", "celebrity", 1_000_000, 10, ""),
        post("c2", "celebrity", 1_000_000, 12, ""),
        post("l1", "localvoice", 2_000, 300, ""),
        post("l2", "localvoice", 2_000, 250, ""),
        // Echoes of the local voice: a reply and a quote by others; a self-reply is no echo.
        post("r1", "bob", 10, 0, r#","links":{"in_reply_to":"l1"}"#),
        post("q1", "carol", 10, 0, r#","links":{"quoted":"l2"}"#),
        post("s1", "localvoice", 2_000, 0, r#","links":{"in_reply_to":"l1"}"#),
    ]
    .join("\n");
    let report = import(&app, Format::Ndjson, &input);
    assert_eq!(report.stored, 7);

    let top = app.top_authors(10).unwrap();
    assert_eq!(top[0].handle, "localvoice", "{top:?}");
    assert_eq!((top[0].posts, top[0].echoes), (3, 2));
    assert_eq!(top[0].followers, Some(2_000));
    let celebrity = app.author(Source::X, "@celebrity").unwrap().unwrap();
    assert_eq!((celebrity.posts, celebrity.echoes), (2, 0));
    assert!(celebrity.influence < top[0].influence, "followers alone do not make influence");
    assert!(app.author(Source::Bluesky, "celebrity").unwrap().is_none());

    // The state survives a restart and keeps accumulating from the store's row.
    drop(app);
    let app = open(dir.path());
    import(&app, Format::Ndjson, &post("c3", "celebrity", 1_000_000, 11, ""));
    assert_eq!(app.author(Source::X, "celebrity").unwrap().unwrap().posts, 3);
}

/// A stranger may send any date: one outside what the index can hold (years 1677–2262)
/// is stored as sent and indexed at the nearest end, never a panic.
#[test]
fn a_mention_dated_year_9999_is_stored_and_found() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let line = r#"{"source":"x","external_id":"far","author":{"handle":"alice"},"text":"bagage perdu en 9999","created_at":"9999-12-31T23:59:59Z"}"#;
    let old = r#"{"source":"x","external_id":"old","author":{"handle":"alice"},"text":"bagage perdu en 1500","created_at":"1500-01-01T00:00:00Z"}"#;
    let report = import(&app, Format::Ndjson, &format!("{line}\n{old}\n"));
    assert_eq!(report.stored, 2, "{report:?}");
    let mut found = ids(&app, "bagage");
    found.sort();
    assert_eq!(found, vec!["far".to_string(), "old".to_string()]);
}
