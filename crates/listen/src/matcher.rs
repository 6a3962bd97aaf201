//! The live matcher: evaluates a [`Query`] against one mention, and a set of listening
//! topics against each incoming mention.

use std::borrow::Cow;

use domain::{Enrichment, Intent, Mention, SentimentLabel, Source, StoredMention};

use crate::analysis::{fold, for_each_word};
use crate::positions::{near, phrase_starts, within_edits};
use crate::query::{parse, Expr, FieldFilter, Query, QueryError};

/// What a query can look at in one mention, prepared once and reused for every topic.
///
/// The search crate indexes these same values, so both paths agree.
#[derive(Debug, Clone)]
pub struct MatchDoc {
    /// Distinct folded words, sorted; `word_spans[i]` indexes `positions`.
    words: Vec<String>,
    word_spans: Vec<(u32, u32)>,
    positions: Vec<u32>,
    hashtags: Vec<String>,
    mentioned: Vec<String>,
    author: String,
    source: Source,
    language: Option<String>,
    is_reply: bool,
    is_repost: bool,
    has_link: bool,
    sentiment: Option<SentimentLabel>,
    intent: Option<Intent>,
    /// See [`reason_key`].
    reason: Option<String>,
}

/// The text whose words a query searches: the title, a newline, then the text.
pub fn body_text(mention: &Mention) -> Cow<'_, str> {
    match &mention.title {
        Some(title) if !title.is_empty() => Cow::Owned(format!("{title}\n{}", mention.text)),
        _ => Cow::Borrowed(&mention.text),
    }
}

/// The value `author:` compares with: the handle folded, without a leading `@`.
pub fn author_key(handle: &str) -> String {
    fold(handle.trim().trim_start_matches('@'))
}

/// The value `reason:` compares with: the reason label in lower case, its words joined by `_`.
pub fn reason_key(reason: &str) -> String {
    // A brand's own taxonomy may have spaces ("Late Flight"): `reason:late_flight` finds it.
    reason.split_whitespace().collect::<Vec<_>>().join("_").to_lowercase()
}

#[cfg(test)]
mod reason_key_tests {
    #[test]
    fn reasons_with_spaces_become_one_query_word() {
        assert_eq!(super::reason_key(" Late  Flight "), "late_flight");
        assert_eq!(super::reason_key("delay_or_cancellation"), "delay_or_cancellation");
        assert_eq!(super::reason_key("Can't Tell"), "can't_tell");
        assert_eq!(super::reason_key("   "), "");
    }
}

/// The value `lang:` compares with: the language code in lower case.
pub fn language_key(language: &str) -> String {
    language.trim().to_ascii_lowercase()
}

impl MatchDoc {
    /// Prepares a mention. Hashtags, handles and URLs are the mention's own lists (the
    /// pipeline fills them with [`crate::extract_entities`]).
    pub fn from_mention(mention: &Mention) -> MatchDoc {
        let mut occurrences: Vec<(String, u32)> = Vec::new();
        for_each_word(&body_text(mention), |word, position| {
            occurrences.push((word.to_string(), position));
        });
        occurrences.sort_unstable();
        let mut words: Vec<String> = Vec::new();
        let mut word_spans = Vec::new();
        let mut positions = Vec::with_capacity(occurrences.len());
        for (word, position) in occurrences {
            if words.last() != Some(&word) {
                word_spans.push((positions.len() as u32, positions.len() as u32));
                words.push(word);
            }
            positions.push(position);
            if let Some(span) = word_spans.last_mut() {
                span.1 += 1;
            }
        }
        let folded_values = |values: &[String]| -> Vec<String> {
            values.iter().map(|value| fold(value)).filter(|value| !value.is_empty()).collect()
        };
        MatchDoc {
            words,
            word_spans,
            positions,
            hashtags: folded_values(&mention.hashtags),
            mentioned: mention.mentioned.iter().map(|handle| author_key(handle)).filter(|h| !h.is_empty()).collect(),
            author: author_key(&mention.author.handle),
            source: mention.source,
            language: mention.language.as_deref().map(language_key).filter(|code| !code.is_empty()),
            is_reply: mention.is_reply(),
            is_repost: mention.is_repost(),
            has_link: mention.has_link(),
            sentiment: None,
            intent: None,
            reason: None,
        }
    }

    /// Adds what the understanding models said, for `sentiment:`, `intent:` and `reason:`.
    pub fn with_enrichment(mut self, enrichment: Option<&Enrichment>) -> MatchDoc {
        self.sentiment = enrichment.map(|enrichment| enrichment.sentiment);
        self.intent = enrichment.map(|enrichment| enrichment.intent);
        self.reason = enrichment
            .and_then(|enrichment| enrichment.reason.as_deref())
            .map(reason_key)
            .filter(|reason| !reason.is_empty());
        self
    }

    /// Prepares a stored mention with its enrichment.
    pub fn from_stored(stored: &StoredMention) -> MatchDoc {
        MatchDoc::from_mention(&stored.mention).with_enrichment(stored.enrichment.as_ref())
    }

    /// Sorted positions of a folded word (empty when absent).
    pub fn positions_of(&self, word: &str) -> &[u32] {
        match self.words.binary_search_by(|candidate| candidate.as_str().cmp(word)) {
            Ok(index) => {
                let (start, end) = self.word_spans[index];
                &self.positions[start as usize..end as usize]
            }
            Err(_) => &[],
        }
    }

