//! RSS/Atom polling: one conditional GET (`If-None-Match` / `If-Modified-Since`), the
//! body read like the `rss` format. The caller keeps the returned validators.

use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

use crate::{ConnectorError, Record};

/// What one poll found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedPoll {
    /// 304: nothing new since the validators sent.
    NotModified,
    /// The feed's entries and the validators to send next time.
    Fetched {
        records: Vec<Record>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// Fetches `url` once, sending the validators of the previous poll.
pub async fn poll_feed(
    client: &reqwest::Client,
    url: &str,
    etag: Option<&str>,
    last_modified: Option<&str>,
) -> Result<FeedPoll, ConnectorError> {
    let mut request = client.get(url).header(
        reqwest::header::ACCEPT,
        "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8",
    );
    if let Some(etag) = etag {
        request = request.header(IF_NONE_MATCH, etag);
    }
    if let Some(last_modified) = last_modified {
        request = request.header(IF_MODIFIED_SINCE, last_modified);
    }
    let response = request
        .send()
        .await
        .map_err(|error| ConnectorError::Network(format!("GET {url}: {error}")))?;
    if response.status() == StatusCode::NOT_MODIFIED {
        return Ok(FeedPoll::NotModified);
    }
    if !response.status().is_success() {
        return Err(ConnectorError::Network(format!(
            "GET {url} answered {}",
            response.status()
        )));
    }
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|value: &reqwest::header::HeaderValue| value.to_str().ok())
            .map(str::to_string)
    };
    let (etag, last_modified) = (header(ETAG), header(LAST_MODIFIED));
    let body = response
        .bytes()
        .await
        .map_err(|error| ConnectorError::Network(format!("GET {url}: {error}")))?;
    let records = crate::feed::read("rss", &body)?;
    Ok(FeedPoll::Fetched {
        records,
        etag,
        last_modified,
    })
}
