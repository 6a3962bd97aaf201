//! Mentions and their authors, as every source is mapped to them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{MentionId, Source};

/// Longest text kept for one mention; longer texts are rejected into quarantine
/// (a 10 MB "tweet" is an attack or a broken export, not a mention).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// Who wrote a mention, as the source describes them at the time of the mention.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// The handle at the source, without a leading `@` (`united`, `alice.bsky.social`,
    /// `user@mastodon.social`, an e-mail address).
    pub handle: String,
    /// The source's own id for the account, when it has one (X user id, Bluesky DID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub following: Option<u64>,
    #[serde(default)]
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
}

/// Public engagement counts, as last seen at the source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicMetrics {
    #[serde(default)]
    pub likes: u64,
    #[serde(default)]
    pub reposts: u64,
    #[serde(default)]
    pub replies: u64,
    #[serde(default)]
    pub quotes: u64,
}

/// References to other posts, by their external id at the same source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentionLinks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quoted: Option<String>,
    /// Set when this mention is a repost (retweet, boost) of another post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reposted: Option<String>,
    /// The conversation this post belongs to (X `conversation_id`, Bluesky root,
    /// e-mail thread root, Facebook post of a comment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
}

/// One public post, message or article that mentions something we listen to.
///
/// Connectors fill what the source says; the pipeline fills `language` when the source
/// did not, and the extracted entities (`hashtags`, `mentioned`, `urls`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub source: Source,
    /// The source's id of the post; (source, external_id) is unique in the store.
    pub external_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub author: Author,
    /// A title when the source has one (feed item, e-mail subject).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub text: String,
    /// ISO 639-1 code (`fr`, `en`…), or `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub links: MentionLinks,
    #[serde(default)]
    pub metrics: PublicMetrics,
    /// Hashtags in the text, lower-cased, without `#`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashtags: Vec<String>,
    /// Handles mentioned in the text, lower-cased, without `@`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentioned: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// The payload exactly as the source sent it (a JSON object, a CSV row, an e-mail).
    #[serde(default)]
    pub raw: String,
}

impl Mention {
    pub fn is_reply(&self) -> bool {
        self.links.in_reply_to.is_some()
    }

    pub fn is_repost(&self) -> bool {
        self.links.reposted.is_some()
    }

    pub fn has_link(&self) -> bool {
        !self.urls.is_empty()
    }
}

/// A mention as stored, with what the pipeline linked it to.
///
/// Not `Eq`: the enrichment's confidence is a float.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredMention {
    pub id: MentionId,
    #[serde(flatten)]
    pub mention: Mention,
    /// The stored original this mention copies (a repost, a copy-paste campaign).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<MentionId>,
    /// Names of the listening topics whose query matches this mention.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    /// What the understanding models said (sentiment, reason, intent, author type, and
    /// which models said it); `None` for mentions stored before enrichment existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrichment: Option<crate::Enrichment>,
    pub ingested_at: DateTime<Utc>,
}

/// What a source tells us: a new post, a new version of a post, or its removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestEvent {
    /// A post; a post already stored under the same (source, external id) is a duplicate.
    Upsert(Mention),
    /// A new version of a post (an edit at the source): replaces the stored one.
    Edit(Mention),
    /// The post was removed at the source (deleted, protected, account deactivated).
    Delete { source: Source, external_id: String },
}

/// A record that could not be turned into a mention, kept with where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantineRecord {
    /// The input format name (`airline-csv`, `x-v2`, `http`…).
    pub format: String,
    /// The file or stream it came from.
    pub origin: String,
    /// Where in it (`line 12`, `byte 3051`, `message 4`).
    pub position: String,
    pub reason: String,
    /// The record as received, cut to a bounded size.
    pub raw: String,
    pub received_at: DateTime<Utc>,
}

impl QuarantineRecord {
    /// Bytes of a rejected record kept in quarantine.
    pub const MAX_RAW_BYTES: usize = 16 * 1024;

    /// Cuts `raw` to [`Self::MAX_RAW_BYTES`] on a character boundary.
    pub fn bounded_raw(raw: &str) -> String {
        if raw.len() <= Self::MAX_RAW_BYTES {
            return raw.to_string();
        }
        let mut end = Self::MAX_RAW_BYTES;
        while !raw.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…[{} bytes cut]", &raw[..end], raw.len() - end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_raw_cuts_on_a_char_boundary() {
        let long = "é".repeat(QuarantineRecord::MAX_RAW_BYTES);
        let cut = QuarantineRecord::bounded_raw(&long);
        assert!(cut.len() < long.len());
        assert!(cut.contains("bytes cut"));
        assert_eq!(QuarantineRecord::bounded_raw("short"), "short");
    }
}
