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

/// What `bench detector` measured: the spike detector alone, one series, one thread.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DetectorBench {
    pub points: u64,
    /// Wall-clock seconds of the scoring loop.
    pub seconds: f64,
    /// On-CPU seconds of the scoring thread (what "per core" means on a busy machine).
    pub cpu_seconds: f64,
    /// Points per second of on-CPU time: points per second per core.
    pub points_per_cpu_second: f64,
    pub points_per_wall_second: f64,
    /// Buckets that scored above 0.5 (a check that the detector did work).
    pub anomalous_points: u64,
}

/// Scores `points` five-minute buckets of a synthetic mention count (daily seasonality,
/// Poisson-like noise, a few outages) with the default detector on this thread.
pub fn bench_detector(points: u64) -> Result<DetectorBench, ServiceError> {
    let mut detector = signals::Detector::new(signals::DetectorConfig::default()).map_err(|error| ServiceError::Invalid(error.to_string()))?;
    let series = synthetic_counts(points);
    let (wall_start, cpu_start) = (Instant::now(), thread_cpu_seconds());
    let mut anomalous = 0u64;
    for (index, value) in series.iter().enumerate() {
        let timestamp = 1_700_000_000 + index as i64 * 300;
        let score = detector.update(timestamp, *value);
        anomalous += u64::from(score > 0.5);
    }
    let (seconds, cpu_seconds) = (wall_start.elapsed().as_secs_f64(), thread_cpu_seconds() - cpu_start);
    std::hint::black_box(&detector);
    Ok(DetectorBench {
        points,
        seconds,
        cpu_seconds,
        points_per_cpu_second: points as f64 / cpu_seconds.max(1e-9),
        points_per_wall_second: points as f64 / seconds.max(1e-9),
        anomalous_points: anomalous,
    })
}

/// Counts per five-minute bucket: a daily wave around 20, noise of about its square
/// root, and an outage (×8 for an hour) every ten days. Deterministic.
fn synthetic_counts(points: u64) -> Vec<f64> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..points)
        .map(|index| {
            let day_phase = (index % 288) as f64 / 288.0 * std::f64::consts::TAU;
            let level = 20.0 + 12.0 * day_phase.sin();
            let outage = if index % 2_880 >= 2_000 && index % 2_880 < 2_012 { 8.0 } else { 1.0 };
            let noise = (uniform() + uniform() + uniform() - 1.5) * 2.0 * level.sqrt();
            (level * outage + noise).max(0.0).round()
        })
        .collect()
}

/// This thread's on-CPU time, in seconds.
fn thread_cpu_seconds() -> f64 {
    let mut time = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `clock_gettime` writes one `timespec` we own; the clock id is a constant.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) };
    if status != 0 {
        return 0.0;
    }
    time.tv_sec as f64 + time.tv_nsec as f64 / 1e9
}

#[cfg(test)]
mod detector_tests {
    use super::*;

    #[test]
    fn the_detector_bench_scores_every_point_and_flags_the_outages() {
        let result = bench_detector(30_000).unwrap();
        assert_eq!(result.points, 30_000);
        assert!(result.cpu_seconds > 0.0);
        // Ten outages of twelve buckets each in 30,000 points: some must score high,
        // but far from all points.
        assert!(result.anomalous_points >= 5 && result.anomalous_points < 3_000, "{result:?}");
    }
}
