//! `comptoir bench pages`: the server time of the web app's pages, measured through the
//! router (everything the server does for a request: session lookup, store and index
//! reads, rendering), without the network.

use std::time::Instant;

use axum::body::Body;
use axum::http::{header, Request};
use serde::Serialize;
use tower::ServiceExt;

use crate::{router, AppState};

/// One page's server times over the rounds, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct PageTiming {
    pub path: String,
    pub status: u16,
    pub requests: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Requests each path `rounds` times with the session cookie `session_secret` (after one
/// warm-up request) and reports the distribution of server times.
pub async fn time_pages(state: AppState, session_secret: &str, paths: &[String], rounds: usize) -> Vec<PageTiming> {
    let app = router(state);
    let cookie = format!("{}={session_secret}", crate::SESSION_COOKIE);
    let mut timings = Vec::with_capacity(paths.len());
    for path in paths {
        let request = || Request::get(path.as_str()).header(header::COOKIE, &cookie).body(Body::empty()).expect("a valid request");
        let warm_up = app.clone().oneshot(request()).await.expect("the router answers");
        let status = warm_up.status().as_u16();
        let _ = axum::body::to_bytes(warm_up.into_body(), usize::MAX).await;
        let mut millis = Vec::with_capacity(rounds);
        for _ in 0..rounds.max(1) {
            let started = Instant::now();
            let response = app.clone().oneshot(request()).await.expect("the router answers");
            let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await;
            millis.push(started.elapsed().as_secs_f64() * 1e3);
        }
        millis.sort_by(f64::total_cmp);
        timings.push(PageTiming {
            path: path.clone(),
            status,
            requests: millis.len(),
            p50_ms: percentile(&millis, 0.5),
            p99_ms: percentile(&millis, 0.99),
            max_ms: *millis.last().unwrap_or(&0.0),
        });
    }
    timings
}

/// How fast a new case reaches an open inbox: from the ingest request to the moment the
/// inbox's script has the case (the `created` event on `/app/case-events`, then
/// `GET /api/v1/cases/{id}`, as `app.js` does).
#[derive(Debug, Clone, Serialize)]
pub struct InboxArrivals {
    pub runs: usize,
    /// Runs whose case arrived within the timeout.
    pub arrived: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Words the complaints are made of: each run's text differs enough from the others that
/// the near-duplicate filter lets it open its own case.
const WORDS: [&str; 24] = [
    "bagage", "valise", "vol", "retard", "annulation", "remboursement", "billet", "porte", "escale", "hublot", "siège",
    "comptoir", "lyon", "nantes", "brest", "nice", "matin", "soir", "lundi", "jeudi", "enfant", "poussette", "fauteuil", "repas",
];

fn complaint(run: usize) -> String {
    let mut words = Vec::with_capacity(8);
    let mut seed = run as u64 * 2_654_435_761 + 12_345;
    for _ in 0..8 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        words.push(WORDS[(seed >> 33) as usize % WORDS.len()]);
    }
    format!("@AirComptoir {} — worst airline ever, I am furious and nobody answers (run {run})", words.join(" "))
}

/// Ingests `runs` complaints one at a time through `POST /api/v1/mentions` (with `token`)
/// while a session (`session_secret`) listens to the case events, and times each arrival.
pub async fn time_inbox_arrivals(state: AppState, session_secret: &str, token: &str, runs: usize, timeout: std::time::Duration) -> InboxArrivals {
    use futures_util::StreamExt;
    let app = router(state);
    let cookie = format!("{}={session_secret}", crate::SESSION_COOKIE);
    let events = Request::get("/app/case-events").header(header::COOKIE, &cookie).body(Body::empty()).expect("a valid request");
    let mut stream = app.clone().oneshot(events).await.expect("the router answers").into_body().into_data_stream();
    let mut buffered = String::new();
    let mut millis = Vec::with_capacity(runs);
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|since| since.as_millis()).unwrap_or_default();
    for run in 0..runs {
        let mention = serde_json::json!({
            "source": "x", "external_id": format!("inbox-live-{stamp}-{run}"), "text": complaint(run),
            "created_at": chrono::Utc::now().to_rfc3339(), "author": {"handle": format!("live_client_{stamp}_{run}")},
        });
        let started = Instant::now();
        let ingest = Request::post("/api/v1/mentions")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/x-ndjson")
            .body(Body::from(format!("{mention}\n")))
            .expect("a valid request");
        let _ = app.clone().oneshot(ingest).await.expect("the router answers");
        let arrival = async {
            loop {
                while let Some(end) = buffered.find("\n\n") {
                    let block: String = buffered.drain(..end + 2).collect();
                    let data = block.lines().find_map(|line| line.strip_prefix("data: ")).unwrap_or_default();
                    let event: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
                    if event["kind"] == "created" {
                        return event["case_id"].as_i64();
                    }
                }
                let chunk = stream.next().await?.ok()?;
                buffered.push_str(&String::from_utf8_lossy(&chunk));
            }
        };
        let Ok(Some(case_id)) = tokio::time::timeout(timeout, arrival).await else { continue };
        let fetch = Request::get(format!("/api/v1/cases/{case_id}")).header(header::COOKIE, &cookie).body(Body::empty()).expect("a valid request");
        let response = app.clone().oneshot(fetch).await.expect("the router answers");
        let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await;
        millis.push(started.elapsed().as_secs_f64() * 1e3);
    }
    millis.sort_by(f64::total_cmp);
    let arrived = millis.len();
    let (p50_ms, p99_ms) = if millis.is_empty() { (0.0, 0.0) } else { (percentile(&millis, 0.5), percentile(&millis, 0.99)) };
    InboxArrivals { runs, arrived, p50_ms, p99_ms, max_ms: millis.last().copied().unwrap_or_default() }
}
