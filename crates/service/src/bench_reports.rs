//! `comptoir bench reports`: loads cases with `bench inbox`'s loader (a million by default,
//! spread over 90 days), then measures the care report (`GET /api/v1/reports/care`)
//! through the real HTTP server, one request at a time, so each latency is the server's
//! time to answer (p50/p99 per period and overall).

use std::time::Instant;

use chrono::{Duration, Utc};
use domain::{Language, NewUser, Role};
use serde::Serialize;

use crate::bench_inbox::{InboxFixture, Latency};
use crate::{App, ServiceError};

/// Unmeasured requests first (connection, caches).
const WARM_UP_REQUESTS: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct ReportLatency {
    /// The query string, with days counted back from now.
    pub query: String,
    #[serde(flatten)]
    pub latency: Latency,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportsBench {
    pub backend: String,
    pub cases: usize,
    pub load_seconds: f64,
    pub overall: Latency,
    pub per_query: Vec<ReportLatency>,
    pub errors: usize,
}

/// A supervisor (care reports are not for agents) and an API token for them.
pub fn supervisor_token(app: &App) -> Result<String, ServiceError> {
    let email = "supervisor@bench.example";
    app.store().create_user(&NewUser {
        email: email.into(),
        display_name: "Bench supervisor".into(),
        role: Role::Supervisor,
        language: Language::Fr,
        signature: None,
        expertise: vec![],
        capacity: 0,
        // Not a verifiable hash: the bench uses an API token, never signs in.
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2g$bm8tc2lnbi1pbg".into(),
    })?;
    app.create_user_api_token("bench", email, "bench", &[])
}

fn latency(mut micros: Vec<u64>) -> Latency {
    micros.sort_unstable();
    let at = |fraction: f64| {
        if micros.is_empty() {
            return 0.0;
        }
        let index = ((micros.len() as f64 * fraction).ceil() as usize).clamp(1, micros.len()) - 1;
        micros[index] as f64 / 1000.0
    };
    Latency { requests: micros.len(), p50_ms: at(0.50), p99_ms: at(0.99), max_ms: at(1.0) }
}

/// The report's queries: the default week, 30 and 90 days, one team, one agent.
fn queries(fixture: &InboxFixture, team: Option<i64>) -> Vec<String> {
    let day = |days: i64| (Utc::now() - Duration::days(days)).format("%Y-%m-%d").to_string();
    let mut queries = vec![String::new(), format!("?from={}", day(30)), format!("?from={}", day(90))];
    if let Some(team) = team {
        queries.push(format!("?team={team}"));
    }
    if let Some(agent) = fixture.agent_ids.first() {
        queries.push(format!("?agent={agent}"));
    }
    queries
}

/// Sends `requests` requests per query, one at a time.
pub async fn drive_reports(base_url: &str, token: &str, fixture: &InboxFixture, team: Option<i64>, backend: &str, requests: usize) -> Result<ReportsBench, ServiceError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().build().map_err(|error| ServiceError::Config(format!("HTTP client: {error}")))?;
    let (mut all, mut per_query, mut errors) = (Vec::new(), Vec::new(), 0);
    for query in queries(fixture, team) {
        let url = format!("{base_url}/api/v1/reports/care{query}");
        for _ in 0..WARM_UP_REQUESTS {
            if let Ok(response) = client.get(&url).bearer_auth(token).send().await {
                let _ = response.bytes().await;
            }
        }
        let mut micros = Vec::with_capacity(requests);
        for _ in 0..requests {
            let sent = Instant::now();
            let ok = match client.get(&url).bearer_auth(token).send().await {
                Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                Err(_) => false,
            };
            micros.push(sent.elapsed().as_micros() as u64);
            if !ok {
                errors += 1;
            }
        }
        all.extend(&micros);
        per_query.push(ReportLatency { query, latency: latency(micros) });
    }
    Ok(ReportsBench { backend: backend.to_string(), cases: fixture.cases, load_seconds: fixture.load_seconds, overall: latency(all), per_query, errors })
}
