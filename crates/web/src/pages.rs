//! Health, metrics and the API's 404.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;

use crate::{ApiError, AppState};

pub async fn health(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    let app = state.app.clone();
    tokio::task::spawn_blocking(move || app.store().last_seq()).await?.map_err(service::ServiceError::from)?;
    Ok("ok\n")
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.app.counters().to_prometheus())
}

pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such page or endpoint; see / for the API")
}
