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

/// Airline-format rows: the built-in models must get the plain cases right.
fn write_airline_csv(path: &Path) {
    let rows = [
        ("negative", "Late Flight", "@united my flight is delayed again, three hours late and nobody tells us anything"),
        ("negative", "Lost Luggage", "@united you lost my luggage, bag still missing after two days"),
        ("negative", "Cancelled Flight", "@united flight Cancelled Flightled again and no rebooking. awful"),
        ("negative", "Customer Service Issue", "@united on hold for 2 hours, worst customer service ever"),
        ("positive", "", "@united thank you so much, great crew and a perfect flight!"),
        ("positive", "", "@united love the new seats, amazing service today"),
        ("neutral", "", "@united what time does boarding start for the flight to Denver?"),
        ("neutral", "", "@united is there wifi on the 737 to Chicago"),
    ];
    let mut csv = String::from("tweet_id,airline_sentiment,negativereason,text\n");
    for (index, (sentiment, reason, text)) in rows.iter().enumerate() {
        csv.push_str(&format!("{index},{sentiment},{reason},\"{text}\"\n"));
    }
    std::fs::write(path, csv).unwrap();
}

#[test]
fn eval_scores_the_built_in_models_and_cross_validates_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("airline.csv");
    write_airline_csv(&file);
    let file = file.to_str().unwrap();

    let (stdout, stderr, code) = comptoir(dir.path(), &["eval", "sentiment", "--format", "airline", file, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["n"], 8);
    assert!(report["accuracy"].as_f64().unwrap() >= 0.75, "{report}");
    assert!(report["macro_f1"].as_f64().unwrap() > 0.0);
    assert_eq!(report["per_class"]["negative"]["support"], 4);
    assert!(report["texts_per_sec"].as_f64().unwrap() > 0.0);
    assert!(report["model"].as_str().unwrap().contains("sentiment-en:"));

    // Reasons: the negative rows only, with the airline's own labels.
    let (stdout, stderr, code) = comptoir(dir.path(), &["eval", "reason", "--format", "airline", file, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["n"], 4);
    assert!(report["per_class"].get("Lost Luggage").is_some(), "{report}");
    assert!(report["model"].as_str().unwrap().starts_with("reason-airline:"), "{report}");
    assert!(report["accuracy"].as_f64().unwrap() >= 0.5, "{report}");

    // A file without the format's columns is refused with the columns it has.
    let (_, stderr, code) = comptoir(dir.path(), &["eval", "sentiment", "--format", "tweeteval", file]);
    assert_ne!(code, 0);
    assert!(stderr.contains("no column \"label\""), "{stderr}");
    let (_, stderr, code) = comptoir(dir.path(), &["eval", "reason", "--format", "umsab", file]);
    assert_ne!(code, 0);
    assert!(stderr.contains("reads the airline format"), "{stderr}");
}

#[test]
fn eval_cross_validation_trains_afresh_on_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("labelled.csv");
    write_training_csv(&file);
    let csv = std::fs::read_to_string(&file).unwrap().replace("id,tweet,mood", "id,text,label");
    std::fs::write(&file, csv).unwrap();
    let (stdout, stderr, code) =
        comptoir(dir.path(), &["eval", "sentiment", "--format", "tweeteval", file.to_str().unwrap(), "--cv", "3", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["n"], 36);
    assert_eq!(report["model"], "cross-validated (3 folds)");
    let (_, stderr, code) =
        comptoir(dir.path(), &["eval", "sentiment", "--format", "tweeteval", file.to_str().unwrap(), "--cv", "1"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("at least 2 folds"), "{stderr}");
}
