//! Authors by real influence: `GET /api/v1/authors?limit=N` (most influential first) and
//! `GET /api/v1/authors/{source}/{handle}`.

use axum::extract::{Path, State};
use crate::error::{blocking, Query};
use axum::Json;
use domain::{Action, Source};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::{ApiError, AppState};

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 1_000;

#[derive(Debug, Deserialize)]
pub struct ListParams {
    limit: Option<String>,
}

pub async fn list(State(state): State<AppState>, caller: Caller, Query(params): Query<ListParams>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadMentions)?;
    let limit = match params.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(text) => match text.parse::<usize>() {
            Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
            _ => return Err(ApiError::bad_request(format!("limit must be a whole number from 1 to {MAX_LIMIT}, not {text:?}"))),
        },
    };
    let app = state.app.clone();
    let authors = blocking(move || app.top_authors(limit)).await?;
    Ok(Json(json!({ "items": authors, "next_cursor": null })))
}

pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path((source, handle)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadMentions)?;
    let source: Source = source.parse().map_err(|_| ApiError::bad_request(format!("{source:?} is not a source")))?;
    if handle.len() > 512 {
        return Err(ApiError::bad_request("a handle is at most 512 bytes"));
    }
    let app = state.app.clone();
    let lookup = handle.clone();
    let author = blocking(move || app.author(source, &lookup)).await?;
    match author {
        Some(author) => Ok(Json(serde_json::to_value(author).map_err(ApiError::internal)?)),
        None => Err(ApiError::not_found(format!("no author {handle:?} at {}", source.as_str()))),
    }
}
