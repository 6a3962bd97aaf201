//! Cases: intake (open and join by thread), listing by filter with keyset pages, updates,
//! the conversation, settings, the outbox, callbacks and CSAT surveys.

use chrono::Duration;
use domain::{ErrorKind, Role, Source};
use serde_json::json;
use store::{
    DueTarget,
    CallbackRow, CaseFilter, CaseIntake, CaseJoin, CaseRow, CsatRow, NewCase, NewCaseEvent, OutboxRow, RoutingRuleRow,
    SlaPolicyRow, TeamCareSettings,
};

use super::fixtures::{at, inserted_id, short_post};
use super::people::new_user;
use super::TestStore;

/// A new case for other modules of the suite.
pub fn case_row_for_suite() -> CaseRow {
    case_row("new", None, None, 0)
}

fn case_row(status: &str, team_id: Option<i64>, assignee_id: Option<i64>, minute: i64) -> CaseRow {
    let opened_at = at(minute * 60, 0);
    CaseRow {
        id: 0,
        contact_id: None,
        status: status.to_string(),
        priority: "high".to_string(),
        team_id,
        assignee_id,
        tags: vec!["baggage".to_string()],
        language: Some("fr".to_string()),
        source: Source::X,
        topic: Some("us".to_string()),
        intent: Some("complaint".to_string()),
        reason: Some("lost_luggage".to_string()),
        first_mention_id: None,
        subject: "Où est ma valise ?".to_string(),
        opened_at,
        first_response_at: None,
        first_response_due_at: opened_at + Duration::hours(1),
        resolution_due_at: opened_at + Duration::hours(8),
        resolved_at: None,
        updated_at: opened_at,
    }
}

pub fn a_mention_opens_a_case_for_its_authors_contact_and_replies_join_it(test_store: &mut TestStore) {
    let store = test_store.store();
    let first = inserted_id(store.insert_mentions(&[short_post("m1", "ma valise est perdue")]).unwrap()[0]);
    let contact = store.list_contacts(Some("someone"), None, 10).unwrap()[0].id;
    let mut row = case_row("new", None, None, 0);
    row.first_mention_id = Some(first);
    let intake = CaseIntake {
        opened: vec![NewCase { case: row, author_handle: "someone".into(), external_id: "m1".into(), mention_at: at(0, 0) }],
        joined: vec![],
    };
    let ids = store.apply_case_intake(&intake).unwrap();
    let case = store.get_case(ids[0]).unwrap().unwrap();
    assert_eq!(case.contact_id, Some(contact.0));
    assert_eq!((case.status.as_str(), case.tags.as_slice()), ("new", &["baggage".to_string()][..]));
    assert_eq!(case.first_response_due_at, at(3600, 0));
    assert_eq!(store.find_case_threads(Source::X, &["m1", "unknown"]).unwrap(), vec![("m1".to_string(), ids[0])]);
    assert!(store.find_case_threads(Source::Bluesky, &["m1"]).unwrap().is_empty());

    let mut resolved = case.clone();
    resolved.status = "resolved".into();
    resolved.resolved_at = Some(at(600, 0));
    assert!(store.update_case(&resolved).unwrap());
    let reply = inserted_id(store.insert_mentions(&[short_post("m2", "toujours rien")]).unwrap()[0]);
    let join = CaseJoin {
        case_id: ids[0],
        mention_id: reply,
        source: Source::X,
        external_id: "m2".into(),
        at: at(900, 0),
        reopen_to: Some("open".into()),
    };
    store.apply_case_intake(&CaseIntake { opened: vec![], joined: vec![join] }).unwrap();
    let reopened = store.get_case(ids[0]).unwrap().unwrap();
    assert_eq!((reopened.status.as_str(), reopened.resolved_at), ("open", None));
    let events = store.list_case_events(ids[0]).unwrap();
    let kinds: Vec<&str> = events.iter().map(|event| event.kind.as_str()).collect();
    assert_eq!(kinds, ["customer_message", "customer_message", "status"]);
    assert_eq!(events[1].mention_id, Some(reply));
    assert_eq!(store.contact_cases(contact.0, 10).unwrap().len(), 1);
}

