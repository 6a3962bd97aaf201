//! `comptoir demo`'s spike opens an incident explained by its drivers, visible at
//! `GET /api/v1/incidents`, and the demo's in-app alert rule fires; with a webhook and
//! an e-mail address configured, the alert reaches a local webhook receiver and a real
//! local SMTP server (aiosmtpd) too.

#[path = "../../connectors/tests/support/mail_servers.rs"]
mod mail_servers;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A local HTTP receiver on its own thread: each POST body goes to the channel.
fn webhook_receiver() -> (String, std::sync::mpsc::Receiver<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = sender.send(String::from_utf8_lossy(&body).into_owned());
        }
    });
    (url, receiver)
}

fn http_get(address: &str, path: &str, token: &str) -> Value {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default();
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

fn http_post(address: &str, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let body = body.to_string();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default();
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
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
fn the_demo_spike_opens_an_incident_with_drivers_and_fires_the_default_alert() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = mail_servers::SmtpSink::start();
    let (hook_url, hooks) = webhook_receiver();
    let mut command = Command::new(env!("CARGO_BIN_EXE_comptoir"));
    command.args(["demo", "--listen", "127.0.0.1:0", "--spike-after", "50", "--alert-webhook", &hook_url]).env("COMPTOIR_DATA_DIR", dir.path());
    if let Some(smtp) = &smtp {
        command
            .env("COMPTOIR_SMTP_HOST", "127.0.0.1")
            .env("COMPTOIR_SMTP_PORT", smtp.port.to_string())
            .env("COMPTOIR_SMTP_FROM", "Comptoir demo <demo@comptoir.test>")
            .env("COMPTOIR_DEMO_ALERT_EMAIL", "ops@example.org");
    }
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
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
    // The incident links to the cases its outage complaints opened.
    let total_id = incidents["items"].as_array().and_then(|items| items.iter().find(|incident| incident["slice"] == "total")).and_then(|incident| incident["id"].as_i64());
    let mut linked = Value::Null;
    if let Some(id) = total_id {
        for _ in 0..40 {
            linked = http_get(&address, &format!("/api/v1/incidents/{id}/cases"), &token);
            if linked["items"].as_array().is_some_and(|items| !items.is_empty()) {
                break;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }
    // Crisis mode on the spike's incident, and its mentions answered in bulk through the API.
    let mut crisis = (0, Value::Null);
    let mut preview = (0, Value::Null);
    let mut sent = (0, Value::Null);
    let mut outbox = Value::Null;
    if let Some(id) = total_id {
        crisis = http_post(&address, &format!("/api/v1/incidents/{id}/crisis"), &token, &serde_json::json!({"active": true}));
        preview = http_post(&address, &format!("/api/v1/incidents/{id}/bulk-reply/preview"), &token, &serde_json::json!({"template": "Bonjour {name}, la panne est connue et réparée au plus vite."}));
        let request = serde_json::json!({"preview_id": preview.1["preview_id"], "digest": preview.1["digest"]});
        sent = http_post(&address, &format!("/api/v1/incidents/{id}/bulk-reply"), &token, &request);
        outbox = http_get(&address, "/api/v1/outbox?limit=1000", &token);
    }
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    assert_eq!((crisis.0, crisis.1["publishing_paused"].as_bool()), (200, Some(true)), "{crisis:?}");
    assert_eq!(preview.0, 201, "{preview:?}");
    assert!(preview.1["ready"].as_u64().unwrap() > 0, "{preview:?}");
    assert_eq!((sent.0, sent.1["queued"].clone()), (200, preview.1["ready"].clone()), "{sent:?}");
    let delivered = outbox.as_array().unwrap().iter().filter(|row| row["text"].as_str().is_some_and(|text| text.contains("la panne est connue"))).count();
    assert!(delivered > 0 && delivered as u64 <= sent.1["queued"].as_u64().unwrap(), "{delivered} bulk replies in the outbox: {outbox}");
    let items = incidents["items"].as_array().expect("incidents");
    let total = items.iter().find(|incident| incident["slice"] == "total").unwrap_or_else(|| panic!("no incident on the total stream: {incidents}"));
    let terms: Vec<&str> = total["drivers"].as_array().unwrap().iter().filter(|driver| driver["kind"] == "term").filter_map(|driver| driver["value"].as_str()).collect();
    assert!(terms.iter().any(|term| ["down", "panne", "site", "crash", "check"].contains(term)), "outage words drive it: {terms:?}");
    let cases = linked["items"].as_array().unwrap_or_else(|| panic!("the incident's cases: {linked}"));
    assert!(!cases.is_empty() && cases.iter().all(|case| case["contact_id"].is_i64() && case["first_response_due_at"].is_string()), "{linked}");
    let first_alert = &alerts["items"].as_array().expect("alerts")[0];
    assert!(first_alert["text"].as_str().unwrap().contains("Incident"), "{alerts}");
    // The same spike went to the webhook and, when an SMTP server runs, by e-mail.
    let hook: Value = serde_json::from_str(&hooks.recv_timeout(Duration::from_secs(30)).expect("the webhook got the alert")).unwrap();
    assert!(hook["text"].as_str().unwrap().contains("Incident"), "{hook}");
    if let Some(smtp) = &smtp {
        let mails = smtp.wait_for(1, Duration::from_secs(30));
        let mail = String::from_utf8_lossy(mails.first().expect("the alert e-mail arrived"));
        assert!(mail.contains("X-RcptTo: ops@example.org") && mail.contains("Subject: [Comptoir] Incident"), "{mail}");
    }
}
