//! The connectors' one error type: an input that cannot be read at all.

use domain::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error(
        "unknown format {0:?} (known: x-v2, jetstream, mastodon, rss, atom, eml, mbox, airline-csv, twcs-csv, ndjson)"
    )]
    UnknownFormat(String),
    #[error("the input cannot be read as {format}: {reason}")]
    Unreadable {
        format: &'static str,
        reason: String,
    },
    #[error("network: {0}")]
    Network(String),
}

impl ConnectorError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ConnectorError::UnknownFormat(_) | ConnectorError::Unreadable { .. } => {
                ErrorKind::Invalid
            }
            ConnectorError::Network(_) => ErrorKind::Unavailable,
        }
    }
}