pub fn cases_are_listed_newest_first_by_filter_and_keyset(test_store: &mut TestStore) {
    let store = test_store.store();
    let agent = store.create_user(&new_user("agent@example.com", Role::Agent)).unwrap();
    let team = store.create_team("Care", &[agent.id]).unwrap();
    let mut rows = Vec::new();
    for minute in 0..30 {
        let status = if minute % 3 == 0 { "resolved" } else { "open" };
        let assignee = (minute % 2 == 0).then_some(agent.id.0);
        rows.push(case_row(status, Some(team.id.0), assignee, minute));
    }
    store.bulk_insert_cases(&rows).unwrap();
    // What the benchmarks do between loading and measuring changes nothing that is read.
    store.settle_after_bulk_load().unwrap();
    let all = store.list_cases(&CaseFilter { limit: 100, ..CaseFilter::default() }).unwrap();
    assert_eq!(all.len(), 30);
    assert!(all.windows(2).all(|pair| pair[0].id > pair[1].id));

    let open = CaseFilter { status: Some("open".into()), limit: 7, ..CaseFilter::default() };
    let first_page = store.list_cases(&open).unwrap();
    let second_page = store.list_cases(&CaseFilter { before_id: Some(first_page[6].id), ..open.clone() }).unwrap();
    assert_eq!((first_page.len(), second_page.len()), (7, 7));
    assert!(second_page[0].id < first_page[6].id);
    assert!(first_page.iter().chain(&second_page).all(|case| case.status == "open"));

    let mine = CaseFilter { assignee_id: Some(agent.id.0), limit: 100, ..CaseFilter::default() };
    assert_eq!(store.list_cases(&mine).unwrap().len(), 15);
    let unassigned = CaseFilter { unassigned: true, team_id: Some(team.id.0), limit: 100, ..CaseFilter::default() };
    assert_eq!(store.list_cases(&unassigned).unwrap().len(), 15);
    // Due before minute 61 + 1 h: the first response of cases opened before minute 1 is late.
    let breaching = CaseFilter { due_before: Some(at(3600 + 90, 0)), limit: 100, ..CaseFilter::default() };
    let late = store.list_cases(&breaching).unwrap();
    assert_eq!(late.len(), 1, "only the active case of minute 1");
    assert_eq!(late[0].opened_at, at(60, 0));
    assert_eq!(store.agent_workloads().unwrap(), vec![(agent.id.0, 10)]);
}

pub fn care_settings_round_trip(test_store: &mut TestStore) {
    let store = test_store.store();
    let agent = store.create_user(&new_user("agent@example.com", Role::Agent)).unwrap();
    let team = store.create_team("Care", &[agent.id]).unwrap();
    store.set_presence(agent.id.0, "online").unwrap();
    store.set_presence(agent.id.0, "away").unwrap();
    assert_eq!(store.list_presence().unwrap(), vec![(agent.id.0, "away".to_string())]);

    let rule = RoutingRuleRow {
        id: 0,
        position: 2,
        name: "French".into(),
        conditions: r#"{"languages":["fr"]}"#.into(),
        team_id: team.id.0,
        created_at: at(0, 0),
    };
    let first = store.create_routing_rule(&RoutingRuleRow { position: 5, name: "late".into(), ..rule.clone() }).unwrap();
    let second = store.create_routing_rule(&rule).unwrap();
    let names: Vec<String> = store.list_routing_rules().unwrap().into_iter().map(|rule| rule.name).collect();
    assert_eq!(names, ["French", "late"]);
    assert!(store.delete_routing_rule(first.id).unwrap());
    assert!(!store.delete_routing_rule(first.id).unwrap());
    assert_eq!(store.list_routing_rules().unwrap(), vec![second]);

    let policy = SlaPolicyRow {
        id: 0,
        name: "default".into(),
        team_id: None,
        targets: "{}".into(),
        calendar: "{}".into(),
        updated_at: at(0, 0),
    };
    let default = store.create_sla_policy(&policy).unwrap();
    assert_eq!(store.create_sla_policy(&policy).unwrap_err().kind(), ErrorKind::Conflict);
    store.create_sla_policy(&SlaPolicyRow { team_id: Some(team.id.0), ..policy.clone() }).unwrap();
    let taken = store.create_sla_policy(&SlaPolicyRow { team_id: Some(team.id.0), ..policy.clone() }).unwrap_err();
    assert_eq!(taken.kind(), ErrorKind::Conflict);
    assert!(store.update_sla_policy(&SlaPolicyRow { name: "renamed".into(), ..default.clone() }).unwrap());
    assert_eq!(store.list_sla_policies().unwrap()[0].name, "renamed");

    let settings = TeamCareSettings { team_id: team.id.0, append_signature: true, assignment: "least_loaded".into(), crowd: false, crowd_approval: false };
    store.set_team_settings(&settings).unwrap();
    store.set_team_settings(&TeamCareSettings { append_signature: false, crowd: true, crowd_approval: true, ..settings.clone() }).unwrap();
    let stored = &store.list_team_settings().unwrap()[0];
    assert!(!stored.append_signature && stored.crowd && stored.crowd_approval);
    let unknown = store.set_team_settings(&TeamCareSettings { team_id: 999, ..settings }).unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound);

    let canned = store.create_canned("Hours", "Bonjour {customer_name}").unwrap();
    assert_eq!(store.get_canned(canned.id).unwrap(), Some(canned.clone()));
    assert_eq!(store.list_canned().unwrap(), vec![canned.clone()]);
    assert!(store.delete_canned(canned.id).unwrap());
    assert_eq!(store.get_canned(canned.id).unwrap(), None);
}

