//! Publishing and crisis mode end to end, through the router (`oneshot`) over the demo's
//! own stream: the simulated spike (the demo generator, replayed bucket by bucket with a
//! replaced clock) opens an incident; crisis mode holds a scheduled post; the bulk reply
//! is previewed, then sent exactly as shown, one message per author, never twice, within
//! the channel's rate; new related mentions are acknowledged once; the broadcast reaches
//! each brand account; the resolved outage is announced. Also the post workflow and the
//! SLA-backlog alert.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, Utc};
use domain::Role;
use serde_json::{Value, json};
use service::demo::{DemoGenerator, demo_early_warning};
use service::publishing::PublishingConfig;
use service::{App, Config, ImportOptions, Origin, UserRequest, import_records};
use tower::ServiceExt;

/// Bulk messages per minute on X in this test (the other channels keep 30).
const X_RATE: u32 = 4;

struct TestApp {
    app: Arc<App>,
    router: Router,
    /// A supervisor who signs "^MC".
    token: String,
    agent_token: String,
    clock: Arc<AtomicI64>,
    generator: DemoGenerator,
    _dir: tempfile::TempDir,
}

fn test_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut publishing = PublishingConfig::demo();
    publishing.messages_per_minute.insert("x".into(), X_RATE);
    let config = Config { data_dir: dir.path().to_path_buf(), early_warning: demo_early_warning(), publishing, ..Config::default() };
    let app = Arc::new(App::open(config).unwrap());
    let start = Utc::now().timestamp() / 5 * 5;
    let clock = Arc::new(AtomicI64::new(start));
    let reader = clock.clone();
    app.set_early_warning_clock(Arc::new(move || reader.load(Ordering::SeqCst)));
    let user = |email: &str, role, signature: &str| UserRequest {
        email: email.into(),
        password: "correct horse battery staple".into(),
        role,
        display_name: None,
        language: domain::Language::Fr,
        signature: Some(signature.into()),
        expertise: vec![],
        capacity: None,
    };
    app.create_user("test", &user("mc@example.com", Role::Supervisor, "^MC")).unwrap();
    app.create_user("test", &user("agent@example.com", Role::Agent, "^AG")).unwrap();
    let token = app.create_user_api_token("test", "mc@example.com", "test", &[]).unwrap();
    let agent_token = app.create_user_api_token("test", "agent@example.com", "test", &[]).unwrap();
    let ingest = service::start_ingest_thread(app.clone(), 8);
    let router = web::router(web::AppState::new(app.clone(), ingest, "test"));
    TestApp { app, router, token, agent_token, clock, generator: DemoGenerator::new(7), _dir: dir }
}

