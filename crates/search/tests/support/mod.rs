//! Building mentions for the search tests.

use chrono::{TimeZone, Utc};
use domain::{Author, Mention, MentionId, MentionLinks, PublicMetrics, Source, StoredMention};

/// A stored mention with entities extracted from its text, as the pipeline stores it.
pub fn stored(id: i64, text: &str) -> StoredMention {
    let entities = listen::extract_entities(text);
    let created_at = Utc.with_ymd_and_hms(2015, 2, 24, 10, 0, 0).unwrap() + chrono::Duration::hours(id);
    StoredMention {
        id: MentionId(id),
        mention: Mention {
            source: Source::X,
            external_id: id.to_string(),
            url: None,
            author: Author { handle: "alice".into(), ..Author::default() },
            title: None,
            text: text.into(),
            language: Some("en".into()),
            created_at,
            links: MentionLinks::default(),
            metrics: PublicMetrics::default(),
            hashtags: entities.hashtags,
            mentioned: entities.mentioned,
            urls: entities.urls,
            raw: String::new(),
        },
        duplicate_of: None,
        topics: Vec::new(),
        enrichment: None,
        ingested_at: created_at,
    }
}
