//! The same binary on PostgreSQL: import, replay, search, reindex. Runs when
//! COMPTOIR_TEST_POSTGRES_URL is set (CI sets it); each run gets a database of its own.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn comptoir(data_dir: &Path, database_url: &str, args: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_comptoir"))
        .args(args)
        .env("COMPTOIR_DATA_DIR", data_dir)
        .env("COMPTOIR_DATABASE_URL", database_url)
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap_or(Value::Null)
}

fn psql(url: &str, sql: &str) {
    let status = Command::new("psql").arg(url).args(["-q", "-c", sql]).status().expect("psql runs");
    assert!(status.success(), "psql {sql}");
}

#[test]
fn import_search_and_reindex_on_postgres() {
    let Ok(admin_url) = std::env::var("COMPTOIR_TEST_POSTGRES_URL") else {
        eprintln!("PostgreSQL end-to-end test skipped: COMPTOIR_TEST_POSTGRES_URL is not set");
        return;
    };
    let database = format!("comptoir_e2e_{}", std::process::id());
    psql(&admin_url, &format!("DROP DATABASE IF EXISTS {database}"));
    psql(&admin_url, &format!("CREATE DATABASE {database}"));
    let url = admin_url.replacen("/postgres?", &format!("/{database}?"), 1);
    assert_ne!(url, admin_url, "COMPTOIR_TEST_POSTGRES_URL should name the postgres database, as in postgres:///postgres?host=…");

    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("mentions.ndjson");
    std::fs::write(
        &input,
        concat!(
            r#"{"source":"x","external_id":"p1","author":{"handle":"lea"},"text":"Vol annulé à Lyon, encore un retard","created_at":"2026-11-20T10:00:00Z"}"#, "\n",
            r#"{"source":"bluesky","external_id":"p2","author":{"handle":"sam"},"text":"They lost my luggage in Boston","created_at":"2026-11-20T11:00:00Z"}"#, "\n",
            "not json\n",
        ),
    )
    .unwrap();
    let input = input.to_str().unwrap();
    let first = comptoir(dir.path(), &url, &["import", "--format", "ndjson", input, "--json"]);
    assert_eq!((first["stored"].as_u64(), first["quarantined"].as_u64()), (Some(2), Some(1)), "{first}");
    let again = comptoir(dir.path(), &url, &["import", "--format", "ndjson", input, "--json"]);
    assert_eq!((again["stored"].as_u64(), again["duplicates"].as_u64()), (Some(0), Some(2)), "{again}");

    let found = comptoir(dir.path(), &url, &["search", "lang:fr retard*", "--json"]);
    assert_eq!(found["total"], 1, "{found}");
    std::fs::remove_dir_all(dir.path().join("index")).unwrap();
    comptoir(dir.path(), &url, &["reindex"]);
    let found = comptoir(dir.path(), &url, &["search", "luggage NEAR/2 lost", "--json"]);
    assert_eq!(found["total"], 1, "{found}");

    psql(&admin_url, &format!("DROP DATABASE {database}"));
}
