//! The `--format` names and the dispatch to each parser.

use crate::{ConnectorError, Record};

/// An input format, by its command-line name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// X API v2 responses (`data` + `includes.users`) and filtered-stream lines, one JSON
    /// object per line; compliance lines (`"action":"delete"`) remove mentions.
    XV2,
    /// Bluesky Jetstream events, one JSON object per line.
    Jetstream,
    /// Mastodon statuses: a JSON status, a JSON array of statuses, streaming events
    /// (SSE text or WebSocket frames, one per line).
    Mastodon,
    /// RSS 2.0, RSS 1.0 or Atom (either name reads any of them).
    Rss,
    Atom,
    /// One RFC 5322 e-mail message.
    Eml,
    /// An mbox file of e-mail messages.
    Mbox,
    /// The Twitter US Airline Sentiment CSV dataset.
    AirlineCsv,
    /// The Kaggle Customer Support on Twitter CSV dataset.
    TwcsCsv,
    /// Comptoir's own mention schema, one JSON object per line.
    Ndjson,
}

impl Format {
    pub const ALL: [Format; 10] = [
        Format::XV2,
        Format::Jetstream,
        Format::Mastodon,
        Format::Rss,
        Format::Atom,
        Format::Eml,
        Format::Mbox,
        Format::AirlineCsv,
        Format::TwcsCsv,
        Format::Ndjson,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::XV2 => "x-v2",
            Format::Jetstream => "jetstream",
            Format::Mastodon => "mastodon",
            Format::Rss => "rss",
            Format::Atom => "atom",
            Format::Eml => "eml",
            Format::Mbox => "mbox",
            Format::AirlineCsv => "airline-csv",
            Format::TwcsCsv => "twcs-csv",
            Format::Ndjson => "ndjson",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = ConnectorError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.name() == name)
            .ok_or_else(|| ConnectorError::UnknownFormat(name.to_string()))
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

pub(crate) fn read_records(format: Format, bytes: &[u8]) -> Result<Vec<Record>, ConnectorError> {
    match format {
        Format::XV2 => Ok(crate::x_v2::read(bytes)),
        Format::Jetstream => Ok(crate::jetstream::read(bytes)),
        Format::Mastodon => Ok(crate::mastodon::read(bytes)),
        Format::Rss => crate::feed::read("rss", bytes),
        Format::Atom => crate::feed::read("atom", bytes),
        Format::Eml => crate::email::read_eml(bytes),
        Format::Mbox => crate::email::read_mbox(bytes),
        Format::AirlineCsv => crate::airline_csv::read(bytes),
        Format::TwcsCsv => crate::twcs_csv::read(bytes),
        Format::Ndjson => Ok(crate::ndjson::read_mentions_body(bytes)),
    }
}