pub fn replies_callbacks_and_surveys_are_kept(test_store: &mut TestStore) {
    let store = test_store.store();
    let agent = store.create_user(&new_user("agent@example.com", Role::Agent)).unwrap();
    store.bulk_insert_cases(&[case_row("open", None, Some(agent.id.0), 0)]).unwrap();
    let case_id = store.list_cases(&CaseFilter { limit: 1, ..CaseFilter::default() }).unwrap()[0].id;

    let note = store
        .add_case_event(&NewCaseEvent {
            case_id,
            at: at(60, 0),
            kind: "note".into(),
            mention_id: None,
            user_id: Some(agent.id.0),
            text: Some("@boss regarde".into()),
            visibility: Some("internal".into()),
            details: json!({"mentions": [agent.id.0]}),
        })
        .unwrap();
    assert_eq!(note.details["mentions"][0], agent.id.0);
    assert_eq!(store.list_case_events(case_id).unwrap(), vec![note]);

    let outbound = OutboxRow {
        id: 0,
        case_id,
        channel: Source::X,
        in_reply_to: Some("m1".into()),
        recipient: Some("someone".into()),
        text: "Désolés ^JD".into(),
        visibility: "public".into(),
        status: "queued".into(),
        attempts: 0,
        created_at: at(120, 0),
        updated_at: at(120, 0),
    };
    let queued = store.add_outbox(&outbound).unwrap();
    assert!(store.set_outbox_status(queued.id, "sent").unwrap());
    let sent = &store.list_outbox(case_id).unwrap()[0];
    assert_eq!((sent.status.as_str(), sent.attempts, sent.text.as_str()), ("sent", 1, "Désolés ^JD"));
    let held = store.add_outbox(&OutboxRow { status: "pending_approval".into(), ..outbound.clone() }).unwrap();
    assert_eq!(store.outbox_by_status("pending_approval", None, 10).unwrap(), vec![held.clone()]);
    assert!(store.move_outbox(held.id, "pending_approval", "queued").unwrap());
    assert!(!store.move_outbox(held.id, "pending_approval", "rejected").unwrap(), "moved once");
    let moved = store.get_outbox(held.id).unwrap().unwrap();
    assert_eq!((moved.status.as_str(), moved.attempts), ("queued", 0));
    assert!(store.outbox_by_status("pending_approval", None, 10).unwrap().is_empty());
    assert!(store.get_outbox(held.id + 100).unwrap().is_none());

    let callback = store
        .create_callback(&CallbackRow {
            id: 0,
            case_id,
            phone: "+33123456789".into(),
            note: "rappeler".into(),
            slot: Some("demain 10h".into()),
            status: "open".into(),
            outcome: None,
            created_by: Some(agent.id.0),
            created_at: at(180, 0),
            done_at: None,
        })
        .unwrap();
    assert_eq!(store.list_callbacks(Some("open"), None, None, 10).unwrap(), vec![callback.clone()]);
    assert!(store.complete_callback(callback.id, "solved on the phone", at(240, 0)).unwrap());
    assert!(!store.complete_callback(callback.id, "twice", at(300, 0)).unwrap());
    let done = store.get_callback(callback.id).unwrap().unwrap();
    assert_eq!((done.status.as_str(), done.outcome.as_deref()), ("done", Some("solved on the phone")));
    assert!(store.list_callbacks(Some("open"), Some(case_id), None, 10).unwrap().is_empty());

    let survey = CsatRow {
        id: 0,
        case_id,
        agent_id: Some(agent.id.0),
        team_id: None,
        rating: None,
        comment: None,
        created_at: at(400, 0),
        answered_at: None,
    };
    let created = store.create_csat(&survey, "digest").unwrap();
    assert_eq!(store.create_csat(&survey, "digest").unwrap_err().kind(), ErrorKind::Conflict);
    assert_eq!(store.find_csat("digest").unwrap(), Some(created.clone()));
    assert!(store.answer_csat(created.id, 4, Some("merci"), at(500, 0)).unwrap());
    assert!(!store.answer_csat(created.id, 1, None, at(600, 0)).unwrap(), "one use");
    assert_eq!(store.case_csat(case_id).unwrap()[0].rating, Some(4));
    let report = store.csat_report(None).unwrap();
    assert_eq!((report[0].agent_id, report[0].answers, report[0].rating_sum), (Some(agent.id.0), 1, 4));
    // A report's period counts the answers given in it, of its agent.
    let period = |from: i64, to: i64, agent_id: Option<i64>| store::CareReportFilter {
        from: at(from, 0),
        to: at(to, 0),
        team_id: None,
        assignee_id: agent_id,
        now: at(1000, 0),
    };
    assert_eq!(store.csat_report(Some(&period(400, 501, None))).unwrap().len(), 1);
    assert!(store.csat_report(Some(&period(501, 900, None))).unwrap().is_empty(), "answered before the period");
    assert!(store.csat_report(Some(&period(400, 500, None))).unwrap().is_empty(), "`to` is excluded");
    assert!(store.csat_report(Some(&period(0, 900, Some(agent.id.0 + 99)))).unwrap().is_empty(), "another agent's");

    // The case file holds the same rows as the single reads, in one trip, whatever a
    // stranger wrote (its lists travel as JSON inside the statement).
    store
        .add_case_event(&NewCaseEvent {
            case_id,
            at: at(700, 123),
            kind: "customer_message".into(),
            mention_id: None,
            user_id: None,
            text: Some("\"]}, [1, null] \\ 'quote'\n\u{1F600} <b>".into()),
            visibility: None,
            details: json!({"raw": "[\"x\"]", "n": 9007199254740993i64}),
        })
        .unwrap();
    let refused = store
        .add_case_event(&NewCaseEvent { case_id, at: at(700, 0), kind: "note".into(), mention_id: None, user_id: None, text: Some("a\u{0}b".into()), visibility: None, details: json!({}) })
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Invalid, "a NUL is refused on every backend: {refused}");
    let second = store.create_callback(&CallbackRow { note: "{\"not\": \"json\"}".into(), created_at: at(800, 0), ..callback.clone() }).unwrap();
    let file = store.case_file(case_id).unwrap().unwrap();
    assert_eq!((file.events.len(), file.outbox.len()), (2, 2));
    assert_eq!(file.callbacks.iter().map(|callback| callback.id).collect::<Vec<_>>(), vec![second.id, callback.id], "newest first");
    assert_eq!(file.case, store.get_case(case_id).unwrap().unwrap());
    assert_eq!(file.events, store.list_case_events(case_id).unwrap());
    assert_eq!(file.outbox, store.list_outbox(case_id).unwrap());
    assert_eq!(file.callbacks, store.list_callbacks(None, Some(case_id), None, 100).unwrap());
    assert_eq!(file.csat, store.case_csat(case_id).unwrap());
    assert!(store.case_file(case_id + 1000).unwrap().is_none());
}

