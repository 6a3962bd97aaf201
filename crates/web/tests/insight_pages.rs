//! The supervisor's and the early warning's pages through the router (`oneshot`, no
//! server): the care report and its CSV export, the staffing page, incidents and alert
//! rules; hostile text escaped, formula-injection-safe CSV cells, roles refused.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use chrono::{Duration, Utc};
use domain::Role;
use serde_json::{json, Value};
use service::{App, Config, UserRequest};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery staple";
const HOSTILE: &str = "<script>window.__xss=1</script><img src=x onerror=alert(1)>";
const FORMULA_TEAM: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";

struct TestApp {
    app: Arc<App>,
    router: Router,
    admin_token: String,
    _dir: tempfile::TempDir,
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
}

struct Browser {
    cookie: String,
    csrf: String,
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

impl TestApp {
    async fn request(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Answer { status, headers, text: String::from_utf8_lossy(&bytes).into_owned() }
    }

    async fn page(&self, path: &str, browser: &Browser) -> Answer {
        self.request(Request::get(path).header(header::COOKIE, &browser.cookie).body(Body::empty()).unwrap()).await
    }

    async fn api(&self, method: Method, path: &str, browser: &Browser, body: Option<Value>) -> Answer {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, &browser.cookie)
            .header("x-csrf-token", &browser.csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.map_or_else(Body::empty, |body| Body::from(body.to_string())))
            .unwrap();
        self.request(request).await
    }

    fn add_user(&self, email: &str, role: Role) -> i64 {
        let request = UserRequest {
            email: email.into(),
            password: PASSWORD.into(),
            role,
            display_name: Some(format!("{} user", role.as_str())),
            language: domain::Language::En,
            signature: None,
            expertise: vec![],
            capacity: None,
        };
        self.app.create_user("test", &request).unwrap().id.0
    }

    async fn sign_in(&self, email: &str) -> Browser {
        let body = json!({"email": email, "password": PASSWORD}).to_string();
        let request = Request::post("/api/v1/auth/login").header(header::CONTENT_TYPE, "application/json").body(Body::from(body)).unwrap();
        let answer = self.request(request).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let cookie = answer.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
        let csrf = serde_json::from_str::<Value>(&answer.text).unwrap()["csrf_token"].as_str().unwrap().to_string();
        Browser { cookie, csrf }
    }

    async fn ingest(&self, mentions: &[Value]) {
        let body: String = mentions.iter().map(|mention| format!("{mention}\n")).collect();
        let request = Request::post("/api/v1/mentions")
            .header(header::AUTHORIZATION, format!("Bearer {}", self.admin_token))
            .header(header::CONTENT_TYPE, "application/x-ndjson")
            .body(Body::from(body))
            .unwrap();
        assert_eq!(self.request(request).await.status, StatusCode::CREATED);
    }
}

fn assert_nothing_injected(page: &str, path: &str) {
    for injected in ["<script>window", "<img src=x", "href=\"javascript:"] {
        assert!(!page.contains(injected), "{injected} injected into {path}");
    }
}

/// Cases received over the last two days in a team with a hostile name: answered in 10
/// minutes (met), in 5 hours (breached), and not at all for 10 hours (breached).
fn load_cases(test: &TestApp, agent: i64) -> i64 {
    let store = test.app.store();
    let team = store.create_team(FORMULA_TEAM, &[domain::UserId(agent)]).unwrap().id.0;
    let now = Utc::now();
    let row = |minutes_ago: i64, answered_after: Option<i64>, status: &str| {
        let opened_at = now - Duration::minutes(minutes_ago);
        store::CaseRow {
            id: 0,
            contact_id: None,
            status: status.into(),
            priority: "normal".into(),
            team_id: Some(team),
            assignee_id: Some(agent),
            tags: vec![],
            language: Some("fr".into()),
            source: domain::Source::X,
            topic: None,
            intent: Some("complaint".into()),
            reason: None,
            first_mention_id: None,
            subject: HOSTILE.into(),
            opened_at,
            first_response_at: answered_after.map(|minutes| opened_at + Duration::minutes(minutes)),
            first_response_due_at: opened_at + Duration::hours(4),
            resolution_due_at: opened_at + Duration::hours(24),
            resolved_at: None,
            updated_at: opened_at,
        }
    };
    store.bulk_insert_cases(&[row(2000, Some(10), "open"), row(1500, Some(300), "open"), row(600, None, "new")]).unwrap();
    team
}

