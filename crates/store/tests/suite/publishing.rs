//! Publishing and crisis mode: posts through their guarded status changes and into the
//! outbox, crisis modes, bulk batches sent once, queued messages delivered once with
//! their case event, and the lookups that find who was answered already.

use domain::Source;
use serde_json::json;
use store::{BulkBatchRow, BulkMessageRow, CaseIntake, CrisisRow, NewCase, NewCaseEvent, OutboundRow, PostFilter, PostRow};

use super::fixtures::{at, inserted_id, short_post};
use super::TestStore;

fn post(status: &str, scheduled_at: Option<i64>) -> PostRow {
    PostRow {
        id: 0,
        channel: Source::X,
        account: "alizeair".into(),
        kind: "post".into(),
        text: "Nos vols reprennent".into(),
        mention_id: None,
        incident_id: None,
        status: status.into(),
        scheduled_at: scheduled_at.map(|seconds| at(seconds, 0)),
        created_by: "user:1".into(),
        reviewed_by: None,
        review_note: None,
        published_at: None,
        outbox_id: None,
        created_at: at(0, 0),
        updated_at: at(0, 0),
    }
}

fn outbound(case_id: Option<i64>, recipient: Option<&str>, text: &str) -> OutboundRow {
    OutboundRow {
        id: 0,
        case_id,
        post_id: None,
        channel: Source::X,
        in_reply_to: None,
        recipient: recipient.map(str::to_string),
        text: text.into(),
        visibility: "public".into(),
        status: "sent".into(),
        attempts: 1,
        created_at: at(600, 0),
        updated_at: at(600, 0),
    }
}

fn incident(test_store: &TestStore) -> i64 {
    let row = store::IncidentRow { id: 0, slice: "total".into(), status: "open".into(), owner: None, started_at: 0, ended_at: None, peak: 0.9, details: json!({}) };
    test_store.store().create_incident(&row).unwrap().id
}

pub fn posts_change_status_only_from_the_expected_one_and_publish_once(test_store: &mut TestStore) {
    let store = test_store.store();
    let draft = store.create_post(&post("pending_approval", None)).unwrap();
    let due = store.create_post(&post("scheduled", Some(60))).unwrap();
    let later = store.create_post(&post("scheduled", Some(3600))).unwrap();
    assert_eq!(store.get_post(draft.id).unwrap().unwrap(), draft);

    let mut approved = draft.clone();
    approved.status = "approved".into();
    approved.reviewed_by = Some("user:2".into());
    assert!(store.update_post_if(&approved, "pending_approval").unwrap());
    assert!(!store.update_post_if(&approved, "pending_approval").unwrap(), "a second approval finds another status");
    assert_eq!(store.get_post(draft.id).unwrap().unwrap().reviewed_by.as_deref(), Some("user:2"));

    let due_ids: Vec<i64> = store.due_posts(at(120, 0), 10).unwrap().iter().map(|post| post.id).collect();
    assert_eq!(due_ids, vec![due.id]);
    let published = store.publish_post(due.id, "scheduled", &outbound(None, None, "Nos vols reprennent")).unwrap().expect("published");
    assert_eq!(published.status, "published");
    assert!(published.published_at.is_some());
    assert!(store.publish_post(due.id, "scheduled", &outbound(None, None, "twice")).unwrap().is_none(), "published once");
    let sink = store.list_outbound(0, 10).unwrap();
    assert_eq!(sink.len(), 1);
    assert_eq!((sink[0].post_id, sink[0].case_id, Some(sink[0].id)), (Some(due.id), None, published.outbox_id));

    let scheduled: Vec<i64> = store.list_posts(&PostFilter { status: Some("scheduled".into()), limit: 10, ..PostFilter::default() }).unwrap().iter().map(|post| post.id).collect();
    assert_eq!(scheduled, vec![later.id]);
    let newest_first: Vec<i64> = store.list_posts(&PostFilter { limit: 2, ..PostFilter::default() }).unwrap().iter().map(|post| post.id).collect();
    assert_eq!(newest_first, vec![later.id, due.id]);
    let page: Vec<i64> = store.list_posts(&PostFilter { before_id: Some(due.id), limit: 10, ..PostFilter::default() }).unwrap().iter().map(|post| post.id).collect();
    assert_eq!(page, vec![draft.id]);
}

pub fn crisis_modes_are_upserted_and_their_cursor_is_claimed_once_forward(test_store: &mut TestStore) {
    let incident_id = incident(test_store);
    let store = test_store.store();
    assert!(store.get_crisis(incident_id).unwrap().is_none());
    let mut crisis = CrisisRow { incident_id, active: true, ack_template: Some("Merci {name}".into()), ack_after_mention: 5, changed_by: "user:1".into(), updated_at: at(0, 0) };
    store.set_crisis(&crisis).unwrap();
    assert_eq!(store.active_crises().unwrap(), vec![crisis.clone()]);
    assert!(store.claim_ack_range(incident_id, 5, 9).unwrap());
    assert!(!store.claim_ack_range(incident_id, 5, 9).unwrap(), "claimed once");
    assert!(!store.claim_ack_range(incident_id, 9, 7).unwrap(), "never back");
    assert_eq!(store.get_crisis(incident_id).unwrap().unwrap().ack_after_mention, 9);
    crisis.active = false;
    crisis.ack_after_mention = 9;
    store.set_crisis(&crisis).unwrap();
    assert!(store.active_crises().unwrap().is_empty());
    assert!(!store.get_crisis(incident_id).unwrap().unwrap().active);
}

