//! The issue's acceptance checks, through the real binary: import the airline dataset
//! twice, search it with the query language, read the JSON contract.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn airline_file() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/airline/airline_tweets_dev70.csv");
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} is not there (the shared data folder sits beside the clone)", path.display());
        None
    }
}

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

fn json_line(stdout: &str) -> Value {
    assert_eq!(stdout.trim_end().lines().count(), 1, "--json prints one line: {stdout}");
    serde_json::from_str(stdout.trim_end()).expect("valid JSON")
}

fn search(data_dir: &Path, query: &str) -> Value {
    let (stdout, stderr, code) = comptoir(data_dir, &["search", query, "--json", "--limit", "5"]);
    assert_eq!(code, 0, "{stderr}");
    json_line(&stdout)
}

#[test]
fn airline_import_counts_replay_and_searches() {
    let Some(file) = airline_file() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = file.to_str().unwrap();
    let (stdout, stderr, code) = comptoir(dir.path(), &["import", "--format", "airline-csv", file, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let first = json_line(&stdout);
    assert_eq!(first["stored"], 10_146, "{first}");
    assert_eq!(first["duplicates"], 114, "{first}");
    assert_eq!(first["quarantined"], 0, "{first}");
    assert_eq!(first["read"], 10_260, "{first}");

    let (stdout, _, code) = comptoir(dir.path(), &["import", "--format", "airline-csv", file, "--json"]);
    assert_eq!(code, 0);
    let second = json_line(&stdout);
    assert_eq!(second["stored"], 0, "importing again stores nothing new: {second}");
    assert_eq!(second["duplicates"], 10_260);

    let everything = search(dir.path(), "*");
    assert_eq!(everything["total"], 10_146);
    assert_eq!(everything["mentions"].as_array().unwrap().len(), 5, "--limit cuts the page, not the total");

    let phrase = search(dir.path(), "\"lost luggage\"");
    assert!(phrase["total"].as_u64().unwrap() >= 5, "{phrase}");
    for mention in phrase["mentions"].as_array().unwrap() {
        let text = mention["text"].as_str().unwrap().to_lowercase();
        assert!(text.contains("lost luggage"), "{text}");
    }
    let near = search(dir.path(), "luggage NEAR/3 lost");
    assert!(near["total"].as_u64().unwrap() > phrase["total"].as_u64().unwrap(), "NEAR finds more than the phrase");
    for mention in near["mentions"].as_array().unwrap() {
        let text = mention["text"].as_str().unwrap().to_lowercase();
        assert!(text.contains("luggage") && text.contains("lost"), "{text}");
    }
    let fuzzy = search(dir.path(), "~bagage");
    assert!(fuzzy["total"].as_u64().unwrap() > 0, "baggage/bagage within two edits: {fuzzy}");
}

#[test]
fn import_json_contract_with_bad_records_and_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("mixed.ndjson");
    std::fs::write(
        &input,
        concat!(
            r#"{"source":"bluesky","external_id":"a1","author":{"handle":"bob"},"text":"Encore un retard de 3h, c'est nul","created_at":"2026-11-20T10:00:00Z"}"#,
            "\n{\"source\":\"x\"\n",
            r#"{"source":"x","external_id":"a2","author":{"handle":"eve"},"text":"late again","created_at":"not a date"}"#,
            "\n"
        ),
    )
    .unwrap();
    let (stdout, stderr, code) = comptoir(dir.path(), &["import", "--format", "ndjson", input.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "quarantined records are not a failure: {stderr}");
    let report = json_line(&stdout);
    assert_eq!((report["read"].as_u64(), report["stored"].as_u64(), report["quarantined"].as_u64()), (Some(3), Some(1), Some(2)));
    let samples = report["quarantine_samples"].as_array().unwrap();
    assert_eq!(samples[0]["position"], "line 2");

    let found = search(dir.path(), "lang:fr retard*");
    assert_eq!(found["total"], 1);

    let (_, stderr, code) = comptoir(dir.path(), &["import", "--format", "ndjson", "/nonexistent/file.ndjson", "--json"]);
    assert_ne!(code, 0, "an unreadable input is an error: {stderr}");
    let (_, stderr, code) = comptoir(dir.path(), &["import", "--format", "myspace", input.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(stderr.contains("unknown format"), "{stderr}");
    let (_, stderr, code) = comptoir(dir.path(), &["search", "(unclosed", "--json"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("invalid query"), "{stderr}");
}

#[test]
fn token_create_prints_the_token_as_the_last_line() {
    let dir = tempfile::tempdir().unwrap();
    let (stdout, _, code) = comptoir(dir.path(), &["token", "create", "--label", "test"]);
    assert_eq!(code, 0);
    let token = stdout.trim_end().lines().last().unwrap();
    assert!(token.starts_with("cpt_") && token.len() > 30, "{token}");
}
