//! API token authentication: `Authorization: Bearer TOKEN`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::header;

use crate::{ApiError, AppState};

/// Present in a handler's arguments: the request carried a valid API token.
pub struct ApiCaller;

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty() && token.len() <= 200)
            .ok_or_else(ApiError::unauthorized)?
            .to_string();
        let app = state.app.clone();
        let valid = tokio::task::spawn_blocking(move || app.verify_api_token(&token)).await??;
        if valid { Ok(ApiCaller) } else { Err(ApiError::unauthorized()) }
    }
}
