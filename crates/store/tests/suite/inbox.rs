//! The inbox's filters and orders (issue #6): every order pages through every matching
//! case exactly once, in the order `CaseKey` describes, and each filter keeps only its
//! cases.

use chrono::Duration;
use domain::{Source, SentimentLabel};
use store::{CaseFilter, CaseIntake, CaseKey, CaseRow, CaseSort, MentionWrite, NewCase};

use super::fixtures::{at, inserted_id, negative_enrichment, short_post};
use super::TestStore;

const STATUSES: [&str; 4] = ["new", "open", "resolved", "pending_customer"];
const PRIORITIES: [&str; 4] = ["urgent", "high", "normal", "low"];

/// 40 cases with mixed statuses, priorities, sources and due times (some tied).
fn mixed_cases() -> Vec<CaseRow> {
    (0..40_i64)
        .map(|number| {
            let opened_at = at(number * 60, 0);
            let answered = number % 3 == 0;
            let status = STATUSES[(number % 4) as usize];
            CaseRow {
                id: 0,
                contact_id: None,
                status: status.to_string(),
                priority: PRIORITIES[((number * 7) % 4) as usize].to_string(),
                team_id: None,
                assignee_id: None,
                tags: if number % 5 == 0 { vec!["50% \"off\"".to_string(), "refund".to_string()] } else { vec!["refund_x".to_string()] },
                language: Some(if number % 2 == 0 { "fr" } else { "en" }.to_string()),
                source: if number % 4 == 1 { Source::Bluesky } else { Source::X },
                topic: (number % 3 == 1).then(|| "us".to_string()),
                intent: Some(if number % 2 == 0 { "complaint" } else { "question" }.to_string()),
                reason: (number % 6 == 0).then(|| "lost_luggage".to_string()),
                first_mention_id: None,
                subject: format!("case {number}"),
                opened_at,
                first_response_at: answered.then(|| opened_at + Duration::minutes(5)),
                // Every fourth case shares its due time with the next one: ties go by id.
                first_response_due_at: at((number / 2) * 600, 0),
                resolution_due_at: opened_at + Duration::hours(8) - Duration::minutes(number * 7),
                resolved_at: (status == "resolved").then(|| opened_at + Duration::hours(1)),
                updated_at: opened_at,
            }
        })
        .collect()
}

/// Reads every page of `filter` (3 cases a page) with the keyset the service uses.
fn every_page(test_store: &mut TestStore, filter: &CaseFilter) -> Vec<CaseRow> {
    let store = test_store.store();
    let mut seen: Vec<CaseRow> = Vec::new();
    let mut filter = CaseFilter { limit: 3, ..filter.clone() };
    for _ in 0..100 {
        let page = store.list_cases(&filter).unwrap();
        let Some(last) = page.last() else { break };
        filter.before_id = Some(last.id);
        filter.after = Some(CaseKey::of(last));
        seen.extend(page);
    }
    seen
}

fn expected_order(mut cases: Vec<CaseRow>, sort: CaseSort) -> Vec<i64> {
    let key = |case: &CaseRow| CaseKey::of(case);
    match sort {
        CaseSort::Newest => cases.sort_by_key(|case| std::cmp::Reverse(case.id)),
        CaseSort::Oldest => cases.sort_by_key(|case| case.id),
        CaseSort::SlaDue => cases.sort_by_key(|case| (key(case).done, key(case).due_at, case.id)),
        CaseSort::Priority => cases.sort_by_key(|case| (key(case).done, key(case).rank, case.id)),
    }
    cases.into_iter().map(|case| case.id).collect()
}

pub fn every_order_pages_through_each_case_once(test_store: &mut TestStore) {
    test_store.store().bulk_insert_cases(&mixed_cases()).unwrap();
    let all = test_store.store().list_cases(&CaseFilter { limit: 1000, ..CaseFilter::default() }).unwrap();
    assert_eq!(all.len(), 40);
    for sort in [CaseSort::Newest, CaseSort::Oldest, CaseSort::SlaDue, CaseSort::Priority] {
        for status in [None, Some("open"), Some("resolved")] {
            let filter = CaseFilter { sort, status: status.map(str::to_string), ..CaseFilter::default() };
            let listed: Vec<i64> = every_page(test_store, &filter).iter().map(|case| case.id).collect();
            let matching = all.iter().filter(|case| status.is_none_or(|status| case.status == status)).cloned().collect();
            assert_eq!(listed, expected_order(matching, sort), "{sort:?} with status {status:?}");
        }
    }
    // The SLA order lists active cases first, the soonest due first.
    let by_due = every_page(test_store, &CaseFilter { sort: CaseSort::SlaDue, ..CaseFilter::default() });
    assert!(by_due[0].status != "resolved" && by_due.last().unwrap().status == "resolved");
    let by_priority = every_page(test_store, &CaseFilter { sort: CaseSort::Priority, ..CaseFilter::default() });
    assert_eq!(by_priority[0].priority, "urgent");
}

