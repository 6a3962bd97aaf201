//! The care pages: the inbox (`/app/inbox`), one case (`/app/cases/{id}`) and the case
//! events stream (`/app/case-events`) that brings new cases into an open inbox. The data
//! comes from the same service calls as `/api/v1/cases`; changes go through that API.

use std::convert::Infallible;

use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::Response;
use domain::{Action, ContactId};
use futures_util::Stream;
use serde::Deserialize;
use serde_json::json;
use service::cases::{CaseListQuery, InboxSort, Queue};
use tokio::sync::broadcast::error::RecvError;
use webui::pages::cases;

use super::{respond, PageCaller};
use crate::auth::Caller;
use crate::error::{blocking, parse_id};
use crate::{ApiError, AppState};

/// Cases on one page of the inbox.
const PAGE_SIZE: usize = 50;
/// Timeline items read for the contact's past cases on a case page.
const TIMELINE_ITEMS: usize = 100;

/// The contact's other cases on their timeline: `(id, status, subject)`, newest first.
fn past_cases(timeline: Vec<domain::TimelineItem>, this_case: i64) -> Vec<(i64, String, String)> {
    timeline
        .into_iter()
        .filter_map(|item| match item {
            domain::TimelineItem::Case { case_id, status, subject, .. } if case_id != this_case => Some((case_id, status, subject)),
            _ => None,
        })
        .collect()
}

#[derive(Deserialize)]
pub struct InboxQuery {
    queue: Option<String>,
    status: Option<String>,
    source: Option<String>,
    language: Option<String>,
    sentiment: Option<String>,
    intent: Option<String>,
    reason: Option<String>,
    priority: Option<String>,
    topic: Option<String>,
    vip: Option<String>,
    tag: Option<String>,
    sort: Option<String>,
    cursor: Option<String>,
}

/// A form's value, when not blank.
fn given(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|value| !value.is_empty()).map(str::to_string)
}

fn parse_sort(sort: Option<&str>) -> Result<InboxSort, ApiError> {
    match sort {
        None => Ok(InboxSort::default()),
        Some(name) => InboxSort::ALL
            .into_iter()
            .find(|sort| sort.as_str() == name)
            .ok_or_else(|| ApiError::bad_request("unknown sort: sla, priority, newest or oldest")),
    }
}

/// The page's filters, for the service and for the page itself.
fn inbox_filters(query: &InboxQuery) -> Result<(InboxSort, cases::InboxFilters), ApiError> {
    let sort = parse_sort(given(&query.sort).as_deref())?;
    let filters = cases::InboxFilters {
        source: given(&query.source),
        language: given(&query.language),
        sentiment: given(&query.sentiment),
        intent: given(&query.intent),
        reason: given(&query.reason),
        priority: given(&query.priority),
        topic: given(&query.topic),
        vip: matches!(query.vip.as_deref(), Some("true" | "on" | "1")),
        tag: given(&query.tag),
        sort: sort.as_str().to_string(),
    };
    Ok((sort, filters))
}

fn parse_queue(queue: &str) -> Result<Queue, ApiError> {
    Ok(match queue {
        "mine" => Queue::Mine,
        "team" => Queue::Team,
        "unassigned" => Queue::Unassigned,
        "breaching" => Queue::Breaching,
        "all" => Queue::All,
        _ => return Err(ApiError::bad_request("unknown queue: mine, team, unassigned, breaching or all")),
    })
}

fn user_names(users: Vec<domain::User>) -> Vec<(i64, String)> {
    users.into_iter().map(|user| (user.id.0, user.display_name)).collect()
}

