//! Writing and reading mentions: round trip, duplicates, edits, deletes, durability.

use chrono::Utc;
use domain::{MentionId, Source, StoredMention};
use store::{MentionWrite, WriteOutcome};

use super::TestStore;
use super::fixtures::{at, inserted_id, inserted_seq, post_with_every_field, short_post};

/// What a stored mention must equal, given the write and the store's id and ingestion time.
pub fn expected_stored(write: &MentionWrite, id: MentionId, ingested: &StoredMention) -> StoredMention {
    StoredMention {
        id,
        mention: write.mention.clone(),
        duplicate_of: write.duplicate_of,
        topics: write.topics.clone(),
        enrichment: write.enrichment.clone(),
        ingested_at: ingested.ingested_at,
    }
}

pub fn migrations_are_idempotent(test_store: &mut TestStore) {
    test_store.store().migrate().unwrap();
    test_store.store().migrate().unwrap();
    let outcomes = test_store
        .store()
        .insert_mentions(&[short_post("1", "hello")])
        .unwrap();
    test_store.reopen(); // Opening applies migrations again: a no-op.
    test_store.store().migrate().unwrap();
    let store = test_store.store();
    assert_eq!(store.count_mentions().unwrap(), 1);
    assert_eq!(store.last_seq().unwrap(), inserted_seq(outcomes[0]));
}

pub fn insert_and_get_round_trip_every_field(test_store: &mut TestStore) {
    let store = test_store.store();
    let write = post_with_every_field("3kabc");
    let before = Utc::now() - chrono::Duration::seconds(1);
    let outcomes = store.insert_mentions(std::slice::from_ref(&write)).unwrap();
    let after = Utc::now() + chrono::Duration::seconds(1);
    let id = inserted_id(outcomes[0]);

    let stored = store
        .get_mention(id)
        .unwrap()
        .expect("the inserted mention");
    assert_eq!(stored, expected_stored(&write, id, &stored));
    assert!(stored.mention.raw.len() > 64 * 1024);
    assert!(before <= stored.ingested_at && stored.ingested_at <= after);
    assert_eq!(
        store.find_mention(Source::Bluesky, "3kabc").unwrap(),
        Some(stored.clone())
    );
    assert_eq!(store.find_mention(Source::X, "3kabc").unwrap(), None);
    assert_eq!(store.get_mention(MentionId(id.0 + 1000)).unwrap(), None);
}

pub fn duplicates_within_a_batch_and_across_batches_keep_the_first_id(test_store: &mut TestStore) {
    let store = test_store.store();
    let first_batch = [
        short_post("a", "first"),
        short_post("b", "other"),
        short_post("a", "copy"),
    ];
    let outcomes = store.insert_mentions(&first_batch).unwrap();
    let id_of_a = inserted_id(outcomes[0]);
    let id_of_b = inserted_id(outcomes[1]);
    assert_ne!(id_of_a, id_of_b);
    assert_eq!(outcomes[2], WriteOutcome::Duplicate { id: id_of_a });
    assert!(inserted_seq(outcomes[1]) > inserted_seq(outcomes[0]));

    // The same external id at another source is another mention.
    let mut same_id_elsewhere = short_post("a", "on mastodon");
    same_id_elsewhere.mention.source = Source::Mastodon;
    let seq_before = store.last_seq().unwrap();
    let outcomes = store
        .insert_mentions(&[
            short_post("b", "again"),
            same_id_elsewhere,
            short_post("a", "again"),
        ])
        .unwrap();
    assert_eq!(outcomes[0], WriteOutcome::Duplicate { id: id_of_b });
    assert!(inserted_seq(outcomes[1]) > seq_before);
    assert_eq!(outcomes[2], WriteOutcome::Duplicate { id: id_of_a });

    assert_eq!(store.count_mentions().unwrap(), 3);
    let kept = store.get_mention(id_of_a).unwrap().unwrap();
    assert_eq!(kept.mention.text, "first", "a duplicate changes nothing");
    assert_eq!(store.insert_mentions(&[]).unwrap(), Vec::new());
}

pub fn a_large_batch_keeps_its_order(test_store: &mut TestStore) {
    let store = test_store.store();
    let batch: Vec<MentionWrite> = (0..2_000)
        .map(|number| short_post(&format!("post-{number}"), &format!("text {number}")))
        .collect();
    let outcomes = store.insert_mentions(&batch).unwrap();
    assert_eq!(outcomes.len(), batch.len());
    let ids: Vec<MentionId> = outcomes
        .iter()
        .map(|outcome| inserted_id(*outcome))
        .collect();
    assert!(
        ids.windows(2).all(|pair| pair[0] < pair[1]),
        "ids follow the batch order"
    );
    let found = store.get_mentions(&[ids[0], ids[1_999]]).unwrap();
    assert_eq!(found[0].mention.external_id, "post-0");
    assert_eq!(found[1].mention.external_id, "post-1999");
    assert_eq!(store.last_seq().unwrap(), inserted_seq(outcomes[1_999]));
}

