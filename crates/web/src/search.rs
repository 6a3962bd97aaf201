//! `GET /api/v1/search?q=…&sort=relevance|newest|oldest&limit=&offset=`.

use axum::extract::State;
use crate::error::{blocking, Query};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use service::Sort;

use domain::Action;

use crate::auth::Caller;
use crate::{ApiError, AppState};

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    sort: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

pub async fn search(State(state): State<AppState>, caller: Caller, Query(params): Query<SearchQuery>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadMentions)?;
    let query = params.q.unwrap_or_else(|| "*".to_string());
    if query.len() > 4096 {
        return Err(ApiError::bad_request("the query is longer than 4096 bytes"));
    }
    let sort = match params.sort.as_deref().unwrap_or("relevance") {
        "relevance" => Sort::Relevance,
        "newest" => Sort::Newest,
        "oldest" => Sort::Oldest,
        other => return Err(ApiError::bad_request(format!("sort {other:?} is not one of relevance, newest, oldest"))),
    };
    let limit = params.limit.unwrap_or(20).min(500);
    let offset = params.offset.unwrap_or(0).min(100_000);
    let app = state.app.clone();
    let output = blocking(move || app.search(&query, sort, limit, offset)).await?;
    Ok(Json(serde_json::to_value(output).map_err(ApiError::internal)?))
}
