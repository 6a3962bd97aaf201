//! The care inbox: `/api/v1/cases` and a case's sub-resources (notes, presence, replies,
//! callback), `/api/v1/callbacks`, and the CSAT report. Handlers are thin: the service
//! checks everything and writes the audit log.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use crate::error::Query;
use axum::http::StatusCode;
use axum::Json;
use domain::Action;
use serde::Deserialize;
use serde_json::{json, Value};
use service::cases::{CallbackRequest, CaseListQuery, CasePatch, MoveRequest, NoteRequest, ReplyRequest};

use crate::auth::Caller;
use crate::error::{blocking, json_body, parse_id};
use crate::{ApiError, AppState};

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<CaseListQuery>,
) -> Result<Json<service::cases::CasePage>, ApiError> {
    let principal = caller.require(Action::ReadCases)?.clone();
    let app = state.app.clone();
    Ok(Json(blocking(move || app.list_cases(&principal, &query)).await?))
}

pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<service::cases::CaseView>, ApiError> {
    let principal = caller.require(Action::ReadCases)?.clone();
    let id = parse_id(&id, "case")?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.get_case(&principal, id)).await?))
}

pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<CasePatch>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let principal = caller.require(Action::WorkCases)?.clone();
    let id = parse_id(&id, "case")?;
    let patch = json_body(body)?;
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.patch_case(&principal, id, &patch)).await?)))
}

pub async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<NoteRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let principal = caller.require(Action::WorkCases)?.clone();
    let id = parse_id(&id, "case")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    let note = blocking(move || app.add_case_note(&principal, id, &request.text)).await?;
    Ok((StatusCode::CREATED, Json(json!(note))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresenceRequest {
    state: String,
}

/// `{"state": "viewing"|"typing"}`; answers who is on the case now.
pub async fn presence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<PresenceRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let principal = caller.require(Action::WorkCases)?.clone();
    let id = parse_id(&id, "case")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    let present = blocking(move || app.signal_case_presence(&principal, id, &request.state)).await?;
    Ok(Json(json!({ "items": present, "next_cursor": null })))
}

pub async fn reply(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<ReplyRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let principal = caller.require(Action::WorkCases)?.clone();
    let id = parse_id(&id, "case")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    let sent = blocking(move || app.reply_to_case(&principal, id, &request)).await?;
    // Held for a supervisor's approval: accepted, not yet sent.
    let status = if sent.held_for_approval { StatusCode::ACCEPTED } else { StatusCode::CREATED };
    Ok((status, Json(json!(sent))))
}

pub async fn callback(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<CallbackRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let principal = caller.require(Action::WorkCases)?.clone();
    let id = parse_id(&id, "case")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    let created = blocking(move || app.request_callback(&principal, id, &request)).await?;
    Ok((StatusCode::CREATED, Json(json!(created))))
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    status: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

pub async fn list_callbacks(State(state): State<AppState>, caller: Caller, Query(query): Query<CallbackQuery>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadCases)?;
    let app = state.app.clone();
    let (items, next_cursor) =
        blocking(move || app.list_callbacks(query.status.as_deref(), query.cursor.as_deref(), query.limit.unwrap_or(50))).await?;
    Ok(Json(json!({ "items": items, "next_cursor": next_cursor })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    outcome: String,
}

pub async fn callback_outcome(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<OutcomeRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let principal = caller.require(Action::WorkCases)?.clone();
    let id = parse_id(&id, "callback")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.log_callback_outcome(&principal, id, &request.outcome)).await?)))
}

pub async fn csat_report(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadCareReports)?;
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.csat_report()).await?)))
}

/// `GET /api/v1/staffing/forecast?team=&handling_minutes=&service_level=&within_minutes=&hours=&agents_on_duty=`
pub async fn staffing_forecast(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<service::cases::StaffingQuery>,
) -> Result<Json<service::cases::StaffingReport>, ApiError> {
    caller.require(Action::ReadCareReports)?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.staffing_forecast_now(&query)).await?))
}

#[derive(Deserialize)]
pub struct PendingQuery {
    cursor: Option<String>,
    limit: Option<usize>,
}

/// Crowd replies waiting for approval.
pub async fn pending_replies(State(state): State<AppState>, caller: Caller, Query(query): Query<PendingQuery>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManageCare)?;
    let app = state.app.clone();
    let (items, next_cursor) = blocking(move || app.pending_replies(query.cursor.as_deref(), query.limit.unwrap_or(50))).await?;
    Ok(Json(json!({ "items": items, "next_cursor": next_cursor })))
}

pub async fn approve_reply(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let principal = caller.require(Action::ManageCare)?.clone();
    let id = parse_id(&id, "outbound message")?;
    let app = state.app.clone();
    Ok(Json(json!(blocking(move || app.approve_reply(&principal, id)).await?)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    #[serde(default)]
    reason: Option<String>,
}

pub async fn reject_reply(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<RejectRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let principal = caller.require(Action::ManageCare)?.clone();
    let id = parse_id(&id, "outbound message")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    let rejected = blocking(move || app.reject_reply(&principal, id, request.reason.as_deref())).await?;
    Ok(Json(json!({ "items": rejected, "next_cursor": null })))
}

/// Moves the conversation to a private message or to e-mail.
pub async fn move_conversation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<MoveRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let principal = caller.require(Action::WorkCases)?.clone();
    let id = parse_id(&id, "case")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    let moved = blocking(move || app.move_conversation(&principal, id, &request)).await?;
    Ok((StatusCode::CREATED, Json(json!(moved))))
}

/// `POST /api/v1/cases/bulk`: one action on many cases, a result per case (200 even when
/// some were refused: each result says why).
pub async fn bulk(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<service::cases::BulkRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let principal = caller.require(Action::WorkCases)?.clone();
    let request = json_body(body)?;
    let app = state.app.clone();
    let items = blocking(move || app.bulk_update_cases(&principal, &request)).await?;
    Ok(Json(json!({ "items": items, "next_cursor": null })))
}