pub fn case_arrivals_are_counted_per_utc_hour(test_store: &mut TestStore) {
    let store = test_store.store();
    let agent = store.create_user(&new_user("agent@example.com", Role::Agent)).unwrap();
    let team = store.create_team("Care", &[agent.id]).unwrap();
    let mut rows = Vec::new();
    // Minutes 0, 20, 40 (hour 0), 70 (hour 1), 200 (hour 3); one of hour 0 for no team.
    for (minute, team_id) in [(0, Some(team.id.0)), (20, Some(team.id.0)), (40, None), (70, Some(team.id.0)), (200, Some(team.id.0))] {
        rows.push(case_row("open", team_id, None, minute));
    }
    store.bulk_insert_cases(&rows).unwrap();
    let all = store.case_arrivals_by_hour(None, at(0, 0)).unwrap();
    assert_eq!(all, vec![(at(0, 0), 3), (at(3600, 0), 1), (at(3 * 3600, 0), 1)]);
    let team_only = store.case_arrivals_by_hour(Some(team.id.0), at(0, 0)).unwrap();
    assert_eq!(team_only, vec![(at(0, 0), 2), (at(3600, 0), 1), (at(3 * 3600, 0), 1)]);
    // `since` is inclusive and cuts inside an hour: the hour is counted from there.
    let later = store.case_arrivals_by_hour(None, at(30 * 60, 0)).unwrap();
    assert_eq!(later, vec![(at(0, 0), 1), (at(3600, 0), 1), (at(3 * 3600, 0), 1)]);
}

