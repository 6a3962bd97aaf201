//! Tuning helper (not product code): scores `DetectorConfig`s on the labelled
//! NAB series in-process, with the rules of `../shared/tools/nab_score.py`
//! (probation, windowed position curve, one pooled threshold per profile),
//! so a configuration is judged in a fraction of a second.
//!
//! cargo run --release -p signals --example nab_search -- DATA_DIR LABELS_JSON score
//! cargo run --release -p signals --example nab_search -- DATA_DIR LABELS_JSON search SPEC_JSON
//! cargo run --release -p signals --example nab_search -- DATA_DIR LABELS_JSON loco SPEC_JSON
//! cargo run --release -p signals --example nab_search -- throughput [POINTS]
//!
//! `SIGNALS_CONFIG` (a partial JSON `DetectorConfig`) is the starting point.
//! SPEC_JSON maps config fields to candidate values: `{"quiet_points": [50, 100, 200]}`.
//! `search` runs a coordinate search over them on all files; `loco` runs it once
//! per category on the other five and scores the left-out one. Only the files the
//! labels list are read, so series without labels (realTweets) are never touched.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;

use chrono::NaiveDateTime;
use serde_json::Value;
use signals::{Detector, DetectorConfig};

const PROFILES: [(&str, f64, f64, f64); 3] = [
    ("standard", 1.0, 0.11, 1.0),
    ("reward_low_FP_rate", 1.0, 0.22, 1.0),
    ("reward_low_FN_rate", 1.0, 0.11, 2.0),
];

struct LabelledFile {
    category: String,
    name: String,
    timestamps: Vec<i64>,
    values: Vec<f64>,
    first_scored: usize,
    /// Window index of each row, or -1.
    window_of: Vec<i64>,
    /// Unweighted position value of each row.
    position: Vec<f64>,
    live_windows: Vec<usize>,
    window_count: usize,
}

fn position_curve(x: f64) -> f64 {
    if x > 3.0 {
        -1.0
    } else {
        2.0 / (1.0 + (5.0 * x).exp()) - 1.0
    }
}

fn parse_time(text: &str) -> Result<i64, Box<dyn Error>> {
    let text = text.trim();
    let parsed = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))?;
    Ok(parsed.and_utc().timestamp())
}

fn load(data_dir: &Path, labels: &Path) -> Result<Vec<LabelledFile>, Box<dyn Error>> {
    let labels: BTreeMap<String, Vec<(String, String)>> =
        serde_json::from_str(&std::fs::read_to_string(labels)?)?;
    let mut files = Vec::new();
    for (key, windows) in labels {
        let (category, name) = key.split_once('/').ok_or("key without category")?;
        let mut reader = csv::Reader::from_path(data_dir.join(&key))?;
        let (mut timestamps, mut values) = (Vec::new(), Vec::new());
        for record in reader.records() {
            let record = record?;
            timestamps.push(parse_time(&record[0])?);
            values.push(record[1].trim().parse::<f64>()?);
        }
        let n = timestamps.len();
        let first_scored = ((0.15 * n as f64).floor()).min(750.0).ceil() as usize;
        let mut first_position = BTreeMap::new();
        for (index, timestamp) in timestamps.iter().enumerate() {
            first_position.entry(*timestamp).or_insert(index);
        }
        let mut spans: Vec<(usize, usize)> = windows
            .iter()
            .map(|(start, end)| {
                let a = first_position[&parse_time(start).unwrap()];
                let b = first_position[&parse_time(end).unwrap()];
                (a, b)
            })
            .collect();
        spans.sort();
        let live_windows = (0..spans.len())
            .filter(|&k| spans[k].1 >= first_scored)
            .collect();
        let (mut window_of, mut position) = (vec![-1i64; n], vec![0.0; n]);
        let (mut next, mut previous): (usize, Option<(usize, usize)>) = (0, None);
        for i in 0..n {
            while next < spans.len() && spans[next].1 < i {
                let (a, b) = spans[next];
                previous = Some((b, b - a + 1));
                next += 1;
            }
            if next < spans.len() && spans[next].0 <= i {
                let (a, b) = spans[next];
                window_of[i] = next as i64;
                position[i] = position_curve((i as f64 - b as f64 - 1.0) / (b - a + 1) as f64);
            } else if let Some((b, width)) = previous {
                position[i] = position_curve((i - b) as f64 / (width.max(2) - 1) as f64);
            } else {
                position[i] = -1.0;
            }
        }
        files.push(LabelledFile {
            category: category.to_string(),
            name: name.to_string(),
            timestamps,
            values,
            first_scored,
            window_of,
            position,
            live_windows,
            window_count: spans.len(),
        });
    }
    Ok(files)
}

