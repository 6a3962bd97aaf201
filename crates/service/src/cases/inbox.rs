//! The inbox (lists of cases by queue, newest first, keyset-paginated) and one case with
//! its conversation, SLA clocks, collision warning and history; status, assignment, team,
//! tags and priority changes; internal notes that mention colleagues.

use care::sla::{CaseEvent as SlaEvent, CaseEventKind, CaseHistory, SlaClock, SlaState};
use care::{CaseStatus, Priority};
use chrono::{DateTime, Utc};
use domain::{Principal, Role, StoredMention};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{CaseEventRow, CaseFilter, CaseRow, NewCaseEvent};

use super::collision::CasePresence;
use super::filters::{apply_filters, cursor_after, InboxSort};
use super::events::CaseEvent;
use crate::{App, ServiceError};

/// Most cases in one page.
pub const MAX_CASE_PAGE: usize = 200;
/// Most tags on a case, and bytes in one.
const MAX_TAGS: usize = 20;
const MAX_TAG_BYTES: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    /// Assigned to the caller.
    Mine,
    /// The caller's teams' cases.
    Team,
    Unassigned,
    /// Active cases past a due time.
    Breaching,
    All,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CaseListQuery {
    pub status: Option<String>,
    pub team: Option<i64>,
    pub assignee: Option<i64>,
    pub queue: Option<Queue>,
    /// Filters (issue #6): exact values; blank values are ignored.
    pub source: Option<String>,
    pub language: Option<String>,
    pub sentiment: Option<String>,
    pub intent: Option<String>,
    pub reason: Option<String>,
    pub priority: Option<String>,
    pub topic: Option<String>,
    pub vip: Option<bool>,
    pub tag: Option<String>,
    /// `sla` (default), `priority`, `newest` or `oldest`.
    pub sort: Option<InboxSort>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

/// One line of the inbox: the case with the state of its two SLA targets.
#[derive(Debug, Clone, Serialize)]
pub struct CaseSummary {
    #[serde(flatten)]
    pub case: CaseRow,
    pub first_response_state: SlaState,
    pub resolution_state: SlaState,
}

#[derive(Debug, Clone, Serialize)]
pub struct CasePage {
    pub items: Vec<CaseSummary>,
    pub next_cursor: Option<String>,
}

/// A message of the conversation, with its mention (and its enrichment) when it has one.
#[derive(Debug, Clone, Serialize)]
pub struct ConversationEntry {
    #[serde(flatten)]
    pub event: CaseEventRow,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mention: Option<StoredMention>,
}

/// A case as `GET /api/v1/cases/{id}` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    #[serde(flatten)]
    pub case: CaseRow,
    pub first_response_state: SlaState,
    pub resolution_state: SlaState,
    /// The three clocks computed from the history (pauses while pending the customer).
    pub sla: SlaClock,
    pub next_statuses: Vec<CaseStatus>,
    pub conversation: Vec<ConversationEntry>,
    pub outbox: Vec<store::OutboxRow>,
    pub callbacks: Vec<store::CallbackRow>,
    pub csat: Vec<store::CsatRow>,
    /// Who is viewing and who is typing a reply right now.
    pub presence: Vec<CasePresence>,
    /// Only in the answer to the PATCH that resolves the case: the survey's one-use link
    /// (also sent to the customer through the outbox).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csat_link: Option<String>,
}

/// `PATCH /api/v1/cases/{id}`: every field optional; `assignee_id: null` unassigns.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    pub status: Option<String>,
    pub priority: Option<String>,
    #[serde(default, with = "double_option")]
    pub assignee_id: Option<Option<i64>>,
    #[serde(default, with = "double_option")]
    pub team_id: Option<Option<i64>>,
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    pub text: String,
}

/// Tells a missing field (`None`) from an explicit `null` (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// A target's state from the stored times (the inbox needs no history for it).
fn quick_state(reached_at: Option<DateTime<Utc>>, due_at: DateTime<Utc>, target_start: DateTime<Utc>, now: DateTime<Utc>) -> SlaState {
    match reached_at {
        Some(reached) if reached <= due_at => SlaState::Met,
        Some(_) => SlaState::Breached,
        None if now > due_at => SlaState::Breached,
        None if (now - target_start).num_seconds() * 5 >= (due_at - target_start).num_seconds() * 4 => SlaState::Warning,
        None => SlaState::Pending,
    }
}

fn summary(case: CaseRow, now: DateTime<Utc>) -> CaseSummary {
    let first_response_state = quick_state(case.first_response_at, case.first_response_due_at, case.opened_at, now);
    let resolution_state = quick_state(case.resolved_at, case.resolution_due_at, case.opened_at, now);
    CaseSummary { case, first_response_state, resolution_state }
}

