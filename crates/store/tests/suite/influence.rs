//! Authors' real influence: read back as written, replaced whole, ranked by score.

use chrono::{TimeZone, Utc};
use domain::Source;
use store::AuthorInfluence;

use super::TestStore;

fn row(source: Source, handle: &str, score: f64, posts: u64) -> AuthorInfluence {
    AuthorInfluence {
        source,
        handle: handle.to_string(),
        display_name: Some(format!("{handle} (display) <b>é</b>")),
        followers: Some(1_234),
        score,
        posts,
        echoes: 7,
        state: format!("{{\"posts\":{posts}}}"),
        updated_at: Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).unwrap(),
    }
}

pub fn influence_is_upserted_read_back_and_ranked(test_store: &mut TestStore) {
    let store = test_store.store();
    let alice_x = row(Source::X, "alice", 42.5, 3);
    let alice_bluesky = row(Source::Bluesky, "alice", 80.0, 1);
    let bob = row(Source::X, "bob", 42.5, 9);
    store.upsert_author_influence(&[alice_x.clone(), alice_bluesky.clone(), bob.clone()]).unwrap();
    store.upsert_author_influence(&[]).unwrap();

    let found = store
        .author_influence(&[(Source::X, "alice"), (Source::X, "nobody"), (Source::Bluesky, "alice")])
        .unwrap();
    assert_eq!(found, vec![Some(alice_x.clone()), None, Some(alice_bluesky.clone())]);

    // Same score: more posts first.
    let top = store.top_authors(10).unwrap();
    let order: Vec<(Source, &str)> = top.iter().map(|a| (a.source, a.handle.as_str())).collect();
    assert_eq!(order, vec![(Source::Bluesky, "alice"), (Source::X, "bob"), (Source::X, "alice")]);
    assert_eq!(store.top_authors(1).unwrap().len(), 1);

    // An upsert replaces the whole row; the handle is the key, not the display name.
    let mut grown = row(Source::X, "alice", 90.0, 4);
    grown.display_name = None;
    grown.followers = None;
    store.upsert_author_influence(&[grown.clone()]).unwrap();
    assert_eq!(store.author_influence(&[(Source::X, "alice")]).unwrap(), vec![Some(grown)]);
    assert_eq!(store.top_authors(1).unwrap()[0].handle, "alice");
    assert_eq!(store.top_authors(1).unwrap()[0].source, Source::X);
}