fn run(config: &DetectorConfig, file: &LabelledFile) -> Vec<f64> {
    let mut detector = Detector::new(config.clone()).expect("valid config");
    file.timestamps
        .iter()
        .zip(&file.values)
        .map(|(&t, &v)| detector.update(t, v))
        .collect()
}

#[derive(Debug, Clone, Copy, Default)]
struct Outcome {
    score: f64,
    threshold: f64,
    hit: usize,
    windows: usize,
    false_positives: usize,
}

/// The best pooled threshold over `selected` files: (threshold, raw).
fn sweep(files: &[&LabelledFile], scores: &[&Vec<f64>], profile: (f64, f64, f64)) -> f64 {
    let (tp, fp, fn_) = profile;
    let tp_weight = tp / position_curve(-1.0);
    let mut rows: Vec<(f64, i64, f64)> = Vec::new();
    let mut groups = 0i64;
    for (file, file_scores) in files.iter().zip(scores) {
        let mut group_of = BTreeMap::new();
        for &k in &file.live_windows {
            group_of.insert(k as i64, groups);
            groups += 1;
        }
        for i in file.first_scored..file.timestamps.len() {
            let k = file.window_of[i];
            if k < 0 {
                rows.push((file_scores[i], -1, file.position[i] * fp));
            } else {
                rows.push((file_scores[i], group_of[&k], file.position[i] * tp_weight));
            }
        }
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut best_in = vec![-fn_; groups as usize];
    let mut total = -fn_ * groups as f64;
    let mut best = (1.1, total);
    let mut j = 0;
    while j < rows.len() {
        let threshold = rows[j].0;
        while j < rows.len() && rows[j].0 == threshold {
            let (_, g, v) = rows[j];
            if g < 0 {
                total += v;
            } else if v > best_in[g as usize] {
                total += v - best_in[g as usize];
                best_in[g as usize] = v;
            }
            j += 1;
        }
        if total > best.1 {
            best = (threshold, total);
        }
    }
    best.0
}

fn evaluate(
    files: &[&LabelledFile],
    scores: &[&Vec<f64>],
    profile: (f64, f64, f64),
    threshold: f64,
) -> Outcome {
    let (tp, fp, fn_) = profile;
    let tp_weight = tp / position_curve(-1.0);
    let (mut raw, mut live, mut total_windows, mut hit, mut fps) = (0.0, 0, 0, 0, 0);
    for (file, file_scores) in files.iter().zip(scores) {
        let mut best: BTreeMap<i64, f64> = BTreeMap::new();
        for i in file.first_scored..file.timestamps.len() {
            if file_scores[i] < threshold {
                continue;
            }
            let k = file.window_of[i];
            if k < 0 {
                raw += file.position[i] * fp;
                fps += 1;
            } else {
                let v = file.position[i] * tp_weight;
                let entry = best.entry(k).or_insert(f64::NEG_INFINITY);
                *entry = entry.max(v);
            }
        }
        raw += best.values().sum::<f64>();
        let missed = file.live_windows.len() - best.len();
        raw -= fn_ * missed as f64;
        live += file.live_windows.len();
        total_windows += file.window_count;
        hit += best.len();
    }
    let null = -fn_ * live as f64;
    let perfect = tp * total_windows as f64;
    Outcome {
        score: 100.0 * (raw - null) / (perfect - null),
        threshold,
        hit,
        windows: live,
        false_positives: fps,
    }
}

/// Scores for all files under one configuration.
fn run_all(config: &DetectorConfig, files: &[LabelledFile]) -> Vec<Vec<f64>> {
    files.iter().map(|file| run(config, file)).collect()
}

fn subset<'a>(
    files: &'a [LabelledFile],
    scores: &'a [Vec<f64>],
    keep: impl Fn(&LabelledFile) -> bool,
) -> (Vec<&'a LabelledFile>, Vec<&'a Vec<f64>>) {
    files
        .iter()
        .zip(scores)
        .filter(|(file, _)| keep(file))
        .unzip()
}

fn swept(files: &[&LabelledFile], scores: &[&Vec<f64>], profile: (f64, f64, f64)) -> Outcome {
    let threshold = sweep(files, scores, profile);
    evaluate(files, scores, profile, threshold)
}