pub fn an_incident_links_to_the_cases_holding_its_mentions(test_store: &mut TestStore) {
    let store = test_store.store();
    let ids: Vec<_> = ["i1", "i2", "i3", "i4"]
        .iter()
        .map(|id| inserted_id(store.insert_mentions(&[short_post(id, "plus de réseau")]).unwrap()[0]))
        .collect();
    let open = |mention: usize, external: &str| {
        let mut row = case_row("new", None, None, mention as i64);
        row.first_mention_id = Some(ids[mention]);
        NewCase { case: row, author_handle: "someone".into(), external_id: external.into(), mention_at: at(0, 0) }
    };
    let opened = store.apply_case_intake(&CaseIntake { opened: vec![open(0, "i1"), open(2, "i3")], joined: vec![] }).unwrap();
    let (first, second) = (opened[0], opened[1]);
    // i2 joins the first case; i4 is in no case.
    let join = CaseJoin { case_id: first, mention_id: ids[1], source: Source::X, external_id: "i2".into(), at: at(60, 0), reopen_to: None };
    store.apply_case_intake(&CaseIntake { opened: vec![], joined: vec![join] }).unwrap();
    let incident = store
        .create_incident(&store::IncidentRow {
            id: 0,
            slice: "total".into(),
            status: "open".into(),
            owner: None,
            started_at: 0,
            ended_at: None,
            peak: 0.9,
            details: json!({}),
        })
        .unwrap();
    store.link_incident_mentions(incident.id, &[ids[1], ids[2], ids[3]]).unwrap();
    let linked: Vec<i64> = store.incident_cases(incident.id, None, 10).unwrap().iter().map(|case| case.id).collect();
    assert_eq!(linked, vec![second, first], "newest first, each case once");
    let below: Vec<i64> = store.incident_cases(incident.id, Some(second), 10).unwrap().iter().map(|case| case.id).collect();
    assert_eq!(below, vec![first]);
    assert_eq!(store.incident_cases(incident.id, None, 1).unwrap().len(), 1);
    assert!(store.incident_cases(incident.id + 1, None, 10).unwrap().is_empty());
}

pub fn the_sla_sweep_reads_cases_by_due_time_window(test_store: &mut TestStore) {
    let store = test_store.store();
    // Opened at minutes 0, 30, 60: first responses due at 60, 90, 120; resolutions at 480, 510, 540.
    let mut rows = vec![case_row("open", None, None, 0), case_row("new", None, None, 30), case_row("open", None, None, 60)];
    rows[2].first_response_at = Some(at(70 * 60, 0)); // answered: never due again
    let mut resolved = case_row("resolved", None, None, 10);
    resolved.resolved_at = Some(at(20 * 60, 0));
    rows.push(resolved);
    store.bulk_insert_cases(&rows).unwrap();
    let ids: Vec<i64> = store.list_cases(&CaseFilter { limit: 10, ..CaseFilter::default() }).unwrap().iter().rev().map(|case| case.id).collect();

    let due = |target, from: i64, to: i64| -> Vec<i64> {
        store.cases_due_between(target, at(from * 60, 0), at(to * 60, 0), 10).unwrap().iter().map(|case| case.id).collect()
    };
    assert_eq!(due(DueTarget::FirstResponse, 0, 200), vec![ids[0], ids[1]], "soonest first; answered and resolved cases are left out");
    assert_eq!(due(DueTarget::FirstResponse, 60, 90), vec![ids[1]], "the window is (after, until]");
    assert_eq!(due(DueTarget::Resolution, 470, 520), vec![ids[0], ids[1]]);
    assert_eq!(store.cases_due_between(DueTarget::Resolution, at(0, 0), at(60_000, 0), 1).unwrap().len(), 1, "limit");

    let opened: Vec<i64> = store.cases_opened_since(at(5 * 60, 0), 10).unwrap().iter().map(|case| case.id).collect();
    assert_eq!(opened, vec![ids[3], ids[1], ids[2]], "oldest first, after the instant");

    store
        .add_case_event(&NewCaseEvent {
            case_id: ids[0],
            at: at(61 * 60, 0),
            kind: "sla_breach:first_response".into(),
            mention_id: None,
            user_id: None,
            text: None,
            visibility: None,
            details: json!({}),
        })
        .unwrap();
    assert_eq!(
        store.case_event_kinds(&[ids[0], ids[1]], &["sla_breach:first_response", "auto_reply"]).unwrap(),
        vec![(ids[0], "sla_breach:first_response".to_string())]
    );

    // update_case also writes the reason and intent (an agent's correction reaches the case).
    let mut case = store.get_case(ids[0]).unwrap().unwrap();
    case.reason = Some("billing".into());
    case.intent = None;
    assert!(store.update_case(&case).unwrap());
    let read = store.get_case(ids[0]).unwrap().unwrap();
    assert_eq!((read.reason.as_deref(), read.intent.as_deref()), (Some("billing"), None));
    assert_eq!(store.cases_holding_mention(domain::MentionId(999_999)).unwrap(), vec![]);
}

