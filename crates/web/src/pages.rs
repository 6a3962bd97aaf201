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

/// A 404: an HTML page under the web app's paths, a problem document elsewhere.
pub async fn not_found(uri: axum::http::Uri, visitor: crate::ui::Visitor) -> axum::response::Response {
    if uri.path().starts_with("/app/") {
        let error = ApiError::not_found(visitor.0.t("page_not_found"));
        return crate::ui::error_page(&visitor.0, error);
    }
    ApiError::new(StatusCode::NOT_FOUND, "no such page or endpoint; see / for the API").into_response()
}
