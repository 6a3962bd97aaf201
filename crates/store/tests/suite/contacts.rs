//! Contacts: created from new authors in the batch transaction, identities, notes,
//! merge and exact undo, merge evidence, timeline mentions, GDPR erasure.

use domain::{ContactId, ErrorKind, IdentityKind, NewIdentity, Source};
use serde_json::json;
use store::{AuditFilter, NewAuditEntry};

use super::TestStore;
use super::fixtures::short_post;

fn post_by(external_id: &str, handle: &str, text: &str) -> store::MentionWrite {
    let mut write = short_post(external_id, text);
    write.mention.author.handle = handle.to_string();
    write.mention.author.display_name = Some(format!("{handle} name"));
    write
}

fn contact_of(test_store: &TestStore, handle: &str) -> ContactId {
    let page = test_store.store().list_contacts(Some(handle), None, 10).unwrap();
    let found: Vec<_> = page
        .iter()
        .filter(|contact| contact.identities.iter().any(|identity| identity.value == handle))
        .collect();
    assert_eq!(found.len(), 1, "one contact holds @{handle}");
    found[0].id
}

pub fn each_new_author_becomes_one_contact(test_store: &mut TestStore) {
    let store = test_store.store();
    store
        .insert_mentions(&[post_by("1", "zoe", "a"), post_by("2", "zoe", "b"), post_by("3", "max", "c")])
        .unwrap();
    store.insert_mentions(&[post_by("4", "zoe", "d"), post_by("1", "zoe", "dup")]).unwrap();
    let contacts = store.list_contacts(None, None, 10).unwrap();
    assert_eq!(contacts.len(), 2, "{contacts:?}");
    let zoe = &contacts[0];
    assert_eq!(zoe.display_name.as_deref(), Some("zoe name"));
    assert_eq!(zoe.identities.len(), 1);
    assert_eq!((zoe.identities[0].kind, zoe.identities[0].source.as_str()), (IdentityKind::Handle, "x"));
    let mentions = store.contact_mention_ids(zoe.id, 10).unwrap();
    assert_eq!(mentions.len(), 3);
    // Paging by cursor.
    let second_page = store.list_contacts(None, Some(zoe.id), 10).unwrap();
    assert_eq!(second_page.len(), 1);
}

pub fn identities_are_unique_and_searchable(test_store: &mut TestStore) {
    let store = test_store.store();
    store.insert_mentions(&[post_by("1", "zoe", "a"), post_by("2", "max", "b")]).unwrap();
    let zoe = contact_of(test_store, "zoe");
    let max = contact_of(test_store, "max");
    let email = NewIdentity::parse(IdentityKind::Email, None, "Zoe@Example.com").unwrap();
    let added = store.add_identity(zoe, &email).unwrap();
    assert_eq!(added.value, "zoe@example.com");
    assert_eq!(store.add_identity(max, &email).unwrap_err().kind(), ErrorKind::Conflict);
    let handle = NewIdentity::handle(Source::X, "max");
    assert_eq!(store.add_identity(zoe, &handle).unwrap_err().kind(), ErrorKind::Conflict);
    let by_email = test_store.store().list_contacts(Some("ZOE@example"), None, 10).unwrap();
    assert_eq!(by_email.iter().map(|contact| contact.id).collect::<Vec<_>>(), vec![zoe]);
    // LIKE wildcards in the query are plain characters.
    assert!(test_store.store().list_contacts(Some("%"), None, 10).unwrap().is_empty());
}

pub fn merge_moves_everything_and_undo_restores_both_exactly(test_store: &mut TestStore) {
    let store = test_store.store();
    store.insert_mentions(&[post_by("1", "zoe", "a"), post_by("2", "zoe_pro", "b")]).unwrap();
    let (zoe, pro) = (contact_of(test_store, "zoe"), contact_of(test_store, "zoe_pro"));
    let mut survivor = store.get_contact(zoe).unwrap().unwrap();
    survivor.customer_number = None;
    survivor.vip = false;
    store.update_contact(&survivor).unwrap();
    let mut absorbed = store.get_contact(pro).unwrap().unwrap();
    absorbed.customer_number = Some("C-42".into());
    absorbed.vip = true;
    store.update_contact(&absorbed).unwrap();
    store.add_identity(pro, &NewIdentity::parse(IdentityKind::Phone, None, "+33 1 23 45 67 89").unwrap()).unwrap();
    store.add_note(pro, None, "called about a lost bag").unwrap();
    let before = (store.get_contact(zoe).unwrap().unwrap(), store.get_contact(pro).unwrap().unwrap());

    let merge = store.merge_contacts(zoe, pro).unwrap();
    let merged = store.get_contact(zoe).unwrap().unwrap();
    assert_eq!(merged.identities.len(), 3);
    assert_eq!((merged.customer_number.as_deref(), merged.vip), (Some("C-42"), true));
    assert_eq!(store.get_contact(pro).unwrap().unwrap().merged_into, Some(zoe));
    assert_eq!(store.list_notes(zoe).unwrap().len(), 1);
    assert_eq!(store.contact_mention_ids(zoe, 10).unwrap().len(), 2);
    assert_eq!(store.list_contacts(None, None, 10).unwrap().len(), 1);
    assert_eq!(store.merge_contacts(zoe, pro).unwrap_err().kind(), ErrorKind::Conflict);
    assert_eq!(store.merge_contacts(zoe, ContactId(999)).unwrap_err().kind(), ErrorKind::NotFound);

    let undone = store.undo_merge(merge.id).unwrap().unwrap();
    assert!(undone.undone_at.is_some());
    let after = (store.get_contact(zoe).unwrap().unwrap(), store.get_contact(pro).unwrap().unwrap());
    assert_eq!(after, before);
    assert_eq!(store.list_notes(pro).unwrap().len(), 1);
    assert_eq!(store.undo_merge(merge.id).unwrap_err().kind(), ErrorKind::Conflict);
    assert_eq!(store.undo_merge(999).unwrap(), None);
}

