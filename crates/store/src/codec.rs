//! Conversions shared by both adapters: a [`MentionWrite`] to column values, column values
//! back to a [`StoredMention`], timestamps, and the merge behind `changes_since`.
//!
//! Both backends store the same columns with the same meaning, so the rules live here once:
//! timestamps are kept to the microsecond (PostgreSQL's precision), engagement counts are
//! signed 64-bit integers, lists and the author are JSON.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use domain::{
    Author, AuthorType, Enrichment, Intent, Mention, MentionId, MentionLinks, PublicMetrics,
    SentimentLabel, Source, StoredMention,
};

use crate::{Changes, MentionWrite, Result, StoreError};

/// The precision both backends keep; what is written is what is read back.
pub(crate) fn stored_timestamp(timestamp: DateTime<Utc>) -> DateTime<Utc> {
    timestamp.trunc_subsecs(6)
}

/// The current time as it will be stored.
pub(crate) fn now() -> DateTime<Utc> {
    stored_timestamp(Utc::now())
}

/// Writes `time` as chrono's serde does (RFC 3339 in UTC with `Z`, and 0, 3, 6 or 9
/// fraction digits, the fewest that keep it exact) into `buffer`; `None` for what the
/// short form cannot hold (years outside 0–9999, leap seconds), left to chrono.
fn write_rfc3339(time: &DateTime<Utc>, buffer: &mut [u8; 30]) -> Option<usize> {
    use chrono::{Datelike, Timelike};
    let year = time.year();
    let nanos = time.nanosecond();
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return None;
    }
    let mut at = 0;
    let mut put = |mut value: u32, digits: usize| {
        for place in (at..at + digits).rev() {
            buffer[place] = b'0' + (value % 10) as u8;
            value /= 10;
        }
        at += digits;
    };
    put(year as u32, 4);
    put(time.month(), 2);
    put(time.day(), 2);
    put(time.hour(), 2);
    put(time.minute(), 2);
    put(time.second(), 2);
    let (fraction, digits) = match nanos {
        0 => (0, 0),
        _ if nanos % 1_000_000 == 0 => (nanos / 1_000_000, 3),
        _ if nanos % 1_000 == 0 => (nanos / 1_000, 6),
        _ => (nanos, 9),
    };
    put(fraction, digits);
    // Digits were written packed; spread them into `YYYY-MM-DDTHH:MM:SS[.fff…]Z`.
    let packed: [u8; 23] = buffer[..23].try_into().ok()?;
    let mut length = 0;
    let mut emit = |byte: u8| {
        buffer[length] = byte;
        length += 1;
    };
    for (index, digit) in packed[..14 + digits].iter().enumerate() {
        match index {
            4 | 6 => emit(b'-'),
            8 => emit(b'T'),
            10 | 12 => emit(b':'),
            14 => emit(b'.'),
            _ => {}
        }
        emit(*digit);
    }
    emit(b'Z');
    Some(length)
}

/// `#[serde(serialize_with)]` for a timestamp: the same text as chrono's `Serialize`, in
/// one piece. chrono writes it in a dozen fragments, each escaped separately by
/// serde_json, which made timestamps the largest cost of an inbox page.
pub(crate) fn serialize_time<S: serde::Serializer>(time: &DateTime<Utc>, serializer: S) -> std::result::Result<S::Ok, S::Error> {
    let mut buffer = [0u8; 30];
    match write_rfc3339(time, &mut buffer) {
        Some(length) => serializer.serialize_str(std::str::from_utf8(&buffer[..length]).unwrap_or_default()),
        None => serde::Serialize::serialize(time, serializer),
    }
}

/// [`serialize_time`] for an optional timestamp (`null` when absent).
pub(crate) fn serialize_opt_time<S: serde::Serializer>(time: &Option<DateTime<Utc>>, serializer: S) -> std::result::Result<S::Ok, S::Error> {
    match time {
        Some(time) => serialize_time(time, serializer),
        None => serializer.serialize_none(),
    }
}

/// Quarantined input as it can be kept: a NUL character (which PostgreSQL cannot store in
/// text, and a record that failed to parse may well hold) becomes U+2400 `␀`, visibly.
pub(crate) fn keepable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\0') { text.replace('\0', "\u{2400}").into() } else { text.into() }
}

/// SQLite keeps timestamps as fixed-width RFC 3339 text, which sorts chronologically.
pub(crate) fn timestamp_to_text(timestamp: DateTime<Utc>) -> String {
    timestamp.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn timestamp_from_text(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|timestamp| timestamp.with_timezone(&Utc))
        .map_err(|error| StoreError::Corrupt(format!("timestamp {text:?}: {error}")))
}

pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // Serialising domain types (strings, numbers, derived structs) cannot fail.
    serde_json::to_string(value).expect("domain types serialise to JSON")
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(column: &str, json: &str) -> Result<T> {
    serde_json::from_str(json)
        .map_err(|error| StoreError::Corrupt(format!("column {column}: {error}")))
}

/// Counts above `i64::MAX` cannot come from a real source; they are stored saturated.
pub(crate) fn count_to_column(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

pub(crate) fn count_from_column(column: &str, value: i64) -> Result<u64> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("column {column}: {value} < 0")))
}

/// The column values of one mention, ready to bind, in schema order.
pub(crate) struct MentionColumns<'a> {
    pub source: &'static str,
    pub external_id: &'a str,
    pub url: Option<&'a str>,
    pub author_handle: &'a str,
    pub author_json: String,
    pub title: Option<&'a str>,
    pub text: &'a str,
    pub language: Option<&'a str>,
    pub created_at: DateTime<Utc>,
    pub in_reply_to: Option<&'a str>,
    pub quoted: Option<&'a str>,
    pub reposted: Option<&'a str>,
    pub thread_id: Option<&'a str>,
    pub likes: i64,
    pub reposts: i64,
    pub replies: i64,
    pub quotes: i64,
    pub hashtags_json: String,
    pub mentioned_json: String,
    pub urls_json: String,
    pub raw: &'a str,
    pub duplicate_of: Option<i64>,
    pub topics_json: String,
    pub enrichment: EnrichmentColumns<'a>,
}

/// The enrichment columns; all `None` for a mention without enrichment.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EnrichmentColumns<'a> {
    pub sentiment: Option<&'static str>,
    pub sentiment_confidence: Option<f32>,
    pub reason: Option<&'a str>,
    pub intent: Option<&'static str>,
    pub author_type: Option<&'static str>,
    pub model_version: Option<&'a str>,
}

impl<'a> EnrichmentColumns<'a> {
    pub(crate) fn encode(enrichment: Option<&'a Enrichment>) -> Self {
        let Some(enrichment) = enrichment else {
            return EnrichmentColumns::default();
        };
        EnrichmentColumns {
            sentiment: Some(enrichment.sentiment.as_str()),
            sentiment_confidence: Some(enrichment.sentiment_confidence),
            reason: enrichment.reason.as_deref(),
            intent: Some(enrichment.intent.as_str()),
            author_type: Some(enrichment.author_type.as_str()),
            model_version: Some(&enrichment.model_version),
        }
    }
}

/// The enrichment columns as read from either backend.
#[derive(Debug, Clone, Default)]
pub(crate) struct EnrichmentRow {
    pub sentiment: Option<String>,
    pub sentiment_confidence: Option<f32>,
    pub reason: Option<String>,
    pub intent: Option<String>,
    pub author_type: Option<String>,
    pub model_version: Option<String>,
}

impl EnrichmentRow {
    /// `None` when the mention was stored without enrichment (no sentiment).
    pub(crate) fn decode(self) -> Result<Option<Enrichment>> {
        let Some(sentiment) = self.sentiment else {
            return Ok(None);
        };
        let corrupt = |column: &str, value: &str| {
            StoreError::Corrupt(format!("column {column}: unknown value {value:?}"))
        };
        let missing = |column: &str| StoreError::Corrupt(format!("column {column} is empty"));
        let intent = self.intent.ok_or_else(|| missing("intent"))?;
        let author_type = self.author_type.ok_or_else(|| missing("author_type"))?;
        Ok(Some(Enrichment {
            sentiment: SentimentLabel::parse(&sentiment)
                .ok_or_else(|| corrupt("sentiment", &sentiment))?,
            sentiment_confidence: self
                .sentiment_confidence
                .ok_or_else(|| missing("sentiment_confidence"))?,
            reason: self.reason,
            intent: Intent::parse(&intent).ok_or_else(|| corrupt("intent", &intent))?,
            author_type: AuthorType::parse(&author_type)
                .ok_or_else(|| corrupt("author_type", &author_type))?,
            model_version: self.model_version.ok_or_else(|| missing("model_version"))?,
        }))
    }
}

