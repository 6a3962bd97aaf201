//! The index's writer and query API on small, hand-made examples.

mod support;

use chrono::TimeZone;
use domain::{MentionId, Source};
use search::{SearchIndex, SearchRequest, Sort};
use support::stored;

fn ids(index: &SearchIndex, query: &str) -> Vec<i64> {
    let request = SearchRequest { sort: Sort::Oldest, ..SearchRequest::new(listen::parse(query).unwrap(), 100) };
    index.search(&request).unwrap().hits.iter().map(|hit| hit.id.0).collect()
}

fn index_of(texts: &[&str]) -> SearchIndex {
    let index = SearchIndex::open_in_ram().unwrap();
    let mentions: Vec<_> = texts.iter().enumerate().map(|(i, text)| stored(i as i64 + 1, text)).collect();
    index.add_mentions(&mentions).unwrap();
    index.commit(7).unwrap();
    index
}

#[test]
fn near_counts_words_between_like_the_matcher() {
    let index = index_of(&["a x x x b", "a x x x x b", "b x x x a", "a b"]);
    assert_eq!(ids(&index, "a NEAR/3 b"), [1, 3, 4]);
    assert_eq!(ids(&index, "a NEAR/0 b"), [4]);
    assert_eq!(ids(&index, "\"x x\" NEAR/1 b"), [1, 2, 3]);
}

#[test]
fn terms_phrases_prefixes_and_fuzzy() {
    let index = index_of(&["Encore un RETARD", "vol retardé", "lost my luggage", "they lost luggage", "baggages", "garage"]);
    assert_eq!(ids(&index, "retard*"), [1, 2]);
    assert_eq!(ids(&index, "\"lost luggage\""), [4]);
    assert_eq!(ids(&index, "luggage NEAR/3 lost"), [3, 4]);
    assert_eq!(ids(&index, "~bagage"), [5, 6]);
    assert_eq!(ids(&index, "~1bagage"), Vec::<i64>::new());
    assert_eq!(ids(&index, "-retard* -luggage"), [5, 6]);
}

#[test]
fn re_adding_replaces_and_delete_removes() {
    let index = index_of(&["retard", "annulé"]);
    index.add_mentions(&[stored(1, "à l'heure")]).unwrap();
    index.delete_mentions(&[MentionId(2)]).unwrap();
    assert_eq!(ids(&index, "*"), [1, 2], "not visible before commit");
    index.commit(9).unwrap();
    assert_eq!(ids(&index, "*"), [1]);
    assert_eq!(ids(&index, "heure"), [1]);
    assert_eq!(index.indexed_seq().unwrap(), 9);
    index.clear().unwrap();
    assert_eq!(ids(&index, "*"), Vec::<i64>::new());
    assert_eq!(index.indexed_seq().unwrap(), 0);
}

#[test]
fn totals_facets_paging_and_sorting() {
    let index = SearchIndex::open_in_ram().unwrap();
    let mut mentions: Vec<_> = (1..=5).map(|id| stored(id * 10, "vol retard")).collect();
    mentions[0].mention.source = Source::Bluesky;
    mentions[1].mention.language = Some("fr".into());
    index.add_mentions(&mentions).unwrap();
    index.commit(1).unwrap();
    let query = listen::parse("retard").unwrap();
    let newest = index.search(&SearchRequest { sort: Sort::Newest, limit: 2, offset: 1, query: query.clone(), within: None }).unwrap();
    assert_eq!(newest.total, 5);
    assert_eq!(newest.hits.iter().map(|h| h.id.0).collect::<Vec<_>>(), [40, 30]);
    assert_eq!(newest.facets.by_source, [("x".to_string(), 4), ("bluesky".to_string(), 1)]);
    assert_eq!(newest.facets.by_language, [("en".to_string(), 4), ("fr".to_string(), 1)]);
    let days: Vec<(&str, u64)> = newest.facets.by_day.iter().map(|(day, n)| (day.as_str(), *n)).collect();
    assert_eq!(days, [("2015-02-24", 1), ("2015-02-25", 2), ("2015-02-26", 2)]);
    let relevance = index.search(&SearchRequest::new(query, 10)).unwrap();
    assert_eq!(relevance.hits.len(), 5);
    assert!(relevance.hits.iter().all(|hit| hit.score > 0.0));
}

#[test]
fn sentiment_and_intent_facets_count_enriched_mentions() {
    let index = SearchIndex::open_in_ram().unwrap();
    let enrichment = |sentiment, intent| domain::Enrichment {
        sentiment,
        sentiment_confidence: 0.8,
        reason: None,
        intent,
        author_type: domain::AuthorType::Customer,
        model_version: "test".into(),
    };
    let mut mentions: Vec<_> = (1..=4).map(|id| stored(id, "vol retard")).collect();
    mentions[0].enrichment = Some(enrichment(domain::SentimentLabel::Negative, domain::Intent::Complaint));
    mentions[1].enrichment = Some(enrichment(domain::SentimentLabel::Negative, domain::Intent::Question));
    mentions[2].enrichment = Some(enrichment(domain::SentimentLabel::Positive, domain::Intent::Praise));
    index.add_mentions(&mentions).unwrap();
    index.commit(1).unwrap();
    let results = index.search(&SearchRequest::new(listen::parse("retard").unwrap(), 10)).unwrap();
    assert_eq!(results.total, 4);
    assert_eq!(results.facets.by_sentiment, [("negative".to_string(), 2), ("positive".to_string(), 1)]);
    assert_eq!(
        results.facets.by_intent,
        [("complaint".to_string(), 1), ("praise".to_string(), 1), ("question".to_string(), 1)]
    );
    assert_eq!(ids(&index, "sentiment:negative -intent:question"), [1]);
}

