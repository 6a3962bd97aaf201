//! Publishing and crisis mode (issue #5 §4): posts to the brand's own accounts, crisis
//! mode per incident, and bulk messages from their preview to their delivery — the
//! [`PublishingStore`] port, written once for both backends over the portable
//! [`Db`](crate::sql::Db) layer. `Store: PublishingStore`.

mod rows;
pub(crate) mod sql;

use chrono::{DateTime, Utc};
use domain::Source;

pub use rows::*;

use crate::{NewCaseEvent, Result};

pub trait PublishingStore: Send + Sync {
    fn create_post(&self, post: &PostRow) -> Result<PostRow>;
    fn get_post(&self, id: i64) -> Result<Option<PostRow>>;
    fn list_posts(&self, filter: &PostFilter) -> Result<Vec<PostRow>>;
    /// Writes the post's text, status, schedule and review only if its status is still
    /// `expected_status` (a concurrent change wins); `false` otherwise.
    fn update_post_if(&self, post: &PostRow, expected_status: &str) -> Result<bool>;
    /// Scheduled posts whose time has come, oldest schedule first.
    fn due_posts(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<PostRow>>;
    /// Publishes a post still in `expected_status` to the outbox, in one transaction:
    /// the post becomes `published` with its outbox row. `None` when its status changed.
    fn publish_post(&self, id: i64, expected_status: &str, outbound: &OutboundRow) -> Result<Option<PostRow>>;

    /// Any outbound row (case replies, posts, bulk messages) with an id above `after_id`.
    fn list_outbound(&self, after_id: i64, limit: usize) -> Result<Vec<OutboundRow>>;

    fn get_crisis(&self, incident_id: i64) -> Result<Option<CrisisRow>>;
    /// Inserts or replaces an incident's crisis mode.
    fn set_crisis(&self, crisis: &CrisisRow) -> Result<()>;
    fn active_crises(&self) -> Result<Vec<CrisisRow>>;
    /// Moves the acknowledgement cursor from `from` to `to` (forward only) if nobody moved
    /// it meanwhile: `true` means this caller owns the mentions in `(from, to]`.
    fn claim_ack_range(&self, incident_id: i64, from: i64, to: i64) -> Result<bool>;

    /// Stores a batch and its messages in one transaction; returns them with their ids.
    fn create_bulk_batch(&self, batch: &BulkBatchRow, messages: &[BulkMessageRow]) -> Result<(BulkBatchRow, Vec<BulkMessageRow>)>;
    fn get_bulk_batch(&self, id: i64) -> Result<Option<(BulkBatchRow, Vec<BulkMessageRow>)>>;
    /// Marks the batch sent and queues its previewed messages, once, but for the `skip`
    /// ones (message id, reason), marked skipped: `false` when it was sent already.
    fn queue_bulk_batch(&self, id: i64, now: DateTime<Utc>, skip: &[(i64, &str)]) -> Result<bool>;
    /// The (channel, recipient) of every message queued or sent for the incident in a
    /// batch of one of these kinds, sorted, each once.
    fn bulk_recipients(&self, incident_id: i64, kinds: &[&str]) -> Result<Vec<(Source, String)>>;
    /// Channels with queued messages.
    fn queued_channels(&self) -> Result<Vec<Source>>;
    /// Queued messages of a channel, oldest first.
    fn queued_bulk_messages(&self, channel: Source, limit: usize) -> Result<Vec<BulkMessageRow>>;
    /// Messages of a channel sent at or after `since`.
    fn bulk_sent_since(&self, channel: Source, since: DateTime<Utc>) -> Result<u64>;
    /// Delivers a queued message in one transaction: its outbox row, its case event (a
    /// reply on the case's conversation) and its `sent` status. `None` when it was not
    /// queued any more.
    fn deliver_bulk_message(&self, id: i64, outbound: &OutboundRow, case_event: Option<&NewCaseEvent>) -> Result<Option<OutboundRow>>;

    /// `(mention id, case id)` of the cases holding these mentions.
    fn cases_of_mentions(&self, mention_ids: &[i64]) -> Result<Vec<(i64, i64)>>;
    /// Those of these cases that have at least one reply.
    fn replied_cases(&self, case_ids: &[i64]) -> Result<Vec<i64>>;
}

/// Implements [`PublishingStore`] for a backend with `write_tx` and `read_db`.
macro_rules! impl_publishing_store {
    ($backend:ty) => {
        impl $crate::publishing::PublishingStore for $backend {
            fn create_post(&self, post: &$crate::PostRow) -> $crate::Result<$crate::PostRow> {
                self.write_tx(|db| $crate::publishing::sql::create_post(db, post))
            }
            fn get_post(&self, id: i64) -> $crate::Result<Option<$crate::PostRow>> {
                self.read_db(|db| $crate::publishing::sql::get_post(db, id))
            }
            fn list_posts(&self, filter: &$crate::PostFilter) -> $crate::Result<Vec<$crate::PostRow>> {
                self.read_db(|db| $crate::publishing::sql::list_posts(db, filter))
            }
            fn update_post_if(&self, post: &$crate::PostRow, expected: &str) -> $crate::Result<bool> {
                self.write_tx(|db| $crate::publishing::sql::update_post_if(db, post, expected))
            }
            fn due_posts(&self, now: chrono::DateTime<chrono::Utc>, limit: usize) -> $crate::Result<Vec<$crate::PostRow>> {
                self.read_db(|db| $crate::publishing::sql::due_posts(db, now, limit))
            }
            fn publish_post(&self, id: i64, expected: &str, outbound: &$crate::OutboundRow) -> $crate::Result<Option<$crate::PostRow>> {
                self.write_tx(|db| $crate::publishing::sql::publish_post(db, id, expected, outbound))
            }
            fn list_outbound(&self, after_id: i64, limit: usize) -> $crate::Result<Vec<$crate::OutboundRow>> {
                self.read_db(|db| $crate::publishing::sql::list_outbound(db, after_id, limit))
            }
            fn get_crisis(&self, incident_id: i64) -> $crate::Result<Option<$crate::CrisisRow>> {
                self.read_db(|db| $crate::publishing::sql::get_crisis(db, incident_id))
            }
            fn set_crisis(&self, crisis: &$crate::CrisisRow) -> $crate::Result<()> {
                self.write_tx(|db| $crate::publishing::sql::set_crisis(db, crisis))
            }
            fn active_crises(&self) -> $crate::Result<Vec<$crate::CrisisRow>> {
                self.read_db($crate::publishing::sql::active_crises)
            }
            fn claim_ack_range(&self, incident_id: i64, from: i64, to: i64) -> $crate::Result<bool> {
                self.write_tx(|db| $crate::publishing::sql::claim_ack_range(db, incident_id, from, to))
            }
            fn create_bulk_batch(&self, batch: &$crate::BulkBatchRow, messages: &[$crate::BulkMessageRow]) -> $crate::Result<($crate::BulkBatchRow, Vec<$crate::BulkMessageRow>)> {
                self.write_tx(|db| $crate::publishing::sql::create_bulk_batch(db, batch, messages))
            }
            fn get_bulk_batch(&self, id: i64) -> $crate::Result<Option<($crate::BulkBatchRow, Vec<$crate::BulkMessageRow>)>> {
                self.read_db(|db| $crate::publishing::sql::get_bulk_batch(db, id))
            }
            fn queue_bulk_batch(&self, id: i64, now: chrono::DateTime<chrono::Utc>, skip: &[(i64, &str)]) -> $crate::Result<bool> {
                self.write_tx(|db| $crate::publishing::sql::queue_bulk_batch(db, id, now, skip))
            }
            fn bulk_recipients(&self, incident_id: i64, kinds: &[&str]) -> $crate::Result<Vec<(domain::Source, String)>> {
                self.read_db(|db| $crate::publishing::sql::bulk_recipients(db, incident_id, kinds))
            }
            fn queued_channels(&self) -> $crate::Result<Vec<domain::Source>> {
                self.read_db($crate::publishing::sql::queued_channels)
            }
            fn queued_bulk_messages(&self, channel: domain::Source, limit: usize) -> $crate::Result<Vec<$crate::BulkMessageRow>> {
                self.read_db(|db| $crate::publishing::sql::queued_bulk_messages(db, channel, limit))
            }
            fn bulk_sent_since(&self, channel: domain::Source, since: chrono::DateTime<chrono::Utc>) -> $crate::Result<u64> {
                self.read_db(|db| $crate::publishing::sql::bulk_sent_since(db, channel, since))
            }
            fn deliver_bulk_message(&self, id: i64, outbound: &$crate::OutboundRow, event: Option<&$crate::NewCaseEvent>) -> $crate::Result<Option<$crate::OutboundRow>> {
                self.write_tx(|db| $crate::publishing::sql::deliver_bulk_message(db, id, outbound, event))
            }
            fn cases_of_mentions(&self, mention_ids: &[i64]) -> $crate::Result<Vec<(i64, i64)>> {
                self.read_db(|db| $crate::publishing::sql::cases_of_mentions(db, mention_ids))
            }
            fn replied_cases(&self, case_ids: &[i64]) -> $crate::Result<Vec<i64>> {
                self.read_db(|db| $crate::publishing::sql::replied_cases(db, case_ids))
            }
        }
    };
}
pub(crate) use impl_publishing_store;
