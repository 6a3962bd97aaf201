//! What the web app watches live: a broadcast of newly stored mentions (the live page's
//! server-sent events, later the inbox's new cases) and the health of each source (last
//! item received, items and errors counted since this process started).
//!
//! The writer publishes after each store commit; a slow or absent listener never slows
//! the pipeline down (a broadcast channel drops the oldest events for a lagging one).

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use domain::StoredMention;
use serde::Serialize;
use tokio::sync::broadcast;

/// Events kept for a listener that falls behind before it loses the oldest.
const BROADCAST_CAPACITY: usize = 512;
/// Longest text sent in an event (the page links to the full mention).
const MAX_EVENT_TEXT_CHARS: usize = 500;

/// A newly stored mention, as the live page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveMention {
    pub id: i64,
    pub source: &'static str,
    pub author_handle: String,
    pub author_name: Option<String>,
    pub text: String,
    pub language: Option<String>,
    pub sentiment: Option<String>,
    pub topics: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl LiveMention {
    fn from_stored(stored: &StoredMention) -> LiveMention {
        let mention = &stored.mention;
        LiveMention {
            id: stored.id.0,
            source: mention.source.as_str(),
            author_handle: mention.author.handle.clone(),
            author_name: mention.author.display_name.clone(),
            text: mention.text.chars().take(MAX_EVENT_TEXT_CHARS).collect(),
            language: mention.language.clone(),
            sentiment: stored.enrichment.as_ref().map(|enrichment| enrichment.sentiment.as_str().to_string()),
            topics: stored.topics.clone(),
            created_at: mention.created_at,
        }
    }
}

/// Per source (or quarantine origin format): what arrived and what failed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceHealth {
    pub items_received: u64,
    pub last_item_at: Option<DateTime<Utc>>,
    pub errors: u64,
    pub last_error_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// The broadcast and the health table, shared by the writer and the web layer.
pub struct LiveFeed {
    mentions: broadcast::Sender<LiveMention>,
    health: Mutex<BTreeMap<String, SourceHealth>>,
}

impl Default for LiveFeed {
    fn default() -> Self {
        LiveFeed { mentions: broadcast::channel(BROADCAST_CAPACITY).0, health: Mutex::new(BTreeMap::new()) }
    }
}

impl LiveFeed {
    /// A new listener; it sees the mentions stored from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveMention> {
        self.mentions.subscribe()
    }

    /// Called by the writer once mentions are committed to the store.
    pub fn stored(&self, mentions: &[StoredMention]) {
        if mentions.is_empty() {
            return;
        }
        let now = Utc::now();
        {
            let mut health = self.health.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            for stored in mentions {
                let entry = health.entry(stored.mention.source.as_str().to_string()).or_default();
                entry.items_received += 1;
                entry.last_item_at = Some(now);
            }
        }
        if self.mentions.receiver_count() == 0 {
            return;
        }
        for stored in mentions {
            // An error only means nobody listens any more.
            let _ = self.mentions.send(LiveMention::from_stored(stored));
        }
    }

    /// Called by the writer for records put in quarantine (keyed by their format).
    pub fn rejected(&self, format: &str, reason: &str) {
        let mut health = self.health.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = health.entry(format.to_string()).or_default();
        entry.errors += 1;
        entry.last_error_at = Some(Utc::now());
        entry.last_error = Some(reason.chars().take(200).collect());
    }

    /// Every source seen since start, by name.
    pub fn health(&self) -> Vec<(String, SourceHealth)> {
        let health = self.health.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        health.iter().map(|(name, entry)| (name.clone(), entry.clone())).collect()
    }
}

/// Most mentions [`crate::App::recently_stored`] returns.
pub const MAX_RECENT: usize = 100;

impl crate::App {
    /// The mentions stored last (edits count as stored again), newest first: the store's
    /// change sequence read backwards, so the cost does not grow with the table (a
    /// newest-first search would count and facet every mention).
    pub fn recently_stored(&self, limit: usize) -> Result<Vec<StoredMention>, crate::ServiceError> {
        let limit = limit.clamp(1, MAX_RECENT);
        let last_seq = self.store().last_seq()?;
        // Deletions take sequences too: look a little further back than `limit`.
        let window = limit * 2;
        let changes = self.store().changes_since((last_seq - window as i64).max(0), window)?;
        let mut recent = changes.upserted;
        recent.reverse();
        recent.truncate(limit);
        Ok(recent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Author, Mention, MentionId, Source};

    fn stored(id: i64, source: Source, text: &str) -> StoredMention {
        StoredMention {
            id: MentionId(id),
            mention: Mention {
                source,
                external_id: id.to_string(),
                url: None,
                author: Author { handle: "jo".into(), ..Author::default() },
                title: None,
                text: text.into(),
                language: Some("fr".into()),
                created_at: Utc::now(),
                links: Default::default(),
                metrics: Default::default(),
                hashtags: vec![],
                mentioned: vec![],
                urls: vec![],
                raw: String::new(),
            },
            duplicate_of: None,
            topics: vec!["brand".into()],
            enrichment: None,
            ingested_at: Utc::now(),
        }
    }

    #[test]
    fn listeners_receive_stored_mentions_and_health_counts_them() {
        let feed = LiveFeed::default();
        let mut listener = feed.subscribe();
        feed.stored(&[stored(7, Source::Bluesky, "panne"), stored(8, Source::X, "retard")]);
        feed.rejected("x-v2", "missing field `id`");
        let first = listener.try_recv().unwrap();
        assert_eq!((first.id, first.source, first.text.as_str()), (7, "bluesky", "panne"));
        assert_eq!(listener.try_recv().unwrap().id, 8);
        let health = feed.health();
        let names: Vec<&str> = health.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["bluesky", "x", "x-v2"]);
        assert_eq!(health[0].1.items_received, 1);
        assert!(health[0].1.last_item_at.is_some());
        assert_eq!((health[2].1.errors, health[2].1.last_error.as_deref()), (1, Some("missing field `id`")));
    }

    #[test]
    fn event_text_is_bounded() {
        let feed = LiveFeed::default();
        let mut listener = feed.subscribe();
        feed.stored(&[stored(1, Source::X, &"é".repeat(2_000))]);
        assert_eq!(listener.try_recv().unwrap().text.chars().count(), MAX_EVENT_TEXT_CHARS);
    }
}