#[tokio::test]
async fn the_care_report_page_shows_the_apis_numbers_and_exports_safe_csv() {
    let test = test_app();
    let agent = test.add_user("agent@example.com", Role::Agent);
    test.add_user("boss@example.com", Role::Supervisor);
    let team = load_cases(&test, agent);
    let boss = test.sign_in("boss@example.com").await;
    let api = test.api(Method::GET, "/api/v1/reports/care", &boss, None).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    let report: Value = serde_json::from_str(&api.text).unwrap();
    assert_eq!(report["totals"]["received"], 3);
    assert_eq!(report["totals"]["first_response"]["met"], 1);
    assert_eq!(report["totals"]["first_response"]["breached"], 2, "answered late, and unanswered past its due time");
    assert_eq!(report["totals"]["backlog"], 3);
    assert_eq!(report["first_response_time"]["median_minutes"], 10);
    assert_eq!(report["first_response_time"]["p90_minutes"], 300);
    assert_eq!(report["by_hour"].as_array().unwrap().len(), 24);
    assert_eq!(report["by_team"][0]["name"], FORMULA_TEAM);

    let page = test.page("/app/reports", &boss).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("id=\"total-received\" data-value=\"3\""), "the page shows the API's count");
    assert!(page.text.contains("data-value=\"33.3 %\""), "one met of three decided");
    assert!(page.text.contains("/app/inbox?queue=all&amp;from="), "charts drill down to the inbox");
    assert!(page.text.contains(&format!("&amp;team={team}")));
    assert!(page.text.contains("<svg class=\"chart-svg\""));
    assert_nothing_injected(&page.text, "/app/reports");
    let filtered = test.page(&format!("/app/reports?from=&to=&team={team}&agent={agent}"), &boss).await;
    assert_eq!(filtered.status, StatusCode::OK, "empty fields are ignored: {}", filtered.text);

    let csv = test.api(Method::GET, "/api/v1/reports/care.csv?table=by_team", &boss, None).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text);
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(csv.headers[header::CONTENT_DISPOSITION], "attachment; filename=\"care-report-by_team.csv\"");
    assert!(csv.text.contains(&format!("{team},\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",3,1,2,0.3333")), "{}", csv.text);
    let unknown = test.api(Method::GET, "/api/v1/reports/care.csv?table=secrets", &boss, None).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.headers[header::CONTENT_TYPE].to_str().unwrap().contains("json"));
    for bad in ["?from=yesterday", "?from=2026-11-20&to=2026-11-10", "?from=2020-01-01&to=2026-01-01", "?team=abc", "?colour=red"] {
        let answer = test.api(Method::GET, &format!("/api/v1/reports/care{bad}"), &boss, None).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}: {}", answer.text);
    }
    let unknown_team = test.api(Method::GET, "/api/v1/reports/care?team=999", &boss, None).await;
    assert_eq!(unknown_team.status, StatusCode::NOT_FOUND);
    let bad_page = test.page("/app/reports?team=%3Cscript%3E", &boss).await;
    assert_eq!(bad_page.status, StatusCode::BAD_REQUEST);
    assert_nothing_injected(&bad_page.text, "/app/reports?team=<script>");
}

#[tokio::test]
async fn agents_may_not_read_reports_staffing_or_manage_alerts() {
    let test = test_app();
    test.add_user("agent@example.com", Role::Agent);
    let agent = test.sign_in("agent@example.com").await;
    for path in ["/app/reports", "/app/staffing"] {
        let answer = test.page(path, &agent).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
    }
    let csv = test.api(Method::GET, "/api/v1/reports/care.csv?table=by_day", &agent, None).await;
    assert_eq!(csv.status, StatusCode::FORBIDDEN);
    let alerts = test.page("/app/alerts", &agent).await;
    if alerts.status == StatusCode::OK {
        assert!(!alerts.text.contains("id=\"create-rule\""), "no create form without ManageAlerts");
    }
}

#[tokio::test]
async fn the_staffing_page_takes_its_inputs_from_the_form() {
    let test = test_app();
    test.add_user("boss@example.com", Role::Supervisor);
    let boss = test.sign_in("boss@example.com").await;
    let page = test.page("/app/staffing?team=&handling_minutes=8&service_level=0.9&within_minutes=10&agents_on_duty=3", &boss).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("id=\"staffing-roster\" data-value=\"3\""));
    assert!(page.text.contains("value=\"8\""), "the form keeps the handling time");
    assert!(page.text.contains("data-basis=\"none\""), "no history yet");
    for bad in ["handling_minutes=abc", "service_level=2", "agents_on_duty=-1", "team=12345"] {
        let answer = test.page(&format!("/app/staffing?{bad}"), &boss).await;
        assert!(answer.status.is_client_error(), "{bad}: {}", answer.status);
    }
}

