//! The home page (until the web app exists), health and metrics.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse};

use crate::{ApiError, AppState};

pub async fn home(State(state): State<AppState>) -> Html<String> {
    let config = &state.app.config;
    let mode = html_escape::encode_text(&state.mode);
    let backend = html_escape::encode_text(state.app.store().backend());
    let data_dir = html_escape::encode_text(&config.data_dir.display().to_string()).into_owned();
    Html(format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Comptoir</title>
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}}code{{background:#f1f1f1;padding:.1rem .3rem}}</style></head>
<body><h1>Comptoir</h1>
<p>Comptoir is listening. / Comptoir est à l'écoute.</p>
<ul><li>Mode: {mode}</li><li>Store: {backend}, data directory <code>{data_dir}</code></li></ul>
<h2>API</h2>
<p>Every <code>/api/v1</code> call takes <code>Authorization: Bearer TOKEN</code> (<code>comptoir token create</code>).</p>
<ul>
<li><code>GET /api/v1/search?q=QUERY&amp;sort=relevance|newest|oldest&amp;limit=20</code> — the listening query language</li>
<li><code>POST /api/v1/mentions</code> — one JSON mention (<code>application/json</code>) or NDJSON (<code>application/x-ndjson</code>)</li>
<li><code>GET /api/v1/mentions/ID</code>, <code>GET|POST /api/v1/topics</code>, <code>DELETE /api/v1/topics/ID</code>, <code>GET /api/v1/quarantine</code></li>
<li><code>GET|POST /webhooks/meta</code> — Meta Graph API webhooks (signed with <code>X-Hub-Signature-256</code>)</li>
<li><code>GET /metrics</code> — pipeline counters (Prometheus), <code>GET /healthz</code></li>
</ul></body></html>"#
    ))
}

pub async fn health(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    let app = state.app.clone();
    tokio::task::spawn_blocking(move || app.store().last_seq()).await?.map_err(service::ServiceError::from)?;
    Ok("ok\n")
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.app.counters().to_prometheus())
}

pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such page or endpoint; see / for the API")
}
