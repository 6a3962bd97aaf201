//! Live connectors run by `comptoir serve`: each configured source streams records into
//! a bounded channel; a forwarder batches them for the ingestion thread; the resume
//! cursor (Jetstream `time_us`, last status or tweet id, feed validators) is kept in the
//! store's state table so a restart continues where it stopped.

use std::sync::Arc;
use std::time::Duration;

use connectors::live::{
    poll_mailbox, ImapConfig, MailboxCursor, MailboxPoll, poll_feed, run_jetstream, run_mastodon_stream, run_x_filtered_stream, FeedPoll, JetstreamConfig, LiveChannels,
    MastodonStreamConfig, XStreamConfig,
};
use connectors::Record;
use tokio::sync::{mpsc, watch};

use crate::app::App;
use crate::ingest::IngestHandle;
use crate::prepare::Origin;

/// Records a forwarder gathers before handing them to the ingestion thread.
const FORWARD_BATCH: usize = 256;
/// How long a forwarder waits to fill a batch.
const FORWARD_WAIT: Duration = Duration::from_millis(200);

/// Starts a task per configured live source. They stop with the runtime.
pub fn start_live_connectors(app: Arc<App>, ingest: IngestHandle) {
    let config = app.config.connectors.clone();
    let client = reqwest::Client::builder().user_agent(concat!("comptoir/", env!("CARGO_PKG_VERSION"))).build();
    let client = match client {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "cannot build the HTTP client: live connectors are off");
            return;
        }
    };
    if let Some(endpoint) = config.jetstream_url.clone() {
        let (channels, records) = channels::<u64>(&app, "cursor:jetstream");
        forward(records, ingest.clone(), "jetstream", &endpoint);
        let jetstream = JetstreamConfig::new(endpoint);
        on_own_thread("jetstream", move || async move {
            if let Err(error) = run_jetstream(&jetstream, channels).await {
                tracing::error!(%error, "the Jetstream connector stopped");
            }
        });
    }
    if let Some(base_url) = config.mastodon_url.clone() {
        let (channels, records) = channels::<String>(&app, "cursor:mastodon");
        forward(records, ingest.clone(), "mastodon", &base_url);
        let stream_config = MastodonStreamConfig { access_token: config.mastodon_token.clone(), ..MastodonStreamConfig::new(base_url) };
        let client = client.clone();
        on_own_thread("mastodon", move || async move {
            if let Err(error) = run_mastodon_stream(&client, &stream_config, channels).await {
                tracing::error!(%error, "the Mastodon connector stopped");
            }
        });
    }
    if let (Some(base_url), Some(bearer_token)) = (config.x_url.clone(), config.x_bearer_token.clone()) {
        let (channels, records) = channels::<String>(&app, "cursor:x");
        forward(records, ingest.clone(), "x-v2", &base_url);
        let stream_config = XStreamConfig { base_url, bearer_token, backoff: Default::default() };
        let client = client.clone();
        on_own_thread("x", move || async move {
            if let Err(error) = run_x_filtered_stream(&client, &stream_config, channels).await {
                tracing::error!(%error, "the X filtered-stream connector stopped");
            }
        });
    }
    let interval = Duration::from_secs(config.feed_poll_seconds.max(30));
    for url in config.feeds {
        tokio::spawn(poll_feed_forever(app.clone(), ingest.clone(), client.clone(), url, interval));
    }
    for mailbox in config.imap {
        tokio::spawn(poll_mailbox_forever(app.clone(), ingest.clone(), mailbox));
    }
}

/// Runs a live client on a thread of its own (a current-thread runtime): a stuck or
/// busy connection never slows the server, and the client's future need not be `Send`.
fn on_own_thread<F, Fut>(name: &str, make_client: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let spawned = std::thread::Builder::new().name(format!("comptoir-{name}")).spawn(move || {
        match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => runtime.block_on(make_client()),
            Err(error) => tracing::error!(%error, "cannot start a connector runtime"),
        }
    });
    if let Err(error) = spawned {
        tracing::error!(%error, name, "cannot start a connector thread");
    }
}

