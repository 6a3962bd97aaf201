//! Publishing and crisis mode (issue #5 §4): posts to the brand's own accounts with an
//! approval workflow and a schedule ([`posts`]), the global publishing pause, crisis mode
//! per incident with its broadcast ([`crisis`]), and bulk messages — the bulk reply, the
//! automatic acknowledgement and the outage-resolved notice — previewed, then sent
//! exactly as shown, rate-limited per channel ([`bulk`]).
//!
//! Everything goes to the sandbox sink (the outbox): recording a message there is
//! publishing it until a connector with credentials takes its place. The writer's tick
//! ([`App::publishing_tick`]) publishes scheduled posts when their time comes (unless
//! publishing is paused), acknowledges new related mentions of incidents in crisis mode,
//! and drains the queue of bulk messages within each channel's rate.

mod bulk;
mod crisis;
mod posts;
mod template;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use domain::{Principal, Source};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{App, ServiceError};

pub use bulk::{BulkMessageView, BulkPreview, BulkRequest, BulkSendRequest, BulkSent};
pub use crisis::{BroadcastRequest, CrisisRequest, CrisisView};
pub use store::{OutboundRow, PostRow};
pub use posts::{AmplifyRequest, NewPost, PostPage, PostPatch, PostQuery, ReviewRequest};

static TICK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// How `channel` counts `text` (X's weighted characters, graphemes…) and its limit
/// (`None`: no limit): what the pages show beside each previewed message and post.
pub fn channel_length(channel: Source, text: &str) -> (usize, Option<usize>) {
    let rules = care::channel::ChannelRules::for_source(channel);
    (rules.length(text), rules.limit)
}

/// The key of the pause in the store's `state` table.
const PAUSE_KEY: &str = "publishing.pause";
/// Bulk messages per minute per channel, unless `[publishing.messages_per_minute]` says.
const DEFAULT_MESSAGES_PER_MINUTE: u32 = 30;

/// One of the brand's own accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandAccount {
    pub channel: Source,
    /// The handle without `@`.
    pub handle: String,
}

/// `[publishing]` in the configuration.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublishingConfig {
    /// The brand's own accounts: where posts and crisis broadcasts go.
    pub accounts: Vec<BrandAccount>,
    /// Bulk messages (bulk replies, acknowledgements, notices) per minute, per channel
    /// name (`x = 20`); a channel not listed gets 30.
    pub messages_per_minute: BTreeMap<String, u32>,
}

impl PublishingConfig {
    pub fn rate_for(&self, channel: Source) -> u32 {
        self.messages_per_minute.get(channel.as_str()).copied().unwrap_or(DEFAULT_MESSAGES_PER_MINUTE)
    }

    /// The demo's brand: Alizé Air on X, Bluesky and Mastodon.
    pub fn demo() -> PublishingConfig {
        let account = |channel, handle: &str| BrandAccount { channel, handle: handle.into() };
        PublishingConfig {
            accounts: vec![account(Source::X, "alizeair"), account(Source::Bluesky, "alizeair.bsky.social"), account(Source::Mastodon, "alizeair")],
            messages_per_minute: BTreeMap::new(),
        }
    }
}

/// Whether publishing is paused, and by what: a person (`manual`) or incidents in crisis.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PauseState {
    pub manual: bool,
    pub crisis_incidents: BTreeSet<i64>,
    pub changed_by: Option<String>,
    pub changed_at: Option<DateTime<Utc>>,
}

impl PauseState {
    pub fn paused(&self) -> bool {
        self.manual || !self.crisis_incidents.is_empty()
    }
}

/// `GET /api/v1/publishing`.
#[derive(Debug, Clone, Serialize)]
pub struct PublishingView {
    pub paused: bool,
    pub pause: PauseState,
    pub accounts: Vec<BrandAccount>,
    /// Posts waiting for their time (held while paused).
    pub scheduled: Vec<store::PostRow>,
    pub messages_per_minute: BTreeMap<String, u32>,
}

impl App {
    pub(crate) fn pause_state(&self) -> Result<PauseState, ServiceError> {
        Ok(self.store().get_state(PAUSE_KEY)?.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default())
    }

    fn save_pause(&self, state: &PauseState) -> Result<(), ServiceError> {
        let json = serde_json::to_string(state).map_err(|error| ServiceError::Invalid(error.to_string()))?;
        self.store().set_state(PAUSE_KEY, &json)?;
        Ok(())
    }

    pub fn publishing(&self) -> Result<PublishingView, ServiceError> {
        let pause = self.pause_state()?;
        let scheduled = self.store().list_posts(&store::PostFilter { status: Some("scheduled".into()), limit: 200, ..Default::default() })?;
        let config = &self.config.publishing;
        let messages_per_minute = Source::ALL.iter().map(|channel| (channel.as_str().to_string(), config.rate_for(*channel))).collect();
        Ok(PublishingView { paused: pause.paused(), pause, accounts: config.accounts.clone(), scheduled, messages_per_minute })
    }

    /// A person pauses (`true`) or resumes (`false`) publishing. Resuming lifts every
    /// hold, crisis ones included: it is the supervisor's explicit decision.
    pub fn set_publishing_paused(&self, principal: &Principal, paused: bool) -> Result<PublishingView, ServiceError> {
        let before = self.pause_state()?;
        let mut after = before.clone();
        after.manual = paused;
        if !paused {
            after.crisis_incidents.clear();
        }
        after.changed_by = Some(principal.actor.clone());
        after.changed_at = Some(Utc::now());
        self.save_pause(&after)?;
        let action = if paused { "publishing.pause" } else { "publishing.resume" };
        self.audit(&principal.actor, action, "publishing", 0, Some(json!({"paused": before.paused()})), Some(json!({"paused": after.paused()})))?;
        self.publishing()
    }

    /// Crisis mode holds the schedule while the incident is in crisis.
    pub(crate) fn hold_for_crisis(&self, actor: &str, incident_id: i64, hold: bool) -> Result<(), ServiceError> {
        let mut state = self.pause_state()?;
        let changed = if hold { state.crisis_incidents.insert(incident_id) } else { state.crisis_incidents.remove(&incident_id) };
        if changed {
            state.changed_by = Some(actor.to_string());
            state.changed_at = Some(Utc::now());
            self.save_pause(&state)?;
        }
        Ok(())
    }

    /// The periodic work of publishing, at the wall clock.
    pub fn publishing_tick(&self) -> Result<(), ServiceError> {
        self.publishing_tick_at(Utc::now())
    }

    /// Publishes the scheduled posts that are due (unless paused), acknowledges new
    /// related mentions of incidents in crisis mode, and drains the bulk queue within each
    /// channel's rate. `now` is a parameter so tests can replay minutes.
    pub fn publishing_tick_at(&self, now: DateTime<Utc>) -> Result<(), ServiceError> {
        // One tick at a time in a process (the ingest thread's, a test's): two would
        // compose acknowledgements for the same author at once.
        let _one_at_a_time = TICK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !self.pause_state()?.paused() {
            self.publish_due_posts(now)?;
        }
        self.acknowledge_new_mentions(now)?;
        self.drain_bulk_queue(now)?;
        Ok(())
    }
}

impl App {
    /// What the sandbox sink recorded, oldest first after `after`.
    pub fn outbox(&self, after: i64, limit: usize) -> Result<Vec<store::OutboundRow>, ServiceError> {
        Ok(self.store().list_outbound(after, limit)?)
    }
}