pub fn the_care_report_counts_a_period_per_hour_team_and_agent(test_store: &mut TestStore) {
    use store::{CareDuration, CareGrouping, CareReportFilter};
    let store = test_store.store();
    let agent = store.create_user(&new_user("agent@example.com", Role::Agent)).unwrap();
    let team = store.create_team("Care", &[agent.id]).unwrap();
    let (team_id, agent_id) = (team.id.0, agent.id.0);
    // Hour 0: answered in 10 min (met), answered in 90 min (late, due in 60), resolved in
    // 5 h (met, due in 8 h); hour 1: unanswered and overdue; hour 5: outside the period.
    let mut met = case_row("resolved", Some(team_id), Some(agent_id), 0);
    met.first_response_at = Some(met.opened_at + Duration::minutes(10));
    met.resolved_at = Some(met.opened_at + Duration::hours(5));
    met.contact_id = None;
    let mut late = case_row("open", Some(team_id), Some(agent_id), 30);
    late.first_response_at = Some(late.opened_at + Duration::minutes(90));
    let waiting = case_row("new", Some(team_id), None, 70);
    let outside = case_row("new", None, None, 300);
    store.bulk_insert_cases(&[met, late, waiting, outside]).unwrap();
    let filter = CareReportFilter { from: at(0, 0), to: at(4 * 3600, 0), team_id: None, assignee_id: None, now: at(6 * 3600, 0) };
    let hours = store.care_report_counts(&filter, CareGrouping::HourAndTeam).unwrap();
    assert_eq!(hours.len(), 2, "hour 0 and hour 1 of the team: {hours:?}");
    let first = &hours[0];
    assert_eq!((first.hour, first.team_id, first.assignee_id), (at(0, 0), Some(team_id), None));
    assert_eq!((first.received, first.first_responded, first.first_response_met, first.first_response_breached), (2, 2, 1, 1));
    assert_eq!((first.resolved, first.resolution_met, first.resolution_breached, first.backlog), (1, 1, 0, 1));
    let second = &hours[1];
    assert_eq!((second.hour, second.received), (at(3600, 0), 1));
    assert_eq!((second.first_response_breached, second.resolution_breached, second.backlog), (1, 0, 1), "due at 02:10, not yet at 06:00 for resolution");
    let agents = store.care_report_counts(&filter, CareGrouping::Agent).unwrap();
    assert_eq!(agents.len(), 2, "the agent and unassigned: {agents:?}");
    let agent_line = agents.iter().find(|line| line.assignee_id == Some(agent_id)).unwrap();
    assert_eq!((agent_line.received, agent_line.first_response_met, agent_line.team_id), (2, 1, None));
    assert_eq!(agents.iter().find(|line| line.assignee_id.is_none()).unwrap().received, 1);
    // Durations in whole minutes, shortest first.
    assert_eq!(store.care_report_durations(&filter, CareDuration::FirstResponse).unwrap(), vec![(10, 1), (90, 1)]);
    assert_eq!(store.care_report_durations(&filter, CareDuration::Resolution).unwrap(), vec![(300, 1)]);
    // Filters by team and agent; `to` is exclusive.
    let agent_only = CareReportFilter { assignee_id: Some(agent_id), ..filter };
    assert_eq!(store.care_report_counts(&agent_only, CareGrouping::HourAndTeam).unwrap().len(), 1);
    let other_team = CareReportFilter { team_id: Some(team_id + 1000), ..filter };
    assert!(store.care_report_counts(&other_team, CareGrouping::HourAndTeam).unwrap().is_empty());
    let until_first = CareReportFilter { to: at(30 * 60, 0), ..filter };
    assert_eq!(store.care_report_counts(&until_first, CareGrouping::HourAndTeam).unwrap()[0].received, 1);
    assert_eq!(store.care_report_customers(&filter, 3).unwrap(), store::CustomersServed { count: 0, estimated: false }, "no contact on these cases");
}

