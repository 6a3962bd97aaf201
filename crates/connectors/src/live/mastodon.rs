//! Mastodon streaming client: `GET {base}/api/v1/streaming/{stream}` as Server-Sent
//! Events (optional `Authorization: Bearer`), each event read with
//! [`crate::mastodon::read_stream_event`]. The cursor is the last status id seen
//! (streaming cannot resume; use it as `since_id` of a REST backfill).

use futures_util::StreamExt;

use super::http_stream::{Splitter, open};
use super::{Backoff, LiveChannels, Reconnect, SessionEnd};
use crate::{ConnectorError, Record};

#[derive(Debug, Clone)]
pub struct MastodonStreamConfig {
    /// `https://mastodon.social`.
    pub base_url: String,
    /// `public`, `public/local`, `user`, `hashtag?tag=comptoir`…
    pub stream: String,
    pub access_token: Option<String>,
    pub backoff: Backoff,
}

impl MastodonStreamConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        MastodonStreamConfig {
            base_url: base_url.into(),
            stream: "public".to_string(),
            access_token: None,
            backoff: Backoff::default(),
        }
    }
}

/// Reads the stream until cancelled or the receiver is dropped. Returns the last cursor.
pub async fn run_mastodon_stream(
    client: &reqwest::Client,
    config: &MastodonStreamConfig,
    mut channels: LiveChannels<String>,
) -> Result<Option<String>, ConnectorError> {
    let url = format!(
        "{}/api/v1/streaming/{}",
        config.base_url.trim_end_matches('/'),
        config.stream
    );
    let mut event_count = 0u64;
    let mut reconnect = Reconnect::new("mastodon", config.backoff);
    loop {
        let end = session(
            client,
            &url,
            config.access_token.as_deref(),
            &mut channels,
            &mut event_count,
        )
        .await;
        if !reconnect.after(end, &mut channels).await? {
            break;
        }
    }
    let last_cursor = channels.cursor.borrow().clone();
    Ok(last_cursor)
}

async fn session(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    channels: &mut LiveChannels<String>,
    event_count: &mut u64,
) -> SessionEnd {
    let mut body = match open(client, url, token, "text/event-stream").await {
        Ok(body) => body,
        Err(end) => return end,
    };
    let mut splitter = Splitter::default();
    let mut delivered = false;
    loop {
        let chunk = tokio::select! {
            chunk = body.next() => chunk,
            _ = super::wait_for_cancel(&mut channels.cancel) => return SessionEnd::Stop,
        };
        let chunk = match chunk {
            Some(Ok(chunk)) => chunk,
            Some(Err(error)) => {
                return SessionEnd::Disconnected {
                    reason: error.to_string(),
                    delivered,
                };
            }
            None => {
                return SessionEnd::Disconnected {
                    reason: "the stream ended".into(),
                    delivered,
                };
            }
        };
        for block in splitter.push(&chunk, b"\n\n") {
            let Some((event_name, data)) = sse_event(&block) else {
                continue;
            };
            delivered = true;
            *event_count += 1;
            let record = crate::mastodon::read_stream_event(
                &format!("event {event_count}"),
                &event_name,
                &data,
            );
            let status_id = match &record {
                Record::Event {
                    event: domain::IngestEvent::Upsert(mention) | domain::IngestEvent::Edit(mention),
                    ..
                } => Some(mention.external_id.clone()),
                _ => None,
            };
            if !channels.send(record).await {
                return SessionEnd::Stop;
            }
            if status_id.is_some() {
                channels.cursor.send_replace(status_id);
            }
        }
    }
}

/// The event name and data of one SSE block; `None` for a heartbeat comment.
fn sse_event(block: &str) -> Option<(String, String)> {
    let mut event_name = "message".to_string();
    let mut data_lines = Vec::new();
    for line in block.lines() {
        if let Some(name) = line.strip_prefix("event:") {
            event_name = name.trim().to_string();
        } else if let Some(data) = line.strip_prefix("data:") {
            data_lines.push(data.strip_prefix(' ').unwrap_or(data));
        }
    }
    (!data_lines.is_empty()).then(|| (event_name, data_lines.join("\n")))
}
