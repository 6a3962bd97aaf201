//! `PUT /api/v1/mentions/{id}/enrichment`: an agent corrects what the models said about a
//! mention. The correction replaces the stored enrichment and is kept for retraining
//! (`comptoir export corrections`).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::Json;
use domain::MentionId;
use serde_json::Value;
use service::EnrichmentCorrectionRequest;

use domain::Action;

use crate::error::blocking;
use crate::auth::Caller;
use crate::{ApiError, AppState};

/// Answers the mention with its corrected enrichment; 400 on an unknown label, 404 on an
/// unknown mention.
pub async fn correct(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<EnrichmentCorrectionRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::CorrectEnrichment)?;
    let id: i64 = id.parse().map_err(|_| ApiError::bad_request(format!("{id:?} is not a mention id")))?;
    let Json(request) = body.map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))?;
    let app = state.app.clone();
    let corrected = blocking(move || app.correct_enrichment(MentionId(id), &request)).await?;
    Ok(Json(serde_json::to_value(corrected).map_err(ApiError::internal)?))
}
