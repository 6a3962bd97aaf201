//! Live connectors: long-running async clients that push [`Record`]s into a bounded
//! channel (back-pressure: a slow consumer slows the reading down), reconnect with a
//! capped exponential backoff, stop when the receiver is dropped or the cancel signal
//! turns `true`, and publish a resumable cursor the caller can persist.
//!
//! - [`run_jetstream`]: Bluesky Jetstream WebSocket, cursor = last `time_us`.
//! - [`run_mastodon_stream`]: Mastodon streaming API over SSE, cursor = last status id.
//! - [`run_x_filtered_stream`]: X API v2 filtered stream, cursor = last tweet id.
//! - [`poll_feed`]: one conditional GET of an RSS/Atom feed (ETag / Last-Modified).
//! - [`poll_mailbox`]: one IMAP session reading a mailbox's new messages by UID.

mod feed_poll;
mod http_stream;
mod imap;
mod jetstream;
mod mastodon;
mod x_stream;

use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::Record;

pub use feed_poll::{FeedPoll, poll_feed};
pub use imap::{ImapConfig, ImapTls, MailboxCursor, MailboxPoll, poll_mailbox};
pub use jetstream::{JetstreamConfig, run_jetstream};
pub use mastodon::{MastodonStreamConfig, run_mastodon_stream};
pub use x_stream::{XStreamConfig, run_x_filtered_stream};

/// Delays between reconnections: `initial`, doubled after each failed attempt, at most
/// `max`. A session that delivered messages resets the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(60),
        }
    }
}

impl Backoff {
    /// The delay before reconnection attempt number `attempt` (0-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(16));
        self.initial.saturating_mul(factor).min(self.max)
    }
}

/// Where a live client sends what it reads, how it is told to stop, and where it
/// publishes its cursor (`C`: the resume position) after each record.
pub struct LiveChannels<C> {
    pub records: mpsc::Sender<Record>,
    /// Set to `true` to stop the client.
    pub cancel: watch::Receiver<bool>,
    pub cursor: watch::Sender<Option<C>>,
}

impl<C> LiveChannels<C> {
    fn is_cancelled(&self) -> bool {
        *self.cancel.borrow()
    }

    /// Sends one record; `false` when the receiver is gone (time to stop).
    async fn send(&mut self, record: Record) -> bool {
        tokio::select! {
            sent = self.records.send(record) => sent.is_ok(),
            _ = wait_for_cancel(&mut self.cancel) => false,
        }
    }
}

/// Why a session (one connection) ended.
enum SessionEnd {
    /// Cancelled or the receiver is gone: do not reconnect.
    Stop,
    /// The connection failed or closed; `delivered` says whether any message came.
    Disconnected { reason: String, delivered: bool },
    /// A failure a reconnection cannot fix (bad credentials, bad URL).
    Fatal(crate::ConnectorError),
}

/// Resolves when the cancel flag becomes `true` (or its sender is dropped).
async fn wait_for_cancel(cancel: &mut watch::Receiver<bool>) {
    while !*cancel.borrow_and_update() {
        if cancel.changed().await.is_err() {
            // No one can cancel any more: wait forever.
            std::future::pending::<()>().await;
        }
    }
}

/// What to do after each session: stop, fail, or sleep the backoff and reconnect.
struct Reconnect {
    name: &'static str,
    backoff: Backoff,
    attempt: u32,
}

impl Reconnect {
    fn new(name: &'static str, backoff: Backoff) -> Self {
        Reconnect {
            name,
            backoff,
            attempt: 0,
        }
    }

    /// `Ok(true)`: connect again (after the delay); `Ok(false)`: stop.
    async fn after<C>(
        &mut self,
        end: SessionEnd,
        channels: &mut LiveChannels<C>,
    ) -> Result<bool, crate::ConnectorError> {
        let (reason, delivered) = match end {
            SessionEnd::Stop => return Ok(false),
            SessionEnd::Fatal(error) => return Err(error),
            SessionEnd::Disconnected { reason, delivered } => (reason, delivered),
        };
        if delivered {
            self.attempt = 0;
        }
        let delay = self.backoff.delay(self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        tracing::warn!(connector = self.name, %reason, delay_ms = delay.as_millis() as u64, "disconnected, reconnecting");
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = wait_for_cancel(&mut channels.cancel) => return Ok(false),
        }
        Ok(!channels.is_cancelled() && !channels.records.is_closed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let backoff = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        assert_eq!(backoff.delay(0), Duration::from_millis(100));
        assert_eq!(backoff.delay(2), Duration::from_millis(400));
        assert_eq!(backoff.delay(10), Duration::from_secs(1));
        assert_eq!(backoff.delay(u32::MAX), Duration::from_secs(1));
    }
}
