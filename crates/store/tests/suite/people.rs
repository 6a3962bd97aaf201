//! Users, sessions, API tokens with owners and scopes, teams, the audit log.

use chrono::{Duration, Utc};
use domain::{ErrorKind, Language, NewUser, Role, Scope, UserId};
use serde_json::json;
use store::{AuditFilter, NewAuditEntry, Session};

use super::TestStore;

pub fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        email: email.to_string(),
        display_name: "Jo Durand".to_string(),
        role,
        language: Language::En,
        signature: Some("^JD".to_string()),
        expertise: vec!["baggage".to_string(), "refunds".to_string()],
        capacity: 12,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_string(),
    }
}

pub fn users_round_trip_with_unique_case_insensitive_emails(test_store: &mut TestStore) {
    let store = test_store.store();
    let user = store.create_user(&new_user("jo@example.com", Role::Agent)).unwrap();
    assert_eq!((user.email.as_str(), user.role, user.capacity, user.active), ("jo@example.com", Role::Agent, 12, true));
    assert_eq!(user.expertise, ["baggage", "refunds"]);
    assert_eq!(store.get_user(user.id).unwrap(), Some(user.clone()));
    let (found, hash) = store.find_user_credentials("JO@Example.com").unwrap().unwrap();
    assert_eq!(found, user);
    assert!(hash.starts_with("$argon2id$"));
    let taken = store.create_user(&new_user("Jo@EXAMPLE.com", Role::Admin)).unwrap_err();
    assert_eq!(taken.kind(), ErrorKind::Conflict);

    let mut changed = user.clone();
    changed.role = Role::Supervisor;
    changed.signature = None;
    changed.active = false;
    assert!(store.update_user(&changed, Some("$argon2id$new")).unwrap());
    assert_eq!(store.get_user(user.id).unwrap(), Some(changed));
    assert_eq!(store.find_user_credentials("jo@example.com").unwrap().unwrap().1, "$argon2id$new");
    assert_eq!(store.list_users().unwrap().len(), 1);
    assert!(store.get_user(UserId(999)).unwrap().is_none());
}

pub fn sessions_expire_and_are_deleted(test_store: &mut TestStore) {
    let store = test_store.store();
    let user = store.create_user(&new_user("jo@example.com", Role::Agent)).unwrap();
    let live = Session { user_id: user.id, csrf_token: "csrf-1".into(), expires_at: Utc::now() + Duration::hours(1) };
    let expired = Session { user_id: user.id, csrf_token: "csrf-2".into(), expires_at: Utc::now() - Duration::seconds(1) };
    store.create_session("digest-live", &live).unwrap();
    store.create_session("digest-expired", &expired).unwrap();
    let found = store.find_session("digest-live").unwrap().unwrap();
    assert_eq!((found.user_id, found.csrf_token.as_str()), (user.id, "csrf-1"));
    assert_eq!(store.find_session("digest-expired").unwrap(), None);
    assert!(store.delete_session("digest-live").unwrap());
    assert_eq!(store.find_session("digest-live").unwrap(), None);

    store.create_session("digest-again", &live).unwrap();
    let mut inactive = user.clone();
    inactive.active = false;
    store.update_user(&inactive, None).unwrap();
    assert_eq!(store.find_session("digest-again").unwrap(), None, "deactivating signs out");
}

pub fn api_tokens_belong_to_users_and_keep_their_scopes(test_store: &mut TestStore) {
    let store = test_store.store();
    let user = store.create_user(&new_user("bot@example.com", Role::Agent)).unwrap();
    let scopes = [Scope::MentionsRead, Scope::ContactsWrite];
    let created = store.create_api_token("reader", "digest-a", Some(user.id), &scopes).unwrap();
    let found = store.find_api_token("digest-a").unwrap().unwrap();
    assert_eq!(found, created);
    assert_eq!((found.user_id, found.scopes.as_slice()), (Some(user.id), scopes.as_slice()));
    let ownerless = store.create_api_token("legacy", "digest-b", None, &[]).unwrap();
    assert_eq!(store.find_api_token("digest-b").unwrap().unwrap().user_id, None);
    assert!(ownerless.scopes.is_empty());
    assert_eq!(store.list_api_tokens().unwrap(), vec![ownerless.clone(), created.clone()], "newest first");
    assert!(store.delete_api_token(created.id).unwrap());
    assert_eq!(store.find_api_token("digest-a").unwrap(), None, "a revoked token is gone");
    assert!(!store.delete_api_token(created.id).unwrap());
    assert_eq!(store.list_api_tokens().unwrap(), vec![ownerless]);
}

pub fn teams_are_created_renamed_and_deleted(test_store: &mut TestStore) {
    let store = test_store.store();
    let jo = store.create_user(&new_user("jo@example.com", Role::Agent)).unwrap();
    let al = store.create_user(&new_user("al@example.com", Role::Agent)).unwrap();
    let team = store.create_team("Bagages", &[jo.id]).unwrap();
    assert_eq!(store.get_team(team.id).unwrap(), Some(team.clone()));
    assert_eq!(store.create_team("Bagages", &[]).unwrap_err().kind(), ErrorKind::Conflict);
    assert_eq!(store.create_team("Fantômes", &[UserId(999)]).unwrap_err().kind(), ErrorKind::NotFound);

    let mut renamed = team.clone();
    renamed.name = "Bagages et retards".into();
    renamed.members = vec![al.id, jo.id];
    assert!(store.update_team(&renamed).unwrap());
    let mut expected = renamed.clone();
    expected.members.sort();
    assert_eq!(store.list_teams().unwrap(), vec![expected]);
    assert!(store.delete_team(team.id).unwrap());
    assert!(!store.delete_team(team.id).unwrap());
    assert!(store.list_teams().unwrap().is_empty());
}

pub fn audit_entries_are_listed_newest_first_by_entity(test_store: &mut TestStore) {
    let store = test_store.store();
    let entry = |entity_id: &str, action: &str| NewAuditEntry {
        actor: "user:1".into(),
        action: action.into(),
        entity: "contact".into(),
        entity_id: entity_id.into(),
        before: Some(json!({"vip": false})),
        after: Some(json!({"vip": true, "name": "Zoé 😡"})),
    };
    let first = store.append_audit(&entry("7", "contact.update")).unwrap();
    store.append_audit(&entry("8", "contact.update")).unwrap();
    let third = store.append_audit(&entry("7", "contact.merge")).unwrap();
    let about_seven = store
        .list_audit(&AuditFilter { entity: Some("contact".into()), entity_id: Some("7".into()), before_id: None, limit: 10 })
        .unwrap();
    assert_eq!(about_seven, vec![third.clone(), first.clone()]);
    let page = store.list_audit(&AuditFilter { before_id: Some(third.id), limit: 1, ..AuditFilter::default() }).unwrap();
    assert_eq!(page.len(), 1);
    assert!(page[0].id < third.id);
    assert_eq!(first.after.unwrap()["name"], "Zoé 😡");
}