impl<'a> MentionColumns<'a> {
    pub(crate) fn encode(write: &'a MentionWrite) -> Self {
        let mention = &write.mention;
        MentionColumns {
            source: mention.source.as_str(),
            external_id: &mention.external_id,
            url: mention.url.as_deref(),
            author_handle: &mention.author.handle,
            author_json: to_json(&mention.author),
            title: mention.title.as_deref(),
            text: &mention.text,
            language: mention.language.as_deref(),
            created_at: stored_timestamp(mention.created_at),
            in_reply_to: mention.links.in_reply_to.as_deref(),
            quoted: mention.links.quoted.as_deref(),
            reposted: mention.links.reposted.as_deref(),
            thread_id: mention.links.thread_id.as_deref(),
            likes: count_to_column(mention.metrics.likes),
            reposts: count_to_column(mention.metrics.reposts),
            replies: count_to_column(mention.metrics.replies),
            quotes: count_to_column(mention.metrics.quotes),
            hashtags_json: to_json(&mention.hashtags),
            mentioned_json: to_json(&mention.mentioned),
            urls_json: to_json(&mention.urls),
            raw: &mention.raw,
            duplicate_of: write.duplicate_of.map(|id| id.0),
            topics_json: to_json(&write.topics),
            enrichment: EnrichmentColumns::encode(write.enrichment.as_ref()),
        }
    }
}

/// The columns every mention query selects, in the order [`MentionRow`] reads them.
pub(crate) const MENTION_SELECT_COLUMNS: &str = "id, source, external_id, url, author, title, \
     text, language, created_at, in_reply_to, quoted, reposted, thread_id, likes, reposts, \
     replies, quotes, hashtags, mentioned, urls, raw, duplicate_of, topics, ingested_at, seq, \
     sentiment, sentiment_confidence, reason, intent, author_type, model_version";

/// One stored mention as read from either backend, before decoding.
pub(crate) struct MentionRow {
    pub id: i64,
    pub source: String,
    pub external_id: String,
    pub url: Option<String>,
    pub author_json: String,
    pub title: Option<String>,
    pub text: String,
    pub language: Option<String>,
    pub created_at: DateTime<Utc>,
    pub in_reply_to: Option<String>,
    pub quoted: Option<String>,
    pub reposted: Option<String>,
    pub thread_id: Option<String>,
    pub likes: i64,
    pub reposts: i64,
    pub replies: i64,
    pub quotes: i64,
    pub hashtags_json: String,
    pub mentioned_json: String,
    pub urls_json: String,
    pub raw: String,
    pub duplicate_of: Option<i64>,
    pub topics_json: String,
    pub ingested_at: DateTime<Utc>,
    pub seq: i64,
    pub enrichment: EnrichmentRow,
}

impl MentionRow {
    pub(crate) fn decode(self) -> Result<StoredMention> {
        let source: Source = self
            .source
            .parse()
            .map_err(|error| StoreError::Corrupt(format!("column source: {error}")))?;
        let author: Author = from_json("author", &self.author_json)?;
        let mention = Mention {
            source,
            external_id: self.external_id,
            url: self.url,
            author,
            title: self.title,
            text: self.text,
            language: self.language,
            created_at: self.created_at,
            links: MentionLinks {
                in_reply_to: self.in_reply_to,
                quoted: self.quoted,
                reposted: self.reposted,
                thread_id: self.thread_id,
            },
            metrics: PublicMetrics {
                likes: count_from_column("likes", self.likes)?,
                reposts: count_from_column("reposts", self.reposts)?,
                replies: count_from_column("replies", self.replies)?,
                quotes: count_from_column("quotes", self.quotes)?,
            },
            hashtags: from_json("hashtags", &self.hashtags_json)?,
            mentioned: from_json("mentioned", &self.mentioned_json)?,
            urls: from_json("urls", &self.urls_json)?,
            raw: self.raw,
        };
        Ok(StoredMention {
            id: MentionId(self.id),
            mention,
            duplicate_of: self.duplicate_of.map(MentionId),
            topics: from_json("topics", &self.topics_json)?,
            enrichment: self.enrichment.decode()?,
            ingested_at: self.ingested_at,
        })
    }
}