    /// Distinct folded words of the title and text, sorted.
    pub fn words(&self) -> &[String] {
        &self.words
    }
    /// Folded hashtags (without `#`).
    pub fn hashtags(&self) -> &[String] {
        &self.hashtags
    }
    /// Folded handles mentioned in the text (without `@`).
    pub fn mentioned(&self) -> &[String] {
        &self.mentioned
    }
    /// The author's folded handle, see [`author_key`].
    pub fn author(&self) -> &str {
        &self.author
    }
    pub fn source(&self) -> Source {
        self.source
    }
    /// The language code in lower case, see [`language_key`].
    pub fn language(&self) -> Option<&str> {
        self.language.as_deref()
    }
    pub fn is_reply(&self) -> bool {
        self.is_reply
    }
    pub fn is_repost(&self) -> bool {
        self.is_repost
    }
    pub fn has_link(&self) -> bool {
        self.has_link
    }
    pub fn sentiment(&self) -> Option<SentimentLabel> {
        self.sentiment
    }
    pub fn intent(&self) -> Option<Intent> {
        self.intent
    }
    /// The complaint reason, see [`reason_key`].
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    fn phrase_starts(&self, phrase: &[String]) -> Vec<u32> {
        let lists: Vec<&[u32]> = phrase.iter().map(|word| self.positions_of(word)).collect();
        phrase_starts(&lists)
    }
}

impl Query {
    /// Whether the mention matches this query.
    pub fn matches(&self, doc: &MatchDoc) -> bool {
        expr_matches(self.root(), doc)
    }
}

fn expr_matches(expr: &Expr, doc: &MatchDoc) -> bool {
    match expr {
        Expr::All => true,
        Expr::Word(word) => !doc.positions_of(word).is_empty(),
        Expr::Phrase(words) => !doc.phrase_starts(words).is_empty(),
        Expr::Near { left, right, max_between } => {
            let left_starts = doc.phrase_starts(left);
            let right_starts = doc.phrase_starts(right);
            near((&left_starts, left.len() as u32), (&right_starts, right.len() as u32), *max_between)
        }
        Expr::Prefix(prefix) => {
            let first = doc.words.partition_point(|word| word.as_str() < prefix.as_str());
            doc.words.get(first).is_some_and(|word| word.starts_with(prefix.as_str()))
        }
        Expr::Fuzzy { word, max_edits } => {
            doc.words.iter().any(|candidate| within_edits(word, candidate, *max_edits))
        }
        Expr::Hashtag(tag) => doc.hashtags.contains(tag),
        Expr::Mentioned(handle) => doc.mentioned.contains(handle),
        Expr::Field(filter) => field_matches(filter, doc),
        Expr::Not(inner) => !expr_matches(inner, doc),
        Expr::And(children) => children.iter().all(|child| expr_matches(child, doc)),
        Expr::Or(children) => children.iter().any(|child| expr_matches(child, doc)),
    }
}

fn field_matches(filter: &FieldFilter, doc: &MatchDoc) -> bool {
    match filter {
        FieldFilter::Language(code) => doc.language() == Some(code.as_str()),
        FieldFilter::Source(source) => doc.source == *source,
        FieldFilter::Author(handle) => doc.author == *handle,
        FieldFilter::HasLink => doc.has_link,
        FieldFilter::IsReply => doc.is_reply,
        FieldFilter::IsRepost => doc.is_repost,
        FieldFilter::Sentiment(label) => doc.sentiment == Some(*label),
        FieldFilter::Intent(intent) => doc.intent == Some(*intent),
        FieldFilter::Reason(reason) => doc.reason.as_deref() == Some(reason.as_str()),
    }
}

/// A listening topic ready to tag mentions.
#[derive(Debug, Clone)]
struct CompiledTopic {
    name: String,
    query: Query,
    /// Lower-case language codes; empty means every language.
    languages: Vec<String>,
}

/// Tags mentions with the names of the listening topics whose query they match.
#[derive(Debug, Clone, Default)]
pub struct TopicMatcher {
    topics: Vec<CompiledTopic>,
}

/// A topic whose query does not parse, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicQueryError {
    pub topic: String,
    pub error: QueryError,
}

impl TopicMatcher {
    /// Compiles `(name, query, languages)` triples; fails on the first invalid query.
    pub fn new<'a>(
        topics: impl IntoIterator<Item = (&'a str, &'a str, &'a [String])>,
    ) -> Result<TopicMatcher, TopicQueryError> {
        let mut compiled = Vec::new();
        for (name, query, languages) in topics {
            let query = parse(query)
                .map_err(|error| TopicQueryError { topic: name.to_string(), error })?;
            let languages = languages.iter().map(|code| language_key(code)).collect();
            compiled.push(CompiledTopic { name: name.to_string(), query, languages });
        }
        Ok(TopicMatcher { topics: compiled })
    }

    /// Names of the topics matching the mention, in the order the topics were given.
    pub fn matching_topics(&self, doc: &MatchDoc) -> Vec<&str> {
        self.topics
            .iter()
            .filter(|topic| {
                topic.languages.is_empty()
                    || doc.language().is_some_and(|code| topic.languages.iter().any(|l| l == code))
            })
            .filter(|topic| topic.query.matches(doc))
            .map(|topic| topic.name.as_str())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.topics.len()
    }

    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }
}
