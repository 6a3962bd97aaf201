//! The care settings: routing rules, SLA policies, team care settings, canned responses,
//! agents (presence, capacity, expertise), case-opening rules and the case webhook.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::Action;
use serde_json::{json, Value};
use service::cases::{AgentPatch, CannedRequest, CaseRule, CaseWebhook, EscalationSettings, RoutingRuleRequest, SlaPolicyRequest, TeamSettingsRequest};

use crate::auth::Caller;
use crate::error::{blocking, json_body, parse_id};
use crate::{ApiError, AppState};

fn items(value: impl serde::Serialize) -> Json<Value> {
    Json(json!({ "items": value, "next_cursor": null }))
}

pub async fn list_routing_rules(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadCases)?;
    let app = state.app.clone();
    Ok(items(blocking(move || app.list_routing_rules()).await?))
}

pub async fn create_routing_rule(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<RoutingRuleRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let principal = caller.require(Action::ManageCare)?.clone();
    let request = json_body(body)?;
    let app = state.app.clone();
    Ok((StatusCode::CREATED, Json(json!(blocking(move || app.create_routing_rule(&principal, &request)).await?))))
}

pub async fn delete_routing_rule(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let principal = caller.require(Action::ManageCare)?.clone();
    let id = parse_id(&id, "routing rule")?;
    let app = state.app.clone();
    blocking(move || app.delete_routing_rule(&principal, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_sla_policies(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadCases)?;
    let app = state.app.clone();
    Ok(items(blocking(move || app.list_sla_policies()).await?))
}

pub async fn create_sla_policy(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<SlaPolicyRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let principal = caller.require(Action::ManageCare)?.clone();
    let request = json_body(body)?;
    let app = state.app.clone();
    Ok((StatusCode::CREATED, Json(blocking(move || app.create_sla_policy(&principal, &request)).await?)))
}

pub async fn update_sla_policy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<SlaPolicyRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let principal = caller.require(Action::ManageCare)?.clone();
    let id = parse_id(&id, "SLA policy")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.update_sla_policy(&principal, id, &request)).await?))
}

pub async fn delete_sla_policy(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let principal = caller.require(Action::ManageCare)?.clone();
    let id = parse_id(&id, "SLA policy")?;
    let app = state.app.clone();
    blocking(move || app.delete_sla_policy(&principal, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn get_team_settings(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadCases)?;
    let id = parse_id(&id, "team")?;
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.team_care_settings(id)).await?)))
}

pub async fn put_team_settings(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<TeamSettingsRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let principal = caller.require(Action::ManageCare)?.clone();
    let id = parse_id(&id, "team")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.set_team_care_settings(&principal, id, &request)).await?)))
}

pub async fn list_canned(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadCases)?;
    let app = state.app.clone();
    Ok(items(blocking(move || app.list_canned()).await?))
}

pub async fn create_canned(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<CannedRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let principal = caller.require(Action::ManageCare)?.clone();
    let request = json_body(body)?;
    let app = state.app.clone();
    Ok((StatusCode::CREATED, Json(json!(blocking(move || app.create_canned(&principal, &request)).await?))))
}

pub async fn delete_canned(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let principal = caller.require(Action::ManageCare)?.clone();
    let id = parse_id(&id, "canned response")?;
    let app = state.app.clone();
    blocking(move || app.delete_canned(&principal, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_agents(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadCases)?;
    let app = state.app.clone();
    Ok(items(blocking(move || app.list_agents()).await?))
}

/// One's own presence with `WorkCases`; the service refuses the rest unless supervising.
pub async fn patch_agent(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<AgentPatch>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let principal = caller.require(Action::WorkCases)?.clone();
    let id = parse_id(&id, "user")?;
    let patch = json_body(body)?;
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.patch_agent(&principal, id, &patch)).await?)))
}

pub async fn get_case_rules(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadCases)?;
    Ok(items(state.app.case_rules()))
}

pub async fn put_case_rules(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<Vec<CaseRule>>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let principal = caller.require(Action::ManageCare)?.clone();
    let rules = json_body(body)?;
    let app = state.app.clone();
    Ok(items(blocking(move || app.set_case_rules(&principal, &rules)).await?))
}

pub async fn put_case_webhook(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<Option<CaseWebhook>>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let principal = caller.require(Action::ManageCare)?.clone();
    let webhook = json_body(body)?;
    let app = state.app.clone();
    blocking(move || app.set_case_webhook(&principal, webhook)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn get_escalation(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadCases)?;
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.escalation_settings()).await?)))
}

pub async fn put_escalation(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<EscalationSettings>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let principal = caller.require(Action::ManageCare)?.clone();
    let settings = json_body(body)?;
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.set_escalation_settings(&principal, &settings)).await?)))
}
