//! Keeps ARCHITECTURE.md's invariants true: reads `cargo metadata` and fails when a crate
//! depends on something its layer must not know.

use std::collections::BTreeMap;
use std::process::Command;

/// Direct dependencies (normal, not dev) of each workspace crate.
fn workspace_dependencies() -> BTreeMap<String, Vec<String>> {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut dependencies = BTreeMap::new();
    for package in metadata["packages"].as_array().unwrap() {
        let names = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|dependency| dependency["kind"].is_null())
            .map(|dependency| dependency["name"].as_str().unwrap().to_string())
            .collect();
        dependencies.insert(package["name"].as_str().unwrap().to_string(), names);
    }
    dependencies
}

const IO_CRATES: &[&str] =
    &["tokio", "rusqlite", "postgres", "tantivy", "axum", "reqwest", "tokio-tungstenite", "hyper"];
const INTERNAL: &[&str] =
    &["domain", "listen", "nlp", "care", "signals", "connectors", "store", "search", "service", "webui", "web", "cli"];

fn assert_forbidden(
    dependencies: &BTreeMap<String, Vec<String>>,
    krate: &str,
    forbidden: &[&str],
    why: &str,
) {
    let actual = dependencies.get(krate).unwrap_or_else(|| panic!("crate {krate} is missing"));
    for name in forbidden {
        assert!(!actual.iter().any(|d| d == name), "`{krate}` must not depend on `{name}`: {why}");
    }
}

fn allowed_internal(dependencies: &BTreeMap<String, Vec<String>>, krate: &str, allowed: &[&str]) {
    for dependency in &dependencies[krate] {
        if INTERNAL.contains(&dependency.as_str()) {
            assert!(
                allowed.contains(&dependency.as_str()),
                "`{krate}` must not depend on `{dependency}` (allowed internal: {allowed:?})"
            );
        }
    }
}

#[test]
fn pure_crates_do_no_io() {
    let dependencies = workspace_dependencies();
    for krate in ["domain", "listen", "nlp", "care", "signals"] {
        assert_forbidden(&dependencies, krate, IO_CRATES, "it is a pure crate");
    }
    assert_forbidden(&dependencies, "care", &["sqlx"], "it is a pure crate");
    allowed_internal(&dependencies, "domain", &[]);
    allowed_internal(&dependencies, "listen", &["domain"]);
    allowed_internal(&dependencies, "nlp", &["domain"]);
    allowed_internal(&dependencies, "care", &["domain"]);
    allowed_internal(&dependencies, "signals", &["domain", "listen"]);
}

#[test]
fn adapters_stay_in_their_lane() {
    let dependencies = workspace_dependencies();
    allowed_internal(&dependencies, "connectors", &["domain"]);
    allowed_internal(&dependencies, "store", &["domain"]);
    allowed_internal(&dependencies, "search", &["domain", "listen"]);
    assert_forbidden(&dependencies, "store", &["tantivy", "axum", "tokio", "reqwest"], "the store is storage only");
    assert_forbidden(&dependencies, "search", &["rusqlite", "postgres", "axum", "tokio"], "the index is derived data only");
    assert_forbidden(&dependencies, "connectors", &["rusqlite", "postgres", "tantivy"], "connectors only read sources");
}

#[test]
fn only_web_knows_http_and_only_cli_knows_argv() {
    let dependencies = workspace_dependencies();
    for (krate, names) in &dependencies {
        if krate != "web" {
            assert!(!names.iter().any(|d| d == "axum"), "only `web` may depend on axum, not `{krate}`");
        }
        if krate != "cli" {
            assert!(!names.iter().any(|d| d == "clap"), "only `cli` may depend on clap, not `{krate}`");
            assert!(!names.iter().any(|d| d == "web"), "nothing but `cli` may depend on `web`, not `{krate}`");
        }
        assert!(!names.iter().any(|d| d == "cli"), "nothing may depend on `cli`, not `{krate}`");
    }
    allowed_internal(&dependencies, "web", &["domain", "service", "connectors", "webui"]);
}

#[test]
fn webui_renders_html_and_knows_no_http() {
    let dependencies = workspace_dependencies();
    allowed_internal(&dependencies, "webui", &["domain", "service"]);
    assert_forbidden(&dependencies, "webui", IO_CRATES, "it renders pages; `web` serves them");
    for (krate, names) in &dependencies {
        if krate != "web" {
            assert!(!names.iter().any(|d| d == "webui"), "only `web` may depend on `webui`, not `{krate}`");
        }
    }
}
