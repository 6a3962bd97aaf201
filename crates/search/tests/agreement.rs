//! THE agreement property: for random mentions and random queries of the grammar, the
//! index returns exactly the mentions the live matcher (`listen`) accepts.

mod support;

use std::collections::BTreeSet;

use domain::{AuthorType, Enrichment, Intent, SentimentLabel, Source};
use proptest::prelude::*;
use search::{SearchIndex, SearchRequest, Sort};

const TEXT_WORDS: &[&str] = &[
    "retard", "Retardé", "RETARD", "retards", "bagage", "baggage", "Bagages", "garage", "lost",
    "Lost", "luggage", "my", "was", "the", "café", "CAFE", "cafe", "vol", "annulé", "annule",
    "l'avion", "avion", "refund", "œuvre", "oeuvre", "#retard", "#Bagage", "@sncf",
    "@Alice.bsky.social", "😡", "delay", "delayed", "https://t.co/x", "ab", "ba", "abc",
];
const SEPARATORS: &[&str] = &[" ", " ", " ", ", ", "-", "'", "! ", "\n"];

const REASONS: &[&str] = &["delay_or_cancellation", "outage", "Billing_And_Refunds", "other"];

/// No enrichment (stored before issue #3), or any sentiment, intent and reason.
fn enrichment_strategy() -> impl Strategy<Value = Option<Enrichment>> {
    let enrichment = (
        prop::sample::select(SentimentLabel::ALL.to_vec()),
        prop::sample::select(Intent::ALL.to_vec()),
        prop::option::of(prop::sample::select(REASONS)),
    )
        .prop_map(|(sentiment, intent, reason)| Enrichment {
            sentiment,
            sentiment_confidence: 0.5,
            reason: reason.map(str::to_string),
            intent,
            author_type: AuthorType::Customer,
            model_version: "test".into(),
        });
    prop::option::weighted(0.8, enrichment)
}

type GeneratedMention = (String, Option<String>, Source, Option<&'static str>, bool, bool, &'static str, Option<Enrichment>);

fn mention_strategy() -> impl Strategy<Value = GeneratedMention> {
    let words = prop::collection::vec((prop::sample::select(TEXT_WORDS), prop::sample::select(SEPARATORS)), 0..10);
    let text = words.prop_map(|pairs| pairs.into_iter().map(|(word, sep)| format!("{word}{sep}")).collect::<String>());
    let title = prop::option::weighted(0.2, prop::sample::select(TEXT_WORDS).prop_map(str::to_string));
    (
        text,
        title,
        prop::sample::select(Source::ALL.to_vec()),
        prop::sample::select(vec![None, Some("fr"), Some("en"), Some("FR")]),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec!["alice", "Bob", "@carol", ""]),
        enrichment_strategy(),
    )
}

const QUERY_LEAVES: &[&str] = &[
    "retard", "retarde", "RETARDÉ", "cafe", "café", "bagage", "lost", "luggage", "vol", "avion",
    "refund", "œuvre", "my", "delay", "ab", "\"lost luggage\"", "\"l'avion\"", "\"vol annulé\"",
    "l'avion", "ret*", "bag*", "lu*", "caf*", "ab*", "~bagage", "~1bagage", "~cafe", "~1lost",
    "~ab", "lang:fr", "lang:en", "source:x", "source:bluesky", "author:@alice", "author:bob",
    "has:link", "is:reply", "is:repost", "#retard", "#bagage", "@sncf", "@alice.bsky.social", "*",
    "luggage NEAR/3 lost", "lost NEAR/0 luggage", "retard NEAR/2 vol", "\"lost luggage\" NEAR/1 my",
    "ab NEAR/1 ba", "retard NEAR/1 retard", "cafe NEAR/5 \"vol annule\"",
    "sentiment:negative", "sentiment:neutral", "sentiment:POSITIVE", "intent:complaint",
    "intent:question", "intent:outage_report", "intent:praise", "reason:delay_or_cancellation",
    "reason:billing_and_refunds", "reason:outage", "reason:Other", "reason:unknown_reason",
];

fn query_strategy() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(QUERY_LEAVES).prop_map(str::to_string);
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} AND {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} OR {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} OR {b}")),
            inner.clone().prop_map(|a| format!("NOT ({a})")),
            inner.prop_map(|a| format!("-({a})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn index_and_matcher_agree(
        mentions in prop::collection::vec(mention_strategy(), 0..12),
        queries in prop::collection::vec(query_strategy(), 1..6),
    ) {
        let index = SearchIndex::open_in_ram().unwrap();
        let stored: Vec<_> = mentions
            .into_iter()
            .enumerate()
            .map(|(i, (text, title, source, language, is_reply, is_repost, author, enrichment))| {
                let mut stored = support::stored(i as i64 + 1, &text);
                stored.mention.title = title;
                stored.mention.source = source;
                stored.mention.language = language.map(str::to_string);
                stored.mention.links.in_reply_to = is_reply.then(|| "p".to_string());
                stored.mention.links.reposted = is_repost.then(|| "r".to_string());
                stored.mention.author.handle = author.to_string();
                stored.enrichment = enrichment;
                stored
            })
            .collect();
        index.add_mentions(&stored).unwrap();
        index.commit(1).unwrap();
        for query_text in &queries {
            let query = listen::parse(query_text).unwrap_or_else(|e| panic!("{query_text}: {e}"));
            let expected: BTreeSet<i64> = stored
                .iter()
                .filter(|m| query.matches(&listen::MatchDoc::from_stored(m)))
                .map(|m| m.id.0)
                .collect();
            for sort in [Sort::Relevance, Sort::Newest] {
                let request = SearchRequest { sort, ..SearchRequest::new(query.clone(), 100) };
                let results = index.search(&request).unwrap();
                let found: BTreeSet<i64> = results.hits.iter().map(|hit| hit.id.0).collect();
                prop_assert_eq!(&found, &expected, "query {:?} sorted {:?}", query_text, sort);
                prop_assert_eq!(results.total, expected.len());
            }
        }
    }
}
