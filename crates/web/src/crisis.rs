//! Crisis mode of an incident (issue #5 §4): `/api/v1/incidents/{id}/crisis` (on/off),
//! `…/broadcast`, `…/bulk-reply/preview` then `…/bulk-reply`, `…/notify/preview` then
//! `…/notify` (the outage-resolved notice), and `…/bulk/{preview_id}` to follow a
//! preview's delivery.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::Action;
use service::publishing::{BroadcastRequest, BulkPreview, BulkRequest, BulkSendRequest, BulkSent, CrisisRequest, CrisisView};
use service::publishing::PostRow;

use crate::auth::Caller;
use crate::error::{blocking, json_body, parse_id};
use crate::{ApiError, AppState};

pub async fn get_crisis(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<CrisisView>, ApiError> {
    caller.require(Action::ReadIncidents)?;
    let id = parse_id(&id, "incident")?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.crisis(id)).await?))
}

pub async fn set_crisis(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, body: Result<Json<CrisisRequest>, JsonRejection>) -> Result<Json<CrisisView>, ApiError> {
    let principal = caller.require(Action::RunCrisis)?.clone();
    let id = parse_id(&id, "incident")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.set_crisis(&principal, id, &request)).await?))
}

pub async fn broadcast(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, body: Result<Json<BroadcastRequest>, JsonRejection>) -> Result<(StatusCode, Json<Vec<PostRow>>), ApiError> {
    let principal = caller.require(Action::RunCrisis)?.clone();
    let id = parse_id(&id, "incident")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    Ok((StatusCode::CREATED, Json(blocking(move || app.broadcast(&principal, id, &request)).await?)))
}

pub async fn bulk_reply_preview(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, body: Result<Json<BulkRequest>, JsonRejection>) -> Result<(StatusCode, Json<BulkPreview>), ApiError> {
    let principal = caller.require(Action::RunCrisis)?.clone();
    let id = parse_id(&id, "incident")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    Ok((StatusCode::CREATED, Json(blocking(move || app.bulk_reply_preview(&principal, id, &request)).await?)))
}

pub async fn bulk_reply(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, body: Result<Json<BulkSendRequest>, JsonRejection>) -> Result<Json<BulkSent>, ApiError> {
    let principal = caller.require(Action::RunCrisis)?.clone();
    let id = parse_id(&id, "incident")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.send_bulk_reply(&principal, id, &request)).await?))
}

pub async fn notify_preview(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, body: Result<Json<BulkRequest>, JsonRejection>) -> Result<(StatusCode, Json<BulkPreview>), ApiError> {
    let principal = caller.require(Action::RunCrisis)?.clone();
    let id = parse_id(&id, "incident")?;
    let request = match body {
        Err(JsonRejection::MissingJsonContentType(_)) => BulkRequest::default(),
        other => json_body(other)?,
    };
    let app = state.app.clone();
    Ok((StatusCode::CREATED, Json(blocking(move || app.notify_preview(&principal, id, &request)).await?)))
}

pub async fn notify(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, body: Result<Json<BulkSendRequest>, JsonRejection>) -> Result<Json<BulkSent>, ApiError> {
    let principal = caller.require(Action::RunCrisis)?.clone();
    let id = parse_id(&id, "incident")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.send_notice(&principal, id, &request)).await?))
}

pub async fn bulk(State(state): State<AppState>, caller: Caller, Path((id, preview_id)): Path<(String, String)>) -> Result<Json<BulkPreview>, ApiError> {
    caller.require(Action::ReadIncidents)?;
    let id = parse_id(&id, "incident")?;
    let preview_id = parse_id(&preview_id, "preview")?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.bulk_preview(id, preview_id)).await?))
}
