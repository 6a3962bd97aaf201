//! `POST /api/v1/mentions` (one JSON mention or an NDJSON batch), reading mentions back,
//! and the quarantine.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use crate::error::{blocking, Query};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use connectors::Record;
use domain::MentionId;
use serde::Deserialize;
use serde_json::{json, Value};
use service::Origin;

use domain::Action;

use crate::auth::Caller;
use crate::{ApiError, AppState};

/// Ingests mentions; answers once they are durably stored.
pub async fn ingest(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(Action::IngestMentions)?;
    check_content_type(&headers)?;
    let body = body.map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("the body is empty: send one JSON mention or NDJSON lines"));
    }
    let records = connectors::read_mentions_body(&body);
    let rejected: Vec<Value> = records
        .iter()
        .filter_map(|record| match record {
            Record::Rejected { position, reason, .. } => Some(json!({ "position": position, "reason": reason })),
            _ => None,
        })
        .collect();
    let all_rejected = rejected.len() == records.len();
    let origin = Origin { format: "http".into(), origin: "POST /api/v1/mentions".into() };
    let report = state.ingest.ingest(records, origin).await.map_err(ApiError::internal)?;
    if all_rejected {
        let detail = rejected.iter().map(|r| format!("{}: {}", r["position"].as_str().unwrap_or(""), r["reason"].as_str().unwrap_or(""))).collect::<Vec<_>>().join("; ");
        return Err(ApiError::bad_request(format!("no valid mention in the body ({detail}); the records were kept in quarantine")));
    }
    let status = if report.stored > 0 { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(json!({
        "read": report.read, "stored": report.stored, "duplicates": report.duplicates,
        "quarantined": report.quarantined, "rejected": rejected,
    }))))
}

fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" | "application/x-ndjson" | "application/ndjson" | "application/jsonl" => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Type {content_type:?} is not accepted: send application/json (one mention) or application/x-ndjson (one mention per line)"),
        )),
    }
}

pub async fn get_one(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadMentions)?;
    let id: i64 = id.parse().map_err(|_| ApiError::bad_request(format!("{id:?} is not a mention id")))?;
    let app = state.app.clone();
    let mention = blocking(move || app.get_mention(MentionId(id))).await?;
    match mention {
        Some(mention) => Ok(Json(serde_json::to_value(mention).map_err(ApiError::internal)?)),
        None => Err(ApiError::not_found(format!("no mention {id}"))),
    }
}

#[derive(Deserialize)]
pub struct QuarantineQuery {
    limit: Option<usize>,
}

pub async fn quarantine(State(state): State<AppState>, caller: Caller, Query(query): Query<QuarantineQuery>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadMentions)?;
    let limit = query.limit.unwrap_or(50).min(1000);
    let app = state.app.clone();
    let (total, records) = blocking(move || app.quarantine(limit)).await?;
    let records: Vec<Value> = records
        .into_iter()
        .map(|q| json!({ "id": q.id, "format": q.record.format, "origin": q.record.origin, "position": q.record.position, "reason": q.record.reason, "raw": q.record.raw, "received_at": q.record.received_at }))
        .collect();
    Ok(Json(json!({ "total": total, "records": records })))
}