fn may_see_every_case(principal: &Principal) -> bool {
    principal.role != Role::Crowd
}

/// A crowd responder sees only the cases given to them (403 otherwise).
fn check_visible(principal: &Principal, case: &CaseRow) -> Result<(), ServiceError> {
    if !may_see_every_case(principal) && case.assignee_id != principal.user_id.map(|user| user.0) {
        return Err(ServiceError::Forbidden(format!("case {} is not given to you", case.id)));
    }
    Ok(())
}

impl App {
    /// The cases holding an incident's mentions (issue #5 §3), newest first; crowd
    /// responders see only the cases given to them.
    pub fn incident_cases(&self, principal: &Principal, incident_id: i64, cursor: Option<&str>, limit: Option<usize>) -> Result<CasePage, ServiceError> {
        self.get_incident(incident_id)?;
        let limit = limit.unwrap_or(50).clamp(1, MAX_CASE_PAGE);
        let before_id = cursor
            .map(|cursor| cursor.parse::<i64>().map_err(|_| ServiceError::Invalid("unknown cursor: pass back a next_cursor".into())))
            .transpose()?;
        let mut rows = self.store().incident_cases(incident_id, before_id, limit + 1)?;
        if !may_see_every_case(principal) {
            let me = principal.user_id.map(|user| user.0);
            rows.retain(|case| case.assignee_id.is_some() && case.assignee_id == me);
        }
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more { rows.last().map(|case| case.id.to_string()) } else { None };
        let now = Utc::now();
        Ok(CasePage { items: rows.into_iter().map(|case| summary(case, now)).collect(), next_cursor })
    }

    /// The inbox. Crowd responders see only the cases given to them.
    pub fn list_cases(&self, principal: &Principal, query: &CaseListQuery) -> Result<CasePage, ServiceError> {
        let limit = query.limit.unwrap_or(50).clamp(1, MAX_CASE_PAGE);
        if let Some(status) = &query.status {
            CaseStatus::parse(status).ok_or_else(|| ServiceError::Invalid(format!("unknown status {status:?}")))?;
        }
        let mut filter = CaseFilter {
            status: query.status.as_deref().and_then(CaseStatus::parse).map(|status| status.as_str().to_string()),
            team_id: query.team,
            assignee_id: query.assignee,
            limit,
            ..CaseFilter::default()
        };
        apply_filters(query, &mut filter)?;
        let sort = query.sort.unwrap_or_default();
        if let Some(cursor) = query.cursor.as_deref().filter(|cursor| !cursor.is_empty()) {
            self.apply_cursor(sort, cursor, &mut filter)?;
        }
        match query.queue.unwrap_or(Queue::All) {
            Queue::Mine => filter.assignee_id = Some(principal.user_id.map_or(0, |user| user.0)),
            Queue::Unassigned => filter.unassigned = true,
            Queue::Breaching => filter.due_before = Some(Utc::now()),
            Queue::Team => {
                let teams = self.store().list_teams()?;
                let mine = teams.iter().find(|team| principal.user_id.is_some_and(|user| team.members.contains(&user)));
                filter.team_id = Some(mine.map_or(0, |team| team.id.0));
            }
            Queue::All => {}
        }
        if !may_see_every_case(principal) {
            filter.assignee_id = Some(principal.user_id.map_or(0, |user| user.0));
        }
        let rows = self.store().list_cases(&filter)?;
        let next_cursor = (rows.len() == limit).then(|| rows.last().map(|case| cursor_after(sort, case))).flatten();
        let now = Utc::now();
        Ok(CasePage { items: rows.into_iter().map(|case| summary(case, now)).collect(), next_cursor })
    }

    /// A case the caller may see (403 for a crowd responder on another's case).
    pub(crate) fn visible_case(&self, principal: &Principal, id: i64) -> Result<CaseRow, ServiceError> {
        let case = self.store().get_case(id)?.ok_or_else(|| ServiceError::NotFound(format!("no case {id}")))?;
        check_visible(principal, &case)?;
        Ok(case)
    }

