//! `comptoir bench inbox`: loads many cases and agents, then measures the inbox listing
//! and case opening through the real HTTP server under concurrent clients (p50/p99).
//! The caller (the CLI) starts the server; this module loads the data and drives it.

use std::time::Instant;

use chrono::{Duration, Utc};
use domain::{Language, NewUser, Role, Source, UserId};
use serde::Serialize;
use store::CaseRow;

use crate::{App, ServiceError};

/// Requests each client makes before the measured ones (connection set-up).
const WARM_UP_REQUESTS: usize = 2;
/// Cases written per transaction while loading.
const LOAD_CHUNK: usize = 20_000;

/// What the load left for the clients.
#[derive(Debug, Clone)]
pub struct InboxFixture {
    /// One API token per agent (as many as there are clients, at most).
    pub tokens: Vec<String>,
    pub agent_ids: Vec<i64>,
    pub first_case_id: i64,
    pub last_case_id: i64,
    pub cases: usize,
    pub load_seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub requests: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct InboxBench {
    pub backend: String,
    pub cases: usize,
    pub agents: usize,
    pub clients: usize,
    pub load_seconds: f64,
    pub load_cases_per_sec: f64,
    /// `GET /api/v1/cases` with a queue or status filter, first and later pages.
    pub list: Latency,
    /// `GET /api/v1/cases/{id}`.
    pub open: Latency,
    pub errors: usize,
    pub seconds: f64,
    pub requests_per_sec: f64,
}

/// A small deterministic generator (SplitMix64): the same data on every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }
}

const STATUSES: [(&str, u64); 6] =
    [("new", 10), ("open", 30), ("pending_customer", 10), ("on_hold", 5), ("resolved", 35), ("closed", 10)];

fn pick_status(dice: &mut Dice) -> &'static str {
    let mut roll = dice.below(100);
    for (status, weight) in STATUSES {
        if roll < weight {
            return status;
        }
        roll -= weight;
    }
    "open"
}

