//! `comptoir train`, `reenrich`, `export corrections` and `[models]` through the real
//! binary, on small files written by the test.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn comptoir(data_dir: &Path, args: &[&str]) -> (String, String, i32) {
    let output = Command::new(env!("CARGO_BIN_EXE_comptoir"))
        .args(args)
        .env("COMPTOIR_DATA_DIR", data_dir)
        .env_remove("COMPTOIR_DATABASE_URL")
        .output()
        .expect("the binary runs");
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

/// Twelve examples per label, in columns named as a brand's export would.
fn write_training_csv(path: &Path) {
    let mut csv = String::from("id,tweet,mood\n");
    let negative = ["awful delay", "lost my bag", "terrible service", "worst flight ever", "rude staff", "cancelled again"];
    let neutral = ["flight at noon", "gate changed to b12", "boarding now", "what time is it", "landed in paris", "seat 12a"];
    let positive = ["great crew", "love this airline", "thanks for the upgrade", "perfect flight", "amazing service", "best trip"];
    let mut id = 0;
    for round in 0..2 {
        for (label, texts) in [("negative", &negative), ("neutral", &neutral), ("positive", &positive)] {
            for text in texts.iter() {
                id += 1;
                csv.push_str(&format!("{id},\"{text} {round}\",{label}\n"));
            }
        }
    }
    std::fs::write(path, csv).unwrap();
}

#[test]
fn train_reports_cross_validated_figures_and_the_model_loads_from_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let input = dir.path().join("labels.csv");
    let model = dir.path().join("sentiment.cptm");
    write_training_csv(&input);

    let args = ["train", "sentiment", "--input", input.to_str().unwrap(), "--text-column", "tweet", "--label-column", "mood", "--out", model.to_str().unwrap(), "--json"];
    let (stdout, stderr, code) = comptoir(&data_dir, &args);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["examples"], 36);
    assert_eq!(report["labels"], serde_json::json!(["negative", "neutral", "positive"]));
    let accuracy = report["accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&accuracy) && report["macro_f1"].as_f64().is_some(), "{report}");
    assert!(std::fs::metadata(&model).unwrap().len() > 1000);

    let (_, stderr, code) = comptoir(&data_dir, &["train", "sentiment", "--input", input.to_str().unwrap(), "--out", model.to_str().unwrap()]);
    assert_ne!(code, 0, "the default column names are not in this file");
    assert!(stderr.contains("no column \"text\""), "{stderr}");

    // The brand's model, named in [models], enriches what is imported and re-enriched.
    std::fs::create_dir_all(&data_dir).unwrap();
    std::fs::write(data_dir.join("comptoir.toml"), format!("[models]\nsentiment_en = {:?}\n", model.to_str().unwrap())).unwrap();
    let mentions = dir.path().join("mentions.ndjson");
    std::fs::write(&mentions, r#"{"source":"x","external_id":"1","author":{"handle":"a"},"text":"terrible service, lost my bag","created_at":"2026-11-20T10:00:00Z"}"#).unwrap();
    let (_, stderr, code) = comptoir(&data_dir, &["import", "--format", "ndjson", mentions.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let (stdout, stderr, code) = comptoir(&data_dir, &["search", "*", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let found: Value = serde_json::from_str(stdout.trim()).unwrap();
    let version = found["mentions"][0]["enrichment"]["model_version"].as_str().unwrap().to_string();
    assert!(version.starts_with(&format!("sentiment:{}", &report["model_version"].as_str().unwrap()["sentiment:".len()..])), "{version}");

    let (stdout, stderr, code) = comptoir(&data_dir, &["reenrich", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let reenriched: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(reenriched["updated"], 0, "already enriched by these models");
    let (stdout, _, _) = comptoir(&data_dir, &["reenrich", "--all", "--json"]);
    assert_eq!(serde_json::from_str::<Value>(stdout.trim()).unwrap()["updated"], 1);

    // Back to the embedded models: every mention is outdated now.
    std::fs::write(data_dir.join("comptoir.toml"), "").unwrap();
    let (stdout, stderr, code) = comptoir(&data_dir, &["reenrich", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let reenriched: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(reenriched["updated"], 1);
    assert_ne!(reenriched["model_version"].as_str().unwrap(), version);
}

#[test]
fn exported_corrections_are_training_rows() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let out = dir.path().join("corrections.csv");
    let (_, stderr, code) = comptoir(&data_dir, &["export", "corrections", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "text,label,field\n");
}
