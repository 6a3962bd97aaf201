//! `comptoir serve` follows a mailbox given by `COMPTOIR_IMAP_*`: a message appended to a
//! real dovecot server shows up through the API as an `email` mention, and a reply to it
//! carries the thread.

#[path = "../../connectors/tests/support/mail_servers.rs"]
mod mail_servers;

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

const QUESTION: &str = "From: Ann <ann@example.org>\r\nTo: care@comptoir.test\r\nSubject: Colis perdu\r\nDate: Tue, 1 Jul 2025 10:52:37 +0200\r\nMessage-ID: <q1@example.org>\r\n\r\nMon colis n'est jamais arrive.\r\n";
const REPLY: &str = "From: Ann <ann@example.org>\r\nTo: care@comptoir.test\r\nSubject: Re: Colis perdu\r\nDate: Tue, 1 Jul 2025 11:52:37 +0200\r\nMessage-ID: <q2@example.org>\r\nIn-Reply-To: <q1@example.org>\r\nReferences: <q1@example.org>\r\n\r\nToujours rien, colis introuvable.\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_ingests_a_mailbox_configured_by_the_environment() {
    let Some(dovecot) = mail_servers::Dovecot::start() else { return };
    dovecot.append("INBOX", QUESTION.as_bytes()).await;
    dovecot.append("INBOX", REPLY.as_bytes()).await;
    let dir = tempfile::tempdir().unwrap();
    let token_output = Command::new(env!("CARGO_BIN_EXE_comptoir"))
        .args(["token", "create", "--label", "test"])
        .env("COMPTOIR_DATA_DIR", dir.path())
        .output()
        .unwrap();
    let token = String::from_utf8(token_output.stdout).unwrap().lines().last().unwrap().trim().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_comptoir"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("COMPTOIR_DATA_DIR", dir.path())
        .env("COMPTOIR_IMAP_HOST", "127.0.0.1")
        .env("COMPTOIR_IMAP_PORT", dovecot.port.to_string())
        .env("COMPTOIR_IMAP_USERNAME", dovecot.username)
        .env("COMPTOIR_IMAP_PASSWORD", dovecot.password)
        .env("COMPTOIR_IMAP_POLL_SECONDS", "5")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let address = loop {
        let line = lines.next().expect("serve prints its address").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.trim_end_matches('/').to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let started = Instant::now();
    let mut found = Value::Null;
    while started.elapsed() < Duration::from_secs(60) {
        found = http_get(&address, "/api/v1/search?q=colis&sort=oldest", &token);
        if found["total"].as_u64() == Some(2) {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(found["total"], 2, "{found}");
    let mentions = found["mentions"].as_array().unwrap();
    assert_eq!(mentions[0]["source"], "email");
    assert_eq!(mentions[0]["external_id"], "q1@example.org");
    assert_eq!(mentions[1]["links"]["in_reply_to"], "q1@example.org", "{found}");
}
