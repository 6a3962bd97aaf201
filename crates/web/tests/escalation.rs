//! Escalation through the API: the care sweep (the out-of-hours acknowledgement, the
//! warning before a due time and the escalation on breach, each once), and crowd replies
//! held for a supervisor's approval.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use domain::Role;
use serde_json::{json, Value};
use service::{App, Config, UserRequest};
use tower::ServiceExt;

struct TestApp {
    app: Arc<App>,
    router: Router,
    admin: String,
    _dir: tempfile::TempDir,
}

fn test_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let config = Config { data_dir: dir.path().to_path_buf(), ..Config::default() };
    let app = Arc::new(App::open(config).unwrap());
    let admin = app.create_api_token("test").unwrap();
    let ingest = service::start_ingest_thread(app.clone(), 8);
    let router = web::router(web::AppState::new(app.clone(), ingest, "test"));
    TestApp { app, router, admin, _dir: dir }
}

impl TestApp {
    async fn send(&self, method: Method, uri: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let builder = Request::builder().method(method).uri(uri).header(header::AUTHORIZATION, format!("Bearer {token}"));
        let request = match body {
            Some(body) => builder.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())).unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        };
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned())))
    }

    fn user(&self, email: &str, role: Role, signature: &str) -> (i64, String) {
        let request = UserRequest {
            email: email.into(),
            password: "correct horse battery staple".into(),
            role,
            display_name: Some(email.split('@').next().unwrap().into()),
            language: domain::Language::Fr,
            signature: Some(signature.into()),
            expertise: vec![],
            capacity: None,
        };
        let user = self.app.create_user("test", &request).unwrap();
        let token = self.app.create_user_api_token("test", email, "test", &[]).unwrap();
        (user.id.0, token)
    }

    async fn ingest(&self, mentions: &[Value]) {
        let body: String = mentions.iter().map(|mention| format!("{mention}\n")).collect();
        let request = Request::post("/api/v1/mentions")
            .header(header::AUTHORIZATION, format!("Bearer {}", self.admin))
            .header(header::CONTENT_TYPE, "application/x-ndjson")
            .body(Body::from(body))
            .unwrap();
        assert_eq!(self.router.clone().oneshot(request).await.unwrap().status(), StatusCode::CREATED);
    }
}

/// A Sunday night in Paris: the default calendar (Monday to Friday, 9:00–19:00) is closed.
const SUNDAY_NIGHT: &str = "2026-11-22T03:00:00Z";

fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&chrono::Utc)
}