/// Creates `agents` agents in one team and `cases` cases spread over the last 90 days.
pub fn load_inbox(app: &App, cases: usize, agents: usize, clients: usize, progress: &dyn Fn(usize)) -> Result<InboxFixture, ServiceError> {
    let store = app.store();
    let mut agent_ids = Vec::with_capacity(agents);
    let mut tokens = Vec::new();
    for number in 0..agents.max(1) {
        let email = format!("agent{number}@bench.example");
        let user = store.create_user(&NewUser {
            email: email.clone(),
            display_name: format!("Agent {number}"),
            role: Role::Agent,
            language: Language::Fr,
            signature: Some(format!("^A{number}")),
            expertise: vec![],
            capacity: 1_000_000,
            // Not a verifiable hash: bench agents use API tokens, never sign in.
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2g$bm8tc2lnbi1pbg".into(),
        })?;
        agent_ids.push(user.id.0);
        if tokens.len() < clients.max(1) {
            tokens.push(app.create_user_api_token("bench", &email, "bench", &[])?);
        }
    }
    let members: Vec<UserId> = agent_ids.iter().map(|id| UserId(*id)).collect();
    let team = store.create_team("Bench care", &members)?.id.0;
    let first_case_id = store.list_cases(&store::CaseFilter { limit: 1, ..Default::default() })?.first().map_or(0, |case| case.id) + 1;
    let started = Instant::now();
    let now = Utc::now();
    let mut dice = Dice(42);
    let mut loaded = 0;
    while loaded < cases {
        let chunk = LOAD_CHUNK.min(cases - loaded);
        let rows: Vec<CaseRow> = (0..chunk)
            .map(|offset| {
                // Oldest first, so that ids grow with time as in production.
                let age_minutes = ((cases - loaded - offset) as i64 * 90 * 24 * 60) / cases as i64;
                let opened_at = now - Duration::minutes(age_minutes);
                let status = pick_status(&mut dice);
                let assignee = (dice.below(10) != 0).then(|| agent_ids[dice.below(agent_ids.len() as u64) as usize]);
                let answered = !matches!(status, "new") && dice.below(4) != 0;
                let done = matches!(status, "resolved" | "closed");
                CaseRow {
                    id: 0,
                    contact_id: None,
                    status: status.to_string(),
                    priority: ["urgent", "high", "normal", "low"][dice.below(4) as usize].to_string(),
                    team_id: Some(team),
                    assignee_id: assignee,
                    tags: vec!["bench".to_string()],
                    language: Some(if dice.below(3) == 0 { "en" } else { "fr" }.to_string()),
                    source: [Source::X, Source::Bluesky, Source::Mastodon, Source::Email][dice.below(4) as usize],
                    topic: None,
                    intent: Some("complaint".into()),
                    reason: None,
                    first_mention_id: None,
                    subject: format!("Case {} about a delayed parcel", loaded + offset),
                    opened_at,
                    first_response_at: answered.then(|| opened_at + Duration::minutes(30)),
                    first_response_due_at: opened_at + Duration::hours(4),
                    resolution_due_at: opened_at + Duration::hours(24),
                    resolved_at: done.then(|| opened_at + Duration::hours(6)),
                    updated_at: opened_at,
                }
            })
            .collect();
        store.bulk_insert_cases(&rows)?;
        loaded += chunk;
        progress(loaded);
    }
    let load_seconds = started.elapsed().as_secs_f64();
    // Measure the steady state, not the minutes after a million inserts.
    store.settle_after_bulk_load()?;
    let last_case_id = first_case_id + cases as i64 - 1;
    Ok(InboxFixture { tokens, agent_ids, first_case_id, last_case_id, cases, load_seconds })
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

/// Runs `clients` concurrent clients, each making `requests` requests: half inbox
/// listings (queues, status filters, a later page), half case openings.
pub async fn drive_inbox(base_url: &str, fixture: &InboxFixture, backend: &str, clients: usize, requests: usize) -> Result<InboxBench, ServiceError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .map_err(|error| ServiceError::Config(format!("HTTP client: {error}")))?;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for number in 0..clients.max(1) {
        let client = client.clone();
        let token = fixture.tokens[number % fixture.tokens.len()].clone();
        let base = base_url.to_string();
        let (first, last) = (fixture.first_case_id, fixture.last_case_id.max(fixture.first_case_id));
        let middle = (first + last) / 2;
        tasks.push(tokio::spawn(async move {
            let mut dice = Dice(number as u64 + 1);
            let (mut list, mut open, mut errors) = (Vec::new(), Vec::new(), 0usize);
            // Warm-up, not measured: the connection is opened and the first page read.
            for _ in 0..WARM_UP_REQUESTS {
                if let Ok(response) = client.get(format!("{base}/api/v1/cases")).bearer_auth(&token).send().await {
                    let _ = response.bytes().await;
                }
            }
            for _ in 0..requests {
                let listing = dice.below(2) == 0;
                let path = if listing {
                    let queries = ["", "?queue=mine", "?status=open", "?queue=unassigned", "?queue=breaching", "?status=pending_customer"];
                    let query = queries[dice.below(queries.len() as u64) as usize];
                    if dice.below(4) == 0 {
                        format!("/api/v1/cases?cursor={middle}")
                    } else {
                        format!("/api/v1/cases{query}")
                    }
                } else {
                    format!("/api/v1/cases/{}", first + dice.below((last - first + 1) as u64) as i64)
                };
                let sent = Instant::now();
                let answer = client.get(format!("{base}{path}")).bearer_auth(&token).send().await;
                let ok = match answer {
                    Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                    Err(_) => false,
                };
                let micros = sent.elapsed().as_micros() as u64;
                if !ok {
                    errors += 1;
                }
                if listing { list.push(micros) } else { open.push(micros) }
            }
            (list, open, errors)
        }));
    }
    let (mut list, mut open, mut errors) = (Vec::new(), Vec::new(), 0);
    for task in tasks {
        let (task_list, task_open, task_errors) = task.await.map_err(|error| ServiceError::Config(format!("a client failed: {error}")))?;
        list.extend(task_list);
        open.extend(task_open);
        errors += task_errors;
    }
    let seconds = started.elapsed().as_secs_f64();
    let total = list.len() + open.len();
    Ok(InboxBench {
        backend: backend.to_string(),
        cases: fixture.cases,
        agents: fixture.agent_ids.len(),
        clients,
        load_seconds: fixture.load_seconds,
        load_cases_per_sec: fixture.cases as f64 / fixture.load_seconds.max(1e-9),
        list: latency(list),
        open: latency(open),
        errors,
        seconds,
        requests_per_sec: total as f64 / seconds.max(1e-9),
    })
}
