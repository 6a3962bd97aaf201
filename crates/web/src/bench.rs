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
