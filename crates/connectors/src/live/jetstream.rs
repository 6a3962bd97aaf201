//! Bluesky Jetstream WebSocket client: `{endpoint}?wantedCollections=…&cursor=TIME_US`,
//! one JSON event per text message, read with [`crate::jetstream::read_event`]. The
//! cursor is the last event's `time_us`; reconnections resume from it.

use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

use super::{Backoff, LiveChannels, Reconnect, SessionEnd};
use crate::ConnectorError;

/// Where and what to subscribe to.
#[derive(Debug, Clone)]
pub struct JetstreamConfig {
    /// `wss://jetstream1.us-east.bsky.network/subscribe` (or `ws://` for tests).
    pub endpoint: String,
    /// Collections to receive; posts are the ones that carry mentions.
    pub wanted_collections: Vec<String>,
    pub backoff: Backoff,
}

impl JetstreamConfig {
    pub fn new(endpoint: impl Into<String>) -> Self {
        JetstreamConfig {
            endpoint: endpoint.into(),
            wanted_collections: vec!["app.bsky.feed.post".to_string()],
            backoff: Backoff::default(),
        }
    }

    fn url(&self, cursor: Option<u64>) -> String {
        let mut url = self.endpoint.clone();
        let mut separator = if url.contains('?') { '&' } else { '?' };
        for collection in &self.wanted_collections {
            url.push_str(&format!("{separator}wantedCollections={collection}"));
            separator = '&';
        }
        if let Some(cursor) = cursor {
            url.push_str(&format!("{separator}cursor={cursor}"));
        }
        url
    }
}

/// Reads Jetstream until cancelled or the receiver is dropped, starting at the cursor
/// in `channels.cursor` (if any). Returns the last cursor.
pub async fn run_jetstream(
    config: &JetstreamConfig,
    mut channels: LiveChannels<u64>,
) -> Result<Option<u64>, ConnectorError> {
    let mut message_count = 0u64;
    let mut reconnect = Reconnect::new("jetstream", config.backoff);
    loop {
        let url = config.url(*channels.cursor.borrow());
        let end = session(url, &mut channels, &mut message_count).await;
        if !reconnect.after(end, &mut channels).await? {
            break;
        }
    }
    let last_cursor = *channels.cursor.borrow();
    Ok(last_cursor)
}

async fn session(
    url: String,
    channels: &mut LiveChannels<u64>,
    message_count: &mut u64,
) -> SessionEnd {
    let connected = tokio::select! {
        connected = tokio_tungstenite::connect_async(url.as_str()) => connected,
        _ = super::wait_for_cancel(&mut channels.cancel) => return SessionEnd::Stop,
    };
    let mut socket = match connected {
        Ok((socket, _response)) => socket,
        Err(tokio_tungstenite::tungstenite::Error::Url(error)) => {
            return SessionEnd::Fatal(ConnectorError::Network(format!(
                "invalid Jetstream URL {url}: {error}"
            )));
        }
        Err(error) => {
            return SessionEnd::Disconnected {
                reason: error.to_string(),
                delivered: false,
            };
        }
    };
    let mut delivered = false;
    loop {
        let message = tokio::select! {
            message = socket.next() => message,
            _ = super::wait_for_cancel(&mut channels.cancel) => return SessionEnd::Stop,
        };
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_))) | None => {
                return SessionEnd::Disconnected {
                    reason: "the server closed the connection".into(),
                    delivered,
                };
            }
            Some(Ok(_)) => continue,
            Some(Err(error)) => {
                return SessionEnd::Disconnected {
                    reason: error.to_string(),
                    delivered,
                };
            }
        };
        delivered = true;
        *message_count += 1;
        let record =
            crate::jetstream::read_event(&format!("message {message_count}"), text.as_str());
        let time_us = serde_json::from_str::<EventTime>(text.as_str())
            .ok()
            .and_then(|event| event.time_us);
        if !channels.send(record).await {
            return SessionEnd::Stop;
        }
        if let Some(time_us) = time_us {
            channels.cursor.send_replace(Some(time_us));
        }
    }
}

#[derive(serde::Deserialize)]
struct EventTime {
    time_us: Option<u64>,
}
