//! Enrichments: stored in their own columns and read back, replaced by edits and by
//! re-enrichment, paged by model version, corrected by agents.

use domain::{Intent, MentionId, SentimentLabel};
use store::EnrichmentCorrection;

use super::TestStore;
use super::fixtures::{at, inserted_id, inserted_seq, negative_enrichment, short_post};
use super::mentions::expected_stored;

pub fn enrichment_round_trips_and_is_replaced_by_updates(test_store: &mut TestStore) {
    let store = test_store.store();
    let mut enriched = short_post("enriched", "retard encore");
    enriched.enrichment = Some(negative_enrichment("v1"));
    let bare = short_post("bare", "no enrichment");
    let outcomes = store
        .insert_mentions(&[enriched.clone(), bare.clone()])
        .unwrap();
    let (enriched_id, bare_id) = (inserted_id(outcomes[0]), inserted_id(outcomes[1]));

    let stored = store.get_mention(enriched_id).unwrap().unwrap();
    assert_eq!(stored, expected_stored(&enriched, enriched_id, &stored));
    let confidence = stored.enrichment.as_ref().unwrap().sentiment_confidence;
    assert_eq!(confidence.to_bits(), 0.873_456_7_f32.to_bits(), "f32 kept exactly");
    assert_eq!(store.get_mention(bare_id).unwrap().unwrap().enrichment, None);

    // A batch update gives each mention its own new seq and replaces the enrichment.
    let mut reenriched = enriched.clone();
    let mut positive = negative_enrichment("v2");
    positive.sentiment = SentimentLabel::Positive;
    positive.reason = None;
    positive.intent = Intent::Praise;
    reenriched.enrichment = Some(positive);
    let mut now_enriched = bare.clone();
    now_enriched.enrichment = Some(negative_enrichment("v2"));
    let ids = store
        .update_mentions(&[reenriched.clone(), short_post("never-stored", "?"), now_enriched])
        .unwrap();
    assert_eq!(ids, vec![Some(enriched_id), None, Some(bare_id)]);
    assert_eq!(store.last_seq().unwrap(), inserted_seq(outcomes[1]) + 2);
    let changes = store.changes_since(inserted_seq(outcomes[1]), 10).unwrap();
    assert_eq!(changes.upserted.len(), 2);
    assert_eq!(changes.upserted[0].enrichment, reenriched.enrichment);
    assert_eq!(changes.upserted[0].enrichment.as_ref().unwrap().reason, None);
    assert_eq!(
        changes.upserted[1].enrichment.as_ref().unwrap().model_version,
        "v2"
    );

    test_store.reopen();
    let stored = test_store.store().get_mention(enriched_id).unwrap().unwrap();
    assert_eq!(stored.enrichment, reenriched.enrichment);
}

pub fn mentions_to_enrich_pages_by_model_version(test_store: &mut TestStore) {
    let store = test_store.store();
    let writes: Vec<_> = (0..5)
        .map(|number| {
            let mut write = short_post(&format!("p{number}"), "text");
            // p0 and p3 were never enriched, p1 and p4 by v1, p2 by the current v2.
            write.enrichment = match number % 3 {
                0 => None,
                1 => Some(negative_enrichment("v1")),
                _ => Some(negative_enrichment("v2")),
            };
            write
        })
        .collect();
    let ids: Vec<MentionId> = store
        .insert_mentions(&writes)
        .unwrap()
        .into_iter()
        .map(inserted_id)
        .collect();

    let first_page = store.mentions_to_enrich(Some("v2"), MentionId(0), 2).unwrap();
    let first_ids: Vec<MentionId> = first_page.iter().map(|m| m.id).collect();
    assert_eq!(first_ids, vec![ids[0], ids[1]]);
    let second_page = store
        .mentions_to_enrich(Some("v2"), *first_ids.last().unwrap(), 10)
        .unwrap();
    let second_ids: Vec<MentionId> = second_page.iter().map(|m| m.id).collect();
    assert_eq!(second_ids, vec![ids[3], ids[4]], "p2 is already current");

    let everything = store.mentions_to_enrich(None, MentionId(0), 10).unwrap();
    assert_eq!(everything.len(), 5);
}

pub fn corrections_replace_the_enrichment_and_are_kept(test_store: &mut TestStore) {
    let store = test_store.store();
    let mut write = short_post("corrected", "bof");
    write.enrichment = Some(negative_enrichment("v1"));
    let outcomes = store.insert_mentions(&[write]).unwrap();
    let id = inserted_id(outcomes[0]);

    let mut corrected = negative_enrichment("v1");
    corrected.sentiment = SentimentLabel::Neutral;
    corrected.reason = Some("billing_and_refunds".to_string());
    let correction = |field: &str, old: &str, new: &str| EnrichmentCorrection {
        mention_id: id,
        field: field.to_string(),
        old_value: Some(old.to_string()),
        new_value: new.to_string(),
        corrected_by: "agent.émilie".to_string(),
        corrected_at: at(10, 123_456),
    };
    let corrections = vec![
        correction("sentiment", "negative", "neutral"),
        correction("reason", "delay_or_cancellation", "billing_and_refunds"),
    ];
    assert!(store.correct_enrichment(id, &corrected, &corrections).unwrap());
    let stored = store.get_mention(id).unwrap().unwrap();
    assert_eq!(stored.enrichment, Some(corrected.clone()));
    assert_eq!(store.last_seq().unwrap(), inserted_seq(outcomes[0]) + 1);
    assert_eq!(store.list_corrections().unwrap(), corrections);

    let unknown = MentionId(id.0 + 1000);
    let stray = EnrichmentCorrection { mention_id: unknown, ..corrections[0].clone() };
    assert!(!store.correct_enrichment(unknown, &corrected, &[stray]).unwrap());
    assert_eq!(store.list_corrections().unwrap().len(), 2, "nothing kept for an unknown id");
    assert_eq!(store.last_seq().unwrap(), inserted_seq(outcomes[0]) + 1);
}
