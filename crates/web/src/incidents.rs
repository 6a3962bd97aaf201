//! Incidents and weak signals: `GET /api/v1/incidents`, `GET/PATCH /api/v1/incidents/{id}`,
//! `GET /api/v1/incidents/{id}/mentions`, `GET /api/v1/topics/{id}/weak-signals`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use crate::error::{blocking, Query, parse_id};
use domain::TopicId;
use serde::Deserialize;
use serde_json::Value;
use service::early_warning::IncidentPatch;

use crate::auth::Caller;
use domain::Action;
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    cursor: Option<String>,
    limit: Option<usize>,
}

pub(crate) fn to_json(value: impl serde::Serialize) -> Result<Json<Value>, ApiError> {
    Ok(Json(serde_json::to_value(value).map_err(ApiError::internal)?))
}

pub async fn list(State(state): State<AppState>, caller: Caller, Query(page): Query<PageQuery>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadIncidents)?;
    let app = state.app.clone();
    let found = blocking(move || app.list_incidents(page.cursor.as_deref(), page.limit.unwrap_or(50))).await?;
    to_json(found)
}

pub async fn get_one(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadIncidents)?;
    let id = parse_id(&id, "incident")?;
    let app = state.app.clone();
    to_json(blocking(move || app.get_incident(id)).await?)
}

pub async fn mentions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadIncidents)?;
    let id = parse_id(&id, "incident")?;
    let app = state.app.clone();
    let found = blocking(move || app.incident_mentions(id, page.cursor.as_deref(), page.limit.unwrap_or(100))).await?;
    to_json(found)
}

pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<IncidentPatch>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManageIncidents)?;
    let id = parse_id(&id, "incident")?;
    let Json(change) = body.map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))?;
    let app = state.app.clone();
    to_json(blocking(move || app.patch_incident(id, &change)).await?)
}

pub async fn weak_signals(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadIncidents)?;
    let id = parse_id(&id, "topic")?;
    let app = state.app.clone();
    to_json(blocking(move || app.weak_signals(TopicId(id))).await?)
}

/// `GET /api/v1/incidents/{id}/cases`: the cases that hold the incident's mentions.
pub async fn cases(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadIncidents)?;
    let principal = caller.require(Action::ReadCases)?.clone();
    let id = parse_id(&id, "incident")?;
    let app = state.app.clone();
    let found = blocking(move || app.incident_cases(&principal, id, page.cursor.as_deref(), page.limit)).await?;
    to_json(found)
}
