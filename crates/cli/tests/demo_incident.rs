//! `comptoir demo`'s spike opens an incident explained by its drivers, visible at
//! `GET /api/v1/incidents`, and the demo's in-app alert rule fires.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn http_get(address: &str, path: &str, token: &str) -> Value {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default();
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

#[test]
fn the_demo_spike_opens_an_incident_with_drivers_and_fires_the_default_alert() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_comptoir"))
        .args(["demo", "--listen", "127.0.0.1:0", "--spike-after", "50"])
        .env("COMPTOIR_DATA_DIR", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut address, mut token) = (String::new(), String::new());
    while token.is_empty() {
        let line = lines.next().expect("the demo prints its URL and token").unwrap();
        if let Some(rest) = line.strip_prefix("Comptoir demo is running: open http://") {
            address = rest.trim_end_matches('/').to_string();
        }
        if let Some(rest) = line.strip_prefix("API token: ") {
            token = rest.to_string();
        }
    }
    let started = Instant::now();
    let (mut incidents, mut alerts) = (Value::Null, Value::Null);
    while started.elapsed() < Duration::from_secs(150) {
        incidents = http_get(&address, "/api/v1/incidents", &token);
        alerts = http_get(&address, "/api/v1/alerts", &token);
        let total = incidents["items"].as_array().and_then(|items| items.iter().find(|incident| incident["slice"] == "total")).cloned();
        if total.is_some() && alerts["items"].as_array().is_some_and(|items| !items.is_empty()) {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let items = incidents["items"].as_array().expect("incidents");
    let total = items.iter().find(|incident| incident["slice"] == "total").unwrap_or_else(|| panic!("no incident on the total stream: {incidents}"));
    let terms: Vec<&str> = total["drivers"].as_array().unwrap().iter().filter(|driver| driver["kind"] == "term").filter_map(|driver| driver["value"].as_str()).collect();
    assert!(terms.iter().any(|term| ["down", "panne", "site", "crash", "check"].contains(term)), "outage words drive it: {terms:?}");
    let first_alert = &alerts["items"].as_array().expect("alerts")[0];
    assert!(first_alert["text"].as_str().unwrap().contains("Incident"), "{alerts}");
}
