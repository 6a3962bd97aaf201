//! The inbox's filters, orders and cursors (issue #6 §2): the query of `GET /api/v1/cases`
//! checked and turned into the store's [`CaseFilter`]. A cursor names where the last page
//! ended in its order: a case id for newest and oldest, `done.due_micros.id` for the SLA
//! order, `done.rank.id` for priority; a bare case id is accepted in every order (the page
//! goes on after that case).

use care::Priority;
use chrono::DateTime;
use domain::{Intent, SentimentLabel, Source};
use serde::{Deserialize, Serialize};
use store::{CaseFilter, CaseKey, CaseRow, CaseSort};

use super::inbox::CaseListQuery;
use crate::{App, ServiceError};

/// Bytes in a free-text filter value (language, reason, topic, tag).
const MAX_FILTER_BYTES: usize = 100;

/// The inbox's orders; the SLA order (next due time first, active cases first) is the
/// default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxSort {
    #[default]
    Sla,
    Priority,
    Newest,
    Oldest,
}

impl InboxSort {
    pub const ALL: [InboxSort; 4] = [InboxSort::Sla, InboxSort::Priority, InboxSort::Newest, InboxSort::Oldest];

    pub fn as_str(self) -> &'static str {
        match self {
            InboxSort::Sla => "sla",
            InboxSort::Priority => "priority",
            InboxSort::Newest => "newest",
            InboxSort::Oldest => "oldest",
        }
    }

    fn store_sort(self) -> CaseSort {
        match self {
            InboxSort::Sla => CaseSort::SlaDue,
            InboxSort::Priority => CaseSort::Priority,
            InboxSort::Newest => CaseSort::Newest,
            InboxSort::Oldest => CaseSort::Oldest,
        }
    }
}

/// A value given and not blank (an HTML form sends empty fields).
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|value| !value.is_empty())
}

fn free_text(name: &str, value: &str) -> Result<String, ServiceError> {
    if value.len() > MAX_FILTER_BYTES || value.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(format!("{name} has at most {MAX_FILTER_BYTES} bytes and no control characters")));
    }
    Ok(value.to_string())
}

/// Checks each filter of `query` and writes it into `filter`.
pub(crate) fn apply_filters(query: &CaseListQuery, filter: &mut CaseFilter) -> Result<(), ServiceError> {
    let unknown = |name: &str, value: &str| ServiceError::Invalid(format!("unknown {name} {value:?}"));
    if let Some(source) = given(&query.source) {
        filter.source = Some(source.parse::<Source>().map_err(|_| unknown("source", source))?);
    }
    if let Some(language) = given(&query.language) {
        filter.language = Some(free_text("language", &language.to_ascii_lowercase())?);
    }
    if let Some(sentiment) = given(&query.sentiment) {
        filter.sentiment = Some(SentimentLabel::parse(sentiment).ok_or_else(|| unknown("sentiment", sentiment))?.as_str().to_string());
    }
    if let Some(intent) = given(&query.intent) {
        filter.intent = Some(Intent::parse(intent).ok_or_else(|| unknown("intent", intent))?.as_str().to_string());
    }
    if let Some(priority) = given(&query.priority) {
        filter.priority = Some(Priority::parse(priority).ok_or_else(|| unknown("priority", priority))?.as_str().to_string());
    }
    if let Some(reason) = given(&query.reason) {
        filter.reason = Some(free_text("reason", &listen::reason_key(reason))?);
    }
    if let Some(topic) = given(&query.topic) {
        filter.topic = Some(free_text("topic", topic)?);
    }
    if let Some(tag) = given(&query.tag) {
        // Tags are stored trimmed and in lower case.
        filter.tag = Some(free_text("tag", &tag.to_lowercase())?);
    }
    filter.vip = query.vip.unwrap_or(false);
    filter.sort = query.sort.unwrap_or_default().store_sort();
    Ok(())
}

/// The cursor of the page after `last`, in `sort`.
pub(crate) fn cursor_after(sort: InboxSort, last: &CaseRow) -> String {
    let key = CaseKey::of(last);
    match sort {
        InboxSort::Newest | InboxSort::Oldest => key.id.to_string(),
        InboxSort::Sla => format!("{}.{}.{}", u8::from(key.done), key.due_at.timestamp_micros(), key.id),
        InboxSort::Priority => format!("{}.{}.{}", u8::from(key.done), key.rank, key.id),
    }
}

impl App {
    /// Sets the keyset of `filter` from a cursor given back by the client.
    pub(crate) fn apply_cursor(&self, sort: InboxSort, cursor: &str, filter: &mut CaseFilter) -> Result<(), ServiceError> {
        let bad = || ServiceError::Invalid("unknown cursor: pass back a next_cursor".into());
        let parts: Vec<&str> = cursor.split('.').collect();
        let numbers: Vec<i64> = parts.iter().map(|part| part.parse::<i64>()).collect::<Result<_, _>>().map_err(|_| bad())?;
        let key = match (sort, numbers.as_slice()) {
            (InboxSort::Newest, [id]) => {
                filter.before_id = Some(*id);
                return Ok(());
            }
            (_, [id]) => {
                // A bare case id: go on after that case, wherever it stands in this order.
                let case = self.store().get_case(*id)?.ok_or_else(bad)?;
                CaseKey::of(&case)
            }
            (InboxSort::Sla, [done @ 0..=1, due_micros, id]) => {
                CaseKey { id: *id, done: *done == 1, rank: 0, due_at: DateTime::from_timestamp_micros(*due_micros).ok_or_else(bad)? }
            }
            (InboxSort::Priority, [done @ 0..=1, rank @ 0..=3, id]) => {
                CaseKey { id: *id, done: *done == 1, rank: *rank, due_at: DateTime::UNIX_EPOCH }
            }
            _ => return Err(bad()),
        };
        filter.before_id = Some(key.id);
        filter.after = Some(key);
        Ok(())
    }
}