/// The care report reads whole hours and days from roll-ups kept by triggers (migration
/// 0015) and the edges of a period from the cases: after inserts and every kind of update
/// (answered, resolved, reassigned, moved to another team, reopened), it must count exactly
/// what a scan of the cases counts, for periods on and off the hour, per team and agent.
pub fn the_care_report_roll_ups_follow_every_case_write(test_store: &mut TestStore) {
    use std::collections::BTreeMap;
    use store::{duration_step_floor, CareDuration, CareGrouping, CareHourCounts, CareReportFilter};
    let store = test_store.store();
    let x = store.create_user(&new_user("x@example.com", Role::Agent)).unwrap().id.0;
    let y = store.create_user(&new_user("y@example.com", Role::Agent)).unwrap().id.0;
    let team_a = store.create_team("A", &[]).unwrap().id.0;
    let team_b = store.create_team("B", &[]).unwrap().id.0;
    let statuses = ["new", "open", "pending_customer", "on_hold", "resolved", "closed"];
    // 60 cases over three days, one every 71 minutes, with answers and resolutions on
    // time, late, or not yet.
    let rows: Vec<CaseRow> = (0..60i64)
        .map(|n| {
            let team = [Some(team_a), Some(team_b), None][(n % 3) as usize];
            let assignee = [Some(x), Some(y), None, Some(x)][(n % 4) as usize];
            let mut row = case_row(statuses[(n % 6) as usize], team, assignee, n * 71);
            if n % 5 != 0 {
                row.first_response_at = Some(row.opened_at + Duration::minutes([7, 59, 61, 133, 1500][(n % 5) as usize]));
            }
            if n % 6 >= 4 {
                row.resolved_at = Some(row.opened_at + Duration::minutes([300, 481, 3000][(n % 3) as usize]));
            }
            row
        })
        .collect();
    store.bulk_insert_cases(&rows).unwrap();
    let ids: Vec<i64> = store.list_cases(&CaseFilter { limit: 100, ..CaseFilter::default() }).unwrap().iter().map(|case| case.id).collect();
    assert_eq!(ids.len(), 60);
    for (n, id) in ids.iter().enumerate() {
        let mut case = store.get_case(*id).unwrap().unwrap();
        match n % 7 {
            0 => case.first_response_at = Some(case.opened_at + Duration::minutes(20)),
            1 => {
                case.status = "resolved".into();
                case.resolved_at = Some(case.opened_at + Duration::minutes(700));
            }
            2 => case.assignee_id = if case.assignee_id == Some(x) { Some(y) } else { Some(x) },
            3 => case.team_id = Some(team_b),
            4 => {
                case.status = "open".into();
                case.resolved_at = None;
            }
            5 => case.first_response_due_at += Duration::hours(30),
            _ => continue,
        }
        assert!(store.update_case(&case).unwrap());
    }
    let cases: Vec<CaseRow> = ids.iter().map(|id| store.get_case(*id).unwrap().unwrap()).collect();
    // The agents' workloads come from the same roll-up.
    let mut loads: BTreeMap<i64, u32> = BTreeMap::new();
    for case in cases.iter().filter(|case| store::ACTIVE_STATUSES.contains(&case.status.as_str())) {
        if let Some(agent) = case.assignee_id {
            *loads.entry(agent).or_default() += 1;
        }
    }
    assert_eq!(store.agent_workloads().unwrap(), loads.into_iter().collect::<Vec<_>>());

    // What a scan of the cases counts.
    let expected = |filter: &CareReportFilter, grouping: CareGrouping| -> Vec<CareHourCounts> {
        let mut groups: BTreeMap<(i64, Option<i64>, Option<i64>), CareHourCounts> = BTreeMap::new();
        for case in cases.iter().filter(|case| {
            case.opened_at >= filter.from
                && case.opened_at < filter.to
                && filter.team_id.is_none_or(|team| case.team_id == Some(team))
                && filter.assignee_id.is_none_or(|agent| case.assignee_id == Some(agent))
        }) {
            let hour = case.opened_at - Duration::seconds(case.opened_at.timestamp().rem_euclid(3600));
            let (key, hour, team, agent) = match grouping {
                CareGrouping::HourAndTeam => ((hour.timestamp(), case.team_id, None), hour, case.team_id, None),
                CareGrouping::Agent => ((0, None, case.assignee_id), filter.from, None, case.assignee_id),
            };
            let line = groups.entry(key).or_insert_with(|| CareHourCounts { hour, team_id: team, assignee_id: agent, ..CareHourCounts::default() });
            let answered = case.first_response_at;
            line.received += 1;
            line.first_responded += u64::from(answered.is_some());
            line.first_response_met += u64::from(answered.is_some_and(|at| at <= case.first_response_due_at));
            line.first_response_breached += u64::from(answered.unwrap_or(filter.now) > case.first_response_due_at);
            line.resolved += u64::from(case.resolved_at.is_some());
            line.resolution_met += u64::from(case.resolved_at.is_some_and(|at| at <= case.resolution_due_at));
            line.resolution_breached += u64::from(case.resolved_at.unwrap_or(filter.now) > case.resolution_due_at);
            line.backlog += u64::from(store::ACTIVE_STATUSES.contains(&case.status.as_str()));
        }
        groups.into_values().collect()
    };
    let expected_durations = |filter: &CareReportFilter, which: CareDuration| -> Vec<(u64, u64)> {
        let mut counts: BTreeMap<u64, u64> = BTreeMap::new();
        for case in cases.iter().filter(|case| {
            case.opened_at >= filter.from && case.opened_at < filter.to && filter.team_id.is_none_or(|team| case.team_id == Some(team))
        }) {
            let end = match which {
                CareDuration::FirstResponse => case.first_response_at,
                CareDuration::Resolution => case.resolved_at,
            };
            if let Some(end) = end {
                *counts.entry(duration_step_floor((end - case.opened_at).num_minutes().max(0) as u64)).or_default() += 1;
            }
        }
        counts.into_iter().collect()
    };
    let sorted = |mut lines: Vec<CareHourCounts>| {
        lines.sort_by_key(|line| (line.hour, line.team_id, line.assignee_id));
        lines
    };
    let periods = [
        (at(0, 0), at(72 * 3600, 0)),
        (at(37 * 60 + 11, 0), at(50 * 3600 + 7 * 60, 0)),
        (at(25 * 3600 + 1, 0), at(71 * 3600 - 1, 0)),
        (at(3 * 3600 + 5, 0), at(3 * 3600 + 50 * 60, 0)),
    ];
    for (from, to) in periods {
        for now in [at(10 * 3600, 0), at(40 * 3600 + 30 * 60, 0), at(400 * 3600, 0)] {
            for (team_id, assignee_id) in [(None, None), (Some(team_b), None), (None, Some(x))] {
                let filter = CareReportFilter { from, to, team_id, assignee_id, now };
                for grouping in [CareGrouping::HourAndTeam, CareGrouping::Agent] {
                    assert_eq!(
                        sorted(store.care_report_counts(&filter, grouping).unwrap()),
                        sorted(expected(&filter, grouping)),
                        "{grouping:?} {filter:?}"
                    );
                }
                if assignee_id.is_none() {
                    for which in [CareDuration::FirstResponse, CareDuration::Resolution] {
                        assert_eq!(store.care_report_durations(&filter, which).unwrap(), expected_durations(&filter, which), "{which:?} {filter:?}");
                    }
                }
            }
        }
    }
}

