//! The listening API the insight pages use: `PUT /api/v1/topics/{id}` (edit a topic),
//! `GET /api/v1/topics/preview` (count and first matches of a query as it is typed, or
//! its error explained in plain words), `GET /api/v1/dashboards/listening` (the
//! dashboard's numbers as JSON, or one chart as CSV with `format=csv&chart=`).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use domain::{Action, Language, NewListeningTopic, TopicId};
use serde::Deserialize;
use serde_json::{json, Value};
use service::listening::{DashboardRequest, Range};

use crate::auth::Caller;
use crate::error::{blocking, parse_id, Query};
use crate::{ApiError, AppState};

pub async fn update_topic(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<NewListeningTopic>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManageTopics)?;
    let id = TopicId(parse_id(&id, "topic")?);
    let Json(topic) = body.map_err(|rejection| ApiError::new(rejection.status(), rejection.body_text()))?;
    let app = state.app.clone();
    let updated = blocking(move || Ok(app.update_topic(id, &topic)?)).await?;
    Ok(Json(serde_json::to_value(updated).map_err(ApiError::internal)?))
}

#[derive(Deserialize)]
pub struct PreviewQuery {
    q: Option<String>,
    /// Comma-separated language codes (the topic's languages).
    languages: Option<String>,
    /// The language of the explanation: `fr` or `en` (default).
    lang: Option<String>,
}

/// The languages of a comma-separated list, at most 20.
pub fn language_list(text: Option<&str>) -> Vec<String> {
    text.unwrap_or_default().split(',').map(str::trim).filter(|code| !code.is_empty()).take(20).map(str::to_owned).collect()
}

pub async fn preview(State(state): State<AppState>, caller: Caller, Query(params): Query<PreviewQuery>) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ReadMentions)?;
    let query = params.q.unwrap_or_default();
    let languages = language_list(params.languages.as_deref());
    let language = match params.lang.as_deref() {
        Some("fr") => Language::Fr,
        None | Some("en") => Language::En,
        Some(other) => return Err(ApiError::bad_request(format!("lang {other:?} is not fr or en"))),
    };
    let app = state.app.clone();
    let preview = blocking(move || Ok(app.preview_topic(&query, &languages)?)).await?;
    let explanation = preview.problem.as_ref().map(|problem| webui::pages::listening::explain_problem(webui::Tr(language), problem));
    let mut answer = serde_json::to_value(&preview).map_err(ApiError::internal)?;
    answer["explanation"] = json!(explanation);
    Ok(Json(answer))
}

#[derive(Deserialize)]
pub struct DashboardQuery {
    pub topic: Option<String>,
    pub range: Option<String>,
    /// RFC 3339: the window's end (default: now).
    pub until: Option<String>,
    /// `json` (default) or `csv` (one chart: `chart=`).
    pub format: Option<String>,
    pub chart: Option<String>,
}

impl DashboardQuery {
    /// The service's request, after checking every parameter (400 with a reason).
    pub fn request(&self) -> Result<DashboardRequest, ApiError> {
        let topic = match self.topic.as_deref() {
            None | Some("") => None,
            Some(id) => Some(TopicId(parse_id(id, "topic")?)),
        };
        let range = Range::parse(self.range.as_deref().unwrap_or("24h")).map_err(ApiError::from)?;
        let until = match self.until.as_deref() {
            None | Some("") => None,
            Some(text) => Some(
                DateTime::parse_from_rfc3339(text)
                    .map_err(|_| ApiError::bad_request(format!("until {text:?} is not an RFC 3339 time such as 2026-11-29T08:00:00Z")))?
                    .with_timezone(&Utc),
            ),
        };
        Ok(DashboardRequest { topic, range, until })
    }
}

pub async fn dashboard(State(state): State<AppState>, caller: Caller, Query(params): Query<DashboardQuery>) -> Result<Response, ApiError> {
    caller.require(Action::ReadMentions)?;
    let request = params.request()?;
    let csv_chart = match params.format.as_deref() {
        None | Some("json") => None,
        Some("csv") => Some(params.chart.clone().ok_or_else(|| {
            ApiError::bad_request(format!("format=csv exports one chart: add chart= one of {}", service::listening::CHARTS.join(", ")))
        })?),
        Some(other) => return Err(ApiError::bad_request(format!("format {other:?} is not json or csv"))),
    };
    if let Some(chart) = &csv_chart
        && !service::listening::CHARTS.contains(&chart.as_str())
    {
        return Err(ApiError::bad_request(format!("chart {chart:?} is not one of {}", service::listening::CHARTS.join(", "))));
    }
    let app = state.app.clone();
    let dashboard = blocking(move || Ok(app.listening_dashboard(&request)?)).await?;
    match csv_chart {
        None => Ok(Json(serde_json::to_value(&dashboard).map_err(ApiError::internal)?).into_response()),
        Some(chart) => {
            let body = dashboard.chart_csv(&chart)?;
            let filename = format!("attachment; filename=\"listening-{chart}-{}.csv\"", dashboard.range.as_str());
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, filename),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                body,
            )
                .into_response())
        }
    }
}
