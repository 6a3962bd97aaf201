//! Contact pages: search, one contact (identities, timeline, merge suggestions), and
//! the merge preview. Changes (notes, merge, undo, erasure) go through the JSON API.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::{Action, ContactId};
use serde::Deserialize;
use webui::pages::contacts;

use super::{respond, PageCaller};
use crate::error::{blocking, parse_id};
use crate::{ApiError, AppState};

/// Contacts on one page of the search.
const PAGE_SIZE: usize = 50;
/// Timeline items on a contact page.
const TIMELINE_ITEMS: usize = 100;
/// Latest timeline items of each contact in a merge preview.
const PREVIEW_ITEMS: usize = 5;

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    cursor: Option<String>,
}

pub async fn list(State(state): State<AppState>, caller: PageCaller, Query(query): Query<ListQuery>) -> Response {
    let page = async {
        caller.require(Action::ReadContacts)?;
        let app = state.app.clone();
        let (search, cursor) = (query.q.clone(), query.cursor.clone());
        let found = blocking(move || app.list_contacts(search.as_deref(), cursor.as_deref(), PAGE_SIZE)).await?;
        let query_text = query.q.as_deref().unwrap_or_default();
        Ok(contacts::list(&caller.viewer, query_text, &found.items, found.next_cursor.as_deref()))
    };
    respond(&caller.viewer, page.await)
}

#[derive(Deserialize)]
pub struct ShowQuery {
    merged: Option<String>,
}

pub async fn show(State(state): State<AppState>, caller: PageCaller, Path(id): Path<String>, Query(query): Query<ShowQuery>) -> Response {
    let page = async {
        caller.require(Action::ReadContacts)?;
        let id = ContactId(parse_id(&id, "contact")?);
        let merged = query.merged.as_deref().map(|merge| parse_id(merge, "merge")).transpose()?;
        let app = state.app.clone();
        let (contact, timeline, suggestions) = blocking(move || {
            let contact = app.get_contact(id)?;
            let timeline = app.timeline(id, TIMELINE_ITEMS)?;
            let suggestions = if contact.merged_into.is_none() { app.merge_suggestions(id)? } else { Vec::new() };
            Ok((contact, timeline, suggestions))
        })
        .await?;
        let view = contacts::ContactView {
            contact: &contact,
            timeline: &timeline,
            suggestions: &suggestions,
            merged,
            may_write: caller.may(Action::WriteContacts),
            may_export: caller.may(Action::ExportContacts),
            may_erase: caller.may(Action::EraseContacts),
        };
        Ok(contacts::contact(&caller.viewer, &view))
    };
    respond(&caller.viewer, page.await)
}

#[derive(Deserialize)]
pub struct MergeQuery {
    other: Option<String>,
}

pub async fn merge_preview(State(state): State<AppState>, caller: PageCaller, Path(id): Path<String>, Query(query): Query<MergeQuery>) -> Response {
    let page = async {
        caller.require(Action::WriteContacts)?;
        let id = ContactId(parse_id(&id, "contact")?);
        let other = query.other.as_deref().ok_or_else(|| ApiError::bad_request("choose the contact to merge (?other=ID)"))?;
        let other = ContactId(parse_id(other, "contact")?);
        if other == id {
            return Err(ApiError::bad_request("a contact cannot be merged into itself"));
        }
        let app = state.app.clone();
        let (survivor, absorbed) = blocking(move || {
            let survivor = (app.get_contact(id)?, app.timeline(id, PREVIEW_ITEMS)?);
            Ok((survivor, (app.get_contact(other)?, app.timeline(other, PREVIEW_ITEMS)?)))
        })
        .await?;
        let page = contacts::merge_preview(&caller.viewer, (&survivor.0, &survivor.1), (&absorbed.0, &absorbed.1));
        Ok(page)
    };
    respond(&caller.viewer, page.await)
}
