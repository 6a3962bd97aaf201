//! The change feed the search index catches up from: `changes_since` and `last_seq`.

use domain::{MentionId, Source};
use store::Changes;

use super::TestStore;
use super::fixtures::{inserted_id, short_post};

pub fn an_empty_store_has_no_changes(test_store: &mut TestStore) {
    let store = test_store.store();
    assert_eq!(store.last_seq().unwrap(), 0);
    assert_eq!(
        store.changes_since(0, 100).unwrap(),
        Changes {
            last_seq: 0,
            ..Changes::default()
        }
    );
    assert_eq!(
        store.changes_since(17, 100).unwrap().last_seq,
        17,
        "no change: the cursor stays"
    );
}

pub fn changes_since_reports_inserts_edits_and_deletes_once_in_seq_order(
    test_store: &mut TestStore,
) {
    let store = test_store.store();
    let outcomes = store
        .insert_mentions(&[
            short_post("a", "a"),
            short_post("b", "b"),
            short_post("c", "c"),
        ])
        .unwrap();
    let [id_a, id_b, id_c] = [0, 1, 2].map(|index| inserted_id(outcomes[index]));
    store.update_mention(&short_post("a", "a, edited")).unwrap();
    store.delete_mention(Source::X, "b").unwrap();

    let changes = store.changes_since(0, 100).unwrap();
    let upserted: Vec<(MentionId, &str)> = changes
        .upserted
        .iter()
        .map(|stored| (stored.id, stored.mention.text.as_str()))
        .collect();
    // c kept its insert seq; a moved after it with its edit; b is only a tombstone.
    assert_eq!(upserted, [(id_c, "c"), (id_a, "a, edited")]);
    assert_eq!(changes.deleted, [id_b]);
    assert_eq!(changes.last_seq, store.last_seq().unwrap());
    assert_eq!(
        store.changes_since(changes.last_seq, 100).unwrap().upserted,
        Vec::new()
    );
}

pub fn changes_since_pages_through_the_union_of_upserts_and_deletes(test_store: &mut TestStore) {
    let store = test_store.store();
    let batch: Vec<_> = (0..10)
        .map(|number| short_post(&number.to_string(), "text"))
        .collect();
    let outcomes = store.insert_mentions(&batch).unwrap();
    for deleted in ["2", "5", "6"] {
        store.delete_mention(Source::X, deleted).unwrap();
    }
    store.update_mention(&short_post("0", "edited")).unwrap();
    store.insert_mentions(&[short_post("10", "late")]).unwrap();
    // Changes now: inserts of 1,3,4,7,8,9, deletes of 2,5,6, edit of 0, insert of 10.

    let everything = store.changes_since(0, 1_000).unwrap();
    assert_eq!(everything.upserted.len() + everything.deleted.len(), 11);

    let mut paged = Changes::default();
    let mut cursor = 0;
    let mut pages = 0;
    loop {
        let page = store.changes_since(cursor, 3).unwrap();
        assert!(page.upserted.len() + page.deleted.len() <= 3);
        if page.upserted.is_empty() && page.deleted.is_empty() {
            assert_eq!(page.last_seq, cursor);
            break;
        }
        assert!(page.last_seq > cursor);
        cursor = page.last_seq;
        paged.upserted.extend(page.upserted);
        paged.deleted.extend(page.deleted);
        pages += 1;
    }
    assert_eq!(pages, 4);
    assert_eq!(cursor, store.last_seq().unwrap());
    assert_eq!(paged.upserted, everything.upserted);
    assert_eq!(paged.deleted, everything.deleted);
    let deleted_ids: Vec<MentionId> = [2, 5, 6].map(|index| inserted_id(outcomes[index])).to_vec();
    assert_eq!(everything.deleted, deleted_ids);

    let first_page = store.changes_since(0, 3).unwrap();
    let first_texts: Vec<&str> = first_page
        .upserted
        .iter()
        .map(|stored| stored.mention.external_id.as_str())
        .collect();
    assert_eq!(first_texts, ["1", "3", "4"], "the lowest seqs come first");
    assert_eq!(store.changes_since(0, 0).unwrap(), Changes::default());
}
