//! Customer 360: `/api/v1/contacts` and its sub-resources (identities, notes, merge and
//! undo, merge suggestions, timeline, GDPR export and erasure).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use crate::error::Query;
use axum::http::StatusCode;
use axum::Json;
use domain::{Action, ContactId, ContactPatch, IdentityKind};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::error::{blocking, json_body, parse_id};
use crate::{ApiError, AppState};

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

pub async fn list(State(state): State<AppState>, caller: Caller, Query(query): Query<ListQuery>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadContacts)?;
    let app = state.app.clone();
    let page = blocking(move || app.list_contacts(query.q.as_deref(), query.cursor.as_deref(), query.limit.unwrap_or(50))).await?;
    Ok(Json(json!(page)))
}

fn contact_id(text: &str) -> Result<ContactId, ApiError> {
    parse_id(text, "contact").map(ContactId)
}

pub async fn get_one(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadContacts)?;
    let id = contact_id(&id)?;
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.get_contact(id)).await?)))
}

pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<ContactPatch>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let principal = caller.require(Action::WriteContacts)?.clone();
    let id = contact_id(&id)?;
    let patch = json_body(body)?;
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.patch_contact(&principal, id, &patch)).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityRequest {
    kind: IdentityKind,
    #[serde(default)]
    source: Option<String>,
    value: String,
}

pub async fn add_identity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<IdentityRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let principal = caller.require(Action::WriteContacts)?.clone();
    let id = contact_id(&id)?;
    let request = json_body(body)?;
    let app = state.app.clone();
    let identity =
        blocking(move || app.add_identity(&principal, id, request.kind, request.source.as_deref(), &request.value)).await?;
    Ok((StatusCode::CREATED, Json(json!(identity))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    text: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<NoteRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let principal = caller.require(Action::WriteContacts)?.clone();
    let id = contact_id(&id)?;
    let request = json_body(body)?;
    let app = state.app.clone();
    let note = blocking(move || app.add_note(&principal, id, &request.text)).await?;
    Ok((StatusCode::CREATED, Json(json!(note))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    other_id: i64,
}

/// Merges `other_id` into this contact; answers the merge (its id undoes it).
pub async fn merge(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<MergeRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let principal = caller.require(Action::WriteContacts)?.clone();
    let id = contact_id(&id)?;
    let other = ContactId(json_body(body)?.other_id);
    let app = state.app.clone();
    let merge = blocking(move || app.merge_contacts(&principal, id, other)).await?;
    Ok((StatusCode::CREATED, Json(json!(merge))))
}

pub async fn undo_merge(State(state): State<AppState>, caller: Caller, Path(merge_id): Path<String>) -> Result<Json<Value>, ApiError> {
    let principal = caller.require(Action::WriteContacts)?.clone();
    let merge_id = parse_id(&merge_id, "merge")?;
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.undo_merge(&principal, merge_id)).await?)))
}

pub async fn merge_suggestions(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadContacts)?;
    let id = contact_id(&id)?;
    let app = state.app.clone();
    let suggestions = blocking(move || app.merge_suggestions(id)).await?;
    Ok(Json(json!({ "items": suggestions, "next_cursor": null })))
}

#[derive(Deserialize)]
pub struct TimelineQuery {
    limit: Option<usize>,
}

pub async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<TimelineQuery>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadContacts)?;
    let id = contact_id(&id)?;
    let app = state.app.clone();
    let items = blocking(move || app.timeline(id, query.limit.unwrap_or(100))).await?;
    Ok(Json(json!({ "items": items, "next_cursor": null })))
}

pub async fn export(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let principal = caller.require(Action::ExportContacts)?.clone();
    let id = contact_id(&id)?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.export_contact(&principal, id)).await?))
}

/// GDPR erasure; 204.
pub async fn erase(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let principal = caller.require(Action::EraseContacts)?.clone();
    let id = contact_id(&id)?;
    let app = state.app.clone();
    blocking(move || app.erase_contact(&principal, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
