//! `comptoir bench alert-latency`: the real server (the same store, pipeline, early
//! warning and HTTP API as `serve`) on a temporary data directory, a webhook alert rule
//! pointing at a tiny local HTTP receiver, and a replayed stream posted to
//! `POST /api/v1/mentions`: steady buckets while the detector learns, then one bucket
//! with a spike. It reports the time from the end of the spike's bucket (when the early
//! warning can first know) to the webhook's arrival at the receiver.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use serde::Serialize;
use service::early_warning::{AlertChannel, AlertKind, EarlyWarningConfig, NewAlertRule};
use service::{App, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The stream and bucket settings of one run.
#[derive(Debug, Clone, Copy)]
pub struct AlertLatencyOptions {
    pub bucket_seconds: i64,
    pub warmup_buckets: u64,
    /// Mentions per bucket before the spike.
    pub baseline: usize,
    /// Mentions in the spike's bucket.
    pub spike: usize,
    /// Give up waiting for the alert after this long.
    pub timeout: Duration,
}

impl Default for AlertLatencyOptions {
    fn default() -> Self {
        AlertLatencyOptions { bucket_seconds: 2, warmup_buckets: 10, baseline: 20, spike: 400, timeout: Duration::from_secs(30) }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AlertLatency {
    pub bucket_seconds: i64,
    pub warmup_buckets: u64,
    pub mentions_sent: usize,
    /// Unix seconds (fractional) when the spike's bucket ended.
    pub spike_bucket_end: f64,
    /// Unix seconds when the webhook arrived (`null`: no alert within the timeout).
    pub alert_received_at: Option<f64>,
    /// `alert_received_at - spike_bucket_end`.
    pub latency_seconds: Option<f64>,
    /// The webhook body's `text`.
    pub alert_text: Option<String>,
}

fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|elapsed| elapsed.as_secs_f64()).unwrap_or_default()
}

pub fn run(options: AlertLatencyOptions) -> Result<AlertLatency> {
    let dir = tempfile::tempdir()?;
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        listen: "127.0.0.1:0".into(),
        early_warning: EarlyWarningConfig {
            bucket_seconds: options.bucket_seconds,
            detector_warmup_buckets: Some(options.warmup_buckets),
            baseline_buckets: 8,
            weak_signals_warmup_buckets: 6,
        },
        ..Config::default()
    };
    let app = Arc::new(App::open(config)?);
    let token = app.create_api_token("bench")?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let server_app = app.clone();
    let result = runtime.block_on(async move {
        let app = server_app;
        let (hook_url, mut hooks) = webhook_receiver().await?;
        let rule = NewAlertRule {
            name: "bench: spike".into(),
            kind: AlertKind::VolumeAnomaly,
            slice: Some("total".into()),
            keyword: None,
            min_influence: None,
            threshold: None,
            within_minutes: None,
            channel: AlertChannel::Webhook { url: hook_url, secret: "bench".into() },
        };
        let app_for_rule = app.clone();
        tokio::task::spawn_blocking(move || app_for_rule.create_alert_rule(rule)).await??;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?.to_string();
        let ingest = service::start_ingest_thread(app.clone(), 64);
        let state = web::AppState::new(app.clone(), ingest, "bench: alert latency");
        tokio::spawn(web::serve(listener, state));

        let replay = tokio::task::spawn_blocking(move || replay_stream(&address, &token, options));
        let spike_bucket_end = replay.await??;
        let mentions_sent = (options.warmup_buckets as usize + 3) * options.baseline + options.spike;
        let deadline = tokio::time::Instant::now() + options.timeout;
        let mut result = AlertLatency {
            bucket_seconds: options.bucket_seconds,
            warmup_buckets: options.warmup_buckets,
            mentions_sent,
            spike_bucket_end,
            alert_received_at: None,
            latency_seconds: None,
            alert_text: None,
        };
        while let Ok(Some((received_at, body))) = tokio::time::timeout_at(deadline, hooks.recv()).await {
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            // An alert about the learning phase would be a false alarm, not this spike.
            if received_at < spike_bucket_end - options.bucket_seconds as f64 {
                continue;
            }
            result.alert_received_at = Some(received_at);
            result.latency_seconds = Some(received_at - spike_bucket_end);
            result.alert_text = body["text"].as_str().map(str::to_string);
            break;
        }
        anyhow::Ok(result)
    });
    // Stop the server, then let the ingestion thread make its last commit (it holds the
    // last other reference to the app) before the temporary directory goes away.
    runtime.shutdown_timeout(Duration::from_secs(5));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while Arc::strong_count(&app) > 1 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(app);
    drop(dir);
    result
}

