//! The crisis-mode page and the publishing calendar through the router (`oneshot`, no
//! server), signed in with a session cookie like the browser: every previewed message is
//! shown (strangers' names and texts escaped, people already answered and messages over
//! the channel's limit shown as skipped with the reason), sending is bound to the
//! preview's digest (a stale one is refused with words a person reads), the calendar
//! shows crisis mode's pause, roles without RunCrisis/ApprovePosts are refused, and a
//! change without the session's CSRF token is refused.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use chrono::Utc;
use domain::Role;
use serde_json::{json, Value};
use service::publishing::PublishingConfig;
use service::{App, Config, UserRequest};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery staple";
const HOSTILE: &str = "<script>window.__xss=1</script><img src=x onerror=alert(1)>";

struct TestApp {
    app: Arc<App>,
    router: Router,
    admin_token: String,
    _dir: tempfile::TempDir,
}

struct Answer {
    status: StatusCode,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

struct Browser {
    cookie: String,
    csrf: String,
}

fn test_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let config = Config { data_dir: dir.path().to_path_buf(), publishing: PublishingConfig::demo(), ..Config::default() };
    let app = Arc::new(App::open(config).unwrap());
    let admin_token = app.create_api_token("test").unwrap();
    let ingest = service::start_ingest_thread(app.clone(), 8);
    let router = web::router(web::AppState::new(app.clone(), ingest, "test"));
    TestApp { app, router, admin_token, _dir: dir }
}

impl TestApp {
    async fn request(&self, request: Request<Body>) -> Answer {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Answer { status, text: String::from_utf8_lossy(&bytes).into_owned() }
    }

    async fn page(&self, path: &str, browser: &Browser) -> Answer {
        self.request(Request::get(path).header(header::COOKIE, &browser.cookie).body(Body::empty()).unwrap()).await
    }

    /// A change the page's script makes: the session cookie and its CSRF token.
    async fn api(&self, method: Method, path: &str, browser: &Browser, body: Option<Value>) -> Answer {
        let mut request = Request::builder().method(method).uri(path).header(header::COOKIE, &browser.cookie).header("x-csrf-token", &browser.csrf);
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        self.request(request.body(body.map_or_else(Body::empty, |body| Body::from(body.to_string()))).unwrap()).await
    }

    fn add_user(&self, email: &str, role: Role, signature: &str) {
        self.add_user_in(email, role, signature, domain::Language::En);
    }

    fn add_user_in(&self, email: &str, role: Role, signature: &str, language: domain::Language) {
        let request = UserRequest {
            email: email.into(),
            password: PASSWORD.into(),
            role,
            display_name: Some(format!("{} user", role.as_str())),
            language,
            signature: Some(signature.into()),
            expertise: vec![],
            capacity: None,
        };
        self.app.create_user("test", &request).unwrap();
    }

    async fn sign_in(&self, email: &str) -> Browser {
        let body = json!({"email": email, "password": PASSWORD}).to_string();
        let request = Request::post("/api/v1/auth/login").header(header::CONTENT_TYPE, "application/json").body(Body::from(body)).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = response.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let csrf = serde_json::from_slice::<Value>(&bytes).unwrap()["csrf_token"].as_str().unwrap().to_string();
        Browser { cookie, csrf }
    }

    /// An incident grouping three X mentions: a stranger with a hostile name and text, a
    /// polite one, and one whose display name is so long that no reply fits X's limit.
    async fn incident(&self) -> i64 {
        let long_name = "Bartholomew ".repeat(25);
        let mentions = [("1", "eve", HOSTILE, HOSTILE.to_string()), ("2", "paul", "Paul", "Plus de réseau à Lyon".to_string()), ("3", "bart", long_name.trim(), "panne encore".to_string())];
        let body: String = mentions
            .iter()
            .map(|(id, handle, name, text)| {
                json!({"source": "x", "external_id": id, "text": text, "created_at": "2026-11-20T10:00:00Z", "author": {"handle": handle, "display_name": name}}).to_string() + "\n"
            })
            .collect();
        let request = Request::post("/api/v1/mentions")
            .header(header::AUTHORIZATION, format!("Bearer {}", self.admin_token))
            .header(header::CONTENT_TYPE, "application/x-ndjson")
            .body(Body::from(body))
            .unwrap();
        assert_eq!(self.request(request).await.status, StatusCode::CREATED);
        let store = self.app.store();
        let ids: Vec<_> = ["1", "2", "3"].iter().map(|id| store.find_mention(domain::Source::X, id).unwrap().expect("stored").id).collect();
        let incident = store
            .create_incident(&store::IncidentRow {
                id: 0,
                slice: "total".into(),
                status: "open".into(),
                owner: None,
                started_at: Utc::now().timestamp() - 600,
                ended_at: None,
                peak: 0.97,
                details: json!({"drivers": [], "timeline": [], "buckets": [], "mention_count": 3}),
            })
            .unwrap();
        store.link_incident_mentions(incident.id, &ids).unwrap();
        incident.id
    }
}

