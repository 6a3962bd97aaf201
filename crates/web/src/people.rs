//! Users (`/api/v1/users`, admin), teams (`/api/v1/teams`, admin and supervisor), API
//! tokens (`POST /api/v1/tokens`, admin) and the audit log (`GET /api/v1/audit`, admin).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use crate::error::Query;
use axum::http::StatusCode;
use axum::Json;
use domain::{Action, Scope, TeamId, UserId};
use serde::Deserialize;
use serde_json::{json, Value};
use service::{AuditFilter, TeamRequest, UserPatch, UserRequest};

use crate::auth::Caller;
use crate::error::{blocking, json_body, parse_id};
use crate::{ApiError, AppState};

pub async fn list_users(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadUsers)?;
    let app = state.app.clone();
    let users = blocking(move || app.list_users()).await?;
    Ok(Json(json!({ "items": users, "next_cursor": null })))
}

pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<UserRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let actor = caller.require(Action::ManageUsers)?.actor.clone();
    let request = json_body(body)?;
    let app = state.app.clone();
    let user = blocking(move || app.create_user(&actor, &request)).await?;
    Ok((StatusCode::CREATED, Json(json!(user))))
}

pub async fn get_user(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadUsers)?;
    let id = UserId(parse_id(&id, "user")?);
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.get_user(id)).await?)))
}

pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<UserPatch>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let actor = caller.require(Action::ManageUsers)?.actor.clone();
    let id = UserId(parse_id(&id, "user")?);
    let patch = json_body(body)?;
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.update_user(&actor, id, &patch)).await?)))
}

/// Users are never deleted (the audit log names them): this deactivates the account.
pub async fn deactivate_user(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let actor = caller.require(Action::ManageUsers)?.actor.clone();
    let id = UserId(parse_id(&id, "user")?);
    let app = state.app.clone();
    let patch = UserPatch { active: Some(false), ..UserPatch::default() };
    blocking(move || app.update_user(&actor, id, &patch)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_teams(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadTeams)?;
    let app = state.app.clone();
    let teams = blocking(move || app.list_teams()).await?;
    Ok(Json(json!({ "items": teams, "next_cursor": null })))
}

pub async fn create_team(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<TeamRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let actor = caller.require(Action::ManageTeams)?.actor.clone();
    let request = json_body(body)?;
    let app = state.app.clone();
    let team = blocking(move || app.create_team(&actor, &request)).await?;
    Ok((StatusCode::CREATED, Json(json!(team))))
}

pub async fn get_team(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadTeams)?;
    let id = TeamId(parse_id(&id, "team")?);
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.get_team(id)).await?)))
}

pub async fn update_team(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<TeamRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let actor = caller.require(Action::ManageTeams)?.actor.clone();
    let id = TeamId(parse_id(&id, "team")?);
    let request = json_body(body)?;
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.update_team(&actor, id, &request)).await?)))
}

pub async fn delete_team(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let actor = caller.require(Action::ManageTeams)?.actor.clone();
    let id = TeamId(parse_id(&id, "team")?);
    let app = state.app.clone();
    blocking(move || app.delete_team(&actor, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct AuditQuery {
    entity: Option<String>,
    entity_id: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

/// The audit log, newest first: `{"items": […], "next_cursor": …}`.
pub async fn audit(State(state): State<AppState>, caller: Caller, Query(query): Query<AuditQuery>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadAudit)?;
    let before_id = query.cursor.as_deref().map(|cursor| parse_id(cursor, "cursor")).transpose()?;
    let limit = query.limit.unwrap_or(100).clamp(1, 1_000);
    let filter = AuditFilter { entity: query.entity, entity_id: query.entity_id, before_id, limit };
    let app = state.app.clone();
    let items = blocking(move || app.list_audit(&filter)).await?;
    let next_cursor = (items.len() == limit).then(|| items.last().map(|entry| entry.id.to_string())).flatten();
    Ok(Json(json!({ "items": items, "next_cursor": next_cursor })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The user the token acts for (with their role, narrowed by `scopes`).
    email: String,
    label: String,
    #[serde(default)]
    scopes: Vec<Scope>,
}

/// Creates an API token for a user; answers its secret, shown this once.
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<TokenRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let actor = caller.require(Action::ManageUsers)?.actor.clone();
    let request = json_body(body)?;
    let app = state.app.clone();
    let token = blocking(move || app.create_user_api_token(&actor, &request.email, &request.label, &request.scopes)).await?;
    Ok((StatusCode::CREATED, Json(json!({ "token": token }))))
}

/// `GET /api/v1/tokens`: every token's label, owner, scopes and creation time.
pub async fn list_tokens(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManageUsers)?;
    let app = state.app.clone();
    let tokens = blocking(move || app.list_api_tokens()).await?;
    Ok(Json(json!({ "items": tokens, "next_cursor": null })))
}

/// `DELETE /api/v1/tokens/{id}`: revokes the token at once.
pub async fn revoke_token(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let actor = caller.require(Action::ManageUsers)?.actor.clone();
    let id = parse_id(&id, "token")?;
    let app = state.app.clone();
    blocking(move || app.revoke_api_token(&actor, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
