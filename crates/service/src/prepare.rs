//! The stateless stages of the pipeline: normalise, check sizes, extract entities,
//! detect the language, enrich (sentiment, reason, intent, author type), match listening
//! topics (which may filter on the enrichment), sign for near-duplicate lookup.
//!
//! Pure per record, so it runs on any number of threads.

use chrono::Utc;
use connectors::Record;
use domain::{Enrichment, IngestEvent, Mention, QuarantineRecord, Source, MAX_TEXT_BYTES};
use listen::{MatchDoc, TopicMatcher};
use nlp::Analyzer;
use store::MentionWrite;

use crate::counters::Counters;
use crate::neardup::{self, Signature};

/// Where a batch of records came from, for quarantine records and logs.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The format name (`airline-csv`, `jetstream`, `http`…).
    pub format: String,
    /// The file, URL or stream name.
    pub origin: String,
}

/// A record after the stateless stages.
#[derive(Debug, Clone)]
pub enum Prepared {
    Mention { write: MentionWrite, signature: Option<Signature> },
    Edit(MentionWrite),
    Delete { source: Source, external_id: String },
    Rejected(QuarantineRecord),
    Ignored,
}

/// What the stateless stages need besides the record: shared, read-only, built once.
#[derive(Clone, Copy)]
pub struct Stages<'a> {
    pub topics: &'a TopicMatcher,
    pub analyzer: &'a Analyzer,
    pub counters: &'a Counters,
}

/// Runs the stateless stages over one record.
pub fn prepare(record: Record, origin: &Origin, stages: Stages<'_>) -> Prepared {
    let started = std::time::Instant::now();
    let prepared = prepare_record(record, origin, stages);
    Counters::time(&stages.counters.prepare_micros, started);
    prepared
}

fn prepare_record(record: Record, origin: &Origin, stages: Stages<'_>) -> Prepared {
    let counters = stages.counters;
    Counters::add(&counters.records_read, 1);
    let (position, event) = match record {
        Record::Event { position, event } => (position, event),
        Record::Rejected { position, reason, raw } => {
            return reject(origin, position, reason, &raw, counters);
        }
        Record::Ignored { .. } => {
            Counters::add(&counters.records_ignored, 1);
            return Prepared::Ignored;
        }
    };
    match event {
        IngestEvent::Upsert(mention) => match derive(mention, stages) {
            Ok((write, signature)) => Prepared::Mention { write, signature },
            Err((reason, raw)) => reject(origin, position, reason, &raw, counters),
        },
        IngestEvent::Edit(mention) => match derive(mention, stages) {
            Ok((write, _)) => Prepared::Edit(write),
            Err((reason, raw)) => reject(origin, position, reason, &raw, counters),
        },
        IngestEvent::Delete { source, external_id } => Prepared::Delete { source, external_id },
    }
}

fn reject(origin: &Origin, position: String, reason: String, raw: &str, counters: &Counters) -> Prepared {
    Counters::add(&counters.records_quarantined, 1);
    Prepared::Rejected(QuarantineRecord {
        format: origin.format.clone(),
        origin: origin.origin.clone(),
        position,
        reason,
        raw: QuarantineRecord::bounded_raw(raw),
        received_at: Utc::now(),
    })
}