pub fn merge_evidence_is_found_by_identity_and_bio(test_store: &mut TestStore) {
    let store = test_store.store();
    let mut with_bio = post_by("1", "zoe", "a");
    with_bio.mention.author.bio = Some("Pilot. Also @Zoe_Sky on bluesky".into());
    store.insert_mentions(&[with_bio, post_by("2", "other", "b")]).unwrap();
    let mut on_bluesky = post_by("3", "zoe_sky", "c");
    on_bluesky.mention.source = Source::Bluesky;
    store.insert_mentions(&[on_bluesky]).unwrap();
    let (zoe, other, sky) = (contact_of(test_store, "zoe"), contact_of(test_store, "other"), contact_of(test_store, "zoe_sky"));
    let store = test_store.store();
    let found = store.contacts_with_identity(IdentityKind::Handle, &["zoe_sky".into()], zoe).unwrap();
    assert_eq!(found.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![sky]);
    assert_eq!(store.contacts_claiming_handle("zoe_sky", sky).unwrap(), vec![zoe]);
    assert!(store.contacts_claiming_handle("other", other).unwrap().is_empty());
    assert!(store.contacts_claiming_handle("%", other).unwrap().is_empty());
}

pub fn erasure_blanks_mentions_and_keeps_no_personal_data(test_store: &mut TestStore) {
    let store = test_store.store();
    store.insert_mentions(&[post_by("1", "zoe", "my flight AF123 is late"), post_by("2", "max", "hello")]).unwrap();
    let zoe = contact_of(test_store, "zoe");
    let store = test_store.store();
    store.add_identity(zoe, &NewIdentity::parse(IdentityKind::Email, None, "zoe@example.com").unwrap()).unwrap();
    store.add_note(zoe, None, "Zoé lives in Lyon").unwrap();
    store
        .append_audit(&NewAuditEntry {
            actor: "user:1".into(),
            action: "contact.update".into(),
            entity: "contact".into(),
            entity_id: zoe.to_string(),
            before: Some(json!({"customer_number": null})),
            after: Some(json!({"customer_number": "C-42"})),
        })
        .unwrap();
    let seq_before = store.last_seq().unwrap();

    let blanked = store.erase_contact(zoe).unwrap().unwrap();
    assert_eq!(blanked.len(), 1);
    let mention = store.get_mention(blanked[0]).unwrap().unwrap();
    assert_eq!((mention.mention.text.as_str(), mention.mention.author.handle.as_str()), ("", ""));
    assert_eq!(mention.mention.raw, "");
    assert!(store.last_seq().unwrap() > seq_before, "the blanked mention takes a new seq for the index");
    let changes = store.changes_since(seq_before, 10).unwrap();
    assert_eq!(changes.upserted.iter().map(|stored| stored.id).collect::<Vec<_>>(), blanked);
    let erased = store.get_contact(zoe).unwrap().unwrap();
    assert!(erased.erased_at.is_some());
    assert_eq!((erased.display_name, erased.identities.len()), (None, 0));
    assert!(store.list_notes(zoe).unwrap().is_empty());
    let audit = store
        .list_audit(&AuditFilter { entity: Some("contact".into()), entity_id: Some(zoe.to_string()), before_id: None, limit: 10 })
        .unwrap();
    assert!(audit.iter().all(|entry| entry.before.is_none() && entry.after.is_none()));
    assert_eq!(store.get_mention(domain::MentionId(blanked[0].0 + 1)).unwrap().unwrap().mention.text, "hello");
    assert_eq!(store.erase_contact(ContactId(999)).unwrap(), None);
}