fn assert_nothing_injected(page: &str, path: &str) {
    for injected in ["<script>window", "<img src=x", "href=\"javascript:"] {
        assert!(!page.contains(injected), "{injected} injected into {path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bulk_reply_is_previewed_whole_then_sent_as_shown() {
    let test = test_app();
    test.add_user("mc@example.com", Role::Supervisor, "^MC");
    let boss = test.sign_in("mc@example.com").await;
    let incident = test.incident().await;
    let crisis_page = format!("/app/incidents/{incident}/crisis");

    let page = test.page(&crisis_page, &boss).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("id=\"crisis-state\" data-active=\"false\""));
    assert!(page.text.contains(&format!("data-action=\"/api/v1/incidents/{incident}/bulk-reply/preview\"")));
    assert!(page.text.contains("data-redirect=\"/app/incidents/"), "the preview's answer leads to its page");
    assert!(page.text.contains("id=\"broadcast-count-x\"") && page.text.contains("id=\"broadcast-count-bluesky\"") && page.text.contains("id=\"broadcast-count-mastodon\""), "a counter per brand channel");
    assert!(page.text.contains("id=\"notify-not-yet\""), "the notice waits for a resolved outage");

    // Crisis mode on, through the API the page's form calls: the calendar shows the hold.
    let on = test.api(Method::POST, &format!("/api/v1/incidents/{incident}/crisis"), &boss, Some(json!({"active": true}))).await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.text);
    let page = test.page(&crisis_page, &boss).await;
    assert!(page.text.contains("id=\"crisis-state\" data-active=\"true\""));
    assert!(page.text.contains("id=\"crisis-publishing\" data-paused=\"true\""));
    let calendar = test.page("/app/publishing", &boss).await;
    assert_eq!(calendar.status, StatusCode::OK, "{}", calendar.text);
    assert!(calendar.text.contains("id=\"publishing-pause\" data-paused=\"true\""));
    assert!(calendar.text.contains(&format!("data-reason=\"crisis\" data-incident-id=\"{incident}\"")), "the pause names the incident in crisis");
    assert!(calendar.text.contains("id=\"resume\""), "a supervisor may resume");
    assert!(calendar.text.contains("Last changed by <bdi>supervisor user</bdi>"), "who held it, by name");

    // The preview: one message per author, shown whole before anything is sent.
    let template = "Bonjour {name}, la panne est connue, nos équipes sont dessus.";
    let preview = test.api(Method::POST, &format!("/api/v1/incidents/{incident}/bulk-reply/preview"), &boss, Some(json!({"template": template}))).await;
    assert_eq!(preview.status, StatusCode::CREATED, "{}", preview.text);
    let preview = preview.json();
    let (preview_id, digest) = (preview["preview_id"].as_i64().unwrap(), preview["digest"].as_str().unwrap().to_string());
    assert_eq!((preview["ready"].as_u64(), preview["skipped"].as_u64()), (Some(2), Some(1)), "{preview}");
    let path = format!("{crisis_page}?preview={preview_id}");
    let page = test.page(&path, &boss).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_nothing_injected(&page.text, &path);
    assert!(!page.text.contains("[?]"), "every text of the page is in the catalogue");
    assert_eq!(page.text.matches("class=\"preview-message\"").count(), 3, "every author's message is shown");
    assert!(page.text.contains("Bonjour &lt;script&gt;window.__xss=1&lt;/script&gt;"), "the stranger's name, personalised and escaped");
    assert!(page.text.contains("dessus. ^MC"), "signed with the caller's signature");
    assert!(page.text.contains("data-status=\"skipped\"") && page.text.contains("too long for X"), "over the limit: skipped with the reason");
    assert!(page.text.contains("data-limit=\"280\""), "each message is measured against X's limit");
    assert!(page.text.contains("data-channel=\"x\" data-rate=\"30\""), "the channel's rate");
    assert!(page.text.contains(&format!("name=\"digest\" value=\"{digest}\"")), "send is bound to the digest");
    assert!(page.text.contains(&format!("data-action=\"/api/v1/incidents/{incident}/bulk-reply\"")));
    assert!(page.text.contains("id=\"preview-again\""), "a refused send is one click from a new preview");
    assert!(page.text.contains("name=\"template\" value=\"Bonjour {name}, la panne est connue"), "with the same template");

    // A stale preview (another digest) is refused with words, not a crash.
    let stale = test.api(Method::POST, &format!("/api/v1/incidents/{incident}/bulk-reply"), &boss, Some(json!({"preview_id": preview_id, "digest": "0123456789abcdef"}))).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
    assert!(stale.json()["detail"].as_str().unwrap().contains("preview again"), "{}", stale.text);

    let sent = test.api(Method::POST, &format!("/api/v1/incidents/{incident}/bulk-reply"), &boss, Some(json!({"preview_id": preview_id, "digest": digest}))).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
    assert_eq!(sent.json()["queued"], 2);
    let page = test.page(&path, &boss).await;
    assert!(page.text.contains("data-sent=\"true\""));
    assert!(!page.text.contains("[?]"), "the sent and queued statuses are in the catalogue");
    assert!(page.text.contains("id=\"send-result\""));
    assert!(!page.text.contains("id=\"send-preview\""), "a sent preview is not offered again");
    let again = test.api(Method::POST, &format!("/api/v1/incidents/{incident}/bulk-reply"), &boss, Some(json!({"preview_id": preview_id, "digest": digest}))).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.json()["detail"].as_str().unwrap().contains("sent already"), "{}", again.text);

    // A new preview skips the people just answered, and says so.
    let second = test.api(Method::POST, &format!("/api/v1/incidents/{incident}/bulk-reply/preview"), &boss, Some(json!({"template": template}))).await.json();
    let page = test.page(&format!("{crisis_page}?preview={}", second["preview_id"]), &boss).await;
    assert!(page.text.contains("already answered"), "{}", page.text);
    assert!(page.text.contains("id=\"preview-nothing\""), "nothing left to send");

    // Unknown previews and bad ids are 4xx pages.
    assert_eq!(test.page(&format!("{crisis_page}?preview=999999"), &boss).await.status, StatusCode::NOT_FOUND);
    assert_eq!(test.page(&format!("{crisis_page}?preview=abc"), &boss).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(test.page("/app/incidents/999999/crisis", &boss).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_without_run_crisis_or_approve_posts_are_refused_and_csrf_is_enforced() {
    let test = test_app();
    test.add_user("mc@example.com", Role::Supervisor, "^MC");
    test.add_user("agent@example.com", Role::Agent, "^AG");
    let boss = test.sign_in("mc@example.com").await;
    let agent = test.sign_in("agent@example.com").await;
    let incident = test.incident().await;

    let page = test.page(&format!("/app/incidents/{incident}/crisis"), &agent).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "an agent may not run crisis mode");
    let preview = test.api(Method::POST, &format!("/api/v1/incidents/{incident}/bulk-reply/preview"), &agent, Some(json!({"template": "Hi {name}"}))).await;
    assert_eq!(preview.status, StatusCode::FORBIDDEN);

    // An agent proposes a post; only a supervisor approves it.
    let created = test.api(Method::POST, "/api/v1/posts", &agent, Some(json!({"text": HOSTILE, "channel": "x", "submit": true}))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let post = created.json()["id"].as_i64().unwrap();
    let calendar = test.page("/app/publishing", &agent).await;
    assert_eq!(calendar.status, StatusCode::OK, "{}", calendar.text);
    assert_nothing_injected(&calendar.text, "/app/publishing");
    assert!(calendar.text.contains("&lt;script&gt;window.__xss=1"), "the post is shown, escaped");
    assert!(calendar.text.contains("id=\"compose\""), "an agent may propose posts");
    assert!(!calendar.text.contains(&format!("data-approve-post=\"{post}\"")), "but sees no approval button");
    assert!(!calendar.text.contains("id=\"pause\""), "nor the pause switch");
    let approve = test.api(Method::POST, &format!("/api/v1/posts/{post}/approve"), &agent, None).await;
    assert_eq!(approve.status, StatusCode::FORBIDDEN);
    let pause = test.api(Method::POST, "/api/v1/publishing/pause", &agent, None).await;
    assert_eq!(pause.status, StatusCode::FORBIDDEN);

    let calendar = test.page("/app/publishing", &boss).await;
    assert!(calendar.text.contains(&format!("data-approve-post=\"{post}\"")), "a supervisor approves from the calendar");
    assert!(calendar.text.contains(&format!("data-reject-post=\"{post}\"")));
    assert!(calendar.text.contains("id=\"pause\""));

    // A change with the session cookie but without its CSRF token is refused.
    let forged = Browser { cookie: boss.cookie.clone(), csrf: "forged".into() };
    for (path, body) in [
        (format!("/api/v1/incidents/{incident}/crisis"), Some(json!({"active": true}))),
        (format!("/api/v1/incidents/{incident}/bulk-reply/preview"), Some(json!({"template": "Hi {name}"}))),
        (format!("/api/v1/posts/{post}/approve"), None),
        ("/api/v1/publishing/pause".to_string(), None),
    ] {
        let answer = test.api(Method::POST, &path, &forged, body).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path} without the CSRF token: {}", answer.text);
        assert!(answer.json()["detail"].as_str().unwrap().contains("CSRF"), "{}", answer.text);
    }
    assert!(!test.app.crisis(incident).unwrap().active, "the forged request changed nothing");

    let approved = test.api(Method::POST, &format!("/api/v1/posts/{post}/approve"), &boss, None).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
    let calendar = test.page("/app/publishing", &boss).await;
    assert!(calendar.text.contains(&format!("data-publish-post=\"{post}\"")), "an approved post may be published now");
    assert!(!calendar.text.contains("[?]"), "every status is in the catalogue");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_calendar_places_scheduled_posts_on_their_day_and_offers_amplify() {
    let test = test_app();
    test.add_user("mc@example.com", Role::Supervisor, "^MC");
    let boss = test.sign_in("mc@example.com").await;
    let incident = test.incident().await;
    let due = Utc::now() + chrono::Duration::days(2);
    let created = test.api(Method::POST, "/api/v1/posts", &boss, Some(json!({"text": "Nouvelles lignes cet été !", "channel": "bluesky", "scheduled_at": due.to_rfc3339(), "submit": true}))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let post = created.json()["id"].as_i64().unwrap();
    let approved = test.api(Method::POST, &format!("/api/v1/posts/{post}/approve"), &boss, None).await;
    assert_eq!(approved.json()["status"], "scheduled", "{}", approved.text);
    let calendar = test.page("/app/publishing", &boss).await;
    let day = format!("data-day=\"{}\"", due.date_naive());
    let cell = calendar.text.split(&day).nth(1).expect("the due day is in the calendar");
    let cell = cell.split("</td>").next().unwrap();
    assert!(cell.contains(&format!("data-post-id=\"{post}\"")), "the post sits on its day: {cell}");
    assert!(calendar.text.contains("id=\"publishing-pause\" data-paused=\"false\""));

    let mention = test.app.store().find_mention(domain::Source::X, "1").unwrap().unwrap().id.0;
    let amplify = test.page(&format!("/app/publishing?mention={mention}"), &boss).await;
    assert_eq!(amplify.status, StatusCode::OK);
    assert_nothing_injected(&amplify.text, "/app/publishing?mention=");
    assert!(amplify.text.contains(&format!("data-action=\"/api/v1/mentions/{mention}/amplify\"")));
    assert_eq!(test.page("/app/publishing?mention=abc", &boss).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(test.page("/app/publishing?mention=999999", &boss).await.status, StatusCode::NOT_FOUND);
    let _ = incident;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_pages_read_in_french() {
    let test = test_app();
    test.add_user_in("mc@example.com", Role::Supervisor, "^MC", domain::Language::Fr);
    let boss = test.sign_in("mc@example.com").await;
    let incident = test.incident().await;
    let preview = test.api(Method::POST, &format!("/api/v1/incidents/{incident}/bulk-reply/preview"), &boss, Some(json!({"template": "Bonjour {name}"}))).await.json();
    let page = test.page(&format!("/app/incidents/{incident}/crisis?preview={}", preview["preview_id"]), &boss).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("<html lang=\"fr\""));
    for french in ["Activer le mode crise", "Prévisualiser chaque message", "Chaque message, tel qu'il partira", "écarté", "Cadence d'envoi par canal"] {
        assert!(page.text.contains(&french.replace('\'', "&#39;")) || page.text.contains(french), "{french} on the crisis page");
    }
    assert!(!page.text.contains("[?]"));
    let calendar = test.page("/app/publishing", &boss).await;
    assert!(calendar.text.contains("La publication est active") && calendar.text.contains("Lundi"), "the calendar in French");
    assert!(!calendar.text.contains("[?]"));
}