/// Customers served over a large period are estimated from the sample of contacts kept
/// per day (migration 0015: one contact in 16), merged with the edges of the period read
/// from the cases; exact otherwise.
pub fn customers_served_are_counted_exactly_or_estimated_from_the_sample(test_store: &mut TestStore) {
    use store::{in_customer_sample, CareReportFilter, CustomersServed, CUSTOMER_SAMPLE_ONE_IN};
    let store = test_store.store();
    let posts: Vec<_> = (0..60)
        .map(|n| {
            let mut post = short_post(&format!("c{n}"), "toujours pas de réponse");
            post.mention.author.handle = format!("customer{n}");
            post
        })
        .collect();
    store.insert_mentions(&posts).unwrap();
    let contacts: Vec<i64> = store.list_contacts(None, None, 100).unwrap().iter().map(|contact| contact.id.0).collect();
    assert_eq!(contacts.len(), 60);
    // 180 cases over four days, three per contact, one every 31 minutes.
    let rows: Vec<CaseRow> = (0..180i64)
        .map(|n| {
            let mut row = case_row("open", None, None, n * 31);
            row.contact_id = Some(contacts[(n % 60) as usize]);
            row
        })
        .collect();
    store.bulk_insert_cases(&rows).unwrap();
    let distinct_in = |from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>, sampled_only: bool| {
        let mut seen: Vec<i64> = rows
            .iter()
            .filter(|row| row.opened_at >= from && row.opened_at < to)
            .filter_map(|row| row.contact_id)
            .filter(|contact| !sampled_only || in_customer_sample(*contact))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len() as u64
    };
    assert!(distinct_in(at(0, 0), at(4 * 86_400, 0), true) > 0, "some of these contacts are in the sample");
    for (from, to) in [(at(0, 0), at(4 * 86_400, 0)), (at(7 * 3600 + 3, 0), at(50 * 3600, 0)), (at(30 * 3600, 0), at(34 * 3600, 0))] {
        let filter = CareReportFilter { from, to, team_id: None, assignee_id: None, now: at(5 * 86_400, 0) };
        assert_eq!(store.care_report_customers(&filter, 10).unwrap(), CustomersServed { count: distinct_in(from, to, false), estimated: false });
        // As if the period held more cases than are counted exactly.
        let estimated = store.care_report_customers(&filter, u64::MAX).unwrap();
        if to - from >= Duration::days(1) {
            let expected = distinct_in(from, to, true) * CUSTOMER_SAMPLE_ONE_IN;
            assert_eq!(estimated, CustomersServed { count: expected, estimated: true }, "{from}–{to}");
        } else {
            assert!(!estimated.estimated, "{from}–{to}: no whole day, counted exactly");
        }
    }
}
