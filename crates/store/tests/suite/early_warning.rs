//! Incidents, their mentions, alert rules and alerts (issue #5).

use domain::MentionId;
use serde_json::json;
use store::{AlertRow, AlertRuleRow, IncidentRow, StoreError};

use super::TestStore;

fn incident(slice: &str, started_at: i64) -> IncidentRow {
    IncidentRow {
        id: 0,
        slice: slice.into(),
        status: "open".into(),
        owner: None,
        started_at,
        ended_at: None,
        peak: 0.8,
        details: json!({"drivers": [{"kind": "term", "value": "panne"}], "timeline": []}),
    }
}

pub fn incidents_round_trip_page_newest_first_and_are_unique_per_slice_and_start(
    test_store: &mut TestStore,
) {
    let store = test_store.store();
    let first = store
        .create_incident(&incident("total", 1_700_000_000))
        .unwrap();
    let second = store
        .create_incident(&incident("topic:Panne", 1_700_000_300))
        .unwrap();
    assert!(second.id > first.id);
    assert_eq!(store.get_incident(first.id).unwrap().unwrap(), first);
    let duplicate = store.create_incident(&incident("total", 1_700_000_000));
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(_))),
        "{duplicate:?}"
    );

    let mut changed = first.clone();
    changed.status = "acknowledged".into();
    changed.owner = Some("marie".into());
    changed.ended_at = Some(1_700_003_600);
    changed.peak = 0.95;
    changed.details = json!({"timeline": [{"event": "acknowledged"}]});
    assert!(store.update_incident(&changed).unwrap());
    test_store.reopen();
    let store = test_store.store();
    assert_eq!(store.get_incident(first.id).unwrap().unwrap(), changed);
    assert!(
        !store
            .update_incident(&IncidentRow {
                id: 999_999,
                ..changed.clone()
            })
            .unwrap()
    );
    assert_eq!(store.get_incident(999_999).unwrap(), None);

    let page = store.list_incidents(None, 1).unwrap();
    assert_eq!(
        page.iter().map(|incident| incident.id).collect::<Vec<_>>(),
        vec![second.id]
    );
    let next = store.list_incidents(Some(second.id), 10).unwrap();
    assert_eq!(
        next.iter().map(|incident| incident.id).collect::<Vec<_>>(),
        vec![first.id]
    );
}

pub fn incident_mentions_are_linked_once_and_paged(test_store: &mut TestStore) {
    let store = test_store.store();
    let opened = store
        .create_incident(&incident("negative", 1_700_000_000))
        .unwrap();
    let other = store
        .create_incident(&incident("total", 1_700_000_000))
        .unwrap();
    store
        .link_incident_mentions(opened.id, &[MentionId(5), MentionId(3), MentionId(9)])
        .unwrap();
    store
        .link_incident_mentions(opened.id, &[MentionId(3), MentionId(11)])
        .unwrap();
    store
        .link_incident_mentions(other.id, &[MentionId(4)])
        .unwrap();
    assert_eq!(
        store
            .incident_mentions(opened.id, MentionId(0), 100)
            .unwrap(),
        vec![MentionId(3), MentionId(5), MentionId(9), MentionId(11)]
    );
    assert_eq!(
        store.incident_mentions(opened.id, MentionId(5), 2).unwrap(),
        vec![MentionId(9), MentionId(11)]
    );
    assert_eq!(
        store
            .incident_mentions(other.id, MentionId(0), 100)
            .unwrap(),
        vec![MentionId(4)]
    );
}

pub fn alert_rules_and_alerts_round_trip(test_store: &mut TestStore) {
    let store = test_store.store();
    let rule = AlertRuleRow {
        id: 0,
        name: "Volume".into(),
        kind: "volume_anomaly".into(),
        settings: json!({"channel": {"type": "webhook", "url": "http://127.0.0.1:1/hook", "secret": "s"}}),
        created_at: 1_700_000_000,
    };
    let created = store.create_alert_rule(&rule).unwrap();
    let second = store
        .create_alert_rule(&AlertRuleRow {
            name: "Keyword".into(),
            kind: "keyword".into(),
            ..rule.clone()
        })
        .unwrap();
    assert_eq!(
        store.list_alert_rules().unwrap(),
        vec![created.clone(), second.clone()]
    );
    assert!(store.delete_alert_rule(created.id).unwrap());
    assert!(!store.delete_alert_rule(created.id).unwrap());
    assert_eq!(store.list_alert_rules().unwrap(), vec![second.clone()]);
    let muted = json!({"channel": {"type": "in_app"}, "muted": true});
    assert!(store.set_alert_rule_settings(second.id, &muted).unwrap());
    assert!(!store.set_alert_rule_settings(created.id, &muted).unwrap(), "a deleted rule is not changed");
    assert_eq!(store.list_alert_rules().unwrap()[0].settings, muted);
    store.set_alert_rule_settings(second.id, &second.settings).unwrap();

    let alert = AlertRow {
        id: 0,
        rule_id: Some(second.id),
        incident_id: None,
        text: "panne".into(),
        details: json!({"k": 1}),
        created_at: 1_700_000_100,
    };
    let first_alert = store.create_alert(&alert).unwrap();
    let second_alert = store
        .create_alert(&AlertRow {
            incident_id: Some(7),
            text: "again".into(),
            ..alert.clone()
        })
        .unwrap();
    assert_eq!(
        store.list_alerts(10).unwrap(),
        vec![second_alert, first_alert]
    );
    assert_eq!(store.list_alerts(1).unwrap().len(), 1);
}
