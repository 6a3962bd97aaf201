//! The web app's pages through the router (`oneshot`, no server): sign-in redirects,
//! security headers, language choice, escaping of hostile text, role checks, the live
//! event stream, and the API calls the pages make (language, tokens).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use domain::Role;
use futures_util::StreamExt;
use serde_json::{json, Value};
use service::{App, Config, UserRequest};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery staple";

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

/// A signed-in browser: its session cookie and CSRF token.
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

    async fn page(&self, path: &str, browser: Option<&Browser>) -> Answer {
        let mut request = Request::get(path);
        if let Some(browser) = browser {
            request = request.header(header::COOKIE, &browser.cookie);
        }
        self.request(request.body(Body::empty()).unwrap()).await
    }

    async fn api(&self, method: Method, path: &str, browser: &Browser, body: Value) -> Answer {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, &browser.cookie)
            .header("x-csrf-token", &browser.csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.request(request).await
    }

    fn add_user(&self, email: &str, role: Role, language: domain::Language) {
        let request = UserRequest {
            email: email.into(),
            password: PASSWORD.into(),
            role,
            display_name: Some(format!("{} user", role.as_str())),
            language,
            signature: None,
            expertise: vec![],
            capacity: None,
        };
        self.app.create_user("test", &request).unwrap();
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

    fn contact_of(&self, handle: &str) -> i64 {
        let page = self.app.list_contacts(Some(handle), None, 10).unwrap();
        page.items.iter().find(|contact| contact.identities.iter().any(|identity| identity.value == handle)).unwrap().id.0
    }
}

fn mention(id: &str, handle: &str, name: &str, text: &str, bio: &str) -> Value {
    json!({
        "source": "x", "external_id": id, "text": text, "created_at": "2026-11-20T10:00:00Z",
        "url": "javascript:alert(document.cookie)",
        "author": {"handle": handle, "display_name": name, "bio": bio},
    })
}

