//! Crisis mode for an incident: on, it holds the publishing schedule and acknowledges new
//! related mentions automatically; off, the schedule resumes. The broadcast: one text,
//! written once, published to each of the brand's accounts and recorded on the
//! incident's timeline.

use chrono::Utc;
use domain::Principal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{CrisisRow, PostFilter, PostRow};

use super::template;
use crate::{App, ServiceError};

/// `POST /api/v1/incidents/{id}/crisis`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisRequest {
    pub active: bool,
    /// The acknowledgement sent once to each new related mention's author (`{name}`,
    /// `{handle}`); default: a short French or English message by the mention's language.
    #[serde(default)]
    pub ack_template: Option<String>,
}

/// `POST /api/v1/incidents/{id}/broadcast`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BroadcastRequest {
    pub text: String,
}

/// An incident's crisis mode, the publishing pause and its broadcasts.
#[derive(Debug, Clone, Serialize)]
pub struct CrisisView {
    pub incident_id: i64,
    pub active: bool,
    pub ack_template: Option<String>,
    pub publishing_paused: bool,
    pub broadcasts: Vec<PostRow>,
}

impl App {
    pub fn crisis(&self, incident_id: i64) -> Result<CrisisView, ServiceError> {
        self.get_incident(incident_id)?;
        let crisis = self.store().get_crisis(incident_id)?;
        let broadcasts = self.store().list_posts(&PostFilter { incident_id: Some(incident_id), limit: 100, ..PostFilter::default() })?;
        Ok(CrisisView {
            incident_id,
            active: crisis.as_ref().is_some_and(|crisis| crisis.active),
            ack_template: crisis.and_then(|crisis| crisis.ack_template),
            publishing_paused: self.pause_state()?.paused(),
            broadcasts,
        })
    }

    /// Turns crisis mode on (holding the schedule; new related mentions from now on are
    /// acknowledged) or off (the schedule resumes unless something else holds it).
    pub fn set_crisis(&self, principal: &Principal, incident_id: i64, request: &CrisisRequest) -> Result<CrisisView, ServiceError> {
        self.get_incident(incident_id)?;
        if let Some(ack) = &request.ack_template {
            template::check(ack)?;
        }
        let before = self.store().get_crisis(incident_id)?;
        let was_active = before.as_ref().is_some_and(|crisis| crisis.active);
        // Mentions already linked when crisis mode starts belong to the bulk reply; only
        // those that arrive afterwards are acknowledged automatically.
        let cursor = match (&before, request.active && !was_active) {
            (_, true) => self.last_incident_mention(incident_id)?,
            (Some(before), false) => before.ack_after_mention,
            (None, false) => 0,
        };
        let ack_template = request.ack_template.clone().or_else(|| before.as_ref().and_then(|crisis| crisis.ack_template.clone()));
        self.store().set_crisis(&CrisisRow {
            incident_id,
            active: request.active,
            ack_template,
            ack_after_mention: cursor,
            changed_by: super::bulk::sender_of(principal),
            updated_at: Utc::now(),
        })?;
        self.hold_for_crisis(&principal.actor, incident_id, request.active)?;
        if request.active != was_active {
            let detail = if request.active { "crisis mode on: schedule paused, new mentions acknowledged" } else { "crisis mode off" };
            self.add_incident_event(incident_id, "crisis", format!("{}: {detail}", principal.actor))?;
        }
        self.audit(&principal.actor, "incident.crisis", "incident", incident_id, Some(json!({"active": was_active})), Some(json!({"active": request.active})))?;
        self.crisis(incident_id)
    }

    /// The highest id among the incident's mentions (0 when it has none).
    fn last_incident_mention(&self, incident_id: i64) -> Result<i64, ServiceError> {
        let mut last = domain::MentionId(0);
        loop {
            let page = self.store().incident_mentions(incident_id, last, 10_000)?;
            match page.last() {
                Some(id) => last = *id,
                None => return Ok(last.0),
            }
        }
    }

    /// Publishes one text to each of the brand's accounts, now (a crisis update is not
    /// held by the pause). Every account's channel rule is checked before anything is
    /// published: one failing channel refuses the whole broadcast with its reason.
    pub fn broadcast(&self, principal: &Principal, incident_id: i64, request: &BroadcastRequest) -> Result<Vec<PostRow>, ServiceError> {
        self.get_incident(incident_id)?;
        let accounts = self.config.publishing.accounts.clone();
        if accounts.is_empty() {
            return Err(ServiceError::Unprocessable("no brand account is configured: set [publishing] accounts".into()));
        }
        let mut texts = Vec::with_capacity(accounts.len());
        for account in &accounts {
            let text = Self::check_post_text(account.channel, &request.text, false)
                .map_err(|error| ServiceError::Unprocessable(format!("{} ({}): {error}", account.channel.as_str(), account.handle)))?;
            texts.push(text);
        }
        let now = Utc::now();
        let mut published = Vec::with_capacity(accounts.len());
        for (account, text) in accounts.iter().zip(texts) {
            let post = self.store().create_post(&PostRow {
                id: 0,
                channel: account.channel,
                account: account.handle.clone(),
                kind: "post".into(),
                text,
                mention_id: None,
                incident_id: Some(incident_id),
                status: "approved".into(),
                scheduled_at: None,
                created_by: principal.actor.clone(),
                reviewed_by: Some(principal.actor.clone()),
                review_note: Some("crisis broadcast".into()),
                published_at: None,
                outbox_id: None,
                created_at: now,
                updated_at: now,
            })?;
            if let Some(sent) = self.send_post(&post)? {
                published.push(sent);
            }
        }
        let ids: Vec<i64> = published.iter().map(|post| post.id).collect();
        let channels: Vec<&str> = published.iter().map(|post| post.channel.as_str()).collect();
        self.add_incident_event(incident_id, "broadcast", format!("{}: update published on {}", principal.actor, channels.join(", ")))?;
        self.audit(&principal.actor, "incident.broadcast", "incident", incident_id, None, Some(json!({"posts": ids})))?;
        Ok(published)
    }
}