/// Merges the upserts and tombstones after `after_seq` (each already sorted by seq and cut
/// to `limit`) into at most `limit` changes with the lowest seqs, so that passing
/// `last_seq` back pages through every change exactly once.
pub(crate) fn merge_changes(
    after_seq: i64,
    limit: usize,
    upserted: Vec<(i64, StoredMention)>,
    deleted: Vec<(i64, MentionId)>,
) -> Changes {
    let mut changes = Changes {
        last_seq: after_seq,
        ..Changes::default()
    };
    let mut upserted = upserted.into_iter().peekable();
    let mut deleted = deleted.into_iter().peekable();
    for _ in 0..limit {
        let next_upsert_seq = upserted.peek().map(|(seq, _)| *seq);
        let next_delete_seq = deleted.peek().map(|(seq, _)| *seq);
        let take_upsert = match (next_upsert_seq, next_delete_seq) {
            (None, None) => break,
            (Some(upsert_seq), Some(delete_seq)) => upsert_seq < delete_seq,
            (upsert_seq, _) => upsert_seq.is_some(),
        };
        if take_upsert {
            let (seq, mention) = upserted.next().expect("peeked");
            changes.upserted.push(mention);
            changes.last_seq = seq;
        } else {
            let (seq, id) = deleted.next().expect("peeked");
            changes.deleted.push(id);
            changes.last_seq = seq;
        }
    }
    changes
}

/// Orders found mentions as the caller's ids, skipping ids that are not stored.
pub(crate) fn in_requested_order(
    ids: &[MentionId],
    found: Vec<StoredMention>,
) -> Vec<StoredMention> {
    let mut by_id: std::collections::HashMap<MentionId, StoredMention> = found
        .into_iter()
        .map(|mention| (mention.id, mention))
        .collect();
    ids.iter().filter_map(|id| by_id.remove(id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_serialise_exactly_as_chrono_does() {
        #[derive(serde::Serialize)]
        struct Fast(#[serde(serialize_with = "serialize_time")] DateTime<Utc>);
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut checked = 0;
        for round in 0..20_000u64 {
            let seconds = (next() % 320_000_000_000) as i64 - 62_000_000_000; // years ~0035 to ~12100
            let nanos = match round % 4 {
                0 => 0,
                1 => (next() % 1_000) as u32 * 1_000_000,
                2 => (next() % 1_000_000) as u32 * 1_000,
                _ => (next() % 1_000_000_000) as u32,
            };
            let time = DateTime::from_timestamp(seconds, nanos).unwrap();
            assert_eq!(serde_json::to_string(&Fast(time)).unwrap(), serde_json::to_string(&time).unwrap(), "{time:?}");
            checked += 1;
        }
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31).unwrap().and_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap().and_utc();
        assert_eq!(serde_json::to_string(&Fast(leap)).unwrap(), serde_json::to_string(&leap).unwrap());
        assert_eq!(serde_json::to_string(&Fast(DateTime::UNIX_EPOCH)).unwrap(), "\"1970-01-01T00:00:00Z\"");
        assert_eq!(checked, 20_000);
    }

    #[test]
    fn timestamps_keep_microseconds_as_fixed_width_text() {
        let timestamp = DateTime::parse_from_rfc3339("2024-03-01T10:20:30.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        let stored = stored_timestamp(timestamp);
        let text = timestamp_to_text(stored);
        assert_eq!(text, "2024-03-01T10:20:30.123456Z");
        assert_eq!(timestamp_from_text(&text).unwrap(), stored);
    }

    #[test]
    fn negative_counts_are_corrupt_data() {
        assert!(count_from_column("likes", -1).is_err());
        assert_eq!(count_to_column(u64::MAX), i64::MAX);
    }
}

/// An `author_influence` row as read, before its source and counts are checked.
pub(crate) struct InfluenceRow {
    pub source: String,
    pub handle: String,
    pub display_name: Option<String>,
    pub followers: Option<i64>,
    pub score: f64,
    pub posts: i64,
    pub echoes: i64,
    pub state: String,
    pub updated_at: DateTime<Utc>,
}

pub(crate) const INFLUENCE_SELECT_COLUMNS: &str =
    "source, handle, display_name, followers, score, posts, echoes, state, updated_at";

impl InfluenceRow {
    pub(crate) fn decode(self) -> Result<crate::AuthorInfluence> {
        let source: Source = self
            .source
            .parse()
            .map_err(|error| StoreError::Corrupt(format!("column source: {error}")))?;
        Ok(crate::AuthorInfluence {
            source,
            handle: self.handle,
            display_name: self.display_name,
            followers: self.followers.map(|followers| count_from_column("followers", followers)).transpose()?,
            score: self.score,
            posts: count_from_column("posts", self.posts)?,
            echoes: count_from_column("echoes", self.echoes)?,
            state: self.state,
            updated_at: self.updated_at,
        })
    }
}
