//! The index schema: which mention values are indexed, and how.

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, Schema, TextFieldIndexing,
    TextOptions, FAST, INDEXED, STORED, STRING,
};

use crate::tokenizer;

/// Bump when the schema or the analysis changes: an index built with another version is
/// reported as [`crate::SearchError::SchemaMismatch`] and must be rebuilt.
pub const SCHEMA_VERSION: u32 = 2;

/// Field names, also used for fast-field access.
pub(crate) mod names {
    pub const ID: &str = "id";
    pub const SOURCE: &str = "source";
    pub const LANG: &str = "lang";
    pub const DAY: &str = "day";
    pub const CREATED_AT: &str = "created_at";
    pub const SENTIMENT: &str = "sentiment";
    pub const INTENT: &str = "intent";
    pub const REASON: &str = "reason";
}

/// Handles to the schema's fields.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub id: Field,
    /// Title and text, listen words with positions: decides matches.
    pub body: Field,
    /// Title and text stemmed in French / English: ranking only.
    pub body_fr: Field,
    pub body_en: Field,
    pub hashtags: Field,
    pub mentioned: Field,
    pub author: Field,
    pub source: Field,
    pub lang: Field,
    /// `reply`, `repost`, `link`.
    pub flags: Field,
    pub created_at: Field,
    /// `2015-02-24`, for per-day counts.
    pub day: Field,
    /// The enrichment: `negative`, `complaint`, `delay_or_cancellation` (absent when the
    /// mention has no enrichment).
    pub sentiment: Field,
    pub intent: Field,
    pub reason: Field,
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |tokenizer_name: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(tokenizer_name).set_index_option(record),
        )
    };
    let fields = Fields {
        id: builder.add_u64_field(names::ID, INDEXED | FAST | STORED),
        body: builder.add_text_field("body", text(tokenizer::WORDS, IndexRecordOption::WithFreqsAndPositions)),
        body_fr: builder.add_text_field("body_fr", text(tokenizer::FRENCH, IndexRecordOption::WithFreqs)),
        body_en: builder.add_text_field("body_en", text(tokenizer::ENGLISH, IndexRecordOption::WithFreqs)),
        hashtags: builder.add_text_field("hashtags", STRING),
        mentioned: builder.add_text_field("mentioned", STRING),
        author: builder.add_text_field("author", STRING),
        source: builder.add_text_field(names::SOURCE, STRING | FAST),
        lang: builder.add_text_field(names::LANG, STRING | FAST),
        flags: builder.add_text_field("flags", STRING),
        created_at: builder.add_date_field(
            names::CREATED_AT,
            DateOptions::from(INDEXED | FAST).set_precision(DateTimePrecision::Seconds),
        ),
        day: builder.add_text_field(names::DAY, STRING | FAST),
        sentiment: builder.add_text_field(names::SENTIMENT, STRING | FAST),
        intent: builder.add_text_field(names::INTENT, STRING | FAST),
        reason: builder.add_text_field(names::REASON, STRING | FAST),
    };
    (builder.build(), fields)
}
