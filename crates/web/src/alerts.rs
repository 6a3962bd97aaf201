//! Alert rules and alerts: `GET/POST /api/v1/alert-rules`, `DELETE /api/v1/alert-rules/{id}`,
//! `POST /api/v1/alert-rules/{id}/test`, `GET /api/v1/alerts`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use crate::error::{blocking, Query};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use service::early_warning::NewAlertRule;

use crate::auth::Caller;
use domain::Action;
use crate::error::parse_id;
use crate::incidents::to_json;
use crate::{ApiError, AppState};

pub async fn list_rules(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadIncidents)?;
    let app = state.app.clone();
    let rules = blocking(move || app.list_alert_rules()).await?;
    Ok(Json(json!({ "items": rules })))
}

pub async fn create_rule(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewAlertRule>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let actor = caller.require(Action::ManageAlerts)?.actor.clone();
    let Json(rule) = body.map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))?;
    let app = state.app.clone();
    let created = blocking(move || app.create_alert_rule_as(&actor, rule)).await?;
    Ok((StatusCode::CREATED, to_json(created)?))
}

pub async fn delete_rule(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let actor = caller.require(Action::ManageAlerts)?.actor.clone();
    let id = parse_id(&id, "alert rule")?;
    let app = state.app.clone();
    let deleted = blocking(move || app.delete_alert_rule_as(&actor, id)).await?;
    if deleted { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::not_found(format!("no alert rule {id}"))) }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePatch {
    muted: bool,
}

/// `PATCH /api/v1/alert-rules/{id}` `{"muted": true|false}`.
pub async fn patch_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<RulePatch>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let actor = caller.require(Action::ManageAlerts)?.actor.clone();
    let id = parse_id(&id, "alert rule")?;
    let Json(patch) = body.map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))?;
    let app = state.app.clone();
    to_json(blocking(move || app.set_alert_rule_muted_as(&actor, id, patch.muted)).await?)
}

pub async fn test_rule(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(Action::ManageAlerts)?;
    let id = parse_id(&id, "alert rule")?;
    let app = state.app.clone();
    let alert = blocking(move || app.test_alert_rule(id)).await?;
    Ok((StatusCode::ACCEPTED, to_json(alert)?))
}

#[derive(Debug, Deserialize)]
pub struct AlertsQuery {
    limit: Option<usize>,
}

pub async fn list_alerts(State(state): State<AppState>, caller: Caller, Query(query): Query<AlertsQuery>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadIncidents)?;
    let app = state.app.clone();
    let alerts = blocking(move || app.list_alerts(query.limit.unwrap_or(100))).await?;
    Ok(Json(json!({ "items": alerts })))
}
