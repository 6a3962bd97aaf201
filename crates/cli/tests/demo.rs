//! `comptoir demo` end to end: the binary starts, prints its URL, the web app's URL with
//! an administrator's credentials that sign in, and a token; the simulated
//! stream lands through the connectors and the pipeline, the API serves it; after a kill,
//! the next start finds every acknowledged mention (the index heals from the store).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn http_get(address: &str, path: &str, token: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default();
    (status, body)
}

fn http_post_json(address: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default();
    (status, body)
}

/// Kills the demo when the test ends, even when an assertion fails first (a failed test
/// must not leave a server running).
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_demo_streams_mentions_that_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_comptoir"))
        .args(["demo", "--listen", "127.0.0.1:0", "--rate", "40", "--spike-after", "2"])
        .env("COMPTOIR_DATA_DIR", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut address = String::new();
    let mut token = String::new();
    let (mut email, mut password, mut app_url) = (String::new(), String::new(), String::new());
    while token.is_empty() {
        let line = lines.next().expect("the demo prints its URL and token").unwrap();
        if let Some(rest) = line.strip_prefix("Comptoir demo is running: open http://") {
            address = rest.trim_end_matches('/').to_string();
        }
        if let Some(rest) = line.strip_prefix("API token: ") {
            token = rest.to_string();
        }
        if let Some(rest) = line.strip_prefix("Web app: ") {
            app_url = rest.to_string();
        }
        if let Some(rest) = line.strip_prefix("Sign in as: ") {
            email = rest.to_string();
        }
        if let Some(rest) = line.strip_prefix("Password: ") {
            password = rest.to_string();
        }
    }
    assert_eq!(app_url, format!("http://{address}/app"));
    let login = serde_json::json!({"email": email, "password": password}).to_string();
    let (status, signed_in) = http_post_json(&address, "/api/v1/auth/login", &login);
    assert_eq!(status, 200, "the printed credentials sign in: {signed_in}");
    assert!(signed_in.contains(r#""role":"admin""#), "{signed_in}");
    let (status, home) = http_get(&address, "/", "");
    assert_eq!(status, 200);
    assert!(home.contains("/api/v1/search"), "{home}");

    let started = Instant::now();
    let mut seen = Value::Null;
    while started.elapsed() < Duration::from_secs(60) {
        let (status, body) = http_get(&address, "/api/v1/search?q=*&limit=1", &token);
        assert_eq!(status, 200, "{body}");
        seen = serde_json::from_str(&body).unwrap();
        if seen["total"].as_u64().unwrap_or(0) >= 60 && seen["facets"]["by_source"].as_array().is_some_and(|s| s.len() >= 3) {
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let sources = seen["facets"]["by_source"].as_array().expect("facets").len();
    assert!(seen["total"].as_u64().unwrap() >= 60 && sources >= 3, "the stream lands from several sources: {seen}");
    let (_, french) = http_get(&address, "/api/v1/search?q=lang:fr%20(retard*%20OR%20panne)&limit=1", &token);
    let french: Value = serde_json::from_str(&french).unwrap();
    assert!(french["total"].as_u64().unwrap() > 0, "French complaints are detected and searchable: {french}");
    let acknowledged = seen["total"].as_u64().unwrap();
    // Complaints and questions of the stream opened cases, routed to the demo team,
    // assigned round-robin to its agents, with due times in business hours.
    let (status, cases) = http_get(&address, "/api/v1/cases?limit=200", &token);
    assert_eq!(status, 200, "{cases}");
    let cases: Value = serde_json::from_str(&cases).unwrap();
    let items = cases["items"].as_array().unwrap();
    assert!(!items.is_empty(), "the stream opens cases: {cases}");
    let agents: std::collections::BTreeSet<i64> = items.iter().filter_map(|case| case["assignee_id"].as_i64()).collect();
    assert!(agents.len() >= 2 || items.len() < 3, "round-robin over the team: {cases}");
    assert!(items.iter().all(|case| case["team_id"].is_i64() && case["first_response_due_at"].is_string()), "{cases}");

    child.0.kill().unwrap(); // SIGKILL: no shutdown, no final index commit
    child.0.wait().unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_comptoir"))
        .args(["search", "*", "--json", "--limit", "0"])
        .env("COMPTOIR_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let after: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(after["total"].as_u64().unwrap() >= acknowledged, "after the kill: {after}, before: {acknowledged}");
}