pub fn update_keeps_the_id_and_takes_a_new_seq(test_store: &mut TestStore) {
    let store = test_store.store();
    let outcomes = store
        .insert_mentions(&[short_post("edited", "draft"), short_post("x", "x")])
        .unwrap();
    let id = inserted_id(outcomes[0]);
    let ingested_at = store.get_mention(id).unwrap().unwrap().ingested_at;

    let mut edit = post_with_every_field("edited");
    edit.mention.source = Source::X;
    edit.mention.created_at = at(7_200, 999_999);
    assert_eq!(store.update_mention(&edit).unwrap(), Some(id));

    let stored = store.get_mention(id).unwrap().unwrap();
    assert_eq!(stored, expected_stored(&edit, id, &stored));
    assert_eq!(
        stored.ingested_at, ingested_at,
        "first seen stays first seen"
    );
    let seq_after_edit = store.last_seq().unwrap();
    assert!(seq_after_edit > inserted_seq(outcomes[1]));
    let changes = store.changes_since(inserted_seq(outcomes[1]), 10).unwrap();
    assert_eq!(changes.upserted, vec![stored]);
    assert_eq!(changes.last_seq, seq_after_edit);

    assert_eq!(
        store
            .update_mention(&short_post("never-stored", "?"))
            .unwrap(),
        None
    );
    assert_eq!(
        store.last_seq().unwrap(),
        seq_after_edit,
        "a missed update changes nothing"
    );
    assert_eq!(store.count_mentions().unwrap(), 2);
}

pub fn delete_removes_the_mention_and_never_reuses_its_id(test_store: &mut TestStore) {
    let store = test_store.store();
    let outcomes = store
        .insert_mentions(&[short_post("gone", "bye"), short_post("kept", "hi")])
        .unwrap();
    let deleted_id = inserted_id(outcomes[0]);
    let seq_before = store.last_seq().unwrap();

    assert_eq!(
        store.delete_mention(Source::X, "gone").unwrap(),
        Some(deleted_id)
    );
    assert_eq!(store.get_mention(deleted_id).unwrap(), None);
    assert_eq!(store.find_mention(Source::X, "gone").unwrap(), None);
    assert_eq!(store.count_mentions().unwrap(), 1);
    let changes = store.changes_since(seq_before, 10).unwrap();
    assert_eq!(changes.deleted, vec![deleted_id]);
    assert!(changes.upserted.is_empty());
    assert_eq!(changes.last_seq, store.last_seq().unwrap());
    assert!(changes.last_seq > seq_before);

    assert_eq!(store.delete_mention(Source::X, "gone").unwrap(), None);
    assert_eq!(store.delete_mention(Source::Rss, "kept").unwrap(), None);
    // Posted again at the source: a new mention with a new id.
    let again = store
        .insert_mentions(&[short_post("gone", "back")])
        .unwrap();
    assert!(inserted_id(again[0]) > inserted_id(outcomes[1]));
}

pub fn get_mentions_follows_the_requested_order(test_store: &mut TestStore) {
    let store = test_store.store();
    let outcomes = store
        .insert_mentions(&[
            short_post("1", "one"),
            short_post("2", "two"),
            short_post("3", "three"),
        ])
        .unwrap();
    let ids: Vec<MentionId> = outcomes
        .iter()
        .map(|outcome| inserted_id(*outcome))
        .collect();
    let unknown = MentionId(ids[2].0 + 100);
    let found = store.get_mentions(&[ids[2], unknown, ids[0]]).unwrap();
    let texts: Vec<&str> = found
        .iter()
        .map(|stored| stored.mention.text.as_str())
        .collect();
    assert_eq!(texts, ["three", "one"]);
    assert_eq!(found[0].id, ids[2]);
    assert!(store.get_mentions(&[]).unwrap().is_empty());
}

pub fn count_mentions_counts_stored_mentions(test_store: &mut TestStore) {
    let store = test_store.store();
    assert_eq!(store.count_mentions().unwrap(), 0);
    store
        .insert_mentions(&[
            short_post("1", "a"),
            short_post("2", "b"),
            short_post("1", "c"),
        ])
        .unwrap();
    assert_eq!(store.count_mentions().unwrap(), 2);
    store.delete_mention(Source::X, "2").unwrap();
    assert_eq!(store.count_mentions().unwrap(), 1);
}

pub fn written_data_survives_a_reopen(test_store: &mut TestStore) {
    let write = post_with_every_field("durable");
    let outcomes = test_store
        .store()
        .insert_mentions(std::slice::from_ref(&write))
        .unwrap();
    let id = inserted_id(outcomes[0]);
    test_store
        .store()
        .delete_mention(Source::Bluesky, "never-there")
        .unwrap();
    test_store.store().set_state("cursor", "42").unwrap();
    let before = test_store.store().get_mention(id).unwrap().unwrap();

    test_store.reopen();
    let store = test_store.store();
    assert_eq!(store.get_mention(id).unwrap(), Some(before));
    assert_eq!(store.get_state("cursor").unwrap().as_deref(), Some("42"));
    assert_eq!(store.last_seq().unwrap(), inserted_seq(outcomes[0]));
    let next = store
        .insert_mentions(&[short_post("after-reopen", "hi")])
        .unwrap();
    assert!(
        inserted_seq(next[0]) > inserted_seq(outcomes[0]),
        "the sequence carries on"
    );
}
