//! X API v2 filtered-stream client: `GET {base}/2/tweets/search/stream?expansions=…`
//! with `Authorization: Bearer`, one JSON object per line (blank keep-alive lines are
//! skipped), read like the `x-v2` format. The cursor is the last tweet id seen.

use futures_util::StreamExt;

use super::http_stream::{Splitter, open};
use super::{Backoff, LiveChannels, Reconnect, SessionEnd};
use crate::{ConnectorError, Record};

/// The fields the `x-v2` mapping uses.
const QUERY: &str = "expansions=author_id&tweet.fields=created_at,lang,conversation_id,referenced_tweets,public_metrics,author_id&user.fields=username,name,description,public_metrics,verified,created_at";

#[derive(Debug, Clone)]
pub struct XStreamConfig {
    /// `https://api.x.com`.
    pub base_url: String,
    pub bearer_token: String,
    pub backoff: Backoff,
}

/// Reads the filtered stream until cancelled or the receiver is dropped. Returns the
/// last cursor. A 401/403 answer is an error (reconnecting would not help).
pub async fn run_x_filtered_stream(
    client: &reqwest::Client,
    config: &XStreamConfig,
    mut channels: LiveChannels<String>,
) -> Result<Option<String>, ConnectorError> {
    let url = format!(
        "{}/2/tweets/search/stream?{QUERY}",
        config.base_url.trim_end_matches('/')
    );
    let mut line_count = 0u64;
    let mut reconnect = Reconnect::new("x-filtered-stream", config.backoff);
    loop {
        let end = session(
            client,
            &url,
            &config.bearer_token,
            &mut channels,
            &mut line_count,
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
    token: &str,
    channels: &mut LiveChannels<String>,
    line_count: &mut u64,
) -> SessionEnd {
    let mut body = match open(client, url, Some(token), "application/json").await {
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
        for line in splitter.push(&chunk, b"\n") {
            if line.trim().is_empty() {
                continue; // keep-alive
            }
            delivered = true;
            *line_count += 1;
            let mut records = Vec::new();
            crate::x_v2::read_line(&format!("line {line_count}"), &line, &mut records);
            for record in records {
                let tweet_id = match &record {
                    Record::Event {
                        event: domain::IngestEvent::Upsert(mention),
                        ..
                    } => Some(mention.external_id.clone()),
                    _ => None,
                };
                if !channels.send(record).await {
                    return SessionEnd::Stop;
                }
                if tweet_id.is_some() {
                    channels.cursor.send_replace(tweet_id);
                }
            }
        }
    }
}