#[tokio::test]
async fn pages_send_visitors_to_sign_in_and_carry_strict_security_headers() {
    let test = test_app();
    for path in ["/app", "/app/contacts?q=a%20b", "/app/admin/users", "/app/live"] {
        let answer = test.page(path, None).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
        let location = answer.headers.get(header::LOCATION).unwrap().to_str().unwrap();
        assert!(location.starts_with("/login?next=%2Fapp") || location.starts_with("/login?next=/app"), "{path} → {location}");
    }
    let login = test.page("/login", None).await;
    assert_eq!(login.status, StatusCode::OK);
    let policy = login.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    for directive in ["default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("unsafe-inline"));
    assert_eq!(login.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    assert!(!login.text.contains("<script>") && !login.text.contains(" style=") && !login.text.contains(" onclick="), "no inline script or style");
    assert!(login.text.contains(r#"<script src="/static/app.js" defer>"#));
    let missing = test.page("/app/no-such-page", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text.starts_with("<!DOCTYPE html>"), "a page path answers a page");
    let missing_api = test.page("/api/v1/no-such-endpoint", None).await;
    assert_eq!(missing_api.headers.get(header::CONTENT_TYPE).unwrap(), "application/problem+json");
    let api = test.page("/api/v1/me", None).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    let script = test.page("/static/app.js", None).await;
    assert_eq!((script.status, script.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap()), (StatusCode::OK, "text/javascript; charset=utf-8"));
    assert!(script.text.contains("EventSource") && !script.text.contains("innerHTML"));
    let style = test.page("/static/app.css", None).await;
    assert!(style.text.contains(":focus-visible"));
}

#[tokio::test]
async fn visitors_get_their_browsers_language_and_users_their_stored_one() {
    let test = test_app();
    let french = Request::get("/login").header(header::ACCEPT_LANGUAGE, "fr-FR,fr;q=0.9,en;q=0.8").body(Body::empty()).unwrap();
    let french = test.request(french).await;
    assert!(french.text.contains(r#"<html lang="fr">"#) && french.text.contains("Se connecter"), "{}", french.text);
    let english = Request::get("/login").header(header::ACCEPT_LANGUAGE, "de, en;q=0.5").body(Body::empty()).unwrap();
    assert!(test.request(english).await.text.contains("Sign in"));
    let chosen = Request::get("/login").header(header::ACCEPT_LANGUAGE, "fr").header(header::COOKIE, "comptoir_lang=en").body(Body::empty()).unwrap();
    assert!(test.request(chosen).await.text.contains(r#"<html lang="en">"#));

    test.add_user("agent@example.com", Role::Agent, domain::Language::Fr);
    let browser = test.sign_in("agent@example.com").await;
    let overview = test.page("/app", Some(&browser)).await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.text);
    assert!(overview.text.contains("Vue d&#39;ensemble") || overview.text.contains("Vue d'ensemble"), "{}", overview.text);
    assert!(overview.text.contains(&format!(r#"<meta name="csrf-token" content="{}">"#, browser.csrf)));

    let switched = test.api(Method::PUT, "/api/v1/me/language", &browser, json!({"language": "en"})).await;
    assert_eq!(switched.status, StatusCode::NO_CONTENT, "{}", switched.text);
    let overview = test.page("/app", Some(&browser)).await;
    assert!(overview.text.contains(r#"<html lang="en">"#) && overview.text.contains("Overview"));
    let bad = test.api(Method::PUT, "/api/v1/me/language", &browser, json!({"language": "de"})).await;
    assert!(bad.status.is_client_error(), "{}", bad.status);
    let mut forged = Browser { cookie: browser.cookie.clone(), csrf: "forged".into() };
    forged.csrf.push('x');
    assert_eq!(test.api(Method::PUT, "/api/v1/me/language", &forged, json!({"language": "fr"})).await.status, StatusCode::FORBIDDEN);
}

const HOSTILE_TEXT: &str = "<script>window.__xss=1</script><img src=x onerror=alert(1)> \u{202E}gnp.exe <a href=\"javascript:alert(1)\">x</a>";
const HOSTILE_NAME: &str = "<svg onload=alert(1)>Eve\"'><iframe src=javascript:alert(1)>";
const HOSTILE_BIO: &str = "<body onload=alert(1)> also @eve_alt <math><mtext><script>alert(2)</script>";

fn assert_nothing_injected(page: &str, path: &str) {
    for injected in ["<script>window", "<img src=x", "<svg onload", "<iframe", "<body onload", "href=\"javascript:", "<math>", "<a href=\"javascript"] {
        assert!(!page.contains(injected), "{injected} injected into {path}");
    }
}

#[tokio::test]
async fn hostile_mentions_authors_and_bios_are_escaped_on_every_page() {
    let test = test_app();
    test.add_user("admin@example.com", Role::Admin, domain::Language::En);
    let browser = test.sign_in("admin@example.com").await;
    test.ingest(&[mention("1", "eve", HOSTILE_NAME, HOSTILE_TEXT, HOSTILE_BIO), mention("2", "eve_alt", "Eve", "hello", "")]).await;
    let eve = test.contact_of("eve");
    let eve_alt = test.contact_of("eve_alt");
    let pages = [
        "/".to_string(),
        "/app".into(),
        "/app/live".into(),
        "/app/contacts".into(),
        "/app/contacts?q=%3Cscript%3E".into(),
        format!("/app/contacts/{eve}"),
        format!("/app/contacts/{eve}/merge?other={eve_alt}"),
        "/app/admin/users".into(),
        "/app/admin/teams".into(),
        "/app/admin/tokens".into(),
        "/app/admin/audit".into(),
        "/app/admin/sources".into(),
        "/app/inbox".into(),
        "/app/listening".into(),
        "/app/listening?range=all".into(),
        "/app/search?q=eve".into(),
        "/app/topics".into(),
    ];
    for path in &pages {
        let answer = test.page(path, Some(&browser)).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text);
        assert_nothing_injected(&answer.text, path);
    }
    let contact = test.page(&format!("/app/contacts/{eve}"), Some(&browser)).await.text;
    assert!(contact.contains("&lt;script&gt;window.__xss=1&lt;/script&gt;"), "the text is shown, escaped");
    assert!(contact.contains("&lt;svg onload=alert(1)&gt;"), "the author's name is shown, escaped");
    assert!(!contact.contains("javascript:alert(document.cookie)\""), "a javascript: URL never becomes a link");
    assert!(contact.contains(&format!("/app/contacts/{eve}/merge?other={eve_alt}")), "the bio's handle suggests a merge");
}

#[tokio::test]
async fn the_merge_preview_confirms_through_the_api_and_offers_the_undo() {
    let test = test_app();
    test.add_user("agent@example.com", Role::Agent, domain::Language::En);
    let browser = test.sign_in("agent@example.com").await;
    test.ingest(&[mention("1", "ann", "Ann", "hello", ""), mention("2", "ann_b", "Ann B", "bonjour", "")]).await;
    let (ann, ann_b) = (test.contact_of("ann"), test.contact_of("ann_b"));
    let live = test.page("/app/live", Some(&browser)).await.text;
    let (hello, bonjour) = (live.find("hello").expect("stored mentions on the live page"), live.find("bonjour").unwrap());
    assert!(bonjour < hello, "the latest stored comes first");
    let preview = test.page(&format!("/app/contacts/{ann}/merge?other={ann_b}"), Some(&browser)).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.text.contains(&format!(r#"data-action="/api/v1/contacts/{ann}/merge""#)));
    assert!(preview.text.contains(&format!(r#"name="other_id" value="{ann_b}""#)));
    let merged = test.api(Method::POST, &format!("/api/v1/contacts/{ann}/merge"), &browser, json!({"other_id": ann_b})).await;
    assert_eq!(merged.status, StatusCode::CREATED, "{}", merged.text);
    let merge_id = serde_json::from_str::<Value>(&merged.text).unwrap()["id"].as_i64().unwrap();
    let page = test.page(&format!("/app/contacts/{ann}?merged={merge_id}"), Some(&browser)).await;
    assert!(page.text.contains(&format!(r#"data-action="/api/v1/contacts/merges/{merge_id}/undo""#)));
    assert!(page.text.contains("bonjour"), "the absorbed contact's mention is on the timeline");

    for (path, status) in [
        ("/app/contacts/abc".to_string(), StatusCode::BAD_REQUEST),
        (format!("/app/contacts/{ann}/merge"), StatusCode::BAD_REQUEST),
        (format!("/app/contacts/{ann}/merge?other={ann}"), StatusCode::BAD_REQUEST),
        ("/app/contacts/999999".to_string(), StatusCode::NOT_FOUND),
        ("/app/contacts?cursor=zzz".to_string(), StatusCode::BAD_REQUEST),
        ("/app/admin/users".to_string(), StatusCode::FORBIDDEN),
    ] {
        let answer = test.page(&path, Some(&browser)).await;
        assert_eq!(answer.status, status, "{path}");
        assert!(answer.text.starts_with("<!DOCTYPE html>"), "{path} answers a page");
    }
    let erase_hidden = test.page(&format!("/app/contacts/{ann}"), Some(&browser)).await.text;
    assert!(!erase_hidden.contains("data-method=\"DELETE\""), "an agent is not offered the erasure");
}

#[tokio::test]
async fn the_live_stream_sends_each_stored_mention() {
    let test = test_app();
    test.add_user("agent@example.com", Role::Agent, domain::Language::En);
    let browser = test.sign_in("agent@example.com").await;
    let request = Request::get("/app/events").header(header::COOKIE, &browser.cookie).body(Body::empty()).unwrap();
    let response = test.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers().get(header::CONTENT_TYPE).unwrap(), "text/event-stream");
    let mut body = response.into_body().into_data_stream();
    test.ingest(&[mention("1", "live", "Live", "Vol AZ12 annulé <b>encore</b>", "")]).await;
    let mut received = String::new();
    let read = async {
        while !received.contains("\n\n") {
            let chunk = body.next().await.expect("the stream stays open").unwrap();
            received.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read).await.expect("a mention event within 20 s");
    assert!(received.starts_with("event: mention\n"), "{received}");
    let data = received.lines().find_map(|line| line.strip_prefix("data: ")).unwrap();
    let event: Value = serde_json::from_str(data).unwrap();
    assert_eq!((event["text"].as_str(), event["author_handle"].as_str()), (Some("Vol AZ12 annulé <b>encore</b>"), Some("live")));

    let anonymous = test.page("/app/events", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_administrator_creates_a_token_that_acts_for_its_user() {
    let test = test_app();
    test.add_user("admin@example.com", Role::Admin, domain::Language::En);
    test.add_user("analyst@example.com", Role::Analyst, domain::Language::En);
    let browser = test.sign_in("admin@example.com").await;
    let created = test.api(Method::POST, "/api/v1/tokens", &browser, json!({"email": "analyst@example.com", "label": "dashboards", "scopes": ["mentions:read"]})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let token = serde_json::from_str::<Value>(&created.text).unwrap()["token"].as_str().unwrap().to_string();
    let me = Request::get("/api/v1/me").header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap();
    let me: Value = serde_json::from_str(&test.request(me).await.text).unwrap();
    assert_eq!((me["role"].as_str(), me["scopes"].clone()), (Some("analyst"), json!(["mentions:read"])));
    let listed = test.page("/app/admin/tokens", Some(&browser)).await;
    assert!(listed.text.contains("dashboards"));
    let unknown = test.api(Method::POST, "/api/v1/tokens", &browser, json!({"email": "ghost@example.com", "label": "x"})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad_scope = test.api(Method::POST, "/api/v1/tokens", &browser, json!({"email": "analyst@example.com", "label": "x", "scopes": ["root"]})).await;
    assert!(bad_scope.status.is_client_error());
}

const COMPLAINT: &str = " my bag is lost again, worst airline ever, I am furious and nobody answers";

/// The id of the newest case, as the API lists it to `browser`.
async fn newest_case(test: &TestApp, browser: &Browser) -> i64 {
    let answer = test.page("/api/v1/cases?sort=newest", Some(browser)).await;
    let page: Value = serde_json::from_str(&answer.text).unwrap();
    page["items"][0]["id"].as_i64().unwrap_or_else(|| panic!("a case: {page}"))
}

#[tokio::test]
async fn the_inbox_and_case_pages_escape_hostile_text_and_show_the_sla_clock() {
    let test = test_app();
    test.add_user("admin@example.com", Role::Admin, domain::Language::En);
    let browser = test.sign_in("admin@example.com").await;
    test.ingest(&[mention("0", "eve", HOSTILE_NAME, &format!("@AirComptoir{COMPLAINT} (last week)"), HOSTILE_BIO)]).await;
    let earlier_case = newest_case(&test, &browser).await;
    test.ingest(&[mention("1", "eve", HOSTILE_NAME, &format!("{HOSTILE_TEXT}{COMPLAINT}"), HOSTILE_BIO)]).await;
    let case_id = newest_case(&test, &browser).await;
    assert_ne!(case_id, earlier_case);

    let inbox = test.page("/app/inbox", Some(&browser)).await;
    assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.text);
    assert_nothing_injected(&inbox.text, "/app/inbox");
    assert!(inbox.text.contains(&format!("href=\"/app/cases/{case_id}\"")), "each row opens its case");
    assert!(inbox.text.contains("data-sla=\"pending\"") || inbox.text.contains("data-sla=\"warning\"") || inbox.text.contains("data-sla=\"breached\""));
    assert!(inbox.text.contains("data-case-events=\"/app/case-events\""), "the inbox listens for new cases");
    for queue in ["mine", "team", "unassigned", "breaching", "all"] {
        let answer = test.page(&format!("/app/inbox?queue={queue}&status=open"), Some(&browser)).await;
        assert_eq!(answer.status, StatusCode::OK, "queue {queue}");
    }

    let path = format!("/app/cases/{case_id}");
    let case = test.page(&path, Some(&browser)).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.text);
    assert_nothing_injected(&case.text, &path);
    assert!(case.text.contains("&lt;script&gt;window.__xss=1&lt;/script&gt;"), "the customer's text is shown, escaped");
    assert!(case.text.contains("&lt;svg onload=alert(1)&gt;"), "the author's name is shown, escaped");
    assert!(case.text.contains("data-sentiment=\"negative\""), "the message's enrichment is shown");
    assert!(case.text.contains(&format!("data-action=\"/api/v1/cases/{case_id}/replies\"")), "the composer posts a reply");
    assert!(case.text.contains("data-channel=\"x\""), "the counter knows the channel");
    assert!(case.text.contains("data-shortcut=\"e\""), "e resolves");
    assert!(case.text.contains(&format!("href=\"/app/cases/{earlier_case}\"")), "the contact panel lists the earlier case");

    // A colleague typing on the case shows in the collision warning.
    test.add_user("agent@example.com", Role::Agent, domain::Language::En);
    let colleague = test.sign_in("agent@example.com").await;
    let typing = test.api(Method::POST, &format!("/api/v1/cases/{case_id}/presence"), &colleague, json!({"state": "typing"})).await;
    assert_eq!(typing.status, StatusCode::OK, "{}", typing.text);
    let case = test.page(&path, Some(&browser)).await;
    assert!(case.text.contains("agent user</bdi> is typing a reply"), "the collision warning names who types");
}

#[tokio::test]
async fn case_pages_refuse_bad_ids_unknown_cases_and_other_responders_cases() {
    let test = test_app();
    test.add_user("admin@example.com", Role::Admin, domain::Language::En);
    test.add_user("crowd@example.com", Role::Crowd, domain::Language::Fr);
    let admin = test.sign_in("admin@example.com").await;
    let crowd = test.sign_in("crowd@example.com").await;
    test.ingest(&[mention("1", "camille", "Camille", &format!("@AirComptoir{COMPLAINT}"), "")]).await;
    let case_id = newest_case(&test, &admin).await;

    assert_eq!(test.page("/app/cases/999999", Some(&admin)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(test.page("/app/cases/abc", Some(&admin)).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(test.page("/app/inbox?queue=everything", Some(&admin)).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(test.page("/app/inbox?status=%3Cscript%3E", Some(&admin)).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(test.page("/app/inbox?cursor=zz", Some(&admin)).await.status, StatusCode::BAD_REQUEST);
    let forbidden = test.page(&format!("/app/cases/{case_id}"), Some(&crowd)).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN, "a crowd responder sees only the cases given to them");
    assert!(forbidden.text.contains("lang=\"fr\""), "the error page is in the user's language");
    let inbox = test.page("/app/inbox", Some(&crowd)).await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(!inbox.text.contains(&format!("/app/cases/{case_id}\"")), "nor in their inbox");
    let anonymous = test.page(&format!("/app/cases/{case_id}"), None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_case_events_stream_announces_new_cases_without_their_details() {
    let test = test_app();
    test.add_user("agent@example.com", Role::Agent, domain::Language::En);
    let browser = test.sign_in("agent@example.com").await;
    let request = Request::get("/app/case-events").header(header::COOKIE, &browser.cookie).body(Body::empty()).unwrap();
    let response = test.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body().into_data_stream();
    test.ingest(&[mention("1", "camille", "Camille", &format!("@AirComptoir{COMPLAINT}"), "")]).await;
    let mut received = String::new();
    let read = async {
        while !received.contains("\n\n") {
            let chunk = body.next().await.expect("the stream stays open").unwrap();
            received.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read).await.expect("a case event within 20 s");
    assert!(received.starts_with("event: case\n"), "{received}");
    let data = received.lines().find_map(|line| line.strip_prefix("data: ")).unwrap();
    let event: Value = serde_json::from_str(data).unwrap();
    assert_eq!(event["kind"], "created");
    assert!(event["case_id"].as_i64().is_some() && event.get("detail").is_none(), "{event}");
    assert_eq!(test.page("/app/case-events", None).await.status, StatusCode::UNAUTHORIZED);
}

/// Ingests `count` complaints from different authors and returns their case ids, newest first.
async fn complaints(test: &TestApp, browser: &Browser, count: usize) -> Vec<i64> {
    const GRIEVANCES: [&str; 5] = [
        "my bag is lost again, worst airline ever, I am furious and nobody answers",
        "flight AZ12 cancelled twice this week, terrible service and no refund yet",
        "why was I charged twice for seat selection? this is unacceptable, answer me",
        "the app crashed during check-in and I missed my flight, I want compensation now",
        "rude staff at the gate in Lyon today, disgusting treatment of an elderly passenger",
    ];
    let mentions: Vec<Value> = (0..count).map(|n| mention(&format!("c{n}"), &format!("client{n}"), "Client", &format!("@AirComptoir {}", GRIEVANCES[n % 5]), "")).collect();
    test.ingest(&mentions).await;
    let answer = test.page(&format!("/api/v1/cases?sort=newest&limit={count}"), Some(browser)).await;
    let page: Value = serde_json::from_str(&answer.text).unwrap();
    page["items"].as_array().unwrap().iter().map(|case| case["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn the_inbox_filters_sorts_and_pages_through_the_api_and_the_page() {
    let test = test_app();
    test.add_user("admin@example.com", Role::Admin, domain::Language::Fr);
    let browser = test.sign_in("admin@example.com").await;
    let ids = complaints(&test, &browser, 5).await;
    assert_eq!(ids.len(), 5);
    // Every order pages through the same cases once, two by two.
    for sort in ["sla", "priority", "newest", "oldest"] {
        let mut seen = Vec::new();
        let mut path = format!("/api/v1/cases?sort={sort}&limit=2");
        for _ in 0..10 {
            let page: Value = serde_json::from_str(&test.page(&path, Some(&browser)).await.text).unwrap();
            seen.extend(page["items"].as_array().unwrap().iter().map(|case| case["id"].as_i64().unwrap()));
            let Some(cursor) = page["next_cursor"].as_str() else { break };
            path = format!("/api/v1/cases?sort={sort}&limit=2&cursor={cursor}");
        }
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!((seen.len(), sorted.len()), (5, 5), "{sort}: {seen:?}");
    }
    // Filters narrow the list; a filter with no match gives an empty page.
    let complaints_only: Value = serde_json::from_str(&test.page("/api/v1/cases?intent=complaint&source=x&sentiment=negative", Some(&browser)).await.text).unwrap();
    let praise: Value = serde_json::from_str(&test.page("/api/v1/cases?intent=praise", Some(&browser)).await.text).unwrap();
    assert!(praise["items"].as_array().unwrap().is_empty());
    assert!(complaints_only["items"].as_array().unwrap().len() <= 5);
    for bad in ["sort=sideways", "source=fax", "sentiment=angry", "intent=x", "priority=asap", "cursor=1.2", "cursor=abc", "vip=maybe"] {
        let answer = test.page(&format!("/api/v1/cases?{bad}"), Some(&browser)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}: {}", answer.text);
        assert!(answer.text.contains("\"detail\""), "a problem document for {bad}");
    }
    // The page keeps the filters in its links and its form, escaped.
    let page = test.page("/app/inbox?queue=all&tag=%3Cscript%3Ex&sort=oldest&reason=%22%3E%3Cimg", Some(&browser)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(!page.text.contains("<script>x") && !page.text.contains("\"><img"));
    assert!(page.text.contains("value=\"&lt;script&gt;x\""), "the tag filter is shown escaped");
    assert!(page.text.contains("Trier par"), "the page speaks the user's language");
    assert!(page.text.contains("id=\"bulk\""), "an administrator gets the bulk action bar");
    let bad_sort = test.page("/app/inbox?sort=sideways", Some(&browser)).await;
    assert_eq!(bad_sort.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bulk_actions_report_each_case_and_are_audited() {
    let test = test_app();
    test.add_user("admin@example.com", Role::Admin, domain::Language::En);
    test.add_user("analyst@example.com", Role::Analyst, domain::Language::En);
    let browser = test.sign_in("admin@example.com").await;
    let ids = complaints(&test, &browser, 3).await;
    let tagged = test.api(Method::POST, "/api/v1/cases/bulk", &browser, json!({"ids": ids, "action": "tag", "tag": "Refund"})).await;
    assert_eq!(tagged.status, StatusCode::OK, "{}", tagged.text);
    let items = serde_json::from_str::<Value>(&tagged.text).unwrap()["items"].clone();
    assert!(items.as_array().unwrap().iter().all(|item| item["ok"] == json!(true)), "{items}");
    let refund: Value = serde_json::from_str(&test.page("/api/v1/cases?tag=refund", Some(&browser)).await.text).unwrap();
    assert_eq!(refund["items"].as_array().unwrap().len(), 3);

    let resolved = test.api(Method::POST, "/api/v1/cases/bulk", &browser, json!({"ids": [ids[0], ids[1], 999_999], "action": "resolve"})).await;
    let items = serde_json::from_str::<Value>(&resolved.text).unwrap()["items"].clone();
    assert_eq!((items[0]["ok"].clone(), items[0]["status"].clone()), (json!(true), json!("resolved")));
    assert_eq!((items[2]["ok"].clone(), items[2]["error"].clone()), (json!(false), json!("not_found")));
    // Resolved cannot go back to new: refused for that case, with the reason.
    let invalid = test.api(Method::POST, "/api/v1/cases/bulk", &browser, json!({"ids": [ids[0], ids[2]], "action": "status", "status": "new"})).await;
    let items = serde_json::from_str::<Value>(&invalid.text).unwrap()["items"].clone();
    assert_eq!(items[0]["ok"], json!(false), "{items}");
    assert!(items[0]["detail"].as_str().unwrap_or_default().len() > 3);

    let untagged = test.api(Method::POST, "/api/v1/cases/bulk", &browser, json!({"ids": [ids[2]], "action": "untag", "tag": "refund"})).await;
    assert_eq!(serde_json::from_str::<Value>(&untagged.text).unwrap()["items"][0]["ok"], json!(true));
    let refund: Value = serde_json::from_str(&test.page("/api/v1/cases?tag=refund", Some(&browser)).await.text).unwrap();
    assert_eq!(refund["items"].as_array().unwrap().len(), 2);

    for bad in [json!({"ids": [], "action": "resolve"}), json!({"ids": [1], "action": "explode"}), json!({"ids": (0..201).collect::<Vec<i64>>(), "action": "resolve"})] {
        let answer = test.api(Method::POST, "/api/v1/cases/bulk", &browser, bad.clone()).await;
        assert!(answer.status.is_client_error(), "{bad}: {}", answer.status);
    }
    let audit: Value = serde_json::from_str(&test.page("/api/v1/audit?limit=100", Some(&browser)).await.text).unwrap();
    assert!(audit["items"].as_array().unwrap().iter().any(|entry| entry["action"] == json!("case.bulk")), "{audit}");

    let analyst = test.sign_in("analyst@example.com").await;
    let refused = test.api(Method::POST, "/api/v1/cases/bulk", &analyst, json!({"ids": [ids[2]], "action": "resolve"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let inbox = test.page("/app/inbox", Some(&analyst)).await;
    assert!(!inbox.text.contains("id=\"bulk\""), "no bulk bar for a read-only role");
}

#[tokio::test]
async fn care_administration_pages_escape_their_text_and_refuse_other_roles() {
    let test = test_app();
    test.add_user("admin@example.com", Role::Admin, domain::Language::En);
    test.add_user("agent@example.com", Role::Agent, domain::Language::En);
    let browser = test.sign_in("admin@example.com").await;
    let team = test.api(Method::POST, "/api/v1/teams", &browser, json!({"name": HOSTILE_NAME, "members": []})).await;
    let team_id = serde_json::from_str::<Value>(&team.text).unwrap()["id"].as_i64().unwrap();
    let rule = test.api(Method::POST, "/api/v1/routing-rules", &browser, json!({"name": HOSTILE_TEXT, "team_id": team_id, "when": {"languages": ["<b>fr</b>"]}})).await;
    assert_eq!(rule.status, StatusCode::CREATED, "{}", rule.text);
    let canned = test.api(Method::POST, "/api/v1/canned-responses", &browser, json!({"title": HOSTILE_NAME, "template": HOSTILE_TEXT})).await;
    assert_eq!(canned.status, StatusCode::CREATED, "{}", canned.text);
    for path in ["/app/admin/sla", "/app/admin/routing", "/app/admin/canned", "/app/admin/agents", "/app/admin/tokens"] {
        let page = test.page(path, Some(&browser)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.text);
        assert_nothing_injected(&page.text, path);
    }
    let sla = test.page("/app/admin/sla", Some(&browser)).await;
    assert!(sla.text.contains("Europe/Paris") || sla.text.contains("time_zone"), "the calendar is shown");
    let agent = test.sign_in("agent@example.com").await;
    for path in ["/app/admin/sla", "/app/admin/routing", "/app/admin/canned", "/app/admin/agents", "/app/admin/tokens"] {
        assert_eq!(test.page(path, Some(&agent)).await.status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn a_revoked_token_no_longer_authenticates() {
    let test = test_app();
    test.add_user("admin@example.com", Role::Admin, domain::Language::En);
    test.add_user("analyst@example.com", Role::Analyst, domain::Language::En);
    let browser = test.sign_in("admin@example.com").await;
    let created = test.api(Method::POST, "/api/v1/tokens", &browser, json!({"email": "analyst@example.com", "label": "to revoke"})).await;
    let secret = serde_json::from_str::<Value>(&created.text).unwrap()["token"].as_str().unwrap().to_string();
    let me = |secret: &str| Request::get("/api/v1/me").header(header::AUTHORIZATION, format!("Bearer {secret}")).body(Body::empty()).unwrap();
    assert_eq!(test.request(me(&secret)).await.status, StatusCode::OK);
    let listed: Value = serde_json::from_str(&test.page("/api/v1/tokens", Some(&browser)).await.text).unwrap();
    let token = listed["items"].as_array().unwrap().iter().find(|token| token["label"] == json!("to revoke")).unwrap().clone();
    assert!(!listed.to_string().contains(&secret), "the secret is never listed");
    let page = test.page("/app/admin/tokens", Some(&browser)).await;
    assert!(page.text.contains(&format!("/api/v1/tokens/{}", token["id"])), "the page offers to revoke it");
    let revoked = test.api(Method::DELETE, &format!("/api/v1/tokens/{}", token["id"]), &browser, json!(null)).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.text);
    assert_eq!(test.request(me(&secret)).await.status, StatusCode::UNAUTHORIZED);
    let again = test.api(Method::DELETE, &format!("/api/v1/tokens/{}", token["id"]), &browser, json!(null)).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_case_page_translates_the_enrichment_and_offers_corrections_and_thread_split() {
    let test = test_app();
    test.add_user("admin@example.com", Role::Admin, domain::Language::Fr);
    let browser = test.sign_in("admin@example.com").await;
    let case_id = complaints(&test, &browser, 1).await[0];
    let case: Value = serde_json::from_str(&test.page(&format!("/api/v1/cases/{case_id}"), Some(&browser)).await.text).unwrap();
    let mention_id = case["first_mention_id"].as_i64().unwrap();
    let page = test.page(&format!("/app/cases/{case_id}"), Some(&browser)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("data-intent=\"complaint\"") && page.text.contains("réclamation"), "the intent in French");
    assert!(page.text.contains("data-author-type="), "the author type is labelled");
    assert!(!page.text.contains("author: customer") && !page.text.contains("intent: complaint"), "no raw names");
    assert!(page.text.contains(&format!("data-action=\"/api/v1/mentions/{mention_id}/enrichment\"")), "a correction form per message");
    assert!(page.text.contains("name=\"split\""), "the composer offers the numbered thread");
    // The correction the form sends is accepted and shown.
    let corrected = test.api(Method::PUT, &format!("/api/v1/mentions/{mention_id}/enrichment"), &browser, json!({"sentiment": "positive", "corrected_by": "admin@example.com"})).await;
    assert_eq!(corrected.status, StatusCode::OK, "{}", corrected.text);
    let page = test.page(&format!("/app/cases/{case_id}"), Some(&browser)).await;
    assert!(page.text.contains("data-sentiment=\"positive\""));
    let positive: Value = serde_json::from_str(&test.page("/api/v1/cases?sentiment=positive", Some(&browser)).await.text).unwrap();
    assert_eq!(positive["items"][0]["id"].as_i64(), Some(case_id), "the sentiment filter follows the correction");
}

#[tokio::test]
async fn the_case_events_stream_says_who_is_viewing_or_typing() {
    let test = test_app();
    test.add_user("admin@example.com", Role::Admin, domain::Language::En);
    let browser = test.sign_in("admin@example.com").await;
    let case_id = complaints(&test, &browser, 1).await[0];
    let request = Request::get("/app/case-events").header(header::COOKIE, &browser.cookie).body(Body::empty()).unwrap();
    let mut body = test.router.clone().oneshot(request).await.unwrap().into_body().into_data_stream();
    let typing = test.api(Method::POST, &format!("/api/v1/cases/{case_id}/presence"), &browser, json!({"state": "typing"})).await;
    assert_eq!(typing.status, StatusCode::OK);
    let mut received = String::new();
    let read = async {
        while !received.contains("\"presence\"") {
            let chunk = body.next().await.expect("the stream stays open").unwrap();
            received.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read).await.expect("a presence event within 20 s");
    let data = received.lines().filter_map(|line| line.strip_prefix("data: ")).find(|data| data.contains("presence")).unwrap();
    let event: Value = serde_json::from_str(data).unwrap();
    assert_eq!((event["case_id"].as_i64(), event["state"].as_str()), (Some(case_id), Some("typing")));
    assert!(event["user_id"].as_i64().is_some());
}
