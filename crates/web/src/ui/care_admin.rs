//! The care administration pages (`/app/admin/sla`, `/routing`, `/canned`, `/agents`):
//! read through the same service calls as the care settings API, for those who may
//! change the care settings (administrators and supervisors).

use axum::extract::State;
use axum::response::Response;
use domain::Action;
use webui::pages::care_admin;

use super::{respond, PageCaller};
use crate::error::blocking;
use crate::AppState;

fn team_names(teams: Vec<domain::Team>) -> Vec<(i64, String)> {
    teams.into_iter().map(|team| (team.id.0, team.name)).collect()
}

pub async fn sla(State(state): State<AppState>, caller: PageCaller) -> Response {
    let page = async {
        caller.require(Action::ManageCare)?;
        let app = state.app.clone();
        let (policies, teams) = blocking(move || Ok((app.list_sla_policies()?, team_names(app.list_teams()?)))).await?;
        Ok(care_admin::sla_policies(&caller.viewer, &policies, &teams))
    };
    respond(&caller.viewer, page.await)
}

pub async fn routing(State(state): State<AppState>, caller: PageCaller) -> Response {
    let page = async {
        caller.require(Action::ManageCare)?;
        let app = state.app.clone();
        let (rules, teams, topics) = blocking(move || {
            let topics: Vec<(i64, String)> = app.list_topics()?.into_iter().map(|topic| (topic.id.0, topic.topic.name)).collect();
            Ok((app.list_routing_rules()?, team_names(app.list_teams()?), topics))
        })
        .await?;
        let rules: Vec<_> = rules
            .into_iter()
            .map(|rule| {
                let conditions = serde_json::from_str(&rule.conditions).unwrap_or_default();
                (rule.id, rule.position, rule.name, conditions, rule.team_id)
            })
            .collect();
        Ok(care_admin::routing_rules(&caller.viewer, &rules, &teams, &topics))
    };
    respond(&caller.viewer, page.await)
}

pub async fn canned(State(state): State<AppState>, caller: PageCaller) -> Response {
    let page = async {
        caller.require(Action::ManageCare)?;
        let app = state.app.clone();
        let canned = blocking(move || app.list_canned()).await?;
        let canned: Vec<_> = canned.into_iter().map(|row| (row.id, row.title, row.template)).collect();
        Ok(care_admin::canned_responses(&caller.viewer, &canned))
    };
    respond(&caller.viewer, page.await)
}

pub async fn agents(State(state): State<AppState>, caller: PageCaller) -> Response {
    let page = async {
        caller.require(Action::ManageCare)?;
        let app = state.app.clone();
        let agents = blocking(move || app.list_agents()).await?;
        Ok(care_admin::agents(&caller.viewer, &agents))
    };
    respond(&caller.viewer, page.await)
}