#[test]
fn stemming_changes_ranking_not_matches() {
    let index = index_of(&["delay delay", "delayed flight delays", "delay"]);
    let results = index.search(&SearchRequest::new(listen::parse("delay").unwrap(), 10)).unwrap();
    let mut matched: Vec<i64> = results.hits.iter().map(|hit| hit.id.0).collect();
    matched.sort();
    assert_eq!(matched, [1, 3], "'delayed' is not the word 'delay'");
}

#[test]
fn reopens_from_disk_and_refuses_another_schema() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        index.add_mentions(&[stored(1, "retard")]).unwrap();
        index.commit(42).unwrap();
    }
    let reopened = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(reopened.indexed_seq().unwrap(), 42);
    assert_eq!(ids(&reopened, "retard"), [1]);
    drop(reopened);

    let other = tempfile::tempdir().unwrap();
    let mut builder = tantivy::schema::Schema::builder();
    builder.add_text_field("body", tantivy::schema::TEXT);
    tantivy::Index::create_in_dir(other.path(), builder.build()).unwrap();
    let error = SearchIndex::open(other.path()).err().expect("schema mismatch");
    assert!(error.to_string().contains("reindex"), "{error}");
}

#[test]
fn listen_edit_distance_is_the_fuzzy_query_distance() {
    let automaton = levenshtein_automata::LevenshteinAutomatonBuilder::new(2, true);
    let alphabet = ['a', 'b', 'c', 'é'];
    let mut words = vec![String::new()];
    for _ in 0..4 {
        let longer: Vec<String> = words.iter().flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}"))).collect();
        words.extend(longer);
        words.sort();
        words.dedup();
    }
    for query in words.iter().filter(|w| w.chars().count() == 3) {
        let dfa = automaton.build_dfa(query);
        for candidate in &words {
            let tantivy_says = matches!(dfa.eval(candidate), levenshtein_automata::Distance::Exact(d) if d <= 2);
            assert_eq!(listen::positions::within_edits(query, candidate, 2), tantivy_says, "{query} vs {candidate}");
        }
    }
}

#[test]
fn dashboard_aggregates_count_buckets_sources_sentiments_reasons_and_intents() {
    let index = SearchIndex::open_in_ram().unwrap();
    let enrichment = |sentiment, intent, reason: Option<&str>| domain::Enrichment {
        sentiment,
        sentiment_confidence: 0.8,
        reason: reason.map(Into::into),
        intent,
        author_type: domain::AuthorType::Customer,
        model_version: "test".into(),
    };
    // Mention `id` is written `id` hours after 2015-02-24 10:00 UTC.
    let mut mentions: Vec<_> = (1..=6).map(|id| stored(id, "vol retard")).collect();
    mentions[1].mention.source = Source::Bluesky;
    mentions[0].enrichment = Some(enrichment(domain::SentimentLabel::Negative, domain::Intent::Complaint, Some("Late Flight")));
    mentions[1].enrichment = Some(enrichment(domain::SentimentLabel::Negative, domain::Intent::Complaint, Some("late flight")));
    mentions[2].enrichment = Some(enrichment(domain::SentimentLabel::Positive, domain::Intent::Praise, None));
    mentions[5].mention.text = "merci".into();
    index.add_mentions(&mentions).unwrap();
    index.commit(1).unwrap();
    let start = chrono::Utc.with_ymd_and_hms(2015, 2, 24, 11, 0, 0).unwrap().timestamp();
    // Two 2-hour buckets: 11:00–13:00 (ids 1, 2) and 13:00–15:00 (ids 3, 4); 5 is after.
    let buckets = search::Buckets { from: start, seconds: 7200, count: 2 };
    let all = index.aggregate(&listen::parse("retard").unwrap(), buckets).unwrap();
    assert_eq!(all.total, 4);
    assert_eq!(all.per_bucket, [2, 2]);
    assert_eq!(all.by_source, [("x".to_string(), vec![1, 2]), ("bluesky".to_string(), vec![1, 0])]);
    assert_eq!(all.by_sentiment, [("negative".to_string(), vec![2, 0]), ("positive".to_string(), vec![0, 1])]);
    // Reason values are query words: a label with spaces has its words joined by `_`.
    assert_eq!(all.by_reason, [("late_flight".to_string(), 2)]);
    assert_eq!(all.by_intent, [("complaint".to_string(), 2), ("praise".to_string(), 1)]);
    let window = search::TimeRange { from: start, to: start + 7200 };
    assert_eq!(index.count(&listen::parse("retard").unwrap(), Some(window)).unwrap(), 2);
    assert_eq!(index.count(&listen::parse("*").unwrap(), None).unwrap(), 6);
    let forever = search::TimeRange { from: i64::MIN, to: i64::MAX };
    assert_eq!(index.count(&listen::parse("*").unwrap(), Some(forever)).unwrap(), 6, "extreme bounds are clamped, not overflowed");
    let within = SearchRequest { within: Some(window), sort: Sort::Oldest, ..SearchRequest::new(listen::parse("*").unwrap(), 10) };
    let found = index.search(&within).unwrap();
    assert_eq!(found.hits.iter().map(|hit| hit.id.0).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(found.facets.by_reason, [("late_flight".to_string(), 2)]);
    let hour = 3600;
    let first = chrono::Utc.with_ymd_and_hms(2015, 2, 24, 10, 0, 0).unwrap().timestamp();
    assert_eq!(index.time_span().unwrap(), Some((first + hour, first + 6 * hour)));
    assert_eq!(SearchIndex::open_in_ram().unwrap().time_span().unwrap(), None);
}
