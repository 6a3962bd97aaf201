//! `comptoir bench ingest`: the full pipeline (parse, normalise, de-duplicate, detect the
//! language, match topics, commit durably, index) on the embedded default, from a fresh
//! data directory, with replayed copies given fresh ids so none is skipped.

use std::path::Path;
use std::time::Instant;

use connectors::{Format, Record};
use domain::IngestEvent;

use crate::import::{import_records, ImportOptions};
use crate::prepare::Origin;
use crate::{App, Config, ServiceError};

/// What `bench ingest` measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IngestBench {
    pub mentions: u64,
    pub seconds: f64,
    pub mentions_per_sec: f64,
    pub threads: usize,
    pub repeat: usize,
    pub parse_seconds: f64,
    pub stored: u64,
    pub quarantined: u64,
    /// Seconds spent in each stage (stages overlap when threads > 1).
    pub stage_seconds: std::collections::BTreeMap<String, f64>,
}

/// Runs the ingest benchmark in `data_dir` (which should be empty).
pub fn bench_ingest(format: Format, bytes: &[u8], repeat: usize, threads: usize, data_dir: &Path) -> Result<IngestBench, ServiceError> {
    let config = Config { data_dir: data_dir.to_path_buf(), ..Config::default() };
    let app = App::open(config)?;
    for (name, query) in crate::demo::DEMO_TOPICS {
        app.create_topic(&domain::NewListeningTopic { name: name.into(), query: query.into(), languages: vec![], owner: "bench".into() })?;
    }
    let origin = Origin { format: format.name().to_string(), origin: "bench".to_string() };
    let options = ImportOptions { threads, ..ImportOptions::from_config(&app) };
    // Fail early on an unreadable file; then parse each copy lazily, beside the writer.
    connectors::read_records(format, bytes)?;
    let started = Instant::now();
    let parse_micros = std::sync::atomic::AtomicU64::new(0);
    let records = (0..repeat.max(1)).flat_map(|copy| {
        let parse_started = Instant::now();
        let records = connectors::read_records(format, bytes).unwrap_or_default();
        parse_micros.fetch_add(parse_started.elapsed().as_micros() as u64, std::sync::atomic::Ordering::Relaxed);
        records.into_iter().map(move |record| fresh_id(record, copy))
    });
    let report = import_records(&app, records, &origin, options, &|_| {})?;
    let parse_seconds = parse_micros.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e6;
    let seconds = started.elapsed().as_secs_f64();
    let mentions = report.read;
    Ok(IngestBench {
        mentions,
        seconds,
        mentions_per_sec: mentions as f64 / seconds,
        threads,
        repeat,
        parse_seconds,
        stored: report.stored,
        quarantined: report.quarantined,
        stage_seconds: app.counters().stage_seconds().into_iter().map(|(stage, seconds)| (stage.to_string(), seconds)).collect(),
    })
}

/// How far in time each replayed copy is moved: past the end of the previous one for
/// any file covering less than a month (the airline file covers nine days).
const REPLAY_SHIFT_DAYS: i64 = 30;

/// Gives the `copy`-th replay of a record its own external id, after every id of the
/// previous copy, and moves it `copy` × 30 days later: the replay reads as the stream
/// going on, as a live source does (X, Mastodon and Bluesky ids grow with time), rather
/// than as a million posts all written in the same nine days.
fn fresh_id(record: Record, copy: usize) -> Record {
    if copy == 0 {
        return record;
    }
    match record {
        Record::Event { position, event: IngestEvent::Upsert(mut mention) } => {
            mention.external_id = format!("r{copy:06}-{}", mention.external_id);
            mention.created_at += chrono::Duration::days(REPLAY_SHIFT_DAYS * copy as i64);
            Record::Event { position, event: IngestEvent::Upsert(mention) }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replayed_copies_get_later_ids_and_dates() {
        let line = r#"{"source":"x","external_id":"570306133677760513","author":{"handle":"a"},"text":"late again","created_at":"2015-02-24T11:35:52Z"}"#;
        let record = || connectors::read_records(Format::Ndjson, line.as_bytes()).unwrap().remove(0);
        let mention = |record: Record| match record {
            Record::Event { event: IngestEvent::Upsert(mention), .. } => mention,
            other => panic!("{other:?}"),
        };
        let original = mention(fresh_id(record(), 0));
        let first = mention(fresh_id(record(), 1));
        let second = mention(fresh_id(record(), 2));
        assert_eq!(original.external_id, "570306133677760513");
        assert!(original.external_id < first.external_id && first.external_id < second.external_id);
        assert_eq!(second.created_at - first.created_at, chrono::Duration::days(REPLAY_SHIFT_DAYS));
    }
}
