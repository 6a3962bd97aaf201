//! Publishing (issue #5 §4): `/api/v1/posts` and a post's approval workflow,
//! `/api/v1/mentions/{id}/amplify`, the publishing calendar and its pause
//! (`/api/v1/publishing`), and the sandbox sink (`/api/v1/outbox`). Handlers are thin:
//! the service checks the workflow and the channel rules and writes the audit log.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::Action;
use serde::Deserialize;
use service::publishing::{AmplifyRequest, NewPost, PostPatch, PostQuery, ReviewRequest};
use service::publishing::{OutboundRow, PostRow};

use crate::auth::Caller;
use crate::error::{Query, blocking, json_body, parse_id};
use crate::{ApiError, AppState};

pub async fn list(State(state): State<AppState>, caller: Caller, Query(query): Query<PostQuery>) -> Result<Json<service::publishing::PostPage>, ApiError> {
    caller.require(Action::ReadPosts)?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.list_posts(&query)).await?))
}

pub async fn create(State(state): State<AppState>, caller: Caller, body: Result<Json<NewPost>, JsonRejection>) -> Result<(StatusCode, Json<PostRow>), ApiError> {
    let principal = caller.require(Action::ProposePosts)?.clone();
    let request = json_body(body)?;
    let app = state.app.clone();
    Ok((StatusCode::CREATED, Json(blocking(move || app.create_post(&principal, &request)).await?)))
}

pub async fn get_one(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<PostRow>, ApiError> {
    caller.require(Action::ReadPosts)?;
    let id = parse_id(&id, "post")?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.get_post(id)).await?))
}

pub async fn edit(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, body: Result<Json<PostPatch>, JsonRejection>) -> Result<Json<PostRow>, ApiError> {
    let principal = caller.require(Action::ProposePosts)?.clone();
    let id = parse_id(&id, "post")?;
    let patch = json_body(body)?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.edit_post(&principal, id, &patch)).await?))
}

pub async fn submit(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<PostRow>, ApiError> {
    let principal = caller.require(Action::ProposePosts)?.clone();
    let id = parse_id(&id, "post")?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.submit_post(&principal, id)).await?))
}

/// A review body is optional: an empty body approves or rejects without a note.
fn review_body(body: Result<Json<ReviewRequest>, JsonRejection>) -> Result<ReviewRequest, ApiError> {
    match body {
        Err(JsonRejection::MissingJsonContentType(_)) => Ok(ReviewRequest::default()),
        other => json_body(other),
    }
}

pub async fn approve(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, body: Result<Json<ReviewRequest>, JsonRejection>) -> Result<Json<PostRow>, ApiError> {
    let principal = caller.require(Action::ApprovePosts)?.clone();
    let id = parse_id(&id, "post")?;
    let review = review_body(body)?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.approve_post(&principal, id, &review)).await?))
}

pub async fn reject(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, body: Result<Json<ReviewRequest>, JsonRejection>) -> Result<Json<PostRow>, ApiError> {
    let principal = caller.require(Action::ApprovePosts)?.clone();
    let id = parse_id(&id, "post")?;
    let review = review_body(body)?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.reject_post(&principal, id, &review)).await?))
}

pub async fn publish(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<PostRow>, ApiError> {
    let principal = caller.require(Action::ApprovePosts)?.clone();
    let id = parse_id(&id, "post")?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.publish_post_now(&principal, id)).await?))
}

pub async fn amplify(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, body: Result<Json<AmplifyRequest>, JsonRejection>) -> Result<(StatusCode, Json<PostRow>), ApiError> {
    let principal = caller.require(Action::ProposePosts)?.clone();
    let id = parse_id(&id, "mention")?;
    let request = json_body(body)?;
    let app = state.app.clone();
    Ok((StatusCode::CREATED, Json(blocking(move || app.amplify_mention(&principal, id, &request)).await?)))
}

pub async fn calendar(State(state): State<AppState>, caller: Caller) -> Result<Json<service::publishing::PublishingView>, ApiError> {
    caller.require(Action::ReadPosts)?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.publishing()).await?))
}

pub async fn pause(State(state): State<AppState>, caller: Caller) -> Result<Json<service::publishing::PublishingView>, ApiError> {
    let principal = caller.require(Action::ApprovePosts)?.clone();
    let app = state.app.clone();
    Ok(Json(blocking(move || app.set_publishing_paused(&principal, true)).await?))
}

pub async fn resume(State(state): State<AppState>, caller: Caller) -> Result<Json<service::publishing::PublishingView>, ApiError> {
    let principal = caller.require(Action::ApprovePosts)?.clone();
    let app = state.app.clone();
    Ok(Json(blocking(move || app.set_publishing_paused(&principal, false)).await?))
}

#[derive(Debug, Deserialize)]
pub struct OutboxQuery {
    /// The last id seen: rows above it, oldest first.
    after: Option<i64>,
    limit: Option<usize>,
}

/// `GET /api/v1/outbox`: what the sandbox sink recorded (replies, posts, bulk messages).
pub async fn outbox(State(state): State<AppState>, caller: Caller, Query(query): Query<OutboxQuery>) -> Result<Json<Vec<OutboundRow>>, ApiError> {
    caller.require(Action::ApprovePosts)?;
    let app = state.app.clone();
    let (after, limit) = (query.after.unwrap_or(0), query.limit.unwrap_or(100).clamp(1, 1000));
    Ok(Json(blocking(move || app.outbox(after, limit)).await?))
}
