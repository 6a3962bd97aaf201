//! Listening topics: `GET/POST /api/v1/topics`, `DELETE /api/v1/topics/{id}`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::{NewListeningTopic, TopicId};
use serde_json::{json, Value};

use domain::Action;

use crate::error::blocking;
use crate::auth::Caller;
use crate::{ApiError, AppState};

pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadMentions)?;
    let app = state.app.clone();
    let topics = blocking(move || app.list_topics()).await?;
    Ok(Json(json!({ "topics": topics })))
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<NewListeningTopic>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(Action::ManageTopics)?;
    let Json(topic) = body.map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))?;
    let app = state.app.clone();
    let created = blocking(move || app.create_topic(&topic)).await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(created).map_err(ApiError::internal)?)))
}

pub async fn remove(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    caller.require(Action::ManageTopics)?;
    let id: i64 = id.parse().map_err(|_| ApiError::bad_request(format!("{id:?} is not a topic id")))?;
    let app = state.app.clone();
    let deleted = blocking(move || app.delete_topic(TopicId(id))).await?;
    if deleted { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::not_found(format!("no topic {id}"))) }
}
