//! The supervisor's pages: `/app/reports` (the care report) and `/app/staffing` (the
//! staffing forecast). Their numbers come from the same service calls as
//! `/api/v1/reports/care` and `/api/v1/staffing/forecast`; the HTML is `webui`'s.

use axum::extract::{Query, State};
use axum::response::Response;
use domain::Action;
use serde::Deserialize;
use service::cases::{CareReportQuery, StaffingQuery};
use webui::pages::reports::{self, ReportFilters, StaffingFilters};

use super::{respond, PageCaller};
use crate::error::blocking;
use crate::{ApiError, AppState};

/// The report form as sent by a browser: empty fields mean "not set".
#[derive(Debug, Default, Deserialize)]
pub struct ReportForm {
    from: Option<String>,
    to: Option<String>,
    team: Option<String>,
    agent: Option<String>,
}

/// An optional id typed in a form: empty is none, anything else must be a number.
fn optional_id(text: Option<&str>, what: &str) -> Result<Option<i64>, ApiError> {
    match text.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse::<i64>().map(Some).map_err(|_| ApiError::bad_request(format!("{what} must be a number"))),
    }
}

fn optional_number(text: Option<&str>, what: &str) -> Result<Option<f64>, ApiError> {
    match text.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse::<f64>().map(Some).map_err(|_| ApiError::bad_request(format!("{what} must be a number"))),
    }
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.map(|text| text.trim().to_string()).filter(|text| !text.is_empty())
}

type Names = Vec<(i64, String)>;

fn teams_and_agents(app: &service::App) -> Result<(Names, Names), service::ServiceError> {
    let teams = app.list_teams()?.into_iter().map(|team| (team.id.0, team.name)).collect();
    let agents = app.list_users()?.into_iter().map(|user| (user.id.0, user.display_name)).collect();
    Ok((teams, agents))
}

pub async fn care(State(state): State<AppState>, caller: PageCaller, Query(form): Query<ReportForm>) -> Response {
    let page = async {
        caller.require(Action::ReadCareReports)?;
        let filters = ReportFilters {
            from: non_empty(form.from).unwrap_or_default(),
            to: non_empty(form.to).unwrap_or_default(),
            team: optional_id(form.team.as_deref(), "team")?,
            agent: optional_id(form.agent.as_deref(), "agent")?,
        };
        let query = CareReportQuery {
            from: Some(filters.from.clone()).filter(|from| !from.is_empty()),
            to: Some(filters.to.clone()).filter(|to| !to.is_empty()),
            team: filters.team,
            agent: filters.agent,
        };
        let app = state.app.clone();
        let (report, (teams, agents)) = blocking(move || Ok((app.care_report_now(&query)?, teams_and_agents(&app)?))).await?;
        let view = reports::ReportView { report: &report, filters: &filters, teams: &teams, agents: &agents };
        Ok(reports::care_report(&caller.viewer, &view))
    };
    respond(&caller.viewer, page.await)
}

#[derive(Debug, Default, Deserialize)]
pub struct StaffingForm {
    team: Option<String>,
    handling_minutes: Option<String>,
    service_level: Option<String>,
    within_minutes: Option<String>,
    agents_on_duty: Option<String>,
}

pub async fn staffing(State(state): State<AppState>, caller: PageCaller, Query(form): Query<StaffingForm>) -> Response {
    let page = async {
        caller.require(Action::ReadCareReports)?;
        let agents_on_duty = optional_number(form.agents_on_duty.as_deref(), "agents_on_duty")?;
        if agents_on_duty.is_some_and(|agents| !(0.0..=10_000.0).contains(&agents) || agents.fract() != 0.0) {
            return Err(ApiError::bad_request("agents_on_duty must be a whole number from 0 to 10000"));
        }
        let query = StaffingQuery {
            team: optional_id(form.team.as_deref(), "team")?,
            handling_minutes: optional_number(form.handling_minutes.as_deref(), "handling_minutes")?,
            service_level: optional_number(form.service_level.as_deref(), "service_level")?,
            within_minutes: optional_number(form.within_minutes.as_deref(), "within_minutes")?,
            hours: None,
            agents_on_duty: agents_on_duty.map(|agents| agents as u32),
        };
        let filters = StaffingFilters {
            team: query.team,
            handling_minutes: query.handling_minutes.unwrap_or(6.0).to_string(),
            service_level: query.service_level.unwrap_or(0.8).to_string(),
            within_minutes: query.within_minutes.unwrap_or(15.0).to_string(),
            agents_on_duty: non_empty(form.agents_on_duty).unwrap_or_default(),
        };
        let app = state.app.clone();
        let (report, (teams, _)) = blocking(move || Ok((app.staffing_forecast_now(&query)?, teams_and_agents(&app)?))).await?;
        Ok(reports::staffing(&caller.viewer, &report, &filters, &teams))
    };
    respond(&caller.viewer, page.await)
}