    pub fn get_case(&self, principal: &Principal, id: i64) -> Result<CaseView, ServiceError> {
        // One trip to the store for the case and its files, one for its messages.
        let file = self.store().case_file(id)?.ok_or_else(|| ServiceError::NotFound(format!("no case {id}")))?;
        check_visible(principal, &file.case)?;
        let store::CaseFile { case, events, outbox, callbacks, csat } = file;
        let mention_ids: Vec<_> = events.iter().filter_map(|event| event.mention_id).collect();
        let mentions = if mention_ids.is_empty() { Vec::new() } else { self.store().get_mentions(&mention_ids)? };
        let conversation = events
            .into_iter()
            .map(|event| {
                let mention = event.mention_id.and_then(|id| mentions.iter().find(|stored| stored.id == id).cloned());
                ConversationEntry { event, mention }
            })
            .collect::<Vec<_>>();
        let sla = self.sla_clock(&case, conversation.iter().map(|entry| &entry.event));
        let now = Utc::now();
        let status = CaseStatus::parse(&case.status).unwrap_or(CaseStatus::Open);
        Ok(CaseView {
            first_response_state: sla.first_response.state,
            resolution_state: sla.resolution.state,
            sla,
            next_statuses: status.next_statuses(),
            conversation,
            outbox,
            callbacks,
            csat,
            presence: self.collisions().on_case(id),
            csat_link: None,
            case: CaseRow { updated_at: case.updated_at.min(now), ..case },
        })
    }

