//! The rows of publishing and crisis mode. Statuses and kinds are plain text: the
//! service owns their meaning.

use chrono::{DateTime, Utc};
use domain::Source;
use serde::Serialize;

/// A post to one of the brand's own accounts (`kind`: `post`, `repost`, `quote`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostRow {
    pub id: i64,
    pub channel: Source,
    pub account: String,
    pub kind: String,
    pub text: String,
    /// The customer's mention a repost or a quote amplifies.
    pub mention_id: Option<i64>,
    /// The incident a crisis broadcast belongs to.
    pub incident_id: Option<i64>,
    /// `draft`, `pending_approval`, `approved`, `scheduled`, `published`, `rejected`.
    pub status: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    /// The audit actor who wrote it (`user:3`).
    pub created_by: String,
    pub reviewed_by: Option<String>,
    pub review_note: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// Its row in the outbox once published.
    pub outbox_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Newest first, keyset-paginated by `before_id`.
#[derive(Debug, Clone, Default)]
pub struct PostFilter {
    pub status: Option<String>,
    pub incident_id: Option<i64>,
    pub before_id: Option<i64>,
    pub limit: usize,
}

/// One row of the outbox (the sandbox sink), whatever produced it: a case reply
/// (`case_id`), a post (`post_id`), or a bulk message to a customer without a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboundRow {
    pub id: i64,
    pub case_id: Option<i64>,
    pub post_id: Option<i64>,
    pub channel: Source,
    pub in_reply_to: Option<String>,
    pub recipient: Option<String>,
    pub text: String,
    pub visibility: String,
    pub status: String,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Crisis mode of one incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrisisRow {
    pub incident_id: i64,
    pub active: bool,
    /// What a new related mention's author receives once while crisis mode is on.
    pub ack_template: Option<String>,
    /// The incident's mentions up to this id were considered for acknowledgement.
    pub ack_after_mention: i64,
    pub changed_by: String,
    pub updated_at: DateTime<Utc>,
}

/// A previewed set of messages (`kind`: `bulk_reply`, `notify`, `acknowledgement`);
/// `sent_at` is set once it is sent, so it is sent at most once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BulkBatchRow {
    pub id: i64,
    pub incident_id: i64,
    pub kind: String,
    pub template: String,
    /// SHA-256 of the messages as previewed: what is sent equals what was shown.
    pub digest: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// One message of a batch to one author (`status`: `preview`, `skipped` with its
/// `reason`, `queued`, `sent`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BulkMessageRow {
    pub id: i64,
    pub batch_id: i64,
    pub incident_id: i64,
    pub mention_id: i64,
    pub case_id: Option<i64>,
    pub channel: Source,
    pub recipient: String,
    pub in_reply_to: Option<String>,
    pub text: String,
    pub status: String,
    pub reason: Option<String>,
    pub outbox_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}
