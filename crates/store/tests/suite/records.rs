//! Everything but mentions: quarantine, listening topics, API tokens, process state.

use domain::{ErrorKind, NewListeningTopic, QuarantineRecord, TopicId};

use super::TestStore;
use super::fixtures::at;

fn rejected(position: usize, reason: &str) -> QuarantineRecord {
    QuarantineRecord {
        format: "airline-csv".to_string(),
        origin: "Tweets.csv".to_string(),
        position: format!("line {position}"),
        reason: reason.to_string(),
        raw: format!("570306133677760513,neutral,\"é😡\",{position}"),
        received_at: at(position as i64, 654_321),
    }
}

pub fn quarantine_round_trips_newest_first(test_store: &mut TestStore) {
    let store = test_store.store();
    assert_eq!(store.count_quarantine().unwrap(), 0);
    assert!(store.list_quarantine(10).unwrap().is_empty());
    store
        .quarantine(&[rejected(1, "missing text"), rejected(2, "bad date")])
        .unwrap();
    store
        .quarantine(&[rejected(3, "text over 64 KiB")])
        .unwrap();
    store.quarantine(&[]).unwrap();

    assert_eq!(store.count_quarantine().unwrap(), 3);
    let listed = store.list_quarantine(2).unwrap();
    let records: Vec<QuarantineRecord> =
        listed.iter().map(|listed| listed.record.clone()).collect();
    assert_eq!(
        records,
        [rejected(3, "text over 64 KiB"), rejected(2, "bad date")]
    );
    assert!(listed[0].id > listed[1].id);

    // A record that failed to parse may hold a NUL, which PostgreSQL cannot store in text:
    // it is kept, visibly (U+2400), rather than failing the whole batch.
    let mut with_nul = rejected(4, "invalid JSON");
    with_nul.raw = "{\"text\": \"a\u{0}b\"}".into();
    store.quarantine(&[with_nul, rejected(5, "beside it")]).unwrap();
    assert_eq!(store.count_quarantine().unwrap(), 5);
    assert_eq!(store.list_quarantine(2).unwrap()[1].record.raw, "{\"text\": \"a\u{2400}b\"}");
}

fn topic(name: &str) -> NewListeningTopic {
    NewListeningTopic {
        name: name.to_string(),
        query: "(united OR \"united airlines\") AND -job lang:en".to_string(),
        languages: vec!["en".to_string(), "fr".to_string()],
        owner: "care-team@example.com".to_string(),
    }
}

pub fn topics_are_created_listed_and_deleted_with_unique_names(test_store: &mut TestStore) {
    let store = test_store.store();
    let airline = store.create_topic(&topic("Airline 🛫")).unwrap();
    let mut competitors = topic("Competitors");
    competitors.languages.clear();
    competitors.owner.clear();
    let competitors = store.create_topic(&competitors).unwrap();
    assert_eq!(airline.topic, topic("Airline 🛫"));
    assert_eq!(
        store.list_topics().unwrap(),
        [airline.clone(), competitors.clone()]
    );

    let conflict = store.create_topic(&topic("Airline 🛫")).unwrap_err();
    assert_eq!(conflict.kind(), ErrorKind::Conflict);
    assert!(conflict.to_string().contains("Airline 🛫"));

    assert!(store.delete_topic(airline.id).unwrap());
    assert!(!store.delete_topic(airline.id).unwrap());
    assert_eq!(store.list_topics().unwrap(), [competitors.clone()]);
    // The name is free again.
    let airline = store.create_topic(&topic("Airline 🛫")).unwrap();

    let mut edited = topic("Competitors");
    let conflict = store.update_topic(airline.id, &edited).unwrap_err();
    assert_eq!(conflict.kind(), ErrorKind::Conflict, "another topic has that name");
    edited.name = "Airline ✈".into();
    edited.query = "alize OR \"alizé air\"".into();
    edited.languages = vec!["fr".into()];
    let updated = store.update_topic(airline.id, &edited).unwrap().expect("the topic exists");
    assert_eq!(updated, domain::ListeningTopic { id: airline.id, topic: edited.clone() });
    assert_eq!(store.list_topics().unwrap(), [competitors, updated]);
    assert_eq!(store.update_topic(TopicId(airline.id.0 + 1000), &edited).unwrap(), None);
}

pub fn api_tokens_are_found_by_digest_only(test_store: &mut TestStore) {
    let store = test_store.store();
    let digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let created = store.create_api_token("ingest bot", digest, None, &[]).unwrap();
    assert_eq!(created.label, "ingest bot");
    assert_eq!(store.find_api_token(digest).unwrap(), Some(created));
    assert_eq!(
        store.find_api_token(&digest.replace('9', "8")).unwrap(),
        None
    );
    let conflict = store.create_api_token("another", digest, None, &[]).unwrap_err();
    assert_eq!(conflict.kind(), ErrorKind::Conflict);
}

pub fn state_values_are_overwritten(test_store: &mut TestStore) {
    let store = test_store.store();
    assert_eq!(store.get_state("x.cursor").unwrap(), None);
    store.set_state("x.cursor", "1001").unwrap();
    store.set_state("rss.etag", "\"abc\"").unwrap();
    store.set_state("x.cursor", "2002 ✓").unwrap();
    assert_eq!(
        store.get_state("x.cursor").unwrap().as_deref(),
        Some("2002 ✓")
    );
    assert_eq!(
        store.get_state("rss.etag").unwrap().as_deref(),
        Some("\"abc\"")
    );
}

pub fn mailbox_cursors_move_forward_and_reset_on_a_new_uid_validity(test_store: &mut TestStore) {
    let store = test_store.store();
    let inbox = "imap://ann@127.0.0.1:143/INBOX";
    assert_eq!(store.get_mailbox_cursor(inbox).unwrap(), None);
    let saved = store.save_mailbox_cursor(inbox, 1_795_924_661, 12).unwrap();
    assert_eq!((saved.mailbox.as_str(), saved.uid_validity, saved.last_uid), (inbox, 1_795_924_661, 12));
    // Another mailbox is independent.
    store.save_mailbox_cursor("imap://ann@127.0.0.1:143/Support", 7, 3).unwrap();
    // A late writer with an older UID does not move the cursor back.
    assert_eq!(store.save_mailbox_cursor(inbox, 1_795_924_661, 9).unwrap().last_uid, 12);
    assert_eq!(store.save_mailbox_cursor(inbox, 1_795_924_661, 40).unwrap().last_uid, 40);
    // A new UIDVALIDITY: the old UIDs mean nothing, the cursor restarts.
    let reset = store.save_mailbox_cursor(inbox, 1_795_999_999, 2).unwrap();
    assert_eq!((reset.uid_validity, reset.last_uid), (1_795_999_999, 2));
    let read_back = store.get_mailbox_cursor(inbox).unwrap().unwrap();
    assert_eq!(read_back, reset);
    assert_eq!(store.get_mailbox_cursor("imap://ann@127.0.0.1:143/Support").unwrap().unwrap().last_uid, 3);
}