impl TestApp {
    async fn call_as(&self, token: &str, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(uri).header(header::AUTHORIZATION, format!("Bearer {token}"));
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let request = request.body(body.map_or(Body::empty(), |body| Body::from(body.to_string()))).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn call(&self, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call_as(&self.token.clone(), method, uri, body).await
    }

    /// One 5-second bucket of the demo's stream (`posts` of them), then the writer's tick
    /// into the next bucket.
    fn bucket(&mut self, posts: usize, in_spike: bool) {
        self.bucket_with(posts, in_spike, &[]);
    }

    /// A bucket with some NDJSON mentions of our own among the demo's.
    fn bucket_with(&mut self, posts: usize, in_spike: bool, ndjson: &[String]) {
        let start = self.clock.load(Ordering::SeqCst);
        let origin = Origin { format: "demo".into(), origin: "test".into() };
        let mut records = connectors::read_records(connectors::Format::Ndjson, ndjson.join("\n").as_bytes()).unwrap();
        for _ in 0..posts {
            let (format, payload) = self.generator.next_payload(in_spike, Utc::now());
            records.extend(connectors::read_records(format, payload.as_bytes()).unwrap());
        }
        import_records(&self.app, records, &origin, ImportOptions { threads: 1, batch_size: 500, queue_batches: 2 }, &|_| {}).unwrap();
        self.clock.store(start + 5, Ordering::SeqCst);
        self.app.writer().tick().unwrap();
    }

    async fn outbox(&self) -> Vec<Value> {
        let (status, rows) = self.call("GET", "/api/v1/outbox?limit=1000", None).await;
        assert_eq!(status, StatusCode::OK, "{rows}");
        rows.as_array().unwrap().clone()
    }
}

/// The demo's spike: quiet buckets while the detectors learn, then twelve times the rate.
fn spike_incident(test: &mut TestApp) -> i64 {
    for bucket in 0..14 {
        test.bucket(14 + bucket % 3, false);
    }
    test.bucket(180, true);
    test.bucket(170, true);
    let incidents = test.app.list_incidents(None, 10).unwrap().items;
    let total = incidents.iter().find(|incident| incident.slice == "total").unwrap_or_else(|| panic!("the spike opened no incident: {incidents:?}"));
    total.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_spike_is_answered_in_bulk_in_crisis_mode_exactly_as_previewed() {
    let mut test = test_app();
    // An SLA-backlog rule: more than two open cases due within a week fires it, once.
    let (status, backlog_rule) = test.call("POST", "/api/v1/alert-rules", Some(json!({"name": "Backlog", "kind": "sla_backlog", "threshold": 2, "within_minutes": 10080}))).await;
    assert_eq!((status, backlog_rule["threshold"].as_u64()), (StatusCode::CREATED, Some(2)), "{backlog_rule}");
    let incident = spike_incident(&mut test);
    let (_, alerts) = test.call("GET", "/api/v1/alerts", None).await;
    let backlog: Vec<&Value> = alerts["items"].as_array().unwrap().iter().filter(|alert| alert["rule_id"] == backlog_rule["id"]).collect();
    assert_eq!(backlog.len(), 1, "de-duplicated like the others: {alerts}");
    assert!(backlog[0]["text"].as_str().unwrap().starts_with("SLA backlog: more than 2 open cases"), "{alerts}");

    // A scheduled post, approved before the crisis.
    let soon = (Utc::now() + Duration::seconds(2)).to_rfc3339();
    let (status, post) = test.call_as(&test.agent_token.clone(), "POST", "/api/v1/posts", Some(json!({"text": "Nouvelles lignes cet été !", "channel": "x", "scheduled_at": soon}))).await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let post_uri = format!("/api/v1/posts/{}", post["id"]);
    let (status, approved) = test.call("POST", &format!("{post_uri}/approve"), None).await;
    assert_eq!((status, approved["status"].as_str()), (StatusCode::OK, Some("scheduled")), "{approved}");

    // One author is answered by hand first: the bulk reply skips them.
    let (_, cases) = test.call("GET", &format!("/api/v1/incidents/{incident}/cases"), None).await;
    let answered_case = cases["items"][0]["id"].as_i64().unwrap_or_else(|| panic!("the incident's cases: {cases}"));
    let (status, reply) = test.call("POST", &format!("/api/v1/cases/{answered_case}/replies"), Some(json!({"text": "On regarde, désolés"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");

    // Crisis mode on: the schedule is held.
    let (status, crisis) = test.call("POST", &format!("/api/v1/incidents/{incident}/crisis"), Some(json!({"active": true, "ack_template": "Merci {name}, nous sommes sur le coup."}))).await;
    assert_eq!((status, crisis["active"].as_bool(), crisis["publishing_paused"].as_bool()), (StatusCode::OK, Some(true), Some(true)), "{crisis}");
    test.app.publishing_tick_at(Utc::now() + Duration::minutes(5)).unwrap();
    assert_eq!(test.call("GET", &post_uri, None).await.1["status"], "scheduled", "the pause holds the scheduled post");
    let (status, _) = test.call("POST", &format!("{post_uri}/publish"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "no publishing by hand while paused");

    // The preview: one message per author, personalised and signed, or why not.
    let template = "Bonjour {name}, la panne est connue et nos équipes la réparent.";
    let (status, preview) = test.call("POST", &format!("/api/v1/incidents/{incident}/bulk-reply/preview"), Some(json!({"template": template}))).await;
    assert_eq!(status, StatusCode::CREATED, "{preview}");
    let messages = preview["messages"].as_array().unwrap();
    let (_, mentions) = test.call("GET", &format!("/api/v1/incidents/{incident}/mentions?limit=500"), None).await;
    let authors: BTreeSet<(String, String)> = mentions["items"].as_array().unwrap().iter().map(|m| (m["source"].as_str().unwrap().to_string(), m["author"]["handle"].as_str().unwrap().to_string())).collect();
    assert_eq!(messages.len(), authors.len(), "one message per related author");
    let ready: Vec<&Value> = messages.iter().filter(|message| message["status"] == "ready").collect();
    assert!(ready.len() >= 5, "{preview}");
    for message in &ready {
        let text = message["text"].as_str().unwrap();
        assert!(text.starts_with("Bonjour ") && text.ends_with("^MC") && !text.contains('{'), "{text}");
    }
    let skipped: Vec<&Value> = messages.iter().filter(|message| message["status"] == "skipped").collect();
    assert!(skipped.iter().any(|message| message["reason"] == "already answered"), "{preview}");
    assert!(ready.iter().all(|message| message["case_id"] != answered_case));

    // A template that breaks X's limit is listed with the reason, not sent.
    let long = format!("{} {{name}}", "Désolés pour la panne.".repeat(13));
    let (_, too_long) = test.call("POST", &format!("/api/v1/incidents/{incident}/bulk-reply/preview"), Some(json!({"template": long}))).await;
    let on_x: Vec<&Value> = too_long["messages"].as_array().unwrap().iter().filter(|message| message["channel"] == "x").collect();
    assert!(!on_x.is_empty() && on_x.iter().all(|message| message["status"] == "skipped"), "{too_long}");
    assert!(on_x.iter().any(|message| message["reason"].as_str().unwrap().contains("too long for X")), "{too_long}");
    let (status, unknown) = test.call("POST", &format!("/api/v1/incidents/{incident}/bulk-reply/preview"), Some(json!({"template": "Bonjour {nom}"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{unknown}");

    // Sending needs the preview as shown, once.
    let uri = format!("/api/v1/incidents/{incident}/bulk-reply");
    let preview_id = preview["preview_id"].as_i64().unwrap();
    // A second preview of the same template, sent after the first one: its authors have
    // been answered since, so they are skipped (never answered twice), not refused.
    let (status, earlier) = test.call("POST", &format!("/api/v1/incidents/{incident}/bulk-reply/preview"), Some(json!({"template": template}))).await;
    assert_eq!(status, StatusCode::CREATED, "{earlier}");
    assert_eq!(test.call("POST", &uri, Some(json!({"preview_id": preview_id, "digest": "0000"}))).await.0, StatusCode::CONFLICT);
    assert_eq!(test.call_as(&test.agent_token.clone(), "POST", &uri, Some(json!({"preview_id": preview_id}))).await.0, StatusCode::FORBIDDEN);
    let (status, sent) = test.call("POST", &uri, Some(json!({"preview_id": preview_id, "digest": preview["digest"]}))).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["queued"].as_u64(), Some(ready.len() as u64));
    assert_eq!(test.call("POST", &uri, Some(json!({"preview_id": preview_id}))).await.0, StatusCode::CONFLICT, "sent once");
    let (status, late) = test.call("POST", &uri, Some(json!({"preview_id": earlier["preview_id"], "digest": earlier["digest"]}))).await;
    assert_eq!(status, StatusCode::OK, "{late}");
    assert_eq!((late["queued"].as_u64(), late["skipped_since_preview"].as_u64()), (Some(0), Some(ready.len() as u64)), "{late}");
    let (_, late_progress) = test.call("GET", &format!("/api/v1/incidents/{incident}/bulk/{}", earlier["preview_id"]), None).await;
    assert!(
        late_progress["messages"].as_array().unwrap().iter().all(|message| message["status"] == "skipped"),
        "{late_progress}"
    );
    assert!(late_progress.to_string().contains("answered since the preview"), "{late_progress}");
    let (_, progress) = test.call("GET", &format!("/api/v1/incidents/{incident}/bulk/{preview_id}"), None).await;
    let sent_on_x = progress["messages"].as_array().unwrap().iter().filter(|message| message["channel"] == "x" && message["status"] == "sent").count();
    let ready_on_x = ready.iter().filter(|message| message["channel"] == "x").count();
    assert_eq!(sent_on_x, ready_on_x.min(X_RATE as usize), "X's rate is honoured: {progress}");

    // The queue drains on later ticks, a minute at a time.
    let mut minute = 1;
    loop {
        let (_, progress) = test.call("GET", &format!("/api/v1/incidents/{incident}/bulk/{preview_id}"), None).await;
        let waiting = progress["messages"].as_array().unwrap().iter().filter(|message| message["status"] == "queued").count();
        if waiting == 0 {
            break;
        }
        assert!(minute < 60, "the queue never drained: {progress}");
        let before = test.outbox().await.len();
        test.app.publishing_tick_at(Utc::now() + Duration::seconds(61 * minute)).unwrap();
        let delivered = test.outbox().await.len() - before;
        assert!(delivered <= X_RATE as usize + 2 * 30, "{delivered} in one minute");
        minute += 1;
    }

    // Every ready message is in the outbox once, and on its case as a reply.
    let outbox = test.outbox().await;
    let replies: Vec<&Value> = outbox.iter().filter(|row| row["post_id"].is_null()).collect();
    let mut per_author: BTreeMap<(String, String), usize> = BTreeMap::new();
    for row in &replies {
        *per_author.entry((row["channel"].as_str().unwrap().into(), row["recipient"].as_str().unwrap_or("").into())).or_default() += 1;
    }
    assert!(per_author.values().all(|count| *count == 1), "nobody is answered twice: {per_author:?}");
    for message in &ready {
        let key = (message["channel"].as_str().unwrap().to_string(), message["recipient"].as_str().unwrap().to_string());
        assert_eq!(per_author.get(&key), Some(&1), "{key:?} got the bulk reply");
    }
    let with_case = ready.iter().find(|message| message["case_id"].is_i64()).expect("a ready author with a case");
    let (_, case) = test.call("GET", &format!("/api/v1/cases/{}", with_case["case_id"]), None).await;
    let conversation = case["conversation"].as_array().unwrap();
    assert!(conversation.iter().any(|event| event["kind"] == "reply" && event["text"] == with_case["text"]), "{case}");
    assert!(case["first_response_at"].is_string());

    // New related mentions during the crisis are acknowledged once.
    let newcomer = |id: u32| json!({"source": "x", "external_id": format!("new{id}"), "author": {"handle": "new_customer", "display_name": "Zoé"}, "text": "Toujours la panne, impossible de m'enregistrer", "created_at": Utc::now().to_rfc3339()}).to_string();
    test.bucket_with(170, true, &[newcomer(1), newcomer(2)]);
    test.app.publishing_tick_at(Utc::now() + Duration::minutes(90)).unwrap();
    test.bucket_with(10, false, &[newcomer(3)]);
    test.app.publishing_tick_at(Utc::now() + Duration::minutes(95)).unwrap();
    let outbox = test.outbox().await;
    let acknowledged: Vec<&Value> = outbox.iter().filter(|row| row["recipient"] == "new_customer").collect();
    assert_eq!(acknowledged.len(), 1, "{outbox:?}");
    assert_eq!(acknowledged[0]["text"], "Merci Zoé, nous sommes sur le coup. ^MC");
    let mut seen = BTreeSet::new();
    for row in outbox.iter().filter(|row| row["post_id"].is_null()) {
        assert!(seen.insert((row["channel"].to_string(), row["recipient"].to_string())), "answered twice: {row}");
    }

    // The broadcast reaches each brand account and the incident's timeline.
    let (status, broadcast) = test.call("POST", &format!("/api/v1/incidents/{incident}/broadcast"), Some(json!({"text": "Panne en cours sur l'enregistrement en ligne : nos équipes sont mobilisées."}))).await;
    assert_eq!(status, StatusCode::CREATED, "{broadcast}");
    let channels: BTreeSet<&str> = broadcast.as_array().unwrap().iter().map(|post| post["channel"].as_str().unwrap()).collect();
    assert_eq!(channels, BTreeSet::from(["bluesky", "mastodon", "x"]));
    assert!(broadcast.as_array().unwrap().iter().all(|post| post["status"] == "published" && post["outbox_id"].is_i64()));
    let (_, detail) = test.call("GET", &format!("/api/v1/incidents/{incident}"), None).await;
    let events: Vec<&str> = detail["timeline"].as_array().unwrap().iter().map(|event| event["event"].as_str().unwrap()).collect();
    assert!(events.contains(&"crisis") && events.contains(&"bulk_reply") && events.contains(&"broadcast"), "{events:?}");
    let (status, refused) = test.call("POST", &format!("/api/v1/incidents/{incident}/broadcast"), Some(json!({"text": "x".repeat(400)}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");

    // Crisis mode off: the held post goes out on the next tick.
    let (_, off) = test.call("POST", &format!("/api/v1/incidents/{incident}/crisis"), Some(json!({"active": false}))).await;
    assert_eq!((off["active"].as_bool(), off["publishing_paused"].as_bool()), (Some(false), Some(false)), "{off}");
    test.app.publishing_tick_at(Utc::now() + Duration::minutes(100)).unwrap();
    let (_, published) = test.call("GET", &post_uri, None).await;
    assert_eq!(published["status"], "published", "{published}");

    // The outage is resolved: the affected customers are told, once.
    let notify = format!("/api/v1/incidents/{incident}/notify");
    assert_eq!(test.call("POST", &format!("{notify}/preview"), Some(json!({}))).await.0, StatusCode::CONFLICT, "not an outage yet");
    let (status, _) = test.call("PATCH", &format!("/api/v1/incidents/{incident}"), Some(json!({"outage": true, "status": "resolved"}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, notice) = test.call("POST", &format!("{notify}/preview"), Some(json!({}))).await;
    assert_eq!(status, StatusCode::CREATED, "{notice}");
    assert_eq!(notice["messages"].as_array().unwrap().len(), authors.len().max(notice["messages"].as_array().unwrap().len()));
    assert!(notice["ready"].as_u64().unwrap() >= ready.len() as u64, "everyone affected, answered or not: {notice}");
    let (status, told) = test.call("POST", &notify, Some(json!({"preview_id": notice["preview_id"]}))).await;
    assert_eq!(status, StatusCode::OK, "{told}");
    let (_, again) = test.call("POST", &format!("{notify}/preview"), Some(json!({}))).await;
    assert_eq!(again["ready"], 0, "told once: {again}");
}

#[tokio::test]
async fn posts_follow_the_approval_workflow_and_the_channel_rules() {
    let test = test_app();
    let agent = test.agent_token.clone();
    let (status, too_long) = test.call_as(&agent, "POST", "/api/v1/posts", Some(json!({"text": "a".repeat(281), "channel": "x"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_long["detail"].as_str().unwrap().contains("too long for X"), "{too_long}");
    let (status, _) = test.call_as(&agent, "POST", "/api/v1/posts", Some(json!({"text": "hello", "channel": "facebook"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no brand account there");
    let (status, draft) = test.call_as(&agent, "POST", "/api/v1/posts", Some(json!({"text": "Bientôt Lisbonne", "channel": "mastodon", "submit": false}))).await;
    assert_eq!((status, draft["status"].as_str(), draft["account"].as_str()), (StatusCode::CREATED, Some("draft"), Some("alizeair")), "{draft}");
    let uri = format!("/api/v1/posts/{}", draft["id"]);
    assert_eq!(test.call("POST", &format!("{uri}/approve"), None).await.0, StatusCode::CONFLICT, "a draft is not approved");
    assert_eq!(test.call_as(&agent, "POST", &format!("{uri}/submit"), None).await.1["status"], "pending_approval");
    assert_eq!(test.call_as(&agent, "POST", &format!("{uri}/approve"), None).await.0, StatusCode::FORBIDDEN, "agents propose, supervisors approve");
    let (_, rejected) = test.call("POST", &format!("{uri}/reject"), Some(json!({"note": "pas avant l'annonce"}))).await;
    assert_eq!((rejected["status"].as_str(), rejected["review_note"].as_str()), (Some("rejected"), Some("pas avant l'annonce")));
    assert_eq!(test.call("POST", &format!("{uri}/publish"), None).await.0, StatusCode::CONFLICT);
    let (_, edited) = test.call_as(&agent, "PATCH", &uri, Some(json!({"text": "Bientôt Lisbonne et Porto"}))).await;
    assert_eq!(edited["status"], "draft", "an edited rejected post is a draft again");
    test.call_as(&agent, "POST", &format!("{uri}/submit"), None).await;
    assert_eq!(test.call("POST", &format!("{uri}/approve"), Some(json!({}))).await.1["status"], "approved");
    let (status, published) = test.call("POST", &format!("{uri}/publish"), None).await;
    assert_eq!((status, published["status"].as_str()), (StatusCode::OK, Some("published")), "{published}");
    assert_eq!(test.call("POST", &format!("{uri}/publish"), None).await.0, StatusCode::CONFLICT, "published once");
    let outbox = test.outbox().await;
    assert_eq!(outbox.len(), 1);
    assert_eq!((outbox[0]["post_id"].clone(), outbox[0]["text"].as_str(), outbox[0]["channel"].as_str()), (draft["id"].clone(), Some("Bientôt Lisbonne et Porto"), Some("mastodon")));

    // The pause holds scheduled posts until resumed.
    let (_, paused) = test.call("POST", "/api/v1/publishing/pause", None).await;
    assert_eq!(paused["paused"], true);
    let soon = (Utc::now() + Duration::seconds(2)).to_rfc3339();
    let (_, scheduled) = test.call_as(&agent, "POST", "/api/v1/posts", Some(json!({"text": "Promo", "channel": "x", "scheduled_at": soon}))).await;
    let scheduled_uri = format!("/api/v1/posts/{}", scheduled["id"]);
    test.call("POST", &format!("{scheduled_uri}/approve"), None).await;
    test.app.publishing_tick_at(Utc::now() + Duration::hours(1)).unwrap();
    assert_eq!(test.call("GET", &scheduled_uri, None).await.1["status"], "scheduled");
    let (_, calendar) = test.call("GET", "/api/v1/publishing", None).await;
    assert_eq!(calendar["scheduled"][0]["id"], scheduled["id"], "{calendar}");
    test.call("POST", "/api/v1/publishing/resume", None).await;
    test.app.publishing_tick_at(Utc::now() + Duration::hours(1)).unwrap();
    assert_eq!(test.call("GET", &scheduled_uri, None).await.1["status"], "published");

    // Amplify a customer's post: a quote needs a text, a repost has none.
    let mention = serde_json::json!({"source": "x", "external_id": "amp1", "author": {"handle": "fan"}, "text": "Super vol avec Alizé !", "created_at": "2026-11-20T10:00:00Z"});
    let records = connectors::read_records(connectors::Format::Ndjson, mention.to_string().as_bytes()).unwrap();
    import_records(&test.app, records, &Origin { format: "ndjson".into(), origin: "t".into() }, ImportOptions { threads: 1, batch_size: 10, queue_batches: 1 }, &|_| {}).unwrap();
    let id = test.app.store().find_mention(domain::Source::X, "amp1").unwrap().unwrap().id.0;
    let amplify = format!("/api/v1/mentions/{id}/amplify");
    assert_eq!(test.call_as(&agent, "POST", &amplify, Some(json!({"kind": "quote"}))).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(test.call_as(&agent, "POST", &amplify, Some(json!({"kind": "like"}))).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, quote) = test.call_as(&agent, "POST", &amplify, Some(json!({"kind": "quote", "text": "Merci à vous !"}))).await;
    assert_eq!((status, quote["kind"].as_str(), quote["mention_id"].as_i64()), (StatusCode::CREATED, Some("quote"), Some(id)), "{quote}");
    let quote_uri = format!("/api/v1/posts/{}", quote["id"]);
    test.call("POST", &format!("{quote_uri}/approve"), None).await;
    test.call("POST", &format!("{quote_uri}/publish"), None).await;
    let last = test.outbox().await.pop().unwrap();
    assert_eq!((last["in_reply_to"].as_str(), last["visibility"].as_str()), (Some("amp1"), Some("quote")), "{last}");
    assert_eq!(test.call("GET", "/api/v1/posts?status=published&limit=1", None).await.1["items"][0]["id"], quote["id"]);
    assert_eq!(test.call("GET", "/api/v1/posts?status=lost", None).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(test.call("GET", "/api/v1/posts/abc", None).await.0, StatusCode::BAD_REQUEST);

    let (_, audit) = test.call_as(&test.app.create_api_token("audit").unwrap(), "GET", "/api/v1/audit?limit=100", None).await;
    let actions: BTreeSet<String> = audit["items"].as_array().map(|items| items.iter().filter_map(|entry| entry["action"].as_str().map(str::to_string)).collect()).unwrap_or_default();
    for action in ["post.create", "post.submit", "post.approve", "post.reject", "post.publish", "publishing.pause", "publishing.resume"] {
        assert!(actions.contains(action), "{action} is audited: {audit}");
    }
}
