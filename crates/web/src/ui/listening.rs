//! The listening pages: `/app/topics` (topics and the live query editor),
//! `/app/search` (mentions with facets), `/app/listening` (the dashboard) and
//! `/app/listening/charts` (its charts alone, which the page's script refreshes).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::{Action, TopicId};
use serde::Deserialize;
use service::listening::{query_problem, ListeningSearch};
use service::Sort;
use webui::pages::listening::{self, DashboardView, SearchLink, SearchView, TopicsView};

use super::{html, respond, PageCaller};
use crate::error::{blocking, parse_id};
use crate::listening::DashboardQuery;
use crate::{ApiError, AppState};

/// Hits on one page of the search.
const PAGE_SIZE: usize = 20;

#[derive(Deserialize)]
pub struct TopicsQuery {
    edit: Option<String>,
}

pub async fn topics(State(state): State<AppState>, caller: PageCaller, Query(query): Query<TopicsQuery>) -> Response {
    let page = async {
        caller.require(Action::ReadMentions)?;
        let editing = query.edit.as_deref().map(|id| parse_id(id, "topic")).transpose()?;
        let app = state.app.clone();
        let topics = blocking(move || app.list_topics()).await?;
        let editing = match editing {
            Some(id) => Some(topics.iter().find(|topic| topic.id.0 == id).ok_or_else(|| ApiError::not_found(format!("no topic {id}")))?),
            None => None,
        };
        let may_manage = caller.may(Action::ManageTopics);
        Ok(listening::topics(&caller.viewer, &TopicsView { topics: &topics, editing: editing.filter(|_| may_manage), may_manage }))
    };
    respond(&caller.viewer, page.await)
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    topic: Option<String>,
    from: Option<String>,
    to: Option<String>,
    offset: Option<String>,
}

fn instant(text: Option<&str>, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    match text {
        None | Some("") => Ok(None),
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|at| Some(at.with_timezone(&Utc)))
            .map_err(|_| ApiError::bad_request(format!("{name} {text:?} is not an RFC 3339 time such as 2026-11-29T08:00:00Z"))),
    }
}

impl SearchQuery {
    fn link(&self) -> Result<SearchLink, ApiError> {
        let query = self.q.clone().unwrap_or_default();
        if query.len() > service::listening::MAX_QUERY_BYTES {
            return Err(ApiError::bad_request("the query is longer than 4096 bytes"));
        }
        let topic = match self.topic.as_deref() {
            None | Some("") => None,
            Some(id) => Some(TopicId(parse_id(id, "topic")?)),
        };
        Ok(SearchLink { query, topic, from: instant(self.from.as_deref(), "from")?, to: instant(self.to.as_deref(), "to")? })
    }
}

pub async fn search(State(state): State<AppState>, caller: PageCaller, Query(query): Query<SearchQuery>) -> Response {
    let page = async {
        caller.require(Action::ReadMentions)?;
        let link = query.link()?;
        let offset = match query.offset.as_deref() {
            None | Some("") => 0,
            Some(text) => text.parse::<usize>().map_err(|_| ApiError::bad_request(format!("offset {text:?} is not a number")))?.min(10_000),
        };
        let text = if link.query.trim().is_empty() { "*".to_string() } else { link.query.clone() };
        let problem = query_problem(&text).map(|problem| listening::explain_problem(caller.viewer.tr, &problem));
        let within = match (link.from, link.to) {
            (None, None) => None,
            (from, to) => Some(service::listening::TimeRange {
                from: from.map_or(0, |at| at.timestamp()),
                to: to.map_or(i64::MAX, |at| at.timestamp()),
            }),
        };
        let app = state.app.clone();
        let request = ListeningSearch { query: text, topic: link.topic, within, sort: Sort::Newest, limit: PAGE_SIZE, offset };
        let valid = problem.is_none();
        let (topic, output) = blocking(move || {
            let topic = request.topic.map(|id| app.get_topic(id)).transpose()?;
            let output = if valid { Some(app.listening_search(&request)?) } else { None };
            Ok((topic, output))
        })
        .await?;
        let view = SearchView {
            link,
            output: output.as_ref(),
            problem: problem.clone(),
            topic: topic.as_ref(),
            offset,
            page_size: PAGE_SIZE,
            may_read_cases: caller.may(Action::ReadCases),
        };
        let markup = listening::search(&caller.viewer, &view);
        Ok((if problem.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK }, markup))
    };
    match page.await {
        Ok((status, markup)) => (status, html(markup)).into_response(),
        Err(error) => super::error_page(&caller.viewer, error),
    }
}

pub async fn dashboard(State(state): State<AppState>, caller: PageCaller, Query(query): Query<DashboardQuery>) -> Response {
    let page = async {
        caller.require(Action::ReadMentions)?;
        let request = query.request()?;
        let app = state.app.clone();
        let (dashboard, topics) = blocking(move || Ok((app.listening_dashboard(&request)?, app.list_topics()?))).await?;
        Ok(listening::dashboard(&caller.viewer, &DashboardView { dashboard: &dashboard, topics: &topics }))
    };
    respond(&caller.viewer, page.await)
}

/// The charts region alone (no page around it), for the live refresh.
pub async fn dashboard_charts(State(state): State<AppState>, caller: PageCaller, Query(query): Query<DashboardQuery>) -> Response {
    let page = async {
        caller.require(Action::ReadMentions)?;
        let request = query.request()?;
        let app = state.app.clone();
        let (dashboard, topics) = blocking(move || Ok((app.listening_dashboard(&request)?, app.list_topics()?))).await?;
        Ok::<_, ApiError>(listening::dashboard_charts(&caller.viewer, &DashboardView { dashboard: &dashboard, topics: &topics }))
    };
    match page.await {
        Ok(markup) => html(markup),
        Err(error) => (error.status, error.detail).into_response(),
    }
}
