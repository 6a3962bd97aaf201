//! Care reports (issue #7 §3): `GET /api/v1/reports/care?from=&to=&team=&agent=` as JSON
//! and `GET /api/v1/reports/care.csv?table=…` (same parameters) as a CSV download. The
//! aggregation is the service's (`App::care_report`); this file only speaks HTTP.

use axum::http::header;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::Action;
use serde::Deserialize;
use service::cases::{CareReport, CareReportQuery};

use crate::auth::Caller;
use crate::error::{blocking, Query};
use crate::{ApiError, AppState};

pub async fn care(State(state): State<AppState>, caller: Caller, Query(query): Query<CareReportQuery>) -> Result<Json<CareReport>, ApiError> {
    caller.require(Action::ReadCareReports)?;
    let app = state.app.clone();
    Ok(Json(blocking(move || app.care_report_now(&query)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CareExportQuery {
    table: String,
    from: Option<String>,
    to: Option<String>,
    team: Option<i64>,
    agent: Option<i64>,
}

pub async fn care_csv(State(state): State<AppState>, caller: Caller, Query(query): Query<CareExportQuery>) -> Result<Response, ApiError> {
    caller.require(Action::ReadCareReports)?;
    let table = query.table.clone();
    if !service::cases::CARE_REPORT_TABLES.contains(&table.as_str()) {
        return Err(ApiError::bad_request(format!("table must be one of {}", service::cases::CARE_REPORT_TABLES.join(", "))));
    }
    let report_query = CareReportQuery { from: query.from, to: query.to, team: query.team, agent: query.agent };
    let app = state.app.clone();
    let csv = blocking(move || {
        let report = app.care_report_now(&report_query)?;
        service::cases::care_report_csv(&report, &table)
    })
    .await?;
    // `table` is one of a fixed list: safe in the header.
    let disposition = format!("attachment; filename=\"care-report-{}.csv\"", query.table);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        csv,
    )
        .into_response())
}
