//! The care flow through the API, without a server (`oneshot`): a complaint becomes a
//! case, routed to the team and assigned, with SLA due times in business hours; a reply
//! too long for X gets a 422 with the reason; a signed reply goes to the sandbox outbox;
//! another agent may not answer the owner's case; the customer's answer joins the case;
//! a callback is requested and its outcome logged; the case is resolved and the customer
//! answers the one-use CSAT survey; the contact's timeline shows all of it.

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

    async fn public(&self, method: Method, uri: &str, form: Option<&str>) -> (StatusCode, String) {
        let builder = Request::builder().method(method).uri(uri);
        let request = match form {
            Some(form) => builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(form.to_string())).unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        };
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
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

fn tweet(id: &str, handle: &str, text: &str, in_reply_to: Option<&str>) -> Value {
    let mut mention = json!({
        "source": "x", "external_id": id, "text": text, "created_at": chrono::Utc::now().to_rfc3339(),
        "author": {"handle": handle, "display_name": "Camille Martin"},
    });
    if let Some(parent) = in_reply_to {
        mention["links"] = json!({"in_reply_to": parent});
    }
    mention
}

const COMPLAINT: &str = "@AirComptoir my bag is lost again, worst airline ever, I am furious and nobody answers";

#[tokio::test]
async fn a_complaint_goes_from_case_to_reply_callback_resolution_and_csat() {
    let test = test_app();
    let (agent_id, agent) = test.user("jd@example.com", Role::Agent, "^JD");
    let (_, other_agent) = test.user("al@example.com", Role::Agent, "^AL");
    let (_, supervisor) = test.user("sup@example.com", Role::Supervisor, "^SU");
    let (status, team) = test.send(Method::POST, "/api/v1/teams", &test.admin, Some(json!({"name": "Care", "members": [agent_id]}))).await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    let team_id = team["id"].as_i64().unwrap();
    let (status, _) = test.send(Method::PATCH, &format!("/api/v1/agents/{agent_id}"), &agent, Some(json!({"presence": "online"}))).await;
    assert_eq!(status, StatusCode::OK);

    test.ingest(&[tweet("c1", "camille", COMPLAINT, None), tweet("p1", "fan", "Thanks for the lovely flight, great crew!", None)]).await;
    let (status, page) = test.send(Method::GET, "/api/v1/cases", &agent, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "the complaint opens a case, the praise does not: {page}");
    let case = &items[0];
    let case_id = case["id"].as_i64().unwrap();
    assert_eq!((case["team_id"].as_i64(), case["assignee_id"].as_i64()), (Some(team_id), Some(agent_id)));
    assert_eq!(case["status"], "open");
    assert!(matches!(case["priority"].as_str(), Some("high" | "urgent")), "{case}");
    assert!(case["first_response_due_at"].as_str().unwrap() < case["resolution_due_at"].as_str().unwrap());
    for queue in ["mine", "team", "all"] {
        let (_, listed) = test.send(Method::GET, &format!("/api/v1/cases?queue={queue}"), &agent, None).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1, "queue {queue}");
    }
    let (_, unassigned) = test.send(Method::GET, "/api/v1/cases?queue=unassigned", &agent, None).await;
    assert!(unassigned["items"].as_array().unwrap().is_empty());

    let (status, view) = test.send(Method::GET, &format!("/api/v1/cases/{case_id}"), &agent, None).await;
    assert_eq!(status, StatusCode::OK);
    let contact_id = view["contact_id"].as_i64().expect("the author's contact");
    assert_eq!(view["conversation"][0]["mention"]["enrichment"]["intent"].is_string(), true, "{view}");
    assert!(matches!(view["first_response_state"].as_str(), Some("pending" | "warning" | "breached")));
    assert!(view["sla"]["first_response"]["target_seconds"].as_i64().unwrap() > 0);

    // Collision: the agent is typing; another agent may not answer the owner's case.
    let (status, present) = test.send(Method::POST, &format!("/api/v1/cases/{case_id}/presence"), &agent, Some(json!({"state": "typing"}))).await;
    assert_eq!((status, present["items"][0]["state"].as_str()), (StatusCode::OK, Some("typing")));
    let (_, view) = test.send(Method::GET, &format!("/api/v1/cases/{case_id}"), &supervisor, None).await;
    assert_eq!(view["presence"][0]["user_id"].as_i64(), Some(agent_id));
    let reply = json!({"text": "Nous sommes désolés, nous cherchons votre valise."});
    let (status, refused) = test.send(Method::POST, &format!("/api/v1/cases/{case_id}/replies"), &other_agent, Some(reply.clone())).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");

    let too_long = json!({"text": "x".repeat(279)});
    let (status, problem) = test.send(Method::POST, &format!("/api/v1/cases/{case_id}/replies"), &agent, Some(too_long)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem["detail"].as_str().unwrap().contains("too long for X"), "{problem}");

    let (status, sent) = test.send(Method::POST, &format!("/api/v1/cases/{case_id}/replies"), &agent, Some(reply)).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let message = &sent["messages"][0];
    assert_eq!(message["text"], "Nous sommes désolés, nous cherchons votre valise. ^JD");
    assert_eq!((message["status"].as_str(), message["in_reply_to"].as_str(), message["channel"].as_str()), (Some("sent"), Some("c1"), Some("x")));
    let long = "Voici ce que nous faisons pour retrouver votre bagage. ".repeat(8);
    let (status, thread) = test.send(Method::POST, &format!("/api/v1/cases/{case_id}/replies"), &agent, Some(json!({"text": long, "split": true, "visibility": "private"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{thread}");
    let parts = thread["messages"].as_array().unwrap();
    assert!(parts.len() >= 2 && parts.iter().all(|part| part["text"].as_str().unwrap().ends_with("^JD")), "{thread}");

    // The customer answers in the thread: the message joins the case.
    test.ingest(&[tweet("c2", "camille", "@AirComptoir still nothing, this is unacceptable", Some("c1"))]).await;
    let (_, all) = test.send(Method::GET, "/api/v1/cases", &supervisor, None).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1, "{all}");
    let (_, view) = test.send(Method::GET, &format!("/api/v1/cases/{case_id}"), &agent, None).await;
    let customer_messages = view["conversation"].as_array().unwrap().iter().filter(|entry| entry["kind"] == "customer_message").count();
    assert_eq!(customer_messages, 2);
    assert!(view["first_response_at"].is_string());
    assert_eq!(view["first_response_state"], "met");

    // Escalation to the phone.
    let bad_phone = json!({"phone": "call me maybe", "note": "x"});
    let (status, _) = test.send(Method::POST, &format!("/api/v1/cases/{case_id}/callback"), &agent, Some(bad_phone)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let callback = json!({"phone": "+33 1 23 45 67 89", "note": "bagage perdu CDG", "slot": "demain 10h"});
    let (status, created) = test.send(Method::POST, &format!("/api/v1/cases/{case_id}/callback"), &agent, Some(callback)).await;
    assert_eq!((status, created["phone"].as_str()), (StatusCode::CREATED, Some("+33123456789")));
    let (_, open) = test.send(Method::GET, "/api/v1/callbacks?status=open", &agent, None).await;
    assert_eq!(open["items"].as_array().unwrap().len(), 1);
    let outcome_uri = format!("/api/v1/callbacks/{}/outcome", created["id"]);
    let (status, done) = test.send(Method::POST, &outcome_uri, &agent, Some(json!({"outcome": "bag found, delivered tonight"}))).await;
    assert_eq!((status, done["status"].as_str()), (StatusCode::OK, Some("done")));
    let (status, _) = test.send(Method::POST, &outcome_uri, &agent, Some(json!({"outcome": "again"}))).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Status rules, resolution and the survey.
    let (status, problem) = test.send(Method::PATCH, &format!("/api/v1/cases/{case_id}"), &agent, Some(json!({"status": "closed"}))).await;
    assert_eq!(status, StatusCode::CONFLICT, "open → closed skips resolution: {problem}");
    let (status, resolved) = test.send(Method::PATCH, &format!("/api/v1/cases/{case_id}"), &agent, Some(json!({"status": "resolved", "tags": ["Baggage"]}))).await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert_eq!((resolved["status"].as_str(), resolved["tags"][0].as_str()), (Some("resolved"), Some("baggage")));
    let link = resolved["csat_link"].as_str().expect("a survey link").to_string();
    let (status, form) = test.public(Method::GET, &link, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("name=\"rating\""));
    let (status, _) = test.public(Method::POST, &link, Some("rating=9")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, thanks) = test.public(Method::POST, &link, Some("rating=5&comment=%3Cscript%3Emerci%3C%2Fscript%3E")).await;
    assert_eq!(status, StatusCode::OK, "{thanks}");
    let (status, _) = test.public(Method::POST, &link, Some("rating=1")).await;
    assert_eq!(status, StatusCode::CONFLICT, "one use");
    let (status, _) = test.public(Method::GET, "/csat/csat_00", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, report) = test.send(Method::GET, "/api/v1/reports/csat", &supervisor, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((report["answers"].as_u64(), report["per_agent"][0]["id"].as_i64(), report["per_agent"][0]["average"].as_f64()), (Some(1), Some(agent_id), Some(5.0)));

    // The contact's timeline tells the whole story.
    let (status, timeline) = test.send(Method::GET, &format!("/api/v1/contacts/{contact_id}/timeline"), &agent, None).await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<String> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["kind"].as_str().or(item["type"].as_str()).unwrap_or_default().to_string())
        .collect();
    let text = timeline.to_string();
    for wanted in ["\"case_id\"", "\"reply\"", "\"callback\"", "\"call\"", "\"csat\"", "bag found"] {
        assert!(text.contains(wanted), "{wanted} on the timeline: {kinds:?} {timeline}");
    }
    let (_, audit) = test.send(Method::GET, "/api/v1/audit?entity=case", &test.admin, None).await;
    assert!(audit.to_string().contains("case.update") && audit.to_string().contains("case.reply"), "{audit}");
}

#[tokio::test]
async fn care_settings_route_cases_and_bad_input_is_a_4xx() {
    let test = test_app();
    let (agent_id, agent) = test.user("jd@example.com", Role::Agent, "^JD");
    let (_, team) = test.send(Method::POST, "/api/v1/teams", &test.admin, Some(json!({"name": "General", "members": []}))).await;
    let (_, english) = test.send(Method::POST, "/api/v1/teams", &test.admin, Some(json!({"name": "English desk", "members": [agent_id]}))).await;
    let english_id = english["id"].as_i64().unwrap();
    let rule = json!({"name": "English", "when": {"languages": ["en"]}, "team_id": english_id});
    let (status, created) = test.send(Method::POST, "/api/v1/routing-rules", &test.admin, Some(rule.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, _) = test.send(Method::POST, "/api/v1/routing-rules", &agent, Some(rule)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let settings = json!({"append_signature": false, "assignment": "least_loaded"});
    let (status, _) = test.send(Method::PUT, &format!("/api/v1/teams/{english_id}/care-settings"), &test.admin, Some(settings)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, policies) = test.send(Method::GET, "/api/v1/sla-policies", &agent, None).await;
    assert_eq!(policies["items"][0]["calendar"]["time_zone"], "Europe/Paris", "{policies}");
    let (status, canned) = test.send(Method::POST, "/api/v1/canned-responses", &test.admin, Some(json!({"title": "Sorry", "template": "Hello {{customer_name}}, case {{case_number}} is ours."}))).await;
    assert_eq!(status, StatusCode::CREATED, "{canned}");
    let (status, _) = test.send(Method::POST, "/api/v1/canned-responses", &test.admin, Some(json!({"title": "Bad", "template": "Hi {{nobody}}"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    test.send(Method::PATCH, &format!("/api/v1/agents/{agent_id}"), &agent, Some(json!({"presence": "online"}))).await;
    let (status, _) = test.send(Method::PATCH, &format!("/api/v1/agents/{agent_id}"), &agent, Some(json!({"capacity": 99}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an agent does not set their own capacity");

    let mut english_tweet = tweet("e1", "pat", COMPLAINT, None);
    english_tweet["language"] = json!("en");
    test.ingest(&[english_tweet]).await;
    let (_, page) = test.send(Method::GET, "/api/v1/cases", &agent, None).await;
    let case = &page["items"][0];
    assert_eq!((case["team_id"].as_i64(), case["assignee_id"].as_i64()), (Some(english_id), Some(agent_id)), "{page} {team}");
    let case_id = case["id"].as_i64().unwrap();
    let (status, sent) = test.send(Method::POST, &format!("/api/v1/cases/{case_id}/replies"), &agent, Some(json!({"canned_id": canned["id"]}))).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["messages"][0]["text"], format!("Hello Camille Martin, case {case_id} is ours."), "no signature by the team's setting");

    let note = json!({"text": "@jd regarde ce client VIP"});
    let (status, noted) = test.send(Method::POST, &format!("/api/v1/cases/{case_id}/notes"), &agent, Some(note)).await;
    assert_eq!((status, noted["details"]["mentions"][0].as_i64()), (StatusCode::CREATED, Some(agent_id)));

    let uri = format!("/api/v1/cases/{case_id}");
    let bad: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/v1/cases/abc".into(), None),
        (Method::GET, "/api/v1/cases/999999".into(), None),
        (Method::GET, "/api/v1/cases?status=lost".into(), None),
        (Method::GET, "/api/v1/cases?queue=nowhere".into(), None),
        (Method::GET, "/api/v1/cases?cursor=zz".into(), None),
        (Method::PATCH, uri.clone(), Some(json!({"status": "flying"}))),
        (Method::PATCH, uri.clone(), Some(json!({"priority": "whenever"}))),
        (Method::PATCH, uri.clone(), Some(json!({"assignee_id": 424242}))),
        (Method::PATCH, uri.clone(), Some(json!({"tags": ["\u{0}"]}))),
        (Method::PATCH, uri.clone(), Some(json!({"unknown": 1}))),
        (Method::POST, format!("{uri}/replies"), Some(json!({"text": ""}))),
        (Method::POST, format!("{uri}/replies"), Some(json!({"text": "hi", "visibility": "everyone"}))),
        (Method::POST, format!("{uri}/replies"), Some(json!({"canned_id": 999}))),
        (Method::POST, format!("{uri}/replies"), Some(json!({"text": "x".repeat(40_000)}))),
        (Method::POST, format!("{uri}/presence"), Some(json!({"state": "dancing"}))),
        (Method::POST, format!("{uri}/notes"), Some(json!({"text": "   "}))),
        // No backend stores a NUL (PostgreSQL refuses it outright): a 400, never a 500.
        (Method::POST, format!("{uri}/notes"), Some(json!({"text": "a\u{0}b"}))),
        (Method::POST, format!("{uri}/callback"), Some(json!({"phone": "+33 1 23 45 67 89", "note": "x\u{0}y"}))),
        (Method::POST, format!("{uri}/callback"), Some(json!({"phone": "+1"}))),
        (Method::POST, "/api/v1/callbacks/999/outcome".into(), Some(json!({"outcome": "x"}))),
        (Method::PUT, "/api/v1/case-webhook".into(), Some(json!({"url": "ftp://x", "secret": "short"}))),
        (Method::POST, "/api/v1/sla-policies".into(), Some(json!({"name": "x", "targets": {}, "calendar": {}}))),
        (Method::PUT, "/api/v1/teams/9999/care-settings".into(), Some(json!({"append_signature": true, "assignment": "random"}))),
    ];
    for (method, uri, body) in bad {
        let (status, answer) = test.send(method.clone(), &uri, &test.admin, body).await;
        assert!(status.is_client_error(), "{method} {uri} answered {status} {answer}");
    }
}

#[tokio::test]
async fn the_staffing_forecast_counts_case_arrivals_and_refuses_bad_parameters() {
    let test = test_app();
    let (agent_id, _) = test.user("jd@example.com", Role::Agent, "^JD");
    let (_, supervisor) = test.user("sup@example.com", Role::Supervisor, "^SU");
    let (_, analyst) = test.user("an@example.com", Role::Analyst, "^AN");
    let (status, team) = test.send(Method::POST, "/api/v1/teams", &test.admin, Some(json!({"name": "Care", "members": [agent_id]}))).await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    test.ingest(&[tweet("s1", "camille", COMPLAINT, None), tweet("s2", "dominique", "@AirComptoir my flight was cancelled and nobody at the desk can tell me why, this is unacceptable", None)]).await;
    let mut cases = 0;
    for _ in 0..100 {
        let (_, page) = test.send(Method::GET, "/api/v1/cases", &test.admin, None).await;
        cases = page["items"].as_array().map_or(0, Vec::len);
        if cases == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(cases, 2);

    let (status, report) = test.send(Method::GET, "/api/v1/staffing/forecast?handling_minutes=8&agents_on_duty=3", &supervisor, None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["cases_in_history"], 2);
    // Two cases in the last hour are not a day of history: no forecast yet, and it says so.
    assert_eq!(report["basis"], "none");
    assert_eq!(report["hours"].as_array().unwrap().len(), 168);
    assert_eq!(report["agents_on_duty"], 3);
    assert_eq!(report["time_zone"], "Europe/Paris");
    assert_eq!(report["average_handling_seconds"], 480.0);
    // The roster follows the business-hours calendar: some hours have 3 agents, nights 0.
    let rostered: Vec<u64> = report["hours"].as_array().unwrap().iter().map(|hour| hour["rostered_agents"].as_u64().unwrap()).collect();
    assert!(rostered.contains(&3) && rostered.contains(&0), "{rostered:?}");
    assert_eq!(report["expected_compliance"], 1.0);

    // The team's own members are its roster by default.
    let team_id = team["id"].as_i64().unwrap();
    let (status, report) = test.send(Method::GET, &format!("/api/v1/staffing/forecast?team={team_id}&hours=24"), &analyst, None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["agents_on_duty"].as_u64(), report["hours"].as_array().unwrap().len()), (Some(1), 24));

    for (query, expected) in [
        ("service_level=1.5", StatusCode::BAD_REQUEST),
        ("hours=0", StatusCode::BAD_REQUEST),
        ("handling_minutes=-2", StatusCode::BAD_REQUEST),
        ("team=abc", StatusCode::BAD_REQUEST),
        ("unknown=1", StatusCode::BAD_REQUEST),
        ("team=999", StatusCode::NOT_FOUND),
    ] {
        let (status, body) = test.send(Method::GET, &format!("/api/v1/staffing/forecast?{query}"), &supervisor, None).await;
        assert_eq!(status, expected, "{query}: {body}");
        assert!(body["detail"].is_string(), "{query}: a problem body, got {body}");
    }
    // A malformed query string is a problem document on every API route, not plain text.
    for uri in ["/api/v1/cases?team=abc", "/api/v1/search?q=x&sort=sideways", "/api/v1/incidents?limit=x", "/api/v1/contacts?limit=-1"] {
        let (status, body) = test.send(Method::GET, uri, &supervisor, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert!(body["detail"].is_string(), "{uri}: a problem body, got {body}");
    }
}
