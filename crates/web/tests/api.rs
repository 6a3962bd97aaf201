//! The HTTP API through the router, without a server (axum's `oneshot`).

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use service::{App, Config};
use sha2::Sha256;
use tower::ServiceExt;

struct TestApp {
    router: Router,
    token: String,
    _dir: tempfile::TempDir,
}

fn test_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config { data_dir: dir.path().to_path_buf(), ..Config::default() };
    config.ingest.max_body_bytes = 64 * 1024;
    config.meta.app_secret = "app-secret".into();
    config.meta.verify_token = "verify-me".into();
    let app = Arc::new(App::open(config).unwrap());
    let token = app.create_api_token("test").unwrap();
    let ingest = service::start_ingest_thread(app.clone(), 8);
    let router = web::router(web::AppState::new(app, ingest, "test"));
    TestApp { router, token, _dir: dir }
}

impl TestApp {
    async fn send(&self, request: Request<Body>) -> (StatusCode, String, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let content_type = response.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, content_type, body)
    }

    fn post_mentions(&self, content_type: &str, body: impl Into<Body>) -> Request<Body> {
        Request::post("/api/v1/mentions")
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token))
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .unwrap()
    }

    /// Search is near-real-time: the index commits about once a second.
    async fn search_until(&self, uri: &str, total: u64) -> Value {
        let mut body = Value::Null;
        for _ in 0..50 {
            let (status, _, answer) = self.send(self.get(uri)).await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            body = answer;
            if body["total"] == total {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        body
    }

    fn get(&self, uri: &str) -> Request<Body> {
        Request::get(uri).header(header::AUTHORIZATION, format!("Bearer {}", self.token)).body(Body::empty()).unwrap()
    }
}

const GOOD: &str = r#"{"source":"mastodon","external_id":"m1","author":{"handle":"zoe@mastodon.social"},"text":"Colis perdu, service client injoignable #laposte","created_at":"2026-11-20T10:00:00Z"}"#;

#[tokio::test]
async fn ingest_one_mention_then_an_ndjson_batch_then_search() {
    let app = test_app();
    let (status, _, body) = app.send(app.post_mentions("application/json", GOOD)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["stored"], 1);

    let batch = format!("{}\n{{broken\n{}\n", GOOD, GOOD.replace("m1", "m2").replace("Colis perdu", "Paquet abîmé"));
    let (status, _, body) = app.send(app.post_mentions("application/x-ndjson", batch)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!((body["read"].as_u64(), body["stored"].as_u64(), body["duplicates"].as_u64(), body["quarantined"].as_u64()), (Some(3), Some(1), Some(1), Some(1)));
    assert_eq!(body["rejected"][0]["position"], "line 2");

    let body = app.search_until("/api/v1/search?q=%23laposte&sort=newest", 2).await;
    assert_eq!(body["total"], 2, "{body}");
    assert_eq!(body["facets"]["by_source"][0][0], "mastodon");

    let (status, _, body) = app.send(app.get("/api/v1/quarantine")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 1);
}

#[tokio::test]
async fn agents_correct_the_enrichment_of_a_mention() {
    let app = test_app();
    let (status, _, body) = app.send(app.post_mentions("application/json", GOOD)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let found = app.search_until("/api/v1/search?q=%23laposte", 1).await;
    let mention = &found["mentions"][0];
    let id = mention["id"].as_i64().unwrap();
    assert_eq!(mention["enrichment"]["sentiment"], "negative", "{mention}");
    let correct = |uri: String, body: &str| {
        Request::put(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };

    let correction = r#"{"sentiment": "neutral", "reason": "billing_and_refunds", "corrected_by": "agent.zoe"}"#;
    let (status, _, body) = app.send(correct(format!("/api/v1/mentions/{id}/enrichment"), correction)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["enrichment"]["sentiment"], "neutral");
    assert_eq!(body["enrichment"]["reason"], "billing_and_refunds");
    let (_, _, stored) = app.send(app.get(&format!("/api/v1/mentions/{id}"))).await;
    assert_eq!(stored["enrichment"]["sentiment"], "neutral", "the store keeps the correction");
    let found = app.search_until("/api/v1/search?q=sentiment:neutral%20reason:billing_and_refunds", 1).await;
    assert_eq!(found["total"], 1, "the index follows the correction: {found}");

    let unknown_label = r#"{"sentiment": "furious", "corrected_by": "agent.zoe"}"#;
    let (status, _, body) = app.send(correct(format!("/api/v1/mentions/{id}/enrichment"), unknown_label)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["detail"].as_str().unwrap_or_default().contains("furious"), "{body}");
    let unknown_reason = r#"{"reason": "aliens", "corrected_by": "agent.zoe"}"#;
    let (status, _, _) = app.send(correct(format!("/api/v1/mentions/{id}/enrichment"), unknown_reason)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = app.send(correct(format!("/api/v1/mentions/{}/enrichment", id + 1000), correction)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let no_token = Request::put(format!("/api/v1/mentions/{id}/enrichment"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(correction))
        .unwrap();
    assert_eq!(app.send(no_token).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_input_gets_a_problem_document_never_a_500() {
    let app = test_app();
    let no_token = Request::post("/api/v1/mentions").header(header::CONTENT_TYPE, "application/json").body(Body::from(GOOD)).unwrap();
    assert_eq!(app.send(no_token).await.0, StatusCode::UNAUTHORIZED);

    let (status, content_type, body) = app.send(app.post_mentions("text/csv", GOOD)).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["status"], 415);

    let (status, _, body) = app.send(app.post_mentions("application/json", "{\"source\": 12")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("line 1"), "{body}");

    let huge = format!(r#"{{"source":"x","external_id":"big","author":{{"handle":"a"}},"text":"{}","created_at":"2026-11-20T10:00:00Z"}}"#, "a".repeat(100 * 1024));
    let (status, content_type, _) = app.send(app.post_mentions("application/json", huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(content_type, "application/problem+json");

    let (status, _, body) = app.send(app.get("/api/v1/search?q=%28unclosed")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["detail"].as_str().unwrap().contains("invalid query"), "{body}");

    let (status, _, _) = app.send(app.get("/api/v1/search?q=x&sort=sideways")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = app.send(app.get("/api/v1/mentions/abc")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = app.send(app.get("/api/v1/mentions/999")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let topic = Request::post("/api/v1/topics")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"name":"t","query":"a NEAR/x b"}"#))
        .unwrap();
    assert_eq!(app.send(topic).await.0, StatusCode::BAD_REQUEST);
    // A NUL, which PostgreSQL cannot store in text: a 400 on every backend, never a 500.
    let topic = Request::post("/api/v1/topics")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"name":"t\u0000","query":"refund"}"#))
        .unwrap();
    assert_eq!(app.send(topic).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn meta_webhooks_check_the_handshake_and_the_signature() {
    let app = test_app();
    let handshake = Request::get("/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444").body(Body::empty()).unwrap();
    let (status, _, body) = app.send(handshake).await;
    assert_eq!((status, body.to_string()), (StatusCode::OK, "1158201444".to_string()), "the challenge is echoed verbatim");
    let wrong = Request::get("/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1").body(Body::empty()).unwrap();
    assert_eq!(app.send(wrong).await.0, StatusCode::FORBIDDEN);

    let payload = r#"{"object":"page","entry":[{"id":"100","time":1700000000,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"100_200_300","post_id":"100_200","parent_id":"100_200","from":{"id":"42","name":"Jeanne Martin"},"message":"Toujours pas remboursée, c'est scandaleux","created_time":1700000000}}]}]}"#;
    let mut mac = Hmac::<Sha256>::new_from_slice(b"app-secret").unwrap();
    mac.update(payload.as_bytes());
    let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    let signed = |signature: &str| {
        Request::post("/webhooks/meta").header("x-hub-signature-256", signature).header(header::CONTENT_TYPE, "application/json").body(Body::from(payload)).unwrap()
    };
    assert_eq!(app.send(signed("sha256=00")).await.0, StatusCode::UNAUTHORIZED);
    let (status, _, body) = app.send(signed(&signature)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["stored"], 1);
    let body = app.search_until("/api/v1/search?q=source:facebook", 1).await;
    assert_eq!(body["total"], 1, "{body}");
}

#[tokio::test]
async fn authors_are_listed_by_real_influence() {
    let app = test_app();
    let liked = GOOD.replace(r#""created_at""#, r#""metrics":{"likes":400,"reposts":20},"created_at""#);
    let (status, _, body) = app.send(app.post_mentions("application/json", liked)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (status, _, body) = app.send(app.get("/api/v1/authors?limit=5")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"][0]["handle"], "zoe@mastodon.social");
    assert_eq!(body["items"][0]["posts"], 1);
    assert!(body["items"][0]["influence"].as_f64().unwrap() > 0.0, "{body}");
    assert!(body["next_cursor"].is_null());

    let (status, _, body) = app.send(app.get("/api/v1/authors/mastodon/zoe@mastodon.social")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["source"], "mastodon");
    for (uri, expected) in [
        ("/api/v1/authors/mastodon/nobody", StatusCode::NOT_FOUND),
        ("/api/v1/authors/myspace/zoe", StatusCode::BAD_REQUEST),
        ("/api/v1/authors?limit=0", StatusCode::BAD_REQUEST),
        ("/api/v1/authors?limit=lots", StatusCode::BAD_REQUEST),
    ] {
        let (status, content_type, body) = app.send(app.get(uri)).await;
        assert_eq!(status, expected, "{uri}: {body}");
        assert_eq!(content_type, "application/problem+json", "{uri}");
    }
    let unauthenticated = Request::get("/api/v1/authors").body(Body::empty()).unwrap();
    assert_eq!(app.send(unauthenticated).await.0, StatusCode::UNAUTHORIZED);
}

/// Reads reach the store in arrival order, as many at a time as it has read connections;
/// writes do not queue behind them.
#[tokio::test]
async fn reads_wait_their_turn_for_the_store_and_writes_do_not() {
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(Config { data_dir: dir.path().to_path_buf(), ..Config::default() }).unwrap());
    let token = app.create_api_token("test").unwrap();
    let ingest = service::start_ingest_thread(app.clone(), 8);
    let state = web::AppState::new(app, ingest, "test");
    // Every reader thread busy, as with reads already running: each holds until its
    // sender is dropped.
    let (started, mut running) = tokio::sync::mpsc::unbounded_channel();
    let mut holds = Vec::new();
    for _ in 0..service::READ_CONNECTIONS {
        let (hold, wait) = std::sync::mpsc::channel::<()>();
        holds.push(hold);
        let (reads, started) = (state.reads.clone(), started.clone());
        tokio::spawn(async move {
            reads
                .run(move || {
                    let _ = started.send(());
                    let _ = wait.recv();
                    Ok(())
                })
                .await
        });
    }
    for _ in 0..service::READ_CONNECTIONS {
        running.recv().await.unwrap();
    }
    let router = web::router(state);
    let bearer = format!("Bearer {token}");
    let read = router.clone().oneshot(Request::get("/api/v1/topics").header(header::AUTHORIZATION, &bearer).body(Body::empty()).unwrap());
    let mut read = Box::pin(read);
    assert!(tokio::time::timeout(Duration::from_millis(300), &mut read).await.is_err(), "the read waits while every reader thread is busy");
    let write = Request::post("/api/v1/topics")
        .header(header::AUTHORIZATION, &bearer)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"name":"Refunds","query":"refund"}"#))
        .unwrap();
    let written = tokio::time::timeout(Duration::from_secs(10), router.clone().oneshot(write)).await.expect("a write does not wait for reads");
    assert_eq!(written.unwrap().status(), StatusCode::CREATED);
    drop(holds);
    let answer = tokio::time::timeout(Duration::from_secs(10), read).await.expect("the read runs once a reader is free").unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(answer.into_body(), usize::MAX).await.unwrap();
    assert!(String::from_utf8_lossy(&bytes).contains("Refunds"), "the read saw the write made while it waited");
}