/// The channels of one live client, with its cursor restored from the store and saved
/// back whenever it moves (at most every few seconds).
fn channels<C>(app: &Arc<App>, key: &'static str) -> (LiveChannels<C>, mpsc::Receiver<Record>)
where
    C: std::str::FromStr + ToString + Clone + Send + Sync + 'static,
{
    // The store is synchronous: leave the async context while reading it.
    let saved = tokio::task::block_in_place(|| app.store().get_state(key))
        .ok()
        .flatten()
        .and_then(|value| value.parse::<C>().ok());
    let (cursor_sender, mut cursor_receiver) = watch::channel(saved);
    let (records_sender, records) = mpsc::channel(1024);
    let (cancel_sender, cancel) = watch::channel(false);
    let app = app.clone();
    tokio::spawn(async move {
        let _keep_running = cancel_sender;
        while cursor_receiver.changed().await.is_ok() {
            let value = cursor_receiver.borrow_and_update().clone();
            if let Some(value) = value {
                let app = app.clone();
                let text = value.to_string();
                let saved = tokio::task::spawn_blocking(move || app.store().set_state(key, &text)).await;
                if !matches!(saved, Ok(Ok(()))) {
                    tracing::warn!(key, "could not save a connector cursor");
                }
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
    (LiveChannels { records: records_sender, cancel, cursor: cursor_sender }, records)
}

/// Batches records from a live client and hands them to the ingestion thread.
fn forward(mut records: mpsc::Receiver<Record>, ingest: IngestHandle, format: &str, origin: &str) {
    let origin = Origin { format: format.to_string(), origin: origin.to_string() };
    tokio::spawn(async move {
        while let Some(first) = records.recv().await {
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + FORWARD_WAIT;
            while batch.len() < FORWARD_BATCH {
                match tokio::time::timeout_at(deadline, records.recv()).await {
                    Ok(Some(record)) => batch.push(record),
                    _ => break,
                }
            }
            if ingest.send(batch, origin.clone()).await.is_err() {
                return;
            }
        }
    });
}

async fn poll_feed_forever(app: Arc<App>, ingest: IngestHandle, client: reqwest::Client, url: String, interval: Duration) {
    let key_etag = format!("feed:{url}:etag");
    let key_modified = format!("feed:{url}:last-modified");
    let origin = Origin { format: "rss".into(), origin: url.clone() };
    loop {
        let (etag, last_modified) = tokio::task::block_in_place(|| {
            let store = app.store();
            (store.get_state(&key_etag).ok().flatten(), store.get_state(&key_modified).ok().flatten())
        });
        match poll_feed(&client, &url, etag.as_deref(), last_modified.as_deref()).await {
            Ok(FeedPoll::NotModified) => tracing::debug!(%url, "feed not modified"),
            Ok(FeedPoll::Fetched { records, etag, last_modified }) => {
                if ingest.ingest(records, origin.clone()).await.is_ok() {
                    let app = app.clone();
                    let (key_etag, key_modified) = (key_etag.clone(), key_modified.clone());
                    let _ = tokio::task::spawn_blocking(move || {
                        let store = app.store();
                        if let Some(etag) = etag {
                            let _ = store.set_state(&key_etag, &etag);
                        }
                        if let Some(last_modified) = last_modified {
                            let _ = store.set_state(&key_modified, &last_modified);
                        }
                    })
                    .await;
                }
            }
            Err(error) => tracing::warn!(%url, %error, "feed poll failed"),
        }
        tokio::time::sleep(interval).await;
    }
}

/// Reads a mailbox's new messages every `poll_seconds` (at once again while more wait).
/// The cursor is saved only after the messages are durably ingested: a crash re-reads
/// them, and the store's upsert by Message-ID keeps one copy.
pub async fn poll_mailbox_forever(app: Arc<App>, ingest: IngestHandle, mailbox: ImapConfig) {
    let name = mailbox.origin();
    loop {
        let more = match poll_mailbox_once(&app, &ingest, &mailbox).await {
            Ok(more) => more,
            Err(error) => {
                tracing::warn!(mailbox = %name, %error, "mailbox poll failed");
                false
            }
        };
        if !more {
            tokio::time::sleep(mailbox.interval()).await;
        }
    }
}

/// One poll: read after the saved cursor, ingest, save the cursor. `Ok(true)` when more
/// messages wait.
pub async fn poll_mailbox_once(app: &Arc<App>, ingest: &IngestHandle, mailbox: &ImapConfig) -> Result<bool, String> {
    let name = mailbox.origin();
    let saved = {
        let (app, name) = (app.clone(), name.clone());
        tokio::task::spawn_blocking(move || app.store().get_mailbox_cursor(&name))
            .await
            .map_err(|error| error.to_string())?
            .map_err(|error| error.to_string())?
    };
    let cursor = saved.and_then(|row| {
        Some(MailboxCursor { uid_validity: u32::try_from(row.uid_validity).ok()?, last_uid: u32::try_from(row.last_uid).ok()? })
    });
    let MailboxPoll { records, cursor: next, more } = poll_mailbox(mailbox, cursor).await.map_err(|error| error.to_string())?;
    if Some(next) == cursor {
        return Ok(more);
    }
    if !records.is_empty() {
        let origin = Origin { format: "eml".into(), origin: name.clone() };
        let report = ingest.ingest(records, origin).await?;
        tracing::debug!(mailbox = %name, ?report, "mailbox messages ingested");
    }
    let app = app.clone();
    tokio::task::spawn_blocking(move || app.store().save_mailbox_cursor(&name, i64::from(next.uid_validity), i64::from(next.last_uid)))
        .await
        .map_err(|error| error.to_string())?
        .map_err(|error| error.to_string())?;
    Ok(more)
}
