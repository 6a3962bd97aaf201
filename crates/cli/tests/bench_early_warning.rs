//! The early-warning benchmarks run through the binary: the detector bench scores every
//! point, and the alert-latency bench's spike reaches its webhook receiver (how fast is
//! for the benchmark to say, on a quiet machine, not for a test).

use std::process::Command;

use serde_json::Value;

fn comptoir_json(args: &[&str]) -> (bool, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_comptoir")).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = serde_json::from_str(stdout.trim()).unwrap_or_else(|error| {
        panic!("{error}: {stdout} / {}", String::from_utf8_lossy(&output.stderr))
    });
    (output.status.success(), json)
}

#[test]
fn bench_detector_scores_every_point() {
    let (success, result) = comptoir_json(&["bench", "detector", "--points", "100000", "--json"]);
    assert!(success, "{result}");
    assert_eq!(result["points"], 100_000);
    assert!(result["points_per_cpu_second"].as_f64().unwrap() > 0.0, "{result}");
    assert!(result["anomalous_points"].as_u64().unwrap() > 0, "the synthetic outages are seen: {result}");
}

#[test]
fn bench_alert_latency_delivers_the_spike_alert_to_the_webhook() {
    let (success, result) = comptoir_json(&["bench", "alert-latency", "--json"]);
    assert!(success, "{result}");
    assert_eq!(result["all_delivered"], true, "{result}");
    let run = &result["runs"][0];
    assert!(run["alert_text"].as_str().unwrap().contains("spike in total"), "{run}");
    assert!(run["latency_seconds"].as_f64().is_some(), "{run}");
}

#[test]
fn bad_bench_arguments_are_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_comptoir")).args(["bench", "detector", "--points", "0"]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--points"));
}