#[tokio::test]
async fn out_of_hours_acknowledgement_then_warning_then_escalation_on_breach() {
    let test = test_app();
    let (jd, jd_token) = test.user("jd@example.com", Role::Agent, "^JD");
    let (al, al_token) = test.user("al@example.com", Role::Agent, "^AL");
    let (status, _) = test.send(Method::POST, "/api/v1/teams", &test.admin, Some(json!({"name": "Care", "members": [jd, al]}))).await;
    assert_eq!(status, StatusCode::CREATED);
    for token in [&jd_token, &al_token] {
        let (status, _) = test.send(Method::PATCH, &format!("/api/v1/agents/{}", if token == &jd_token { jd } else { al }), token, Some(json!({"presence": "online"}))).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, defaults) = test.send(Method::GET, "/api/v1/care/escalation", &jd_token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((defaults["out_of_hours_ack"].as_bool(), defaults["warning_minutes"].as_u64()), (Some(true), Some(15)));
    let (status, problem) = test.send(Method::PUT, "/api/v1/care/escalation", &test.admin, Some(json!({"warning_minutes": -1}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, problem) = test.send(Method::PUT, "/api/v1/care/escalation", &test.admin, Some(json!({"surprise": 1}))).await;
    assert!(status.is_client_error(), "{problem}");
    let (status, _) = test.send(Method::PUT, "/api/v1/care/escalation", &test.admin, Some(json!({"reassign_on_breach": true}))).await;
    assert_eq!(status, StatusCode::OK);

    let mut complaint = json!({
        "source": "x", "external_id": "night1", "created_at": SUNDAY_NIGHT,
        "text": "@AirComptoir my bag is lost again, worst airline ever, I am furious and nobody answers",
        "author": {"handle": "camille", "display_name": "Camille Martin"}, "language": "en",
    });
    test.ingest(&[complaint.take()]).await;
    let (_, page) = test.send(Method::GET, "/api/v1/cases", &test.admin, None).await;
    let case = page["items"][0].clone();
    let case_id = case["id"].as_i64().unwrap();
    let owner = case["assignee_id"].as_i64().unwrap();
    let due = at(case["first_response_due_at"].as_str().unwrap());
    assert!(due > at(SUNDAY_NIGHT) + chrono::Duration::hours(24), "the first response falls due on Monday, in business hours: {case}");

    // Ten minutes later, still Sunday night: the customer is told when we open.
    let report = test.app.care_sweep(at(SUNDAY_NIGHT) + chrono::Duration::minutes(10)).unwrap();
    assert_eq!((report.acknowledged, report.warned, report.breached), (1, 0, 0));
    let (_, view) = test.send(Method::GET, &format!("/api/v1/cases/{case_id}"), &test.admin, None).await;
    let ack = view["outbox"][0]["text"].as_str().unwrap();
    assert!(ack.contains("closed right now") && ack.chars().count() <= 280, "{ack}");
    assert_eq!(view["outbox"][0]["in_reply_to"], "night1");
    assert!(view["first_response_at"].is_null(), "an automatic acknowledgement is not a first response");
    let again = test.app.care_sweep(at(SUNDAY_NIGHT) + chrono::Duration::minutes(11)).unwrap();
    assert_eq!(again.acknowledged, 0, "once");

    // Ten minutes before the due time: a warning, once.
    let report = test.app.care_sweep(due - chrono::Duration::minutes(10)).unwrap();
    assert_eq!((report.warned, report.breached), (1, 0));
    assert_eq!(test.app.care_sweep(due - chrono::Duration::minutes(9)).unwrap().warned, 0);

    // One minute after: escalated, once: urgent, and given to the colleague.
    let report = test.app.care_sweep(due + chrono::Duration::minutes(1)).unwrap();
    assert_eq!((report.breached, report.reassigned), (1, 1), "{report:?}");
    let (_, view) = test.send(Method::GET, &format!("/api/v1/cases/{case_id}"), &test.admin, None).await;
    assert_eq!(view["priority"], "urgent");
    let colleague = if owner == jd { al } else { jd };
    assert_eq!(view["assignee_id"].as_i64(), Some(colleague));
    let kinds: Vec<&str> = view["conversation"].as_array().unwrap().iter().filter_map(|entry| entry["kind"].as_str()).collect();
    for kind in ["auto_reply", "sla_warning:first_response", "sla_breach:first_response", "assignment"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let report = test.app.care_sweep(due + chrono::Duration::minutes(2)).unwrap();
    assert_eq!((report.breached, report.reassigned), (0, 0), "once");
}

#[tokio::test]
async fn a_crowd_reply_waits_for_a_supervisors_approval() {
    let test = test_app();
    let (crowd, crowd_token) = test.user("expert@example.com", Role::Crowd, "^EX");
    let (_, supervisor) = test.user("sup@example.com", Role::Supervisor, "^SU");
    let (_, team) = test.send(Method::POST, "/api/v1/teams", &test.admin, Some(json!({"name": "Experts", "members": [crowd]}))).await;
    let team_id = team["id"].as_i64().unwrap();
    let settings = json!({"append_signature": true, "assignment": "least_loaded", "crowd": true, "crowd_approval": true});
    let (status, stored) = test.send(Method::PUT, &format!("/api/v1/teams/{team_id}/care-settings"), &test.admin, Some(settings)).await;
    assert_eq!((status, stored["crowd_approval"].as_bool()), (StatusCode::OK, Some(true)), "{stored}");

    let complaint = json!({
        "source": "x", "external_id": "q1", "created_at": chrono::Utc::now().to_rfc3339(),
        "text": "@AirComptoir my bag is lost again, worst airline ever, I am furious and nobody answers",
        "author": {"handle": "camille", "display_name": "Camille Martin"},
    });
    test.ingest(&[complaint]).await;
    let (_, page) = test.send(Method::GET, "/api/v1/cases", &test.admin, None).await;
    let case_id = page["items"][0]["id"].as_i64().unwrap();
    let (status, _) = test.send(Method::PATCH, &format!("/api/v1/cases/{case_id}"), &test.admin, Some(json!({"team_id": team_id, "assignee_id": crowd}))).await;
    assert_eq!(status, StatusCode::OK);

    let reply = |text: &str| json!({"text": text});
    let (status, held) = test.send(Method::POST, &format!("/api/v1/cases/{case_id}/replies"), &crowd_token, Some(reply("Votre valise est à Lyon."))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{held}");
    assert_eq!((held["held_for_approval"].as_bool(), held["messages"][0]["status"].as_str()), (Some(true), Some("pending_approval")));
    let outbox_id = held["messages"][0]["id"].as_i64().unwrap();
    let (_, view) = test.send(Method::GET, &format!("/api/v1/cases/{case_id}"), &test.admin, None).await;
    assert!(view["first_response_at"].is_null(), "nothing was sent");

    let (status, _) = test.send(Method::GET, "/api/v1/replies/pending", &crowd_token, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a crowd responder cannot approve");
    let (status, pending) = test.send(Method::GET, "/api/v1/replies/pending", &supervisor, None).await;
    assert_eq!((status, pending["items"][0]["id"].as_i64()), (StatusCode::OK, Some(outbox_id)), "{pending}");
    let (status, _) = test.send(Method::POST, &format!("/api/v1/replies/{outbox_id}/approve"), &crowd_token, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, approved) = test.send(Method::POST, &format!("/api/v1/replies/{outbox_id}/approve"), &supervisor, None).await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["messages"][0]["status"], "sent");
    assert_eq!(approved["messages"][0]["text"], "Votre valise est à Lyon. ^EX", "signed by its author");
    let (status, again) = test.send(Method::POST, &format!("/api/v1/replies/{outbox_id}/approve"), &supervisor, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    let (_, view) = test.send(Method::GET, &format!("/api/v1/cases/{case_id}"), &test.admin, None).await;
    assert!(view["first_response_at"].is_string(), "the approved reply is the first response");
    let reply_event = view["conversation"].as_array().unwrap().iter().find(|entry| entry["kind"] == "reply").unwrap().clone();
    assert_eq!(reply_event["user_id"].as_i64(), Some(crowd), "{reply_event}");

    let (_, held) = test.send(Method::POST, &format!("/api/v1/cases/{case_id}/replies"), &crowd_token, Some(reply("lol"))).await;
    let second = held["messages"][0]["id"].as_i64().unwrap();
    let (status, rejected) = test.send(Method::POST, &format!("/api/v1/replies/{second}/reject"), &supervisor, Some(json!({"reason": "ton"}))).await;
    assert_eq!((status, rejected["items"][0]["status"].as_str()), (StatusCode::OK, Some("rejected")), "{rejected}");
    let (status, _) = test.send(Method::POST, "/api/v1/replies/abc/approve", &supervisor, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = test.send(Method::POST, "/api/v1/replies/99999/approve", &supervisor, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, view) = test.send(Method::GET, &format!("/api/v1/cases/{case_id}"), &test.admin, None).await;
    let sent: Vec<&str> = view["outbox"].as_array().unwrap().iter().filter_map(|row| row["status"].as_str()).collect();
    assert_eq!(sent, vec!["sent", "rejected"]);
}

#[tokio::test]
async fn a_conversation_moves_to_private_messages() {
    let test = test_app();
    let complaint = json!({
        "source": "x", "external_id": "p1", "created_at": chrono::Utc::now().to_rfc3339(), "language": "fr",
        "text": "@AirComptoir ma valise est perdue, c'est inadmissible, personne ne répond",
        "author": {"handle": "camille", "display_name": "Camille Martin"},
    });
    test.ingest(&[complaint]).await;
    let (_, page) = test.send(Method::GET, "/api/v1/cases", &test.admin, None).await;
    let case_id = page["items"][0]["id"].as_i64().unwrap();
    for (body, expected) in [
        (json!({"to": "fax"}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"to": "email"}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"to": "email", "email": "nope"}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"to": "private", "text": "x".repeat(400)}), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (status, problem) = test.send(Method::POST, &format!("/api/v1/cases/{case_id}/move"), &test.admin, Some(body.clone())).await;
        assert_eq!(status, expected, "{body} → {problem}");
    }
    let (status, moved) = test.send(Method::POST, &format!("/api/v1/cases/{case_id}/move"), &test.admin, Some(json!({"to": "private"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{moved}");
    let invitation = &moved["messages"][0];
    assert_eq!((invitation["visibility"].as_str(), invitation["channel"].as_str()), (Some("public"), Some("x")));
    assert!(invitation["text"].as_str().unwrap().contains("message privé"), "in the case's language: {invitation}");
    let (status, reply) = test.send(Method::POST, &format!("/api/v1/cases/{case_id}/replies"), &test.admin, Some(json!({"text": "Quel est votre numéro de dossier ?"}))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(reply["messages"][0]["visibility"], "private", "replies are private once moved");
    let (_, view) = test.send(Method::GET, &format!("/api/v1/cases/{case_id}"), &test.admin, None).await;
    assert!(view["tags"].as_array().unwrap().iter().any(|tag| tag == "moved:private"), "{view}");
    assert!(view["conversation"].as_array().unwrap().iter().any(|entry| entry["kind"] == "moved"));
}