/// Posts `baseline` mentions per bucket for the warm-up, `spike` in the next bucket, and
/// returns when that bucket ends (Unix seconds) after posting one more quiet bucket.
fn replay_stream(address: &str, token: &str, options: AlertLatencyOptions) -> Result<f64> {
    let bucket = options.bucket_seconds as f64;
    let mut next_id = 0usize;
    let mut post_bucket = |count: usize, outage: bool| -> Result<()> {
        let lines: Vec<String> = (0..count)
            .map(|index| {
                next_id += 1;
                let text = if outage { "Panne réseau, plus rien ne marche" } else { ["Vol à l'heure, merci", "Question bagage", "Nice crew today"][index % 3] };
                format!(
                    r#"{{"source":"x","external_id":"bench-{next_id}","author":{{"handle":"user{}"}},"text":"{text} #{next_id}","created_at":"2026-11-20T10:00:00Z"}}"#,
                    next_id % 211
                )
            })
            .collect();
        post_mentions(address, token, &lines.join("\n"))
    };
    // Start just after a bucket boundary so each bucket's posts land inside it.
    let wait_for_next_bucket = || -> f64 {
        let now = unix_now();
        let next = (now / bucket).floor() * bucket + bucket;
        std::thread::sleep(Duration::from_secs_f64(next - now + 0.05));
        next
    };
    for round in 0..=options.warmup_buckets + 1 {
        wait_for_next_bucket();
        // A little variation, like a real stream.
        post_bucket(options.baseline + (round as usize % 3), false)?;
    }
    let spike_bucket_start = wait_for_next_bucket();
    post_bucket(options.spike, true)?;
    wait_for_next_bucket();
    post_bucket(options.baseline, false)?;
    Ok(spike_bucket_start + bucket)
}

/// One NDJSON `POST /api/v1/mentions` over a plain HTTP/1.1 connection.
fn post_mentions(address: &str, token: &str, body: &str) -> Result<()> {
    let mut stream = TcpStream::connect(address).with_context(|| format!("connect to {address}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "POST /api/v1/mentions HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response.split_whitespace().nth(1).unwrap_or("");
    if !status.starts_with('2') {
        bail!("the server answered {status}: {}", response.lines().last().unwrap_or(""));
    }
    Ok(())
}

/// A tiny HTTP receiver: each POST's arrival time (Unix seconds) and body go to the channel.
async fn webhook_receiver() -> Result<(String, tokio::sync::mpsc::Receiver<(f64, Vec<u8>)>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let (sender, receiver) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let sender = sender.clone();
            tokio::spawn(async move {
                if let Some(body) = read_request_body(&mut socket).await {
                    let received_at = unix_now();
                    let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
                    let _ = sender.send((received_at, body)).await;
                }
            });
        }
    });
    Ok((url, receiver))
}

/// Reads one request's head and its `Content-Length` body (at most 1 MiB).
async fn read_request_body(socket: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let read = socket.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(head_end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..head_end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse().ok())
                .unwrap_or(0)
                .min(1 << 20);
            while buffer.len() < head_end + 4 + length {
                let read = socket.read(&mut chunk).await.ok()?;
                if read == 0 {
                    return None;
                }
                buffer.extend_from_slice(&chunk[..read]);
            }
            return Some(buffer[head_end + 4..head_end + 4 + length].to_vec());
        }
        if buffer.len() > 1 << 20 {
            return None;
        }
    }
}
