//! Round-robin assignment continues across a restart: the cursor is kept in the store.

use connectors::Format;
use domain::{Language, Role};
use service::cases::{AgentPatch, CaseListQuery, InboxSort};
use service::{App, Config, ImportOptions, Origin, TeamRequest, UserRequest, import_records};

fn complaint(id: &str) -> String {
    format!(
        r#"{{"source":"x","external_id":"{id}","author":{{"handle":"customer_{id}"}},"language":"en","text":"@AirComptoir my bag is lost, worst airline ever, I am furious","created_at":"2026-11-20T10:00:00Z"}}"#
    )
}

fn ingest(app: &App, id: &str) {
    let records = connectors::read_records(Format::Ndjson, complaint(id).as_bytes()).unwrap();
    let origin = Origin { format: "ndjson".into(), origin: "test".into() };
    import_records(app, records, &origin, ImportOptions { threads: 1, batch_size: 10, queue_batches: 2 }, &|_| {}).unwrap();
}

fn newest_assignee(app: &App) -> Option<i64> {
    let token = app.create_api_token("test").unwrap();
    let principal = app.token_principal(&token).unwrap().unwrap();
    app.list_cases(&principal, &CaseListQuery { sort: Some(InboxSort::Newest), ..CaseListQuery::default() }).unwrap().items[0].case.assignee_id
}

#[test]
fn the_round_continues_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let open = || App::open(Config { data_dir: dir.path().to_path_buf(), ..Config::default() }).unwrap();
    let app = open();
    let mut members = Vec::new();
    for email in ["a@example.com", "b@example.com"] {
        let request = UserRequest {
            email: email.into(),
            password: "correct horse battery".into(),
            role: Role::Agent,
            display_name: None,
            language: Language::default(),
            signature: None,
            expertise: Vec::new(),
            capacity: None,
        };
        members.push(app.create_user("test", &request).unwrap().id);
    }
    app.create_team("test", &TeamRequest { name: "Care".into(), members: members.clone() }).unwrap();
    let token = app.create_api_token("test").unwrap();
    let admin = app.token_principal(&token).unwrap().unwrap();
    for member in &members {
        app.patch_agent(&admin, member.0, &AgentPatch { presence: Some("online".into()), capacity: None, expertise: None }).unwrap();
    }
    ingest(&app, "1");
    let first = newest_assignee(&app).expect("assigned");
    drop(app);

    let app = open();
    ingest(&app, "2");
    let second = newest_assignee(&app).expect("assigned");
    assert_ne!(first, second, "the next agent in the round, not the first one again");
}

/// An agent's correction of a message's reason and intent reaches the case it opened, so
/// the inbox's reason filter and the reports follow it.
#[test]
fn a_corrected_reason_reaches_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(Config { data_dir: dir.path().to_path_buf(), ..Config::default() }).unwrap();
    ingest(&app, "c1");
    let token = app.create_api_token("test").unwrap();
    let principal = app.token_principal(&token).unwrap().unwrap();
    let case = app.list_cases(&principal, &CaseListQuery::default()).unwrap().items[0].case.clone();
    let mention = case.first_mention_id.expect("the case's first message");
    let labels = app.analyzer().reason_labels();
    let other = labels.iter().find(|label| Some(listen::reason_key(label)) != case.reason).expect("another reason").clone();
    let request = service::EnrichmentCorrectionRequest {
        sentiment: None,
        reason: Some(other.clone()),
        intent: Some("question".into()),
        corrected_by: "agent@example.com".into(),
    };
    app.correct_enrichment(mention, &request).unwrap();
    let corrected = app.get_case(&principal, case.id).unwrap().case;
    assert_eq!(corrected.reason.as_deref(), Some(listen::reason_key(&other).as_str()));
    assert_eq!(corrected.intent.as_deref(), Some("question"));
}