fn categories(files: &[LabelledFile]) -> Vec<String> {
    let mut names: Vec<String> = files.iter().map(|file| file.category.clone()).collect();
    names.dedup();
    names
}

fn report(config: &DetectorConfig, files: &[LabelledFile]) {
    let scores = run_all(config, files);
    let (all_files, all_scores) = subset(files, &scores, |_| true);
    for (name, tp, fp, fn_) in PROFILES {
        let outcome = swept(&all_files, &all_scores, (tp, fp, fn_));
        println!(
            "{name:20} {:7.2}  threshold {:.4}  hit {}/{}  FP rows {}",
            outcome.score, outcome.threshold, outcome.hit, outcome.windows, outcome.false_positives
        );
    }
    let standard = (1.0, 0.11, 1.0);
    let global = sweep(&all_files, &all_scores, standard);
    println!(
        "per category (standard): at the pooled threshold | swept on the category | threshold swept on the other five"
    );
    for category in categories(files) {
        let (in_files, in_scores) = subset(files, &scores, |file| file.category == category);
        let (out_files, out_scores) = subset(files, &scores, |file| file.category != category);
        let at_global = evaluate(&in_files, &in_scores, standard, global);
        let own = swept(&in_files, &in_scores, standard);
        let other = evaluate(
            &in_files,
            &in_scores,
            standard,
            sweep(&out_files, &out_scores, standard),
        );
        println!(
            "  {category:24} {:7.2} (hit {:2}/{:2}, FP {:3}) | {:7.2} | {:7.2}",
            at_global.score,
            at_global.hit,
            at_global.windows,
            at_global.false_positives,
            own.score,
            other.score
        );
    }
    if std::env::var("DETAILS").is_ok() {
        for (file, file_scores) in files.iter().zip(&scores) {
            let outcome = evaluate(&[file], &[file_scores], standard, global);
            println!(
                "    {}/{:40} hit {}/{} FP {:3}",
                file.category, file.name, outcome.hit, outcome.windows, outcome.false_positives
            );
            if std::env::var("DETAILS").is_ok_and(|details| details == "rows") {
                let mut spans: Vec<(usize, usize)> = Vec::new();
                for (i, &k) in file.window_of.iter().enumerate() {
                    if k >= 0 {
                        match spans.last_mut() {
                            Some(span) if span.1 + 1 == i => span.1 = i,
                            _ => spans.push((i, i)),
                        }
                    }
                }
                let detections: Vec<String> = (file.first_scored..file.timestamps.len())
                    .filter(|&i| file_scores[i] >= global)
                    .map(|i| format!("{}{}", i, if file.window_of[i] >= 0 { "*" } else { "" }))
                    .collect();
                println!(
                    "      n {} probation {} windows {:?} detections {}",
                    file.timestamps.len(),
                    file.first_scored,
                    spans,
                    detections.join(" ")
                );
            }
        }
    }
}

/// Coordinate search over `spec` on the files `keep` selects; returns the best JSON config.
fn search(
    base: Value,
    spec: &BTreeMap<String, Vec<Value>>,
    files: &[LabelledFile],
    keep: &dyn Fn(&LabelledFile) -> bool,
    verbose: bool,
) -> (Value, f64) {
    let objective = |json: &Value| -> f64 {
        let Ok(config) = serde_json::from_value::<DetectorConfig>(json.clone()) else {
            return f64::NEG_INFINITY;
        };
        if config.validate().is_err() {
            return f64::NEG_INFINITY;
        }
        let scores: Vec<Vec<f64>> = files
            .iter()
            .map(|file| {
                if keep(file) {
                    run(&config, file)
                } else {
                    Vec::new()
                }
            })
            .collect();
        let (chosen, chosen_scores) = subset(files, &scores, keep);
        swept(&chosen, &chosen_scores, (1.0, 0.11, 1.0)).score
    };
    let mut best = base;
    let mut best_score = objective(&best);
    if verbose {
        println!("start {best_score:.2}");
    }
    // Random combinations first (RANDOM=N), so interacting fields are tried together.
    let samples: usize = std::env::var("RANDOM")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..samples {
        let mut trial = best.clone();
        for (field, candidates) in spec {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            if state.is_multiple_of(2) {
                trial[field.as_str()] =
                    candidates[(state >> 8) as usize % candidates.len()].clone();
            }
        }
        let score = objective(&trial);
        if score > best_score + 1e-9 {
            best_score = score;
            best = trial;
            if verbose {
                println!("  random: {score:.2}");
            }
        }
    }
    for _pass in 0..3 {
        let mut improved = false;
        for (field, candidates) in spec {
            for candidate in candidates {
                if best.get(field) == Some(candidate) {
                    continue;
                }
                let mut trial = best.clone();
                trial[field.as_str()] = candidate.clone();
                let score = objective(&trial);
                if score > best_score + 1e-9 {
                    best_score = score;
                    best = trial;
                    improved = true;
                    if verbose {
                        println!("  {field} = {candidate}: {score:.2}");
                    }
                }
            }
        }
        if !improved {
            break;
        }
    }
    (best, best_score)
}

