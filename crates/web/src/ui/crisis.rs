//! Crisis mode and publishing pages: `/app/incidents/{id}/crisis` (crisis mode, the
//! broadcast, the bulk reply and the outage notice, each previewed whole before sending)
//! and `/app/publishing` (the calendar, its pause, the approval steps, amplify). The data
//! comes from the same service calls as `/api/v1/incidents/{id}/crisis`, `…/bulk/{preview}`
//! and `/api/v1/publishing`; every change goes through that API (with the CSRF token).

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{Duration, Utc};
use domain::{Action, MentionId, UserId};
use serde::Deserialize;
use service::publishing::{PostQuery, PostRow};
use service::ServiceError;
use webui::pages::{crisis, publishing};

use super::{respond, PageCaller};
use crate::error::{blocking, parse_id};
use crate::AppState;

/// A preview older than this is refused by the service: the page says so up front.
const PREVIEW_TTL_MINUTES: i64 = 30;
/// Recent posts listed under the calendar.
const RECENT_POSTS: usize = 100;

#[derive(Debug, Default, Deserialize)]
pub struct CrisisQuery {
    preview: Option<String>,
}

pub async fn show(State(state): State<AppState>, caller: PageCaller, Path(id): Path<String>, Query(query): Query<CrisisQuery>) -> Response {
    let page = async {
        caller.require(Action::RunCrisis)?;
        let id = parse_id(&id, "incident")?;
        let preview_id = query.preview.filter(|preview| !preview.is_empty()).map(|preview| parse_id(&preview, "preview")).transpose()?;
        let app = state.app.clone();
        let (incident, crisis, publishing, preview) = blocking(move || {
            let incident = app.get_incident(id)?;
            let preview = preview_id.map(|preview_id| app.bulk_preview(id, preview_id)).transpose()?;
            Ok((incident, app.crisis(id)?, app.publishing()?, preview))
        })
        .await?;
        let preview_expired = preview.as_ref().is_some_and(|preview| Utc::now() - preview.created_at > Duration::minutes(PREVIEW_TTL_MINUTES));
        let view = crisis::CrisisPageView {
            incident: &incident,
            crisis: &crisis,
            publishing: &publishing,
            preview: preview.as_ref(),
            preview_expired,
            may_manage_incident: caller.may(Action::ManageIncidents),
        };
        Ok(crisis::show(&caller.viewer, &view))
    };
    respond(&caller.viewer, page.await)
}

#[derive(Debug, Default, Deserialize)]
pub struct PublishingQuery {
    /// A customer's mention to amplify.
    mention: Option<String>,
}

/// The recent posts and the scheduled ones (which may be older than the recent ones), once each.
fn calendar_posts(recent: Vec<PostRow>, scheduled: &[PostRow]) -> Vec<PostRow> {
    let mut posts = recent;
    for post in scheduled {
        if !posts.iter().any(|known| known.id == post.id) {
            posts.push(post.clone());
        }
    }
    posts
}

/// People's names for the audit actors a page shows (`user:3` → "Marie Curie"); other
/// actors (tokens, the system) and unknown users stay as they are.
fn actor_names<'a>(app: &service::App, actors: impl Iterator<Item = &'a str>) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for actor in actors {
        if names.contains_key(actor) {
            continue;
        }
        let user = actor.strip_prefix("user:").and_then(|id| id.parse::<i64>().ok()).and_then(|id| app.get_user(UserId(id)).ok());
        if let Some(user) = user {
            names.insert(actor.to_string(), user.display_name);
        }
    }
    names
}

pub async fn calendar(State(state): State<AppState>, caller: PageCaller, Query(query): Query<PublishingQuery>) -> Response {
    let page = async {
        caller.require(Action::ReadPosts)?;
        let mention_id = query.mention.filter(|mention| !mention.is_empty()).map(|mention| parse_id(&mention, "mention")).transpose()?;
        let app = state.app.clone();
        let (publishing, posts, amplify, names) = blocking(move || {
            let publishing = app.publishing()?;
            let recent = app.list_posts(&PostQuery { status: None, cursor: None, limit: Some(RECENT_POSTS) })?.items;
            let posts = calendar_posts(recent, &publishing.scheduled);
            let amplify = match mention_id {
                Some(id) => Some(app.store().get_mention(MentionId(id))?.ok_or_else(|| ServiceError::NotFound(format!("no mention {id}")))?),
                None => None,
            };
            let actors = posts.iter().flat_map(|post| std::iter::once(post.created_by.as_str()).chain(post.reviewed_by.as_deref()));
            let names = actor_names(&app, actors.chain(publishing.pause.changed_by.as_deref()));
            Ok((publishing, posts, amplify, names))
        })
        .await?;
        let view = publishing::PublishingPageView {
            publishing: &publishing,
            posts: &posts,
            now: Utc::now(),
            may_propose: caller.may(Action::ProposePosts),
            may_approve: caller.may(Action::ApprovePosts),
            amplify: amplify.as_ref(),
            names: &names,
        };
        Ok(publishing::show(&caller.viewer, &view))
    };
    respond(&caller.viewer, page.await)
}
