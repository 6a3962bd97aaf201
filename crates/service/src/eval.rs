//! Offline evaluations of Comptoir's detectors on public benchmarks.
//!
//! `eval_anomalies` runs the spike detector (`signals`) over every series of a
//! folder in the Numenta Anomaly Benchmark layout and writes NAB result files,
//! which `nab_score.py` scores (docs/evaluation.md).

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use signals::{Detector, DetectorConfig};

use crate::ServiceError;

/// What an anomaly evaluation produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct EvalSummary {
    /// Series scored (one result file each).
    pub series: usize,
    /// Rows scored over all series.
    pub rows: usize,
    /// Rows whose value was not a number: scored 0 and learned as missing.
    pub unreadable_values: usize,
}

/// Runs one fresh detector (default configuration) per series found at
/// `nab_dir/<category>/<file>.csv` (columns `timestamp,value`) and writes
/// `out_dir/<category>/<file>.csv` with `timestamp,value,anomaly_score`, one
/// row per input row, the timestamp text copied verbatim.
pub fn eval_anomalies(nab_dir: &Path, out_dir: &Path) -> Result<EvalSummary, ServiceError> {
    let mut summary = EvalSummary::default();
    for category_dir in sorted_entries(nab_dir)?
        .into_iter()
        .filter(|path| path.is_dir())
    {
        let category = category_dir
            .file_name()
            .expect("a directory entry has a name");
        let category_out = out_dir.join(category);
        for series_path in sorted_entries(&category_dir)?
            .into_iter()
            .filter(|path| is_csv(path))
        {
            fs::create_dir_all(&category_out).map_err(ServiceError::io(format!(
                "creating {}",
                category_out.display()
            )))?;
            let out_path =
                category_out.join(series_path.file_name().expect("a file entry has a name"));
            let series_summary = score_series(&series_path, &out_path)?;
            summary.series += 1;
            summary.rows += series_summary.rows;
            summary.unreadable_values += series_summary.unreadable_values;
        }
    }
    if summary.series == 0 {
        return Err(ServiceError::Invalid(format!(
            "no <category>/<file>.csv series under {}",
            nab_dir.display()
        )));
    }
    Ok(summary)
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, ServiceError> {
    let context = || format!("reading {}", dir.display());
    let mut paths = fs::read_dir(dir)
        .map_err(ServiceError::io(context()))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ServiceError::io(context()))?;
    paths.sort();
    Ok(paths)
}

fn is_csv(path: &Path) -> bool {
    path.is_file()
        && path
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("csv"))
}

fn score_series(series_path: &Path, out_path: &Path) -> Result<EvalSummary, ServiceError> {
    let invalid =
        |message: String| ServiceError::Invalid(format!("{}: {message}", series_path.display()));
    let mut reader =
        csv::Reader::from_path(series_path).map_err(|error| invalid(error.to_string()))?;
    let headers = reader
        .headers()
        .map_err(|error| invalid(error.to_string()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|header| header.trim() == name)
            .ok_or_else(|| invalid(format!("no `{name}` column")))
    };
    let (timestamp_column, value_column) = (column("timestamp")?, column("value")?);
    let mut writer = csv::Writer::from_path(out_path)
        .map_err(|error| invalid(format!("writing {}: {error}", out_path.display())))?;
    let write_error =
        |error: csv::Error| invalid(format!("writing {}: {error}", out_path.display()));
    writer
        .write_record(["timestamp", "value", "anomaly_score"])
        .map_err(write_error)?;

    let mut detector = Detector::new(DetectorConfig::default())
        .map_err(|error| ServiceError::Config(error.to_string()))?;
    let mut summary = EvalSummary {
        series: 1,
        ..EvalSummary::default()
    };
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|error| invalid(format!("line {line}: {error}")))?;
        let timestamp_text = record.get(timestamp_column).unwrap_or_default();
        let value_text = record.get(value_column).unwrap_or_default();
        let timestamp = parse_timestamp(timestamp_text).ok_or_else(|| {
            invalid(format!(
                "line {line}: unreadable timestamp `{timestamp_text}`"
            ))
        })?;
        let value = value_text.trim().parse::<f64>().unwrap_or_else(|_| {
            summary.unreadable_values += 1;
            f64::NAN
        });
        let score = detector.update(timestamp, value);
        writer
            .write_record([timestamp_text, value_text, &score.to_string()])
            .map_err(write_error)?;
        summary.rows += 1;
    }
    writer
        .flush()
        .map_err(ServiceError::io(format!("writing {}", out_path.display())))?;
    Ok(summary)
}

/// Unix seconds of `2015-02-26 21:42:53` (NAB, read as UTC), the same with a
/// `T`, or an RFC 3339 timestamp.
fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(with_offset) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(with_offset.timestamp());
    }
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .map(|naive| naive.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nab_and_rfc3339_timestamps() {
        assert_eq!(parse_timestamp("2015-02-26 21:42:53"), Some(1_424_986_973));
        assert_eq!(parse_timestamp("2015-02-26T21:42:53Z"), Some(1_424_986_973));
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn writes_one_scored_row_per_input_row() {
        let nab_dir = tempfile::tempdir().unwrap();
        let out_dir = tempfile::tempdir().unwrap();
        let category = nab_dir.path().join("realTweets");
        fs::create_dir_all(&category).unwrap();
        let mut input = String::from("timestamp,value\n");
        for minute in 0..400 {
            let value = if minute == 350 {
                "900".to_string()
            } else {
                (10 + minute % 3).to_string()
            };
            input.push_str(&format!(
                "2015-02-26 {:02}:{:02}:00,{value}\n",
                minute / 60 % 24,
                minute % 60
            ));
        }
        input.push_str("2015-02-27 00:00:00,oops\n");
        fs::write(category.join("Twitter_volume_X.csv"), &input).unwrap();

        let summary = eval_anomalies(nab_dir.path(), out_dir.path()).unwrap();
        assert_eq!(
            summary,
            EvalSummary {
                series: 1,
                rows: 401,
                unreadable_values: 1
            }
        );

        let output =
            fs::read_to_string(out_dir.path().join("realTweets/Twitter_volume_X.csv")).unwrap();
        let lines: Vec<&str> = output.lines().collect();
        assert_eq!(lines[0], "timestamp,value,anomaly_score");
        assert_eq!(lines.len(), 402);
        assert!(lines[1].starts_with("2015-02-26 00:00:00,10,"));
        let spike_score: f64 = lines[351].rsplit(',').next().unwrap().parse().unwrap();
        assert!(spike_score > 0.9, "spike scored {spike_score}");
    }

    #[test]
    fn an_empty_folder_is_invalid() {
        let nab_dir = tempfile::tempdir().unwrap();
        let out_dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            eval_anomalies(nab_dir.path(), out_dir.path()),
            Err(ServiceError::Invalid(_))
        ));
    }
}
