//! One module per real source format. Parsers are pure functions from bytes to
//! [`Record`]s; live clients (WebSocket, HTTP streaming, feed polling) push the same
//! records into a channel. A bad record never stops the ones beside it: it becomes a
//! [`Record::Rejected`] that says where and why.
#![doc = include_str!("../README.md")]

mod airline_csv;
mod common;
mod csv_rows;
mod email;
mod error;
mod feed;
mod format;
mod html;
pub mod jetstream;
pub mod live;
pub mod mastodon;
pub mod meta;
mod ndjson;
pub mod smtp;
mod twcs_csv;
mod x_v2;

pub use error::ConnectorError;
pub use format::Format;
pub use html::html_to_text;
pub use ndjson::{parse_mention_json, read_mentions_body};

use domain::IngestEvent;

/// One record read from an input, in input order.
// Events are the common case; boxing them would cost an allocation per record.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A post, an edit or a removal, at `position` in the input.
    Event {
        position: String,
        event: IngestEvent,
    },
    /// A record that could not be understood; it goes to quarantine.
    Rejected {
        position: String,
        reason: String,
        raw: String,
    },
    /// A well-formed record that carries no mention (a like, a follow, a profile update).
    Ignored { position: String, what: String },
}

/// Reads every record of `bytes` in the given format. Fails only when the input as a
/// whole cannot be read (not XML at all, an empty mbox…); bad records inside a readable
/// input are returned as [`Record::Rejected`].
pub fn read_records(format: Format, bytes: &[u8]) -> Result<Vec<Record>, ConnectorError> {
    format::read_records(format, bytes)
}