    /// The case's clocks from its history, on its team's policy and calendar.
    pub(crate) fn sla_clock<'a>(&self, case: &CaseRow, events: impl Iterator<Item = &'a CaseEventRow>) -> SlaClock {
        let settings = self.care_settings().get();
        let (policy, calendar) = settings.policy(case.team_id);
        let history = CaseHistory {
            created_at: case.opened_at,
            events: events
                .filter_map(|event| {
                    let kind = match event.kind.as_str() {
                        "status" => CaseEventKind::StatusChanged(CaseStatus::parse(event.text.as_deref()?)?),
                        "reply" => CaseEventKind::AgentReply,
                        "customer_message" if event.at > case.opened_at => CaseEventKind::CustomerMessage,
                        _ => return None,
                    };
                    Some(SlaEvent { at: event.at, kind })
                })
                .collect(),
        };
        let priority = Priority::parse(&case.priority).unwrap_or(Priority::Normal);
        SlaClock::compute(policy, calendar, priority, &history, Utc::now())
    }

    pub fn patch_case(&self, principal: &Principal, id: i64, patch: &CasePatch) -> Result<CaseView, ServiceError> {
        let (_, csat_link) = self.apply_case_patch(principal, id, patch)?;
        let mut view = self.get_case(principal, id)?;
        view.csat_link = csat_link;
        Ok(view)
    }

    /// Changes a case (checks, audit entry, case event); returns it with the survey link
    /// when this resolved it.
    pub(crate) fn apply_case_patch(&self, principal: &Principal, id: i64, patch: &CasePatch) -> Result<(CaseRow, Option<String>), ServiceError> {
        let before = self.visible_case(principal, id)?;
        let mut case = before.clone();
        let now = Utc::now();
        let mut status_changed = None;
        if let Some(status) = &patch.status {
            let to = CaseStatus::parse(status).ok_or_else(|| ServiceError::Unprocessable(format!("unknown status {status:?}")))?;
            let from = CaseStatus::parse(&case.status).unwrap_or(CaseStatus::Open);
            if from != to {
                care::status::transition(from, to)?;
                case.status = to.as_str().to_string();
                if to == CaseStatus::Resolved {
                    case.resolved_at = Some(now);
                } else if to.is_active() {
                    case.resolved_at = None;
                }
                status_changed = Some(to);
            }
        }
        if let Some(priority) = &patch.priority {
            let priority = Priority::parse(priority).ok_or_else(|| ServiceError::Unprocessable(format!("unknown priority {priority:?}")))?;
            case.priority = priority.as_str().to_string();
        }
        if let Some(team) = patch.team_id {
            if let Some(team) = team {
                self.store().get_team(domain::TeamId(team))?.ok_or_else(|| ServiceError::Unprocessable(format!("no team {team}")))?;
            }
            case.team_id = team;
        }
        if let Some(assignee) = patch.assignee_id {
            self.check_assignment(principal, &before, assignee)?;
            case.assignee_id = assignee;
            if assignee.is_some() && case.status == CaseStatus::New.as_str() {
                case.status = CaseStatus::Open.as_str().to_string();
                status_changed.get_or_insert(CaseStatus::Open);
            }
        }
        if let Some(tags) = &patch.tags {
            case.tags = clean_tags(tags)?;
        }
        // New priority or team: new targets (the clocks themselves come from the history).
        let clock = self.sla_clock(&case, self.store().list_case_events(id)?.iter());
        case.first_response_due_at = clock.first_response_due_at();
        case.resolution_due_at = clock.resolution_due_at();
        case.updated_at = now;
        self.store().update_case(&case)?;
        let actor = principal.user_id.map(|user| user.0);
        if let Some(status) = status_changed {
            self.add_case_event(id, "status", actor, Some(status.as_str().to_string()), None, json!({}))?;
        }
        if before.assignee_id != case.assignee_id {
            self.add_case_event(id, "assignment", actor, None, None, json!({"from": before.assignee_id, "to": case.assignee_id}))?;
        }
        self.audit(&principal.actor, "case.update", "case", id, Some(json!(before)), Some(json!(case)))?;
        let csat_link = match status_changed {
            Some(CaseStatus::Resolved) => Some(self.on_resolved(principal, &case)?),
            _ => None,
        };
        self.case_events().send(CaseEvent::new("updated", id, actor, Some(json!({"status": case.status}))));
        Ok((case, csat_link))
    }

    /// Agents and crowd responders take a case for themselves or give theirs back;
    /// supervisors and administrators assign anyone.
    fn check_assignment(&self, principal: &Principal, case: &CaseRow, assignee: Option<i64>) -> Result<(), ServiceError> {
        let me = principal.user_id.map(|user| user.0);
        let supervises = matches!(principal.role, Role::Admin | Role::Supervisor);
        if !supervises && assignee.is_some() && assignee != me {
            return Err(ServiceError::Forbidden("only a supervisor assigns a case to someone else".into()));
        }
        if !supervises && case.assignee_id.is_some() && case.assignee_id != me {
            return Err(ServiceError::Conflict(format!("case {} is assigned to user {}", case.id, case.assignee_id.unwrap_or(0))));
        }
        if let Some(user) = assignee {
            let user = self.store().get_user(domain::UserId(user))?.filter(|user| user.active);
            user.ok_or_else(|| ServiceError::Unprocessable(format!("no active user {}", assignee.unwrap_or(0))))?;
        }
        Ok(())
    }

    pub(crate) fn add_case_event(
        &self,
        case_id: i64,
        kind: &str,
        user_id: Option<i64>,
        text: Option<String>,
        visibility: Option<&str>,
        details: serde_json::Value,
    ) -> Result<CaseEventRow, ServiceError> {
        Ok(self.store().add_case_event(&NewCaseEvent {
            case_id,
            at: Utc::now(),
            kind: kind.to_string(),
            mention_id: None,
            user_id,
            text,
            visibility: visibility.map(str::to_string),
            details,
        })?)
    }

    /// An internal note; `@name` or `@email` of colleagues mentions them.
    pub fn add_case_note(&self, principal: &Principal, id: i64, text: &str) -> Result<CaseEventRow, ServiceError> {
        self.visible_case(principal, id)?;
        let text = text.trim();
        if text.is_empty() || text.len() > domain::MAX_NOTE_BYTES {
            return Err(ServiceError::Invalid(format!("a note has 1 to {} bytes", domain::MAX_NOTE_BYTES)));
        }
        let mentioned: Vec<i64> = self
            .store()
            .list_users()?
            .into_iter()
            .filter(|user| {
                let local = user.email.split('@').next().unwrap_or_default().to_lowercase();
                text.split_whitespace().filter_map(|word| word.strip_prefix('@')).any(|handle| {
                    let handle = handle.trim_end_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
                    handle == user.email || handle == local
                })
            })
            .map(|user| user.id.0)
            .collect();
        let actor = principal.user_id.map(|user| user.0);
        let note = self.add_case_event(id, "note", actor, Some(text.to_string()), Some("internal"), json!({"mentions": mentioned}))?;
        self.audit(&principal.actor, "case.note.add", "case", id, None, Some(json!({"event_id": note.id, "mentions": mentioned})))?;
        self.case_events().send(CaseEvent::new("note", id, actor, Some(json!({"mentions": mentioned}))));
        Ok(note)
    }

    /// Collision warning: the caller is viewing the case or typing a reply.
    pub fn signal_case_presence(&self, principal: &Principal, id: i64, state: &str) -> Result<Vec<CasePresence>, ServiceError> {
        if !matches!(state, "viewing" | "typing") {
            return Err(ServiceError::Unprocessable("presence is \"viewing\" or \"typing\"".into()));
        }
        self.visible_case(principal, id)?;
        let user = principal.user_id.map_or(0, |user| user.0);
        self.collisions().signal(id, user, state);
        self.case_events().send(CaseEvent::new("presence", id, Some(user), Some(json!({"state": state}))));
        Ok(self.collisions().on_case(id))
    }
}

fn clean_tags(tags: &[String]) -> Result<Vec<String>, ServiceError> {
    if tags.len() > MAX_TAGS {
        return Err(ServiceError::Invalid(format!("a case has at most {MAX_TAGS} tags")));
    }
    let mut cleaned: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() || tag.len() > MAX_TAG_BYTES || tag.chars().any(char::is_control) {
            return Err(ServiceError::Invalid(format!("a tag has 1 to {MAX_TAG_BYTES} bytes and no control characters")));
        }
        if !cleaned.contains(&tag) {
            cleaned.push(tag);
        }
    }
    Ok(cleaned)
}
