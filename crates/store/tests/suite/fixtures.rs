//! Mentions to write in tests: a short one, and one with every field set.

use chrono::{DateTime, TimeZone, Utc};
use domain::{
    Author, AuthorType, Enrichment, Intent, Mention, MentionId, MentionLinks, PublicMetrics,
    SentimentLabel, Source,
};
use store::{MentionWrite, WriteOutcome};

/// A timestamp with microseconds, the precision both backends keep.
pub fn at(seconds_after_2024: i64, micros: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
        + chrono::Duration::seconds(seconds_after_2024)
        + chrono::Duration::microseconds(i64::from(micros))
}

/// A short X post with only the required fields.
pub fn short_post(external_id: &str, text: &str) -> MentionWrite {
    MentionWrite {
        mention: Mention {
            source: Source::X,
            external_id: external_id.to_string(),
            url: None,
            author: Author {
                handle: "someone".to_string(),
                ..Author::default()
            },
            title: None,
            text: text.to_string(),
            language: None,
            created_at: at(60, 0),
            links: MentionLinks::default(),
            metrics: PublicMetrics::default(),
            hashtags: Vec::new(),
            mentioned: Vec::new(),
            urls: Vec::new(),
            raw: format!("{{\"id\":\"{external_id}\"}}"),
        },
        duplicate_of: None,
        topics: Vec::new(),
        enrichment: None,
    }
}

/// An enrichment as the analyser gives it, with a confidence that is not a round number.
pub fn negative_enrichment(model_version: &str) -> Enrichment {
    Enrichment {
        sentiment: SentimentLabel::Negative,
        sentiment_confidence: 0.873_456_7,
        reason: Some("delay_or_cancellation".to_string()),
        intent: Intent::Complaint,
        author_type: AuthorType::JournalistOrMedia,
        model_version: model_version.to_string(),
    }
}

/// A Bluesky post with every field set: unicode, emoji, quotes, and a 64 KiB raw payload.
pub fn post_with_every_field(external_id: &str) -> MentionWrite {
    let mut raw = String::from("{\"text\":\"Très déçu 😡 «retard» \\\"encore\\\"\",\"padding\":\"");
    while raw.len() < 64 * 1024 + 100 {
        raw.push_str("ñ𝄞✈️");
    }
    raw.push_str("\"}");
    MentionWrite {
        mention: Mention {
            source: Source::Bluesky,
            external_id: external_id.to_string(),
            url: Some(format!(
                "https://bsky.app/profile/alice.bsky.social/post/{external_id}"
            )),
            author: Author {
                handle: "alice.bsky.social".to_string(),
                external_id: Some("did:plc:abc123".to_string()),
                display_name: Some("Alice Ünïcødé 🦋".to_string()),
                bio: Some("Voyageuse fréquente.\nLigne 2 — « guillemets »".to_string()),
                followers: Some(12_345),
                following: Some(678),
                verified: true,
                created_at: Some(at(-86_400 * 400, 250_000)),
            },
            title: Some("Un titre 📰".to_string()),
            text:
                "@united vol UA123 annulé 😡✈️ #fail #Voyage — ça ne va pas ! 'quotes' \"double\""
                    .to_string(),
            language: Some("fr".to_string()),
            created_at: at(3_600, 123_456),
            links: MentionLinks {
                in_reply_to: Some("reply-target".to_string()),
                quoted: Some("quoted-post".to_string()),
                reposted: Some("reposted-post".to_string()),
                thread_id: Some("thread-root".to_string()),
            },
            metrics: PublicMetrics {
                likes: 42,
                reposts: 7,
                replies: 3,
                quotes: 1,
            },
            hashtags: vec!["fail".to_string(), "voyage".to_string()],
            mentioned: vec!["united".to_string()],
            urls: vec!["https://example.com/é?q=1&r=2".to_string()],
            raw,
        },
        duplicate_of: Some(MentionId(987_654)),
        topics: vec!["Compagnies aériennes".to_string(), "crise 🔥".to_string()],
        enrichment: Some(negative_enrichment("sentiment-en:1a2b3c4d,rules:1")),
    }
}

pub fn inserted_id(outcome: WriteOutcome) -> MentionId {
    match outcome {
        WriteOutcome::Inserted { id, .. } => id,
        WriteOutcome::Duplicate { id } => panic!("expected an insert, got a duplicate of {id}"),
    }
}

pub fn inserted_seq(outcome: WriteOutcome) -> i64 {
    match outcome {
        WriteOutcome::Inserted { seq, .. } => seq,
        WriteOutcome::Duplicate { id } => panic!("expected an insert, got a duplicate of {id}"),
    }
}