/// Normalises a mention and derives what the later stages need.
fn derive(mut mention: Mention, stages: Stages<'_>) -> Result<(MentionWrite, Option<Signature>), (String, String)> {
    let counters = stages.counters;
    if mention.text.len() > MAX_TEXT_BYTES {
        let reason = format!(
            "text is {} bytes, more than the {} bytes a mention may have",
            mention.text.len(),
            MAX_TEXT_BYTES
        );
        return Err((reason, std::mem::take(&mut mention.raw)));
    }
    if mention.external_id.trim().is_empty() {
        return Err(("the post has an empty id".to_string(), std::mem::take(&mut mention.raw)));
    }
    strip_nul_characters(&mut mention);
    mention.text = listen::normalize_text(&mention.text);
    mention.title = mention.title.map(|title| listen::normalize_text(&title));
    let entities = listen::extract_entities(&mention.text);
    merge(&mut mention.hashtags, entities.hashtags);
    merge(&mut mention.mentioned, entities.mentioned);
    merge(&mut mention.urls, entities.urls);
    mention.author.handle = mention.author.handle.trim_start_matches('@').to_string();
    Counters::add(&counters.mentions_normalized, 1);

    if mention.language.is_none() {
        let guess = match &mention.title {
            Some(title) => nlp::detect_language(&format!("{title}\n{}", mention.text)),
            None => nlp::detect_language(&mention.text),
        };
        if let Some(guess) = guess {
            mention.language = Some(guess.code.to_string());
            Counters::add(&counters.mentions_language_detected, 1);
        }
    }

    let enrichment = enrich(stages.analyzer, &mention, counters);
    let signature = copy_signature(&mention.text);
    let topics = match_topics(stages.topics, &mention, &enrichment, counters);
    Ok((MentionWrite { mention, duplicate_of: None, topics, enrichment: Some(enrichment) }, signature))
}

/// The analyser's verdict on a normalised mention whose language is already detected
/// (`None` language: the analyser treats it as not French, without detecting again).
pub(crate) fn enrich(analyzer: &Analyzer, mention: &Mention, counters: &Counters) -> Enrichment {
    let started = std::time::Instant::now();
    let language = Some(mention.language.as_deref().unwrap_or(UNKNOWN_LANGUAGE));
    let enrichment = analyzer.analyze(&mention.text, language, &mention.author);
    Counters::time(&counters.enrich_micros, started);
    Counters::add(&counters.mentions_enriched, 1);
    enrichment
}

/// Passed to the analyser for a mention whose language detection found nothing: it must
/// not detect a second time (detection already failed on this very text).
const UNKNOWN_LANGUAGE: &str = "und";

/// Names of the listening topics the mention matches, enrichment included.
pub(crate) fn match_topics(topics: &TopicMatcher, mention: &Mention, enrichment: &Enrichment, counters: &Counters) -> Vec<String> {
    if topics.is_empty() {
        return Vec::new();
    }
    let doc = MatchDoc::from_mention(mention).with_enrichment(Some(enrichment));
    let matched: Vec<String> = topics.matching_topics(&doc).into_iter().map(str::to_string).collect();
    if !matched.is_empty() {
        Counters::add(&counters.mentions_topic_matched, 1);
    }
    matched
}

/// The near-duplicate signature of a text, ignoring a repost prefix (`RT @user:`),
/// handles and links, which copy campaigns vary on purpose.
fn copy_signature(text: &str) -> Option<Signature> {
    let mut word_hashes = Vec::with_capacity(32);
    for token in text.split_whitespace() {
        if token.starts_with('@') || token.starts_with("http") || token.starts_with("www.") || token == "RT" {
            continue;
        }
        listen::for_each_word(token, |word, _| word_hashes.push(neardup::hash_word(word)));
    }
    neardup::signature_of_hashes(&word_hashes)
}

fn merge(into: &mut Vec<String>, found: Vec<String>) {
    for item in found {
        if !into.contains(&item) {
            into.push(item);
        }
    }
}

/// PostgreSQL cannot store U+0000 in text, and no real post contains it: it only comes
/// from broken exports or attacks. Removed everywhere (the verbatim payload included)
/// so both backends store the same thing.
fn strip_nul_characters(mention: &mut Mention) {
    let author = &mut mention.author;
    let fields = [
        Some(&mut mention.text),
        Some(&mut mention.raw),
        Some(&mut mention.external_id),
        Some(&mut author.handle),
        mention.title.as_mut(),
        mention.url.as_mut(),
        author.display_name.as_mut(),
        author.bio.as_mut(),
        author.external_id.as_mut(),
    ];
    for field in fields.into_iter().flatten() {
        if field.contains('\0') {
            *field = field.replace('\0', "");
        }
    }
}
