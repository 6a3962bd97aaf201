//! Administration pages: users, teams, API tokens, the audit log, sources and the
//! quarantine. Every list is bounded (keyset pages for the audit log).

use axum::extract::{Query, State};
use axum::response::Response;
use domain::Action;
use serde::Deserialize;
use service::AuditFilter;
use webui::pages::admin;

use super::{respond, PageCaller};
use crate::error::{blocking, parse_id};
use crate::AppState;

/// Audit entries on one page.
const AUDIT_PAGE: usize = 100;
/// Quarantined records shown (the count shows how many there are).
const QUARANTINE_SHOWN: usize = 50;

pub async fn users(State(state): State<AppState>, caller: PageCaller) -> Response {
    let page = async {
        caller.require(Action::ReadUsers)?;
        let app = state.app.clone();
        let users = blocking(move || app.list_users()).await?;
        Ok(admin::users(&caller.viewer, &users))
    };
    respond(&caller.viewer, page.await)
}

pub async fn teams(State(state): State<AppState>, caller: PageCaller) -> Response {
    let page = async {
        caller.require(Action::ReadTeams)?;
        let app = state.app.clone();
        let may_read_users = caller.may(Action::ReadUsers);
        let (teams, users) = blocking(move || {
            let users = if may_read_users { app.list_users()? } else { Vec::new() };
            Ok((app.list_teams()?, users))
        })
        .await?;
        Ok(admin::teams(&caller.viewer, &teams, &users))
    };
    respond(&caller.viewer, page.await)
}

pub async fn tokens(State(state): State<AppState>, caller: PageCaller) -> Response {
    let page = async {
        caller.require(Action::ManageUsers)?;
        let app = state.app.clone();
        let (users, tokens) = blocking(move || Ok((app.list_users()?, app.list_api_tokens()?))).await?;
        Ok(admin::tokens(&caller.viewer, &users, &tokens))
    };
    respond(&caller.viewer, page.await)
}

#[derive(Deserialize)]
pub struct AuditQuery {
    cursor: Option<String>,
}

pub async fn audit(State(state): State<AppState>, caller: PageCaller, Query(query): Query<AuditQuery>) -> Response {
    let page = async {
        caller.require(Action::ReadAudit)?;
        let before_id = query.cursor.as_deref().map(|cursor| parse_id(cursor, "cursor")).transpose()?;
        let app = state.app.clone();
        let filter = AuditFilter { entity: None, entity_id: None, before_id, limit: AUDIT_PAGE };
        let entries = blocking(move || app.list_audit(&filter)).await?;
        let next_cursor = (entries.len() == AUDIT_PAGE).then(|| entries.last().map(|entry| entry.id)).flatten();
        Ok(admin::audit(&caller.viewer, &entries, next_cursor))
    };
    respond(&caller.viewer, page.await)
}

pub async fn sources(State(state): State<AppState>, caller: PageCaller) -> Response {
    let page = async {
        caller.require(Action::ReadMentions)?;
        caller.require(Action::ReadUsers)?;
        let app = state.app.clone();
        let (quarantined, records) = blocking(move || app.quarantine(QUARANTINE_SHOWN)).await?;
        let health = state.app.live_feed().health();
        Ok(admin::sources(&caller.viewer, &health, quarantined, &records))
    };
    respond(&caller.viewer, page.await)
}
