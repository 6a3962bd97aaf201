//! Comptoir's domain: what a mention, an author, a source, a listening topic, a user
//! (and what each role may do) and a contact are.
//!
//! Pure types and rules, no I/O: every other crate speaks in these terms.

mod access;
mod contact;
mod enrichment;
mod error;
mod ids;
mod mention;
mod source;
mod topic;

pub use access::*;
pub use contact::*;
pub use enrichment::*;
pub use error::{DomainError, ErrorKind};
pub use ids::{MentionId, TopicId};
pub use mention::{
    Author, IngestEvent, Mention, MentionLinks, PublicMetrics, QuarantineRecord, StoredMention,
    MAX_TEXT_BYTES,
};
pub use source::{Source, UnknownSource};
pub use topic::{ListeningTopic, NewListeningTopic};
