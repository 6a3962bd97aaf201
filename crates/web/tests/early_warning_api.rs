//! Incidents, alert rules, alerts and weak signals through the router (`oneshot`), and a
//! webhook delivery to a real local HTTP receiver that checks the HMAC signature.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use service::{App, Config};
use sha2::Sha256;
use store::IncidentRow;
use tower::ServiceExt;

struct TestApp {
    app: Arc<App>,
    router: Router,
    token: String,
    _dir: tempfile::TempDir,
}

fn test_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(Config { data_dir: dir.path().to_path_buf(), ..Config::default() }).unwrap());
    let token = app.create_api_token("test").unwrap();
    let ingest = service::start_ingest_thread(app.clone(), 8);
    let router = web::router(web::AppState::new(app.clone(), ingest, "test"));
    TestApp { app, router, token, _dir: dir }
}

impl TestApp {
    async fn call(&self, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(uri).header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let request = request.body(body.map_or(Body::empty(), |body| Body::from(body.to_string()))).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    fn incident(&self, slice: &str, started_at: i64) -> i64 {
        let row = IncidentRow {
            id: 0,
            slice: slice.into(),
            status: "open".into(),
            owner: None,
            started_at,
            ended_at: None,
            peak: 0.9,
            details: json!({ "drivers": [{ "kind": "term", "value": "panne", "window_count": 40, "baseline_rate": 0.0, "window_rate": 0.1, "lift": 80.0, "score": 9.1 }],
                             "timeline": [], "buckets": [], "mention_count": 0 }),
        };
        self.app.store().create_incident(&row).unwrap().id
    }
}

#[tokio::test]
async fn incidents_are_listed_by_page_shown_and_patched_through_allowed_transitions() {
    let test = test_app();
    let first = test.incident("total", 1_700_000_000);
    let second = test.incident("negative", 1_700_000_300);

    let (status, page) = test.call("GET", "/api/v1/incidents?limit=1", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"][0]["id"], second);
    let cursor = page["next_cursor"].as_str().expect("a next page").to_string();
    let (_, next) = test.call("GET", &format!("/api/v1/incidents?limit=1&cursor={cursor}"), None).await;
    assert_eq!(next["items"][0]["id"], first);
    assert_eq!(next["next_cursor"], Value::Null);

    let (status, detail) = test.call("GET", &format!("/api/v1/incidents/{first}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["drivers"][0]["value"], "panne");
    assert_eq!(detail["status"], "open");
    assert_eq!(detail["started_at"], "2023-11-14T22:13:20Z");

    let uri = format!("/api/v1/incidents/{first}");
    let (status, patched) = test.call("PATCH", &uri, Some(json!({ "status": "acknowledged", "owner": "marie", "by": "paul" }))).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!((patched["status"].as_str(), patched["owner"].as_str()), (Some("acknowledged"), Some("marie")));
    assert_eq!(patched["timeline"].as_array().unwrap().len(), 2);
    let (status, problem) = test.call("PATCH", &uri, Some(json!({ "status": "open" }))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["status"], 409);
    let (status, _) = test.call("PATCH", &uri, Some(json!({ "status": "resolved" }))).await;
    assert_eq!(status, StatusCode::OK);

    for (body, expected) in [
        (json!({ "status": "closed" }), StatusCode::BAD_REQUEST),
        (json!({}), StatusCode::BAD_REQUEST),
        (json!({ "colour": "red" }), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({ "owner": "x".repeat(300) }), StatusCode::BAD_REQUEST),
    ] {
        let (status, problem) = test.call("PATCH", &uri, Some(body.clone())).await;
        assert_eq!(status, expected, "{body} -> {problem}");
    }
    assert_eq!(test.call("PATCH", "/api/v1/incidents/999", Some(json!({ "status": "resolved" }))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(test.call("GET", "/api/v1/incidents/abc", None).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(test.call("GET", "/api/v1/incidents?cursor=abc", None).await.0, StatusCode::BAD_REQUEST);

    let (status, mentions) = test.call("GET", &format!("/api/v1/incidents/{first}/mentions"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mentions["items"], json!([]));

    let anonymous = Request::get("/api/v1/incidents").body(Body::empty()).unwrap();
    assert_eq!(test.router.clone().oneshot(anonymous).await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn alert_rules_are_created_listed_and_deleted_and_bad_rules_are_refused() {
    let test = test_app();
    let (status, created) = test.call("POST", "/api/v1/alert-rules", Some(json!({ "name": "Outage words", "kind": "keyword", "keyword": "Panne" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!((created["keyword"].as_str(), created["channel"]["type"].as_str()), (Some("panne"), Some("in_app")));
    let (status, hook) = test
        .call("POST", "/api/v1/alert-rules", Some(json!({ "name": "Chat", "kind": "volume_anomaly", "channel": { "type": "webhook", "url": "http://127.0.0.1:9/hook", "secret": "s3cret" } })))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    assert_eq!(hook["channel"]["secret"], "(set)", "the secret is never shown");

    let (_, listed) = test.call("GET", "/api/v1/alert-rules", None).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    let uri = format!("/api/v1/alert-rules/{}", created["id"]);
    let (status, muted) = test.call("PATCH", &uri, Some(json!({ "muted": true }))).await;
    assert_eq!(status, StatusCode::OK, "{muted}");
    assert_eq!(test.call("DELETE", &uri, None).await.0, StatusCode::NO_CONTENT);
    // Every change to a rule is in the audit log, with who made it.
    let (_, audit) = test.call("GET", &format!("/api/v1/audit?entity=alert_rule&entity_id={}", created["id"]), None).await;
    let mut actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|entry| entry["action"].as_str().unwrap()).collect();
    actions.sort_unstable();
    assert_eq!(actions, ["alert_rule.create", "alert_rule.delete", "alert_rule.mute"], "{audit}");
    assert!(audit["items"].as_array().unwrap().iter().all(|entry| entry["actor"].as_str().is_some_and(|actor| !actor.is_empty())), "{audit}");
    assert_eq!(test.call("DELETE", &uri, None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(test.call("DELETE", "/api/v1/alert-rules/x", None).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(test.call("POST", "/api/v1/alert-rules/999/test", None).await.0, StatusCode::NOT_FOUND);

    for (body, expected) in [
        (json!({ "name": "", "kind": "volume_anomaly" }), StatusCode::BAD_REQUEST),
        (json!({ "name": "k", "kind": "keyword" }), StatusCode::BAD_REQUEST),
        (json!({ "name": "k", "kind": "sla_backlog" }), StatusCode::BAD_REQUEST),
        (json!({ "name": "k", "kind": "sla_backlog", "threshold": 5000 }), StatusCode::BAD_REQUEST),
        (json!({ "name": "k", "kind": "sla_pigeon", "threshold": 5 }), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({ "name": "w", "kind": "volume_anomaly", "channel": { "type": "webhook", "url": "ftp://x", "secret": "s" } }), StatusCode::BAD_REQUEST),
        (json!({ "name": "w", "kind": "volume_anomaly", "channel": { "type": "webhook", "url": "http://x", "secret": "" } }), StatusCode::BAD_REQUEST),
        (json!({ "name": "w", "kind": "volume_anomaly", "channel": { "type": "pigeon" } }), StatusCode::UNPROCESSABLE_ENTITY),
        // E-mail alerts need an [smtp] server, which this test app does not have.
        (json!({ "name": "m", "kind": "volume_anomaly", "channel": { "type": "email", "to": ["ops@example.org"] } }), StatusCode::BAD_REQUEST),
        (json!({ "name": "m", "kind": "volume_anomaly", "channel": { "type": "email", "to": "ops@example.org" } }), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (status, problem) = test.call("POST", "/api/v1/alert-rules", Some(body.clone())).await;
        assert_eq!(status, expected, "{body} -> {problem}");
    }
    let (status, alerts) = test.call("GET", "/api/v1/alerts", None).await;
    assert_eq!((status, alerts["items"].clone()), (StatusCode::OK, json!([])));

    let (status, _) = test.call("GET", "/api/v1/topics/999/weak-signals", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, topic) = test.call("POST", "/api/v1/topics", Some(json!({ "name": "Panne", "query": "panne" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{topic}");
    let (status, signals) = test.call("GET", &format!("/api/v1/topics/{}/weak-signals", topic["id"]), None).await;
    assert_eq!(status, StatusCode::OK, "{signals}");
    assert_eq!(signals["signals"], json!([]), "nothing before the tracker warms up");
}

/// A local HTTP receiver: each request's headers and body go to the channel.
async fn webhook_receiver() -> (String, tokio::sync::mpsc::Receiver<(HeaderMap, String)>) {
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    let hook = axum::routing::post(move |headers: HeaderMap, body: String| {
        let sender = sender.clone();
        async move {
            sender.send((headers, body)).await.unwrap();
            StatusCode::OK
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, Router::new().route("/hook", hook)).await.unwrap() });
    (url, receiver)
}

#[tokio::test]
async fn a_webhook_rule_delivers_a_signed_chat_message() {
    let test = test_app();
    let (url, mut received) = webhook_receiver().await;
    let (_, rule) = test
        .call("POST", "/api/v1/alert-rules", Some(json!({ "name": "Chat", "kind": "volume_anomaly", "channel": { "type": "webhook", "url": url, "secret": "s3cret" } })))
        .await;
    let (status, sample) = test.call("POST", &format!("/api/v1/alert-rules/{}/test", rule["id"]), None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sample}");

    let (headers, body) = tokio::time::timeout(Duration::from_secs(20), received.recv()).await.expect("delivered in time").unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cret").unwrap();
    mac.update(body.as_bytes());
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(headers["x-comptoir-signature"].to_str().unwrap(), expected);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert!(body["text"].as_str().unwrap().contains("Chat"), "{body}");
    assert_eq!(body["alert_id"], sample["id"]);

    let (_, alerts) = test.call("GET", "/api/v1/alerts", None).await;
    assert_eq!(alerts["items"][0]["id"], sample["id"], "the in-app list has it too");
}
