//! The early-warning pages: `/app/incidents`, `/app/incidents/{id}` and `/app/alerts`. The
//! data comes from the same service calls as `/api/v1/incidents` and
//! `/api/v1/alert-rules`; changes (status, owner, rules) go through that API.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::Action;
use serde::Deserialize;
use webui::pages::{alerting, incidents};

use super::{respond, PageCaller};
use crate::error::{blocking, parse_id};
use crate::AppState;

/// Incidents on one page of the list; mentions and cases shown on an incident's page.
const PAGE_SIZE: usize = 50;
const RELATED: usize = 30;
/// Alerts shown in the history.
const HISTORY: usize = 100;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
}

pub async fn list(State(state): State<AppState>, caller: PageCaller, Query(query): Query<ListQuery>) -> Response {
    let page = async {
        caller.require(Action::ReadIncidents)?;
        let app = state.app.clone();
        let cursor = query.cursor.filter(|cursor| !cursor.is_empty());
        let found = blocking(move || app.list_incidents(cursor.as_deref(), PAGE_SIZE)).await?;
        Ok(incidents::list(&caller.viewer, &found))
    };
    respond(&caller.viewer, page.await)
}

pub async fn show(State(state): State<AppState>, caller: PageCaller, Path(id): Path<String>) -> Response {
    let page = async {
        caller.require(Action::ReadIncidents)?;
        let id = parse_id(&id, "incident")?;
        let principal = caller.may(Action::ReadCases).then(|| caller.principal.clone());
        let app = state.app.clone();
        let (incident, mentions, cases) = blocking(move || {
            let incident = app.get_incident(id)?;
            let mentions = app.incident_mentions(id, None, RELATED)?.items;
            let cases = principal.map(|principal| app.incident_cases(&principal, id, None, Some(RELATED))).transpose()?;
            Ok((incident, mentions, cases))
        })
        .await?;
        let view = incidents::IncidentView {
            incident: &incident,
            mentions: &mentions,
            cases: cases.as_ref(),
            may_manage: caller.may(Action::ManageIncidents),
        };
        Ok(incidents::show(&caller.viewer, &view))
    };
    respond(&caller.viewer, page.await)
}

pub async fn alerts(State(state): State<AppState>, caller: PageCaller) -> Response {
    let page = async {
        caller.require(Action::ReadIncidents)?;
        let app = state.app.clone();
        let (rules, alerts) = blocking(move || Ok((app.list_alert_rules()?, app.list_alerts(HISTORY)?))).await?;
        let view = alerting::AlertsView { rules: &rules, alerts: &alerts, may_manage: caller.may(Action::ManageAlerts) };
        Ok(alerting::alerts(&caller.viewer, &view))
    };
    respond(&caller.viewer, page.await)
}