pub fn each_inbox_filter_keeps_only_its_cases(test_store: &mut TestStore) {
    test_store.store().bulk_insert_cases(&mixed_cases()).unwrap();
    let all = test_store.store().list_cases(&CaseFilter { limit: 1000, ..CaseFilter::default() }).unwrap();
    let count = |test_store: &mut TestStore, filter: CaseFilter| every_page(test_store, &CaseFilter { sort: CaseSort::SlaDue, ..filter }).len();
    let expect = |keep: &dyn Fn(&CaseRow) -> bool| all.iter().filter(|case| keep(case)).count();
    assert_eq!(count(test_store, CaseFilter { source: Some(Source::Bluesky), ..Default::default() }), expect(&|case| case.source == Source::Bluesky));
    assert_eq!(count(test_store, CaseFilter { language: Some("en".into()), ..Default::default() }), 20);
    assert_eq!(count(test_store, CaseFilter { intent: Some("question".into()), ..Default::default() }), 20);
    assert_eq!(count(test_store, CaseFilter { reason: Some("lost_luggage".into()), ..Default::default() }), 7);
    assert_eq!(count(test_store, CaseFilter { priority: Some("urgent".into()), ..Default::default() }), expect(&|case| case.priority == "urgent"));
    assert_eq!(count(test_store, CaseFilter { topic: Some("us".into()), ..Default::default() }), expect(&|case| case.topic.is_some()));
    // A tag is matched whole, with LIKE's wildcards and JSON's quotes taken literally.
    assert_eq!(count(test_store, CaseFilter { tag: Some("50% \"off\"".into()), ..Default::default() }), 8);
    assert_eq!(count(test_store, CaseFilter { tag: Some("refund".into()), ..Default::default() }), 8);
    assert_eq!(count(test_store, CaseFilter { tag: Some("refund%".into()), ..Default::default() }), 0);
    assert_eq!(count(test_store, CaseFilter { tag: Some("50".into()), ..Default::default() }), 0);
    let combined = CaseFilter { language: Some("fr".into()), intent: Some("complaint".into()), status: Some("new".into()), ..Default::default() };
    assert_eq!(count(test_store, combined), expect(&|case| case.language.as_deref() == Some("fr") && case.status == "new"));
}

pub fn sentiment_and_vip_filters_follow_the_message_and_the_contact(test_store: &mut TestStore) {
    let store = test_store.store();
    let mut angry = short_post("angry", "furieux");
    angry.enrichment = Some(negative_enrichment("v1"));
    let mut calm: MentionWrite = short_post("calm", "merci");
    calm.mention.author.handle = "calm_customer".into();
    calm.enrichment = Some(domain::Enrichment { sentiment: SentimentLabel::Positive, ..negative_enrichment("v1") });
    let angry_id = inserted_id(store.insert_mentions(&[angry]).unwrap()[0]);
    let calm_id = inserted_id(store.insert_mentions(&[calm]).unwrap()[0]);
    let mut contact = store.list_contacts(Some("calm_customer"), None, 1).unwrap().remove(0);
    contact.vip = true;
    assert!(store.update_contact(&contact).unwrap());
    let opened = |case: CaseRow, handle: &str, external_id: &str| NewCase {
        case,
        author_handle: handle.to_string(),
        external_id: external_id.to_string(),
        mention_at: at(60, 0),
    };
    let mut rows = mixed_cases();
    rows[0].first_mention_id = Some(angry_id);
    rows[1].first_mention_id = Some(calm_id);
    rows[1].source = Source::X;
    let intake = CaseIntake { opened: vec![opened(rows[0].clone(), "someone", "angry"), opened(rows[1].clone(), "calm_customer", "calm")], joined: vec![] };
    store.apply_case_intake(&intake).unwrap();
    let negative = store.list_cases(&CaseFilter { sentiment: Some("negative".into()), limit: 10, ..Default::default() }).unwrap();
    assert_eq!(negative.iter().map(|case| case.first_mention_id).collect::<Vec<_>>(), vec![Some(angry_id)]);
    // An agent's correction of the first message's sentiment reaches the case's filter,
    // in every order.
    let corrected = domain::Enrichment { sentiment: SentimentLabel::Negative, ..negative_enrichment("v1") };
    assert!(store.correct_enrichment(calm_id, &corrected, &[]).unwrap());
    for sort in [CaseSort::SlaDue, CaseSort::Newest, CaseSort::Priority] {
        let negative = store.list_cases(&CaseFilter { sentiment: Some("negative".into()), sort, limit: 10, ..Default::default() }).unwrap();
        assert_eq!(negative.len(), 2, "{sort:?}");
    }
    let positive = store.list_cases(&CaseFilter { sentiment: Some("positive".into()), limit: 10, ..Default::default() }).unwrap();
    assert!(positive.is_empty());
    let vip = store.list_cases(&CaseFilter { vip: true, sort: CaseSort::SlaDue, limit: 10, ..Default::default() }).unwrap();
    assert_eq!(vip.iter().map(|case| case.contact_id).collect::<Vec<_>>(), vec![Some(contact.id.0)]);
}
