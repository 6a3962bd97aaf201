//! Case events: an in-process feed (`tokio::sync::broadcast`) that the web layer can turn
//! into server-sent events, and the signed case webhook, delivered with retries and
//! back-off by the early warning's delivery thread.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::early_warning::{AlertChannel, Deliveries, Delivery};

/// Events kept for slow subscribers before the oldest are dropped (they see `Lagged`).
const FEED_CAPACITY: usize = 1024;

/// One thing that happened to a case: `created`, `updated`, `customer_message`,
/// `replied`, `note`, `presence`, `resolved`, `callback`, `csat`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub kind: String,
    pub case_id: i64,
    pub user_id: Option<i64>,
    pub at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

impl CaseEvent {
    pub fn new(kind: &str, case_id: i64, user_id: Option<i64>, detail: Option<serde_json::Value>) -> CaseEvent {
        CaseEvent { kind: kind.to_string(), case_id, user_id, at: Utc::now(), detail }
    }
}

/// Where a case webhook goes; the body is signed with HMAC-SHA256 of `secret`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseWebhook {
    pub url: String,
    pub secret: String,
}

/// The feed and the webhook (cheap to clone).
#[derive(Clone)]
pub struct CaseEvents {
    feed: broadcast::Sender<CaseEvent>,
    deliveries: Deliveries,
    webhook: std::sync::Arc<std::sync::RwLock<Option<CaseWebhook>>>,
}

impl CaseEvents {
    pub(crate) fn new(deliveries: Deliveries, webhook: Option<CaseWebhook>) -> CaseEvents {
        let (feed, _) = broadcast::channel(FEED_CAPACITY);
        CaseEvents { feed, deliveries, webhook: std::sync::Arc::new(std::sync::RwLock::new(webhook)) }
    }

    /// A new receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<CaseEvent> {
        self.feed.subscribe()
    }

    pub fn sender(&self) -> broadcast::Sender<CaseEvent> {
        self.feed.clone()
    }

    pub(crate) fn set_webhook(&self, webhook: Option<CaseWebhook>) {
        *self.webhook.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = webhook;
    }

    pub(crate) fn webhook(&self) -> Option<CaseWebhook> {
        self.webhook.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Publishes an event; nobody listening is fine, and the webhook never blocks.
    pub fn send(&self, event: CaseEvent) {
        if let Some(webhook) = self.webhook() {
            let body = serde_json::json!({ "event": format!("case.{}", event.kind), "case": event });
            self.deliveries.send(Delivery { channel: AlertChannel::Webhook { url: webhook.url, secret: webhook.secret }, body });
        }
        let _ = self.feed.send(event);
    }
}
