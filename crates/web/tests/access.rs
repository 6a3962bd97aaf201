//! Sign-in, CSRF, rate limiting, the authorisation table over every endpoint, and the
//! contact (customer 360) endpoints, through the router without a server (`oneshot`).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use domain::{role_allows, Action, Role};
use serde_json::{json, Value};
use service::{App, Config, UserRequest};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery staple";

struct TestApp {
    app: Arc<App>,
    router: Router,
    /// An ownerless token (administrator rights), as `comptoir token create` makes.
    admin_token: String,
    _dir: tempfile::TempDir,
}

fn test_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let config = Config { data_dir: dir.path().to_path_buf(), ..Config::default() };
    let app = Arc::new(App::open(config).unwrap());
    let admin_token = app.create_api_token("test").unwrap();
    let ingest = service::start_ingest_thread(app.clone(), 8);
    let router = web::router(web::AppState::new(app.clone(), ingest, "test"));
    TestApp { app, router, admin_token, _dir: dir }
}

struct Call {
    method: Method,
    uri: String,
    body: Option<Value>,
    bearer: Option<String>,
    cookie: Option<String>,
    csrf: Option<String>,
    client: Option<SocketAddr>,
}

fn call(method: Method, uri: &str) -> Call {
    Call { method, uri: uri.to_string(), body: None, bearer: None, cookie: None, csrf: None, client: None }
}

impl Call {
    fn json(mut self, body: Value) -> Call {
        self.body = Some(body);
        self
    }

    fn bearer(mut self, token: &str) -> Call {
        self.bearer = Some(token.to_string());
        self
    }

    fn request(self) -> Request<Body> {
        let mut builder = Request::builder().method(self.method).uri(self.uri);
        if let Some(token) = self.bearer {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(cookie) = self.cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        if let Some(csrf) = self.csrf {
            builder = builder.header("x-csrf-token", csrf);
        }
        if let Some(client) = self.client {
            builder = builder.extension(ConnectInfo(client));
        }
        match self.body {
            Some(body) => builder.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())).unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        }
    }
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

impl TestApp {
    async fn send(&self, call: Call) -> Answer {
        let response = self.router.clone().oneshot(call.request()).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Answer { status, headers, body }
    }

    fn add_user(&self, email: &str, role: Role) -> domain::User {
        let request = UserRequest {
            email: email.into(),
            password: PASSWORD.into(),
            role,
            display_name: None,
            language: domain::Language::Fr,
            signature: Some("^JD".into()),
            expertise: vec![],
            capacity: None,
        };
        self.app.create_user("test", &request).unwrap()
    }

    /// A new user of this role and a token with their full rights.
    fn token_for(&self, role: Role) -> String {
        let email = format!("{}@example.com", role.as_str());
        self.add_user(&email, role);
        self.app.create_user_api_token("test", &email, "test", &[]).unwrap()
    }

    /// Ingests mentions through the API and waits until they are stored.
    async fn ingest(&self, mentions: &[Value]) {
        let body: String = mentions.iter().map(|mention| format!("{mention}\n")).collect();
        let request = Request::post("/api/v1/mentions")
            .header(header::AUTHORIZATION, format!("Bearer {}", self.admin_token))
            .header(header::CONTENT_TYPE, "application/x-ndjson")
            .body(Body::from(body))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }

    async fn contact_id_of(&self, handle: &str) -> i64 {
        let answer = self.send(call(Method::GET, &format!("/api/v1/contacts?q={handle}")).bearer(&self.admin_token)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let items = answer.body["items"].as_array().unwrap();
        let contact = items
            .iter()
            .find(|contact| contact["identities"].as_array().unwrap().iter().any(|identity| identity["value"] == handle))
            .unwrap_or_else(|| panic!("a contact for @{handle} in {items:?}"));
        contact["id"].as_i64().unwrap()
    }
}

fn mention(id: &str, handle: &str, text: &str, bio: Option<&str>) -> Value {
    json!({
        "source": "x", "external_id": id, "text": text, "created_at": format!("2026-11-20T10:00:0{}Z", id.len() % 10),
        "author": {"handle": handle, "display_name": format!("{handle} name"), "bio": bio},
    })
}

fn login_body(email: &str, password: &str) -> Value {
    json!({"email": email, "password": password})
}

fn session_from(answer: &Answer) -> (String, String) {
    let cookie = answer.headers.get(header::SET_COOKIE).expect("a session cookie").to_str().unwrap().to_string();
    let pair = cookie.split(';').next().unwrap().to_string();
    (pair, answer.body["csrf_token"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn sign_in_sets_a_safe_cookie_and_cookie_requests_need_the_csrf_token() {
    let test = test_app();
    test.add_user("agent@example.com", Role::Agent);
    test.ingest(&[mention("1", "zoe", "Bagage perdu à Orly", None)]).await;
    let zoe = test.contact_id_of("zoe").await;

    let wrong = test.send(call(Method::POST, "/api/v1/auth/login").json(login_body("agent@example.com", "nope"))).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let unknown = test.send(call(Method::POST, "/api/v1/auth/login").json(login_body("ghost@example.com", "nope"))).await;
    assert_eq!((unknown.status, &unknown.body["detail"]), (StatusCode::UNAUTHORIZED, &wrong.body["detail"]));

    let signed_in = test.send(call(Method::POST, "/api/v1/auth/login").json(login_body("Agent@Example.com", PASSWORD))).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    let set_cookie = signed_in.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{attribute} in {set_cookie}");
    }
    assert_eq!(signed_in.body["user"]["role"], "agent");
    assert!(signed_in.body["user"].get("password_hash").is_none());
    let (cookie, csrf) = session_from(&signed_in);

    let mut me = call(Method::GET, "/api/v1/me");
    me.cookie = Some(cookie.clone());
    let me = test.send(me).await;
    assert_eq!((me.status, &me.body["user"]["email"]), (StatusCode::OK, &json!("agent@example.com")));

    let note = |csrf: Option<String>| {
        let mut note = call(Method::POST, &format!("/api/v1/contacts/{zoe}/notes")).json(json!({"text": "called back"}));
        note.cookie = Some(cookie.clone());
        note.csrf = csrf;
        note
    };
    assert_eq!(test.send(note(None)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(test.send(note(Some("forged".into()))).await.status, StatusCode::FORBIDDEN);
    let written = test.send(note(Some(csrf.clone()))).await;
    assert_eq!(written.status, StatusCode::CREATED, "{}", written.body);
    // A bearer token needs no CSRF token.
    let by_token = call(Method::POST, &format!("/api/v1/contacts/{zoe}/notes")).json(json!({"text": "x"})).bearer(&test.admin_token);
    assert_eq!(test.send(by_token).await.status, StatusCode::CREATED);

    let mut logout = call(Method::POST, "/api/v1/auth/logout");
    logout.cookie = Some(cookie.clone());
    logout.csrf = Some(csrf);
    assert_eq!(test.send(logout).await.status, StatusCode::NO_CONTENT);
    let mut me = call(Method::GET, "/api/v1/me");
    me.cookie = Some(cookie);
    assert_eq!(test.send(me).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_email_and_per_client() {
    let test = test_app();
    test.add_user("agent@example.com", Role::Agent);
    for attempt in 0..10 {
        let answer = test.send(call(Method::POST, "/api/v1/auth/login").json(login_body("agent@example.com", "wrong"))).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let limited = test.send(call(Method::POST, "/api/v1/auth/login").json(login_body("AGENT@example.com", PASSWORD))).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = limited.headers.get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&retry_after), "{retry_after}");

    let client: SocketAddr = "203.0.113.7:5000".parse().unwrap();
    let mut last = StatusCode::OK;
    for attempt in 0..11 {
        let mut login = call(Method::POST, "/api/v1/auth/login").json(login_body(&format!("user{attempt}@example.com"), "x"));
        login.client = Some(client);
        last = test.send(login).await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "the 11th attempt from one address");
}

/// Every endpoint with the action it needs; ids that do not exist keep allowed calls harmless.
fn endpoints() -> Vec<(Method, &'static str, Option<Value>, Action)> {
    let mention = mention("77", "table", "test", None);
    vec![
        (Method::POST, "/api/v1/mentions", Some(mention), Action::IngestMentions),
        (Method::GET, "/api/v1/mentions/999", None, Action::ReadMentions),
        (Method::PUT, "/api/v1/mentions/999/enrichment", Some(json!({"sentiment": "neutral", "corrected_by": "t"})), Action::CorrectEnrichment),
        (Method::GET, "/api/v1/search?q=*", None, Action::ReadMentions),
        (Method::GET, "/api/v1/topics", None, Action::ReadMentions),
        (Method::POST, "/api/v1/topics", Some(json!({"name": "t", "query": "x"})), Action::ManageTopics),
        (Method::DELETE, "/api/v1/topics/999", None, Action::ManageTopics),
        (Method::PUT, "/api/v1/topics/999", Some(json!({"name": "t", "query": "x"})), Action::ManageTopics),
        (Method::GET, "/api/v1/topics/preview?q=retard", None, Action::ReadMentions),
        (Method::GET, "/api/v1/dashboards/listening?range=7d", None, Action::ReadMentions),
        (Method::GET, "/api/v1/quarantine", None, Action::ReadMentions),
        (Method::GET, "/api/v1/authors", None, Action::ReadMentions),
        (Method::GET, "/api/v1/incidents", None, Action::ReadIncidents),
        (Method::GET, "/api/v1/incidents/999", None, Action::ReadIncidents),
        (Method::GET, "/api/v1/incidents/999/mentions", None, Action::ReadIncidents),
        (Method::GET, "/api/v1/incidents/999/cases", None, Action::ReadCases),
        (Method::PATCH, "/api/v1/incidents/999", Some(json!({"status": "acknowledged"})), Action::ManageIncidents),
        (Method::GET, "/api/v1/topics/999/weak-signals", None, Action::ReadIncidents),
        (Method::GET, "/api/v1/alert-rules", None, Action::ReadIncidents),
        (Method::POST, "/api/v1/alert-rules", Some(json!({"name": "r"})), Action::ManageAlerts),
        (Method::DELETE, "/api/v1/alert-rules/999", None, Action::ManageAlerts),
        (Method::PATCH, "/api/v1/alert-rules/999", Some(json!({"muted": true})), Action::ManageAlerts),
        (Method::POST, "/api/v1/alert-rules/999/test", None, Action::ManageAlerts),
        (Method::GET, "/api/v1/alerts", None, Action::ReadIncidents),
        (Method::GET, "/api/v1/authors/x/nobody", None, Action::ReadMentions),
        (Method::GET, "/api/v1/users", None, Action::ReadUsers),
        (Method::POST, "/api/v1/users", Some(json!({"email": "bad", "password": "x", "role": "agent"})), Action::ManageUsers),
        (Method::GET, "/api/v1/users/999", None, Action::ReadUsers),
        (Method::PATCH, "/api/v1/users/999", Some(json!({"capacity": 3})), Action::ManageUsers),
        (Method::DELETE, "/api/v1/users/999", None, Action::ManageUsers),
        (Method::GET, "/api/v1/teams", None, Action::ReadTeams),
        (Method::POST, "/api/v1/teams", Some(json!({"name": ""})), Action::ManageTeams),
        (Method::GET, "/api/v1/teams/999", None, Action::ReadTeams),
        (Method::PUT, "/api/v1/teams/999", Some(json!({"name": "x"})), Action::ManageTeams),
        (Method::DELETE, "/api/v1/teams/999", None, Action::ManageTeams),
        (Method::GET, "/api/v1/audit", None, Action::ReadAudit),
        (Method::POST, "/api/v1/tokens", Some(json!({"email": "nobody@example.com", "label": "x"})), Action::ManageUsers),
        (Method::GET, "/api/v1/tokens", None, Action::ManageUsers),
        (Method::DELETE, "/api/v1/tokens/999", None, Action::ManageUsers),
        (Method::GET, "/api/v1/contacts", None, Action::ReadContacts),
        (Method::GET, "/api/v1/contacts/999", None, Action::ReadContacts),
        (Method::PATCH, "/api/v1/contacts/999", Some(json!({"vip": true})), Action::WriteContacts),
        (Method::POST, "/api/v1/contacts/999/identities", Some(json!({"kind": "email", "value": "a@b.c"})), Action::WriteContacts),
        (Method::POST, "/api/v1/contacts/999/notes", Some(json!({"text": "x"})), Action::WriteContacts),
        (Method::POST, "/api/v1/contacts/999/merge", Some(json!({"other_id": 998})), Action::WriteContacts),
        (Method::POST, "/api/v1/contacts/merges/999/undo", None, Action::WriteContacts),
        (Method::GET, "/api/v1/contacts/999/merge-suggestions", None, Action::ReadContacts),
        (Method::GET, "/api/v1/contacts/999/timeline", None, Action::ReadContacts),
        (Method::GET, "/api/v1/contacts/999/export", None, Action::ExportContacts),
        (Method::DELETE, "/api/v1/contacts/999", None, Action::EraseContacts),
        (Method::GET, "/api/v1/cases", None, Action::ReadCases),
        (Method::GET, "/api/v1/cases/999", None, Action::ReadCases),
        (Method::POST, "/api/v1/cases/bulk", Some(json!({"ids": [999], "action": "resolve"})), Action::WorkCases),
        (Method::PATCH, "/api/v1/cases/999", Some(json!({"status": "open"})), Action::WorkCases),
        (Method::POST, "/api/v1/cases/999/notes", Some(json!({"text": "x"})), Action::WorkCases),
        (Method::POST, "/api/v1/cases/999/presence", Some(json!({"state": "viewing"})), Action::WorkCases),
        (Method::POST, "/api/v1/cases/999/replies", Some(json!({"text": "x"})), Action::WorkCases),
        (Method::POST, "/api/v1/cases/999/callback", Some(json!({"phone": "+33123456789"})), Action::WorkCases),
        (Method::GET, "/api/v1/callbacks", None, Action::ReadCases),
        (Method::POST, "/api/v1/callbacks/999/outcome", Some(json!({"outcome": "x"})), Action::WorkCases),
        (Method::GET, "/api/v1/reports/csat", None, Action::ReadCareReports),
        (Method::GET, "/api/v1/reports/care", None, Action::ReadCareReports),
        (Method::GET, "/api/v1/reports/care.csv?table=by_team", None, Action::ReadCareReports),
        (Method::GET, "/api/v1/staffing/forecast", None, Action::ReadCareReports),
        (Method::GET, "/api/v1/routing-rules", None, Action::ReadCases),
        (Method::POST, "/api/v1/routing-rules", Some(json!({"name": "r", "team_id": 999})), Action::ManageCare),
        (Method::DELETE, "/api/v1/routing-rules/999", None, Action::ManageCare),
        (Method::GET, "/api/v1/sla-policies", None, Action::ReadCases),
        (Method::POST, "/api/v1/sla-policies", Some(json!({"name": "p"})), Action::ManageCare),
        (Method::PUT, "/api/v1/sla-policies/999", Some(json!({"name": "p"})), Action::ManageCare),
        (Method::DELETE, "/api/v1/sla-policies/999", None, Action::ManageCare),
        (Method::GET, "/api/v1/teams/999/care-settings", None, Action::ReadCases),
        (Method::PUT, "/api/v1/teams/999/care-settings", Some(json!({"append_signature": true, "assignment": "round_robin"})), Action::ManageCare),
        (Method::GET, "/api/v1/canned-responses", None, Action::ReadCases),
        (Method::POST, "/api/v1/canned-responses", Some(json!({"title": "t", "template": "x"})), Action::ManageCare),
        (Method::DELETE, "/api/v1/canned-responses/999", None, Action::ManageCare),
        (Method::GET, "/api/v1/agents", None, Action::ReadCases),
        (Method::PATCH, "/api/v1/agents/999", Some(json!({"presence": "online"})), Action::WorkCases),
        (Method::GET, "/api/v1/case-rules", None, Action::ReadCases),
        (Method::PUT, "/api/v1/case-rules", Some(json!([])), Action::ManageCare),
        (Method::PUT, "/api/v1/case-webhook", Some(json!(null)), Action::ManageCare),
        (Method::GET, "/api/v1/care/escalation", None, Action::ReadCases),
        (Method::GET, "/api/v1/replies/pending", None, Action::ManageCare),
        (Method::POST, "/api/v1/cases/999/move", Some(json!({"to": "private"})), Action::WorkCases),
        (Method::POST, "/api/v1/replies/999/approve", None, Action::ManageCare),
        (Method::POST, "/api/v1/replies/999/reject", Some(json!({"reason": "tone"})), Action::ManageCare),
        (Method::PUT, "/api/v1/care/escalation", Some(json!({"warning_minutes": 10})), Action::ManageCare),
        (Method::GET, "/api/v1/posts", None, Action::ReadPosts),
        (Method::POST, "/api/v1/posts", Some(json!({"text": "x", "channel": "x"})), Action::ProposePosts),
        (Method::GET, "/api/v1/posts/999", None, Action::ReadPosts),
        (Method::PATCH, "/api/v1/posts/999", Some(json!({"text": "x"})), Action::ProposePosts),
        (Method::POST, "/api/v1/posts/999/submit", None, Action::ProposePosts),
        (Method::POST, "/api/v1/posts/999/approve", Some(json!({})), Action::ApprovePosts),
        (Method::POST, "/api/v1/posts/999/reject", Some(json!({"note": "no"})), Action::ApprovePosts),
        (Method::POST, "/api/v1/posts/999/publish", None, Action::ApprovePosts),
        (Method::POST, "/api/v1/mentions/999/amplify", Some(json!({"kind": "repost"})), Action::ProposePosts),
        (Method::GET, "/api/v1/publishing", None, Action::ReadPosts),
        (Method::POST, "/api/v1/publishing/pause", None, Action::ApprovePosts),
        (Method::POST, "/api/v1/publishing/resume", None, Action::ApprovePosts),
        (Method::GET, "/api/v1/outbox", None, Action::ApprovePosts),
        (Method::GET, "/api/v1/incidents/999/crisis", None, Action::ReadIncidents),
        (Method::POST, "/api/v1/incidents/999/crisis", Some(json!({"active": true})), Action::RunCrisis),
        (Method::POST, "/api/v1/incidents/999/broadcast", Some(json!({"text": "x"})), Action::RunCrisis),
        (Method::POST, "/api/v1/incidents/999/bulk-reply/preview", Some(json!({"template": "x"})), Action::RunCrisis),
        (Method::POST, "/api/v1/incidents/999/bulk-reply", Some(json!({"preview_id": 1})), Action::RunCrisis),
        (Method::POST, "/api/v1/incidents/999/notify/preview", Some(json!({})), Action::RunCrisis),
        (Method::POST, "/api/v1/incidents/999/notify", Some(json!({"preview_id": 1})), Action::RunCrisis),
        (Method::GET, "/api/v1/incidents/999/bulk/1", None, Action::ReadIncidents),
    ]
}

#[tokio::test]
async fn every_endpoint_checks_the_role_table() {
    let test = test_app();
    for (method, uri, body, _) in endpoints() {
        let mut anonymous = call(method.clone(), uri);
        anonymous.body = body;
        assert_eq!(test.send(anonymous).await.status, StatusCode::UNAUTHORIZED, "{method} {uri} without credentials");
    }
    for role in Role::ALL {
        let token = test.token_for(role);
        for (method, uri, body, action) in endpoints() {
            let mut request = call(method.clone(), uri).bearer(&token);
            request.body = body;
            let answer = test.send(request).await;
            if role_allows(role, action) {
                assert!(
                    answer.status != StatusCode::FORBIDDEN && answer.status != StatusCode::UNAUTHORIZED && answer.status.as_u16() < 500,
                    "{role:?} may {action:?}: {method} {uri} answered {} {}",
                    answer.status,
                    answer.body
                );
            } else {
                assert_eq!(answer.status, StatusCode::FORBIDDEN, "{role:?} may not {action:?}: {method} {uri}");
            }
        }
    }
}

#[tokio::test]
async fn token_scopes_narrow_the_users_rights() {
    let test = test_app();
    test.add_user("sup@example.com", Role::Supervisor);
    let token = test.app.create_user_api_token("test", "sup@example.com", "ro", &[domain::Scope::ContactsRead]).unwrap();
    assert_eq!(test.send(call(Method::GET, "/api/v1/contacts").bearer(&token)).await.status, StatusCode::OK);
    let patch = call(Method::PATCH, "/api/v1/contacts/1").json(json!({"vip": true})).bearer(&token);
    assert_eq!(test.send(patch).await.status, StatusCode::FORBIDDEN);
    assert_eq!(test.send(call(Method::GET, "/api/v1/search?q=*").bearer(&token)).await.status, StatusCode::FORBIDDEN);
    let me = test.send(call(Method::GET, "/api/v1/me").bearer(&token)).await;
    assert_eq!(me.body["scopes"], json!(["contacts:read"]));
}

#[tokio::test]
async fn users_and_teams_are_managed_and_audited() {
    let test = test_app();
    let admin = test.admin_token.clone();
    let created = test
        .send(call(Method::POST, "/api/v1/users").bearer(&admin).json(json!({"email": "Jo@Example.com", "password": "pw", "role": "crowd", "expertise": ["baggage"]})))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let jo = created.body["id"].as_i64().unwrap();
    let again = test.send(call(Method::POST, "/api/v1/users").bearer(&admin).json(json!({"email": "jo@example.com", "password": "pw", "role": "agent"}))).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let patched = test.send(call(Method::PATCH, &format!("/api/v1/users/{jo}")).bearer(&admin).json(json!({"role": "agent", "capacity": 5}))).await;
    assert_eq!((patched.body["role"].as_str(), patched.body["capacity"].as_i64()), (Some("agent"), Some(5)));

    let team = test.send(call(Method::POST, "/api/v1/teams").bearer(&admin).json(json!({"name": "Bagages", "members": [jo]}))).await;
    assert_eq!(team.status, StatusCode::CREATED, "{}", team.body);
    let team_id = team.body["id"].as_i64().unwrap();
    let renamed = test.send(call(Method::PUT, &format!("/api/v1/teams/{team_id}")).bearer(&admin).json(json!({"name": "Retards", "members": []}))).await;
    assert_eq!(renamed.body["name"], "Retards");
    let ghost = test.send(call(Method::POST, "/api/v1/teams").bearer(&admin).json(json!({"name": "X", "members": [999]}))).await;
    assert_eq!(ghost.status, StatusCode::NOT_FOUND);
    assert_eq!(test.send(call(Method::DELETE, &format!("/api/v1/teams/{team_id}")).bearer(&admin)).await.status, StatusCode::NO_CONTENT);
    assert_eq!(test.send(call(Method::DELETE, &format!("/api/v1/users/{jo}")).bearer(&admin)).await.status, StatusCode::NO_CONTENT);

    let audit = test.send(call(Method::GET, "/api/v1/audit?limit=20").bearer(&admin)).await;
    let actions: Vec<&str> = audit.body["items"].as_array().unwrap().iter().map(|entry| entry["action"].as_str().unwrap()).collect();
    for action in ["user.create", "user.update", "team.create", "team.update", "team.delete"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let first = &audit.body["items"][0];
    assert!(first["actor"].as_str().unwrap().starts_with("token:"), "{first}");
    let text = audit.body.to_string();
    assert!(!text.contains("$argon2"), "no password hash in the audit log");
}

#[tokio::test]
async fn contacts_merge_undo_timeline_export_and_erasure() {
    let test = test_app();
    let admin = test.admin_token.clone();
    test.ingest(&[
        mention("101", "zoe", "Mon vol AF123 est annulé, remboursez-moi", Some("Pilote. Aussi @zoe_sky sur bluesky")),
        mention("1002", "zoe_sky", "Toujours pas de nouvelles du remboursement", None),
    ])
    .await;
    let zoe = test.contact_id_of("zoe").await;
    let sky = test.contact_id_of("zoe_sky").await;

    let patched = test
        .send(call(Method::PATCH, &format!("/api/v1/contacts/{zoe}")).bearer(&admin).json(json!({"customer_number": "C-42", "segment": "gold", "vip": true})))
        .await;
    assert_eq!((patched.status, &patched.body["customer_number"]), (StatusCode::OK, &json!("C-42")));
    let bad_advisor = test.send(call(Method::PATCH, &format!("/api/v1/contacts/{zoe}")).bearer(&admin).json(json!({"advisor_id": 999}))).await;
    assert_eq!(bad_advisor.status, StatusCode::BAD_REQUEST);
    let email = test
        .send(call(Method::POST, &format!("/api/v1/contacts/{zoe}/identities")).bearer(&admin).json(json!({"kind": "email", "value": "Zoe@Example.com"})))
        .await;
    assert_eq!((email.status, &email.body["value"]), (StatusCode::CREATED, &json!("zoe@example.com")));
    let taken = test
        .send(call(Method::POST, &format!("/api/v1/contacts/{sky}/identities")).bearer(&admin).json(json!({"kind": "email", "value": "zoe@example.com"})))
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    let too_long = "9".repeat(5_000);
    let bad = test
        .send(call(Method::POST, &format!("/api/v1/contacts/{sky}/identities")).bearer(&admin).json(json!({"kind": "phone", "value": too_long})))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let suggestions = test.send(call(Method::GET, &format!("/api/v1/contacts/{zoe}/merge-suggestions")).bearer(&admin)).await;
    assert_eq!(suggestions.body["items"][0]["contact_id"], sky, "{}", suggestions.body);
    let reverse = test.send(call(Method::GET, &format!("/api/v1/contacts/{sky}/merge-suggestions")).bearer(&admin)).await;
    assert_eq!(reverse.body["items"][0]["contact_id"], zoe, "{}", reverse.body);

    let with_itself = test.send(call(Method::POST, &format!("/api/v1/contacts/{zoe}/merge")).bearer(&admin).json(json!({"other_id": zoe}))).await;
    assert_eq!(with_itself.status, StatusCode::UNPROCESSABLE_ENTITY);
    let before_zoe = test.send(call(Method::GET, &format!("/api/v1/contacts/{zoe}")).bearer(&admin)).await.body;
    let before_sky = test.send(call(Method::GET, &format!("/api/v1/contacts/{sky}")).bearer(&admin)).await.body;
    let merged = test.send(call(Method::POST, &format!("/api/v1/contacts/{zoe}/merge")).bearer(&admin).json(json!({"other_id": sky}))).await;
    assert_eq!(merged.status, StatusCode::CREATED, "{}", merged.body);
    let merge_id = merged.body["id"].as_i64().unwrap();
    let timeline = test.send(call(Method::GET, &format!("/api/v1/contacts/{zoe}/timeline")).bearer(&admin)).await;
    let mentions = timeline.body["items"].as_array().unwrap().iter().filter(|item| item["kind"] == "mention").count();
    assert_eq!(mentions, 2, "both channels' mentions: {}", timeline.body);
    let undone = test.send(call(Method::POST, &format!("/api/v1/contacts/merges/{merge_id}/undo")).bearer(&admin)).await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.body);
    assert_eq!(test.send(call(Method::GET, &format!("/api/v1/contacts/{zoe}")).bearer(&admin)).await.body, before_zoe);
    assert_eq!(test.send(call(Method::GET, &format!("/api/v1/contacts/{sky}")).bearer(&admin)).await.body, before_sky);

    test.send(call(Method::POST, &format!("/api/v1/contacts/{zoe}/notes")).bearer(&admin).json(json!({"text": "rappelée le 21"}))).await;
    let timeline = test.send(call(Method::GET, &format!("/api/v1/contacts/{zoe}/timeline")).bearer(&admin)).await;
    let kinds: Vec<&str> = timeline.body["items"].as_array().unwrap().iter().map(|item| item["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["note", "mention", "case"], "newest first (the complaint opened a case): {}", timeline.body);

    let export = test.send(call(Method::GET, &format!("/api/v1/contacts/{zoe}/export")).bearer(&admin)).await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.body["mentions"][0]["text"], "Mon vol AF123 est annulé, remboursez-moi");
    assert_eq!(export.body["identities"].as_array().unwrap().len(), 2);
    assert!(!export.body["audit"].as_array().unwrap().is_empty());

    let erased = test.send(call(Method::DELETE, &format!("/api/v1/contacts/{zoe}")).bearer(&admin)).await;
    assert_eq!(erased.status, StatusCode::NO_CONTENT, "{}", erased.body);
    assert_eq!(test.send(call(Method::GET, &format!("/api/v1/contacts/{zoe}")).bearer(&admin)).await.status, StatusCode::NOT_FOUND);
    let search = test.send(call(Method::GET, "/api/v1/search?q=AF123").bearer(&admin)).await;
    assert_eq!(search.body["total"], 0, "the search index forgot the text: {}", search.body);
    let audit = test.send(call(Method::GET, &format!("/api/v1/audit?entity=contact&entity_id={zoe}")).bearer(&admin)).await;
    let text = audit.body.to_string();
    assert!(audit.body["items"][0]["action"] == "contact.erase", "{text}");
    for personal in ["C-42", "zoe@example.com", "AF123", "rappelée", "Pilote"] {
        assert!(!text.contains(personal), "{personal} left in the audit log: {text}");
    }
    // The other contact is untouched.
    assert_eq!(test.send(call(Method::GET, &format!("/api/v1/contacts/{sky}")).bearer(&admin)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn bad_input_gets_a_4xx_never_a_500() {
    let test = test_app();
    let admin = test.admin_token.clone();
    let bad_calls = [
        call(Method::GET, "/api/v1/contacts/abc"),
        call(Method::GET, "/api/v1/contacts/99999999999999999999999"),
        call(Method::GET, "/api/v1/contacts/-1/timeline"),
        call(Method::GET, "/api/v1/contacts?cursor=zz"),
        call(Method::GET, "/api/v1/audit?cursor=zz"),
        call(Method::POST, "/api/v1/contacts/merges/x/undo"),
        call(Method::PATCH, "/api/v1/contacts/1").json(json!({"vip": "yes"})),
        call(Method::PATCH, "/api/v1/contacts/1").json(json!({"unknown": 1})),
        call(Method::POST, "/api/v1/contacts/1/merge").json(json!({})),
        call(Method::POST, "/api/v1/contacts/1/identities").json(json!({"kind": "fax", "value": "1"})),
        call(Method::POST, "/api/v1/users").json(json!({"email": "a@b.c", "password": "", "role": "agent"})),
        call(Method::POST, "/api/v1/users").json(json!({"email": "a@b.c", "password": "x", "role": "king"})),
        call(Method::POST, "/api/v1/auth/login").json(json!({"email": 1})),
    ];
    for bad in bad_calls {
        let label = format!("{} {}", bad.method, bad.uri);
        let answer = test.send(bad.bearer(&admin)).await;
        assert!(answer.status.is_client_error(), "{label} answered {} {}", answer.status, answer.body);
    }
    let not_json = Request::post("/api/v1/auth/login").header(header::CONTENT_TYPE, "application/json").body(Body::from("{oops")).unwrap();
    let response = test.router.clone().oneshot(not_json).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