/// The series of the service's `bench detector` (a daily wave around 20, noise of
/// about its square root, an outage ×8 for an hour every ten days), scored with the
/// default detector: wall-clock points per second (a floor for "per core" on a busy
/// machine; `comptoir bench detector` measures on-CPU time).
fn throughput(points: u64) {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let series: Vec<f64> = (0..points)
        .map(|index| {
            let day_phase = (index % 288) as f64 / 288.0 * std::f64::consts::TAU;
            let level = 20.0 + 12.0 * day_phase.sin();
            let outage = if index % 2_880 >= 2_000 && index % 2_880 < 2_012 {
                8.0
            } else {
                1.0
            };
            let noise = (uniform() + uniform() + uniform() - 1.5) * 2.0 * level.sqrt();
            (level * outage + noise).max(0.0).round()
        })
        .collect();
    let mut detector = Detector::default();
    let start = std::time::Instant::now();
    let mut alarms = 0u64;
    for (index, value) in series.iter().enumerate() {
        alarms += u64::from(detector.update(1_700_000_000 + index as i64 * 300, *value) > 0.5);
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{points} points in {seconds:.3} s wall: {:.0} points/s ({alarms} above 0.5)",
        points as f64 / seconds
    );
}

fn main() -> Result<(), Box<dyn Error>> {
    let arguments: Vec<String> = std::env::args().collect();
    if arguments.get(1).is_some_and(|mode| mode == "throughput") {
        throughput(
            arguments
                .get(2)
                .and_then(|n| n.parse().ok())
                .unwrap_or(5_000_000),
        );
        return Ok(());
    }
    let files = load(Path::new(&arguments[1]), Path::new(&arguments[2]))?;
    let base = match std::env::var("SIGNALS_CONFIG") {
        Ok(json) => serde_json::to_value(serde_json::from_str::<DetectorConfig>(&json)?)?,
        Err(_) => serde_json::to_value(DetectorConfig::default())?,
    };
    match arguments[3].as_str() {
        "score" => report(&serde_json::from_value(base)?, &files),
        "search" => {
            let spec: BTreeMap<String, Vec<Value>> = serde_json::from_str(&arguments[4])?;
            let (best, score) = search(base, &spec, &files, &|_| true, true);
            println!("best {score:.2}: {}", serde_json::to_string(&best)?);
            report(&serde_json::from_value(best)?, &files);
        }
        "loco" => {
            let spec: BTreeMap<String, Vec<Value>> = serde_json::from_str(&arguments[4])?;
            let standard = (1.0, 0.11, 1.0);
            for category in categories(&files) {
                let keep = |file: &LabelledFile| file.category != category;
                let (best, tuned) = search(base.clone(), &spec, &files, &keep, false);
                let config: DetectorConfig = serde_json::from_value(best.clone())?;
                let scores = run_all(&config, &files);
                let (out_files, out_scores) = subset(&files, &scores, keep);
                let threshold = sweep(&out_files, &out_scores, standard);
                let (in_files, in_scores) =
                    subset(&files, &scores, |file| file.category == category);
                let held_out = evaluate(&in_files, &in_scores, standard, threshold);
                let changed: Vec<String> = spec
                    .keys()
                    .filter(|field| best.get(field.as_str()) != base.get(field.as_str()))
                    .map(|field| format!("{field}={}", best[field.as_str()]))
                    .collect();
                println!(
                    "  held out {category:24} tuned-on-5 {tuned:6.2}  held-out {:6.2} (hit {}/{}, FP {})  {}",
                    held_out.score,
                    held_out.hit,
                    held_out.windows,
                    held_out.false_positives,
                    changed.join(" ")
                );
            }
        }
        other => return Err(format!("unknown mode {other}").into()),
    }
    Ok(())
}
