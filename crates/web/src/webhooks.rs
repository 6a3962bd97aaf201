//! Meta Graph API webhooks: the subscription handshake (`GET`) and signed events
//! (`POST`, `X-Hub-Signature-256` over the raw body with the app secret).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};
use service::Origin;

use crate::{ApiError, AppState};

pub async fn meta_handshake(State(state): State<AppState>, Query(params): Query<HashMap<String, String>>) -> Result<String, ApiError> {
    let expected = &state.app.config.meta.verify_token;
    if expected.is_empty() {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "Meta webhooks are not configured (meta.verify_token)"));
    }
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or("");
    connectors::meta::verify_subscription(param("hub.mode"), param("hub.verify_token"), param("hub.challenge"), expected)
        .ok_or_else(|| ApiError::new(StatusCode::FORBIDDEN, "hub.mode must be subscribe and hub.verify_token must match"))
}

pub async fn meta_event(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = body.map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))?;
    let secret = state.app.config.meta.app_secret.as_bytes();
    if secret.is_empty() {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "Meta webhooks are not configured (meta.app_secret)"));
    }
    let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !connectors::meta::verify_signature(secret, &body, signature) {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "missing or wrong X-Hub-Signature-256"));
    }
    let records = connectors::meta::parse_webhook(&body).map_err(|error| ApiError::bad_request(error.to_string()))?;
    let origin = Origin { format: "meta-webhook".into(), origin: "POST /webhooks/meta".into() };
    let report = state.ingest.ingest(records, origin).await.map_err(ApiError::internal)?;
    Ok(Json(json!({ "stored": report.stored, "edited": report.edited, "deleted": report.deleted, "quarantined": report.quarantined })))
}