pub async fn inbox(State(state): State<AppState>, caller: PageCaller, Query(query): Query<InboxQuery>) -> Response {
    let page = async {
        let principal = caller.require(Action::ReadCases)?.clone();
        let queue_name = query.queue.as_deref().filter(|queue| !queue.is_empty()).unwrap_or("all");
        let queue = parse_queue(queue_name)?;
        let status = query.status.as_deref().filter(|status| !status.is_empty());
        if let Some(status) = status {
            if !cases::STATUSES.contains(&status) {
                return Err(ApiError::bad_request("unknown status"));
            }
        }
        let (sort, filters) = inbox_filters(&query)?;
        let list_query = CaseListQuery {
            status: status.map(str::to_string),
            queue: Some(queue),
            source: filters.source.clone(),
            language: filters.language.clone(),
            sentiment: filters.sentiment.clone(),
            intent: filters.intent.clone(),
            reason: filters.reason.clone(),
            priority: filters.priority.clone(),
            topic: filters.topic.clone(),
            vip: Some(filters.vip),
            tag: filters.tag.clone(),
            sort: Some(sort),
            cursor: query.cursor.clone().filter(|cursor| !cursor.is_empty()),
            limit: Some(PAGE_SIZE),
            ..CaseListQuery::default()
        };
        let me = principal.user_id.map(|user| user.0);
        let app = state.app.clone();
        let (found, users, authors) = blocking(move || {
            let found = app.list_cases(&principal, &list_query)?;
            let first_messages: Vec<_> = found.items.iter().filter_map(|summary| summary.case.first_mention_id).collect();
            let mentions = app.store().get_mentions(&first_messages)?;
            let authors = found
                .items
                .iter()
                .filter_map(|summary| {
                    let first = summary.case.first_mention_id?;
                    let stored = mentions.iter().find(|stored| stored.id == first)?;
                    Some((summary.case.id, stored.mention.author.handle.clone()))
                })
                .collect::<Vec<_>>();
            Ok((found, user_names(app.list_users()?), authors))
        })
        .await?;
        let view = cases::InboxView {
            queue: queue_name,
            status,
            filters: &filters,
            cases: &found,
            users: &users,
            authors: &authors,
            me,
            may_work: caller.may(Action::WorkCases),
        };
        Ok(cases::inbox(&caller.viewer, &view))
    };
    respond(&caller.viewer, page.await)
}

pub async fn show(State(state): State<AppState>, caller: PageCaller, Path(id): Path<String>) -> Response {
    let page = async {
        let principal = caller.require(Action::ReadCases)?.clone();
        let id = parse_id(&id, "case")?;
        let app = state.app.clone();
        let me = principal.user_id;
        let (case, contact, users, signature, canned) = blocking(move || {
            let case = app.get_case(&principal, id)?;
            let contact = case.case.contact_id.map(|contact| app.get_contact(ContactId(contact))).transpose()?;
            let past_cases = match &contact {
                Some(contact) => past_cases(app.timeline(contact.id, TIMELINE_ITEMS)?, id),
                None => Vec::new(),
            };
            let users = app.list_users()?;
            let append = match case.case.team_id {
                Some(team) => app.team_care_settings(team)?.append_signature,
                None => true,
            };
            let signature = me
                .and_then(|me| users.iter().find(|user| user.id == me))
                .and_then(|user| user.signature.clone())
                .filter(|_| append);
            let canned = app.list_canned()?.into_iter().map(|canned| (canned.id, canned.title)).collect::<Vec<_>>();
            Ok((case, (contact, past_cases), user_names(users), signature, canned))
        })
        .await?;
        let (contact, past_cases) = contact;
        let view = cases::CasePageView {
            case: &case,
            contact: contact.as_ref(),
            past_cases: &past_cases,
            users: &users,
            signature: signature.as_deref(),
            canned: &canned,
            me: me.map(|me| me.0),
            may_work: caller.may(Action::WorkCases),
            may_correct: caller.may(Action::CorrectEnrichment),
            corrected_by: caller.viewer.signed_in.as_ref().map_or("", |signed_in| signed_in.email.as_str()),
        };
        Ok(cases::case(&caller.viewer, &view))
    };
    respond(&caller.viewer, page.await)
}

/// `event: case` with `{"kind", "case_id", "at"}` for each case event; the page fetches
/// the case from the API (which decides what the caller may see), so details stay out.
pub async fn events(State(state): State<AppState>, caller: Caller) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    caller.require(Action::ReadCases)?;
    let receiver = state.case_events.subscribe();
    let stopping = state.stopping.watch();
    let stream = futures_util::stream::unfold((receiver, stopping), |(mut receiver, mut stopping)| async move {
        loop {
            if *stopping.borrow() {
                return None;
            }
            let received = tokio::select! {
                received = receiver.recv() => received,
                _ = stopping.changed() => return None,
            };
            match received {
                Ok(event) => {
                    let mut data = json!({ "kind": event.kind, "case_id": event.case_id, "at": event.at });
                    // Who is viewing or typing is no customer data: the inbox shows it on
                    // the rows the caller already sees.
                    if event.kind == "presence" {
                        data["user_id"] = json!(event.user_id);
                        data["state"] = event.detail.as_ref().and_then(|detail| detail.get("state")).cloned().unwrap_or_default();
                    }
                    let data = data.to_string();
                    return Some((Ok(Event::default().event("case").data(data)), (receiver, stopping)));
                }
                // A slow browser skips what it missed; the page can be reloaded.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