pub fn a_bulk_batch_is_sent_once_and_each_message_delivered_once(test_store: &mut TestStore) {
    let incident_id = incident(test_store);
    let store = test_store.store();
    let mention = inserted_id(store.insert_mentions(&[short_post("b1", "panne")]).unwrap()[0]);
    let mut case = super::cases::case_row_for_suite();
    case.first_mention_id = Some(mention);
    let case_id = store.apply_case_intake(&CaseIntake { opened: vec![NewCase { case, author_handle: "someone".into(), external_id: "b1".into(), mention_at: at(0, 0) }], joined: vec![] }).unwrap()[0];
    assert_eq!(store.cases_of_mentions(&[mention.0, mention.0 + 100]).unwrap(), vec![(mention.0, case_id)]);
    assert!(store.replied_cases(&[case_id]).unwrap().is_empty());

    let batch = BulkBatchRow { id: 0, incident_id, kind: "bulk_reply".into(), template: "Désolés {name}".into(), digest: "abc".into(), created_by: "user:1".into(), created_at: at(0, 0), sent_at: None };
    let message = |recipient: &str, status: &str, case_id: Option<i64>| BulkMessageRow {
        id: 0,
        batch_id: 0,
        incident_id,
        mention_id: mention.0,
        case_id,
        channel: Source::X,
        recipient: recipient.into(),
        in_reply_to: Some("b1".into()),
        text: format!("Désolés {recipient}"),
        status: status.into(),
        reason: (status == "skipped").then(|| "too long".into()),
        outbox_id: None,
        created_at: at(0, 0),
        sent_at: None,
    };
    let (stored, messages) = store.create_bulk_batch(&batch, &[message("someone", "preview", Some(case_id)), message("other", "preview", None), message("long", "skipped", None)]).unwrap();
    assert_eq!(messages.len(), 3);
    assert_eq!(store.get_bulk_batch(stored.id).unwrap().unwrap(), (stored.clone(), messages.clone()));
    assert!(store.bulk_recipients(incident_id, &["bulk_reply"]).unwrap().is_empty(), "a preview answers nobody");
    assert!(store.queued_channels().unwrap().is_empty());

    assert!(store.queue_bulk_batch(stored.id, at(60, 0), &[]).unwrap());
    assert!(!store.queue_bulk_batch(stored.id, at(61, 0), &[]).unwrap(), "sent once");
    assert_eq!(store.queued_channels().unwrap(), vec![Source::X]);
    let queued = store.queued_bulk_messages(Source::X, 10).unwrap();
    assert_eq!(queued.iter().map(|message| message.recipient.as_str()).collect::<Vec<_>>(), vec!["someone", "other"]);
    assert!(store.bulk_recipients(incident_id, &["notify"]).unwrap().is_empty(), "by kind");
    assert_eq!(store.bulk_recipients(incident_id, &["notify", "bulk_reply"]).unwrap(), vec![(Source::X, "other".to_string()), (Source::X, "someone".to_string())]);

    let event = NewCaseEvent { case_id, at: at(600, 0), kind: "reply".into(), mention_id: None, user_id: None, text: Some("Désolés someone".into()), visibility: Some("public".into()), details: json!({"bulk_batch": stored.id}) };
    let sent = store.deliver_bulk_message(queued[0].id, &outbound(Some(case_id), Some("someone"), "Désolés someone"), Some(&event)).unwrap().expect("delivered");
    assert!(store.deliver_bulk_message(queued[0].id, &outbound(Some(case_id), Some("someone"), "again"), Some(&event)).unwrap().is_none(), "delivered once");
    store.deliver_bulk_message(queued[1].id, &outbound(None, Some("other"), "Désolés other"), None).unwrap().expect("delivered without a case");
    assert_eq!(store.replied_cases(&[case_id]).unwrap(), vec![case_id]);
    let reply = store.list_case_events(case_id).unwrap().into_iter().find(|event| event.kind == "reply").expect("the reply is on the case");
    assert_eq!(reply.details["outbox"], json!([sent.id]));
    assert_eq!(store.bulk_sent_since(Source::X, at(600, 0)).unwrap(), 2);
    assert_eq!(store.bulk_sent_since(Source::X, at(601, 0)).unwrap(), 0);
    assert!(store.queued_bulk_messages(Source::X, 10).unwrap().is_empty());
    let sink = store.list_outbound(0, 10).unwrap();
    assert_eq!(sink.iter().map(|row| (row.case_id, row.recipient.as_deref())).collect::<Vec<_>>(), vec![(Some(case_id), Some("someone")), (None, Some("other"))]);
    let (_, after) = store.get_bulk_batch(stored.id).unwrap().unwrap();
    assert_eq!(after.iter().map(|message| message.status.as_str()).collect::<Vec<_>>(), vec!["sent", "sent", "skipped"]);
}