#[tokio::test]
async fn incident_pages_escape_hostile_drivers_and_mentions() {
    let test = test_app();
    test.add_user("admin@example.com", Role::Admin);
    let admin = test.sign_in("admin@example.com").await;
    test.ingest(&[json!({
        "source": "x", "external_id": "1", "text": HOSTILE, "created_at": "2026-11-20T10:00:00Z",
        "author": {"handle": "eve", "display_name": HOSTILE},
    })])
    .await;
    let store = test.app.store();
    let mention = store.find_mention(domain::Source::X, "1").unwrap().expect("stored").id;
    let started_at = Utc::now().timestamp() - 600;
    let incident = store
        .create_incident(&store::IncidentRow {
            id: 0,
            slice: HOSTILE.into(),
            status: "open".into(),
            owner: Some(HOSTILE.into()),
            started_at,
            ended_at: None,
            peak: 0.97,
            details: json!({
                "drivers": [{"kind": "term", "value": HOSTILE, "window_count": 9, "baseline_rate": 0.01, "window_rate": 0.5, "lift": 12.5, "score": 8.1},
                            {"kind": "place", "value": "Lyon", "window_count": 5, "baseline_rate": 0.0, "window_rate": 0.3, "lift": 30.0, "score": 6.0}],
                "timeline": [{"at": "2026-11-20T10:00:00Z", "event": "opened", "detail": HOSTILE}],
                "buckets": [{"at": "2026-11-20T09:55:00Z", "count": 2, "score": 0.1}, {"at": "2026-11-20T10:00:00Z", "count": 40, "score": 0.99}],
                "mention_count": 1,
            }),
        })
        .unwrap();
    store.link_incident_mentions(incident.id, &[mention]).unwrap();
    let list = test.page("/app/incidents", &admin).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert_nothing_injected(&list.text, "/app/incidents");
    assert!(list.text.contains(&format!("href=\"/app/incidents/{}\"", incident.id)));
    let path = format!("/app/incidents/{}", incident.id);
    let page = test.page(&path, &admin).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_nothing_injected(&page.text, &path);
    assert!(page.text.contains("&lt;script&gt;window.__xss=1&lt;/script&gt;"), "drivers and mentions are shown, escaped");
    assert!(page.text.contains("Lyon"));
    assert!(page.text.contains(&format!("href=\"/app/incidents/{}/crisis\"", incident.id)), "the crisis-mode slot");
    assert!(page.text.contains("data-method=\"PATCH\""), "an administrator may change status and owner");
    assert_eq!(test.page("/app/incidents/abc", &admin).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(test.page("/app/incidents/999999", &admin).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn alert_rules_are_listed_tested_and_escaped() {
    let test = test_app();
    test.add_user("admin@example.com", Role::Admin);
    let admin = test.sign_in("admin@example.com").await;
    let created = test
        .api(Method::POST, "/api/v1/alert-rules", &admin, Some(json!({"name": HOSTILE, "kind": "keyword", "keyword": "panne", "channel": {"type": "in_app"}})))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = serde_json::from_str::<Value>(&created.text).unwrap()["id"].as_i64().unwrap();
    let tested = test.api(Method::POST, &format!("/api/v1/alert-rules/{id}/test"), &admin, None).await;
    assert_eq!(tested.status, StatusCode::ACCEPTED, "{}", tested.text);
    let page = test.page("/app/alerts", &admin).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_nothing_injected(&page.text, "/app/alerts");
    assert!(page.text.contains(&format!("data-test-rule=\"{id}\"")));
    assert!(page.text.contains("id=\"create-rule\""));
    assert!(page.text.contains("name=\"channel.type\""), "the channel is a nested object");
    assert!(page.text.contains("id=\"alert-history\""));
    assert!(!page.text.contains("id=\"alert-history-empty\""), "the sample is in the history");
    assert!(page.text.contains(&format!("data-mute-rule=\"{id}\"")));
    let muted = test.api(Method::PATCH, &format!("/api/v1/alert-rules/{id}"), &admin, Some(json!({"muted": true}))).await;
    assert_eq!(muted.status, StatusCode::OK, "{}", muted.text);
    assert_eq!(serde_json::from_str::<Value>(&muted.text).unwrap()["muted"], true);
    let page = test.page("/app/alerts", &admin).await;
    assert!(page.text.contains("data-muted=\"true\""));
    assert!(page.text.contains(">Unmute<"));
    let bad = test.api(Method::PATCH, &format!("/api/v1/alert-rules/{id}"), &admin, Some(json!({"muted": "yes"}))).await;
    assert!(bad.status.is_client_error(), "{}", bad.status);
    let unknown = test.api(Method::PATCH, "/api/v1/alert-rules/999999", &admin, Some(json!({"muted": false}))).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
