//! A streaming HTTP GET shared by the SSE and line-delimited clients: connects, checks
//! the status (401/403/404 are fatal, others are retried) and hands over the body chunks.

use futures_util::StreamExt;

use super::SessionEnd;
use crate::ConnectorError;

/// Opens `url` with an optional bearer token; on success returns the body stream.
pub(super) async fn open(
    client: &reqwest::Client,
    url: &str,
    bearer_token: Option<&str>,
    accept: &str,
) -> Result<
    impl futures_util::Stream<Item = Result<bytes::Bytes, reqwest::Error>> + use<>,
    SessionEnd,
> {
    let mut request = client.get(url).header(reqwest::header::ACCEPT, accept);
    if let Some(token) = bearer_token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|error| {
        if error.is_builder() {
            SessionEnd::Fatal(ConnectorError::Network(format!(
                "invalid request to {url}: {error}"
            )))
        } else {
            SessionEnd::Disconnected {
                reason: error.to_string(),
                delivered: false,
            }
        }
    })?;
    let status = response.status();
    if matches!(status.as_u16(), 401 | 403 | 404) {
        return Err(SessionEnd::Fatal(ConnectorError::Network(format!(
            "{url} answered {status}"
        ))));
    }
    if !status.is_success() {
        return Err(SessionEnd::Disconnected {
            reason: format!("{url} answered {status}"),
            delivered: false,
        });
    }
    Ok(response.bytes_stream().boxed())
}

/// Splits a byte stream into complete pieces ending with `separator` (lines, SSE blocks).
#[derive(Default)]
pub(super) struct Splitter {
    pending: Vec<u8>,
}

impl Splitter {
    /// Adds a chunk and returns every complete piece (without its separator).
    pub fn push(&mut self, chunk: &[u8], separator: &[u8]) -> Vec<String> {
        self.pending
            .extend(chunk.iter().filter(|byte| **byte != b'\r'));
        let mut pieces = Vec::new();
        while let Some(end) = self
            .pending
            .windows(separator.len())
            .position(|window| window == separator)
        {
            let piece: Vec<u8> = self
                .pending
                .drain(..end + separator.len())
                .take(end)
                .collect();
            pieces.push(String::from_utf8_lossy(&piece).into_owned());
        }
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_cut_across_chunks() {
        let mut splitter = Splitter::default();
        assert_eq!(
            splitter.push(b"event: a\r\ndata: 1", b"\n\n"),
            Vec::<String>::new()
        );
        assert_eq!(
            splitter.push(b"\r\n\r\n:hb\n\n", b"\n\n"),
            vec!["event: a\ndata: 1".to_string(), ":hb".to_string()]
        );
    }
}
