//! The listening pages and their API through the router (`oneshot`, no server): topics
//! edited and previewed (errors explained in French and English), the search with
//! facets, the dashboard's charts and CSV exports with hostile text everywhere, and
//! the role checks.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use domain::Role;
use serde_json::{json, Value};
use service::{App, Config, UserRequest};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery staple";
const HOSTILE: &str = "<script>window.__xss=1</script><img src=x onerror=alert(1)>";
const HOSTILE_TOPIC: &str = "=HYPERLINK(\"http://evil.example\") <svg onload=alert(1)>";

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

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|error| panic!("{error}: {}", self.text))
    }
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

    /// A page or a GET with the browser's session cookie.
    async fn get(&self, path: &str, cookie: &str) -> Answer {
        self.request(Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
    }

    async fn bearer(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Answer {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.map_or_else(Body::empty, |body| Body::from(body.to_string())))
            .unwrap();
        self.request(request).await
    }

    /// A user of this role and language, signed in: their session cookie.
    async fn user(&self, email: &str, role: Role, language: domain::Language) -> String {
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
        let body = json!({"email": email, "password": PASSWORD}).to_string();
        let request = Request::post("/api/v1/auth/login").header(header::CONTENT_TYPE, "application/json").body(Body::from(body)).unwrap();
        let answer = self.request(request).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_string()
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

    async fn topic(&self, name: &str, query: &str) -> i64 {
        let created = self.bearer(Method::POST, "/api/v1/topics", &self.admin_token, Some(json!({"name": name, "query": query}))).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        created.json()["id"].as_i64().unwrap()
    }
}

fn now_minus(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes)).to_rfc3339()
}

fn mention(id: &str, handle: &str, text: &str, minutes_ago: i64) -> Value {
    json!({
        "source": "x", "external_id": id, "text": text, "created_at": now_minus(minutes_ago),
        "author": {"handle": handle, "display_name": HOSTILE},
        "metrics": {"likes": 40, "reposts": 12, "replies": 3},
    })
}

fn assert_nothing_injected(page: &str, path: &str) {
    for injected in ["<script>window", "<img src=x", "<svg onload", "=HYPERLINK(\"http://evil.example\") <"] {
        assert!(!page.contains(injected), "{injected} injected into {path}");
    }
}

/// A store with two topics (one with a hostile name) and mentions in the last hours.
async fn listening_data(test: &TestApp) -> (i64, i64) {
    let brand = test.topic("Alizé Air", "alize OR @alizeair").await;
    let hostile = test.topic(HOSTILE_TOPIC, "retard*").await;
    test.ingest(&[
        mention("1", "eve", &format!("@AlizeAir retard encore {HOSTILE}"), 30),
        mention("2", "bob", "@AlizeAir lost my luggage, refund please", 90),
        mention("3", "ann", "retard de 2h sans excuse", 150),
        mention("4", "eve", "merci @AlizeAir, vol parfait", 200),
    ])
    .await;
    // The store commit is durable at once; the index commit follows within moments.
    for _ in 0..100 {
        if test.app.search("*", service::Sort::Newest, 0, 0).unwrap().total >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    (brand, hostile)
}

#[tokio::test]
async fn the_dashboard_counts_draws_every_chart_escaped_and_drills_down() {
    let test = test_app();
    let (brand, hostile) = listening_data(&test).await;
    let cookie = test.user("analyst@example.com", Role::Analyst, domain::Language::En).await;

    let api = test.get("/api/v1/dashboards/listening?range=24h", &cookie).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    let dashboard = api.json();
    assert_eq!(dashboard["total"], 4);
    assert_eq!(dashboard["buckets"].as_array().unwrap().len(), 24);
    assert_eq!(dashboard["per_bucket"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).sum::<u64>(), 4);
    let shares: Vec<(i64, u64)> = dashboard["share_of_voice"].as_array().unwrap().iter().map(|s| (s["topic_id"].as_i64().unwrap(), s["mentions"].as_u64().unwrap())).collect();
    assert_eq!(shares, [(brand, 3), (hostile, 2)]);
    let narrowed = test.get(&format!("/api/v1/dashboards/listening?range=24h&topic={hostile}"), &cookie).await.json();
    assert_eq!(narrowed["total"], 2, "the hostile topic matches the two delay mentions");

    for path in ["/app/listening".to_string(), format!("/app/listening?topic={hostile}&range=7d"), "/app/listening?range=all".into(), "/app/listening/charts?range=30d".into()] {
        let page = test.get(&path, &cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.text);
        assert_nothing_injected(&page.text, &path);
    }
    let page = test.get("/app/listening", &cookie).await.text;
    for chart in ["volume_by_source", "volume_by_sentiment", "share_of_voice", "reasons", "intents", "top_authors", "emerging_terms"] {
        assert!(page.contains(&format!("data-chart=\"{chart}\"")), "{chart} is drawn");
        assert!(page.contains(&format!("format=csv&amp;chart={chart}")), "{chart} exports");
    }
    assert!(page.contains("&lt;svg onload=alert(1)&gt;"), "the hostile topic name is shown escaped");
    assert!(page.contains(r#"role="group""#) && page.contains("<details class=\"chart-data\">"), "charts have a text alternative");
    assert!(page.contains(&format!("/app/search?q=%2A&amp;topic={brand}&amp;from=")), "a share-of-voice bar drills down to its topic's mentions");
    assert!(page.contains(r#"data-refresh="/app/listening/charts?topic=&amp;range=24h""#), "the charts refresh live");

    // The drill-down lands on the search, narrowed to the topic and the window.
    let start = dashboard["from"].as_str().unwrap();
    let search = test.get(&format!("/app/search?q=*&topic={brand}&from={}", start.replace('+', "%2B")), &cookie).await;
    assert_eq!(search.status, StatusCode::OK, "{}", search.text);
    assert!(search.text.contains("<strong>3</strong>"), "the brand's three mentions: {}", search.text);
    assert_nothing_injected(&search.text, "/app/search");

    let bad = test.get("/api/v1/dashboards/listening?range=1y", &cookie).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.headers.get(header::CONTENT_TYPE).unwrap(), "application/problem+json");
    assert_eq!(test.get("/api/v1/dashboards/listening?topic=abc", &cookie).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(test.get("/api/v1/dashboards/listening?topic=999", &cookie).await.status, StatusCode::NOT_FOUND);
    assert_eq!(test.get("/api/v1/dashboards/listening?until=yesterday", &cookie).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(test.get("/app/listening?range=1y", &cookie).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn chart_exports_are_csv_files_whose_cells_never_run_as_formulas() {
    let test = test_app();
    listening_data(&test).await;
    let cookie = test.user("analyst@example.com", Role::Analyst, domain::Language::En).await;
    let export = test.get("/api/v1/dashboards/listening?range=24h&format=csv&chart=share_of_voice", &cookie).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.text);
    assert_eq!(export.headers.get(header::CONTENT_TYPE).unwrap(), "text/csv; charset=utf-8");
    let disposition = export.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap();
    assert_eq!(disposition, "attachment; filename=\"listening-share_of_voice-24h.csv\"");
    let mut reader = csv::Reader::from_reader(export.text.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), ["topic", "mentions", "share"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let hostile = rows.iter().find(|row| row[0].contains("HYPERLINK")).expect("the hostile topic's row");
    assert!(hostile[0].starts_with("'="), "the formula is neutralised: {:?}", &hostile[0]);
    assert_eq!(&hostile[1], "2");
    let volume = test.get("/api/v1/dashboards/listening?range=24h&format=csv&chart=volume_by_source", &cookie).await;
    let mut reader = csv::Reader::from_reader(volume.text.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), ["bucket_start", "x", "incident"]);
    let total: u64 = reader.records().map(|row| row.unwrap()[1].parse::<u64>().unwrap()).sum();
    assert_eq!(total, 4);
    let authors = test.get("/api/v1/dashboards/listening?format=csv&chart=top_authors", &cookie).await;
    assert!(authors.text.contains("<script>window.__xss=1</script>"), "CSV keeps the text as data (a spreadsheet shows it, never runs it)");
    for bad in ["format=csv", "format=csv&chart=nope", "format=xml"] {
        let answer = test.get(&format!("/api/v1/dashboards/listening?{bad}"), &cookie).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}: {}", answer.text);
    }
}

#[tokio::test]
async fn the_query_editor_previews_matches_and_explains_errors_in_both_languages() {
    let test = test_app();
    listening_data(&test).await;
    let cookie = test.user("fr@example.com", Role::Supervisor, domain::Language::Fr).await;
    let preview = test.get("/api/v1/topics/preview?q=retard*&lang=fr", &cookie).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    let preview = preview.json();
    assert_eq!((preview["valid"].as_bool(), preview["total"].as_u64()), (Some(true), Some(2)));
    assert_eq!(preview["mentions"].as_array().unwrap().len(), 2);
    assert_eq!(preview["mentions"][0]["external_id"], "1", "newest first");
    let french = test.get("/api/v1/topics/preview?q=%22lost%20lugg&lang=fr", &cookie).await.json();
    assert_eq!(french["valid"], false);
    assert_eq!(french["problem"]["code"], "unclosed_quote");
    assert_eq!(french["explanation"], "Il manque un guillemet fermant après « \"lost lugg » (la phrase ouverte au caractère 1).");
    let english = test.get("/api/v1/topics/preview?q=luggage%20NEAR/x%20lost&lang=en", &cookie).await.json();
    assert_eq!(english["explanation"], "NEAR needs a number at character 9, as in luggage NEAR/3 lost.");
    let languages = test.get("/api/v1/topics/preview?q=retard*&languages=en", &cookie).await.json();
    assert_eq!(languages["total"], 0, "the two delay mentions are not in English");
    assert_eq!(test.get("/api/v1/topics/preview?q=x&lang=de", &cookie).await.status, StatusCode::BAD_REQUEST);

    let page = test.get("/app/topics", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains(r#"data-query-preview="query-preview""#) && page.text.contains(r#"data-method="POST" data-action="/api/v1/topics""#));
    assert_nothing_injected(&page.text, "/app/topics");
    let search = test.get("/app/search?q=%22lost", &cookie).await;
    assert_eq!(search.status, StatusCode::BAD_REQUEST);
    assert!(search.text.contains("Il manque un guillemet fermant"), "{}", search.text);
}

#[tokio::test]
async fn topics_are_edited_through_the_api_and_roles_are_checked() {
    let test = test_app();
    let (brand, hostile) = listening_data(&test).await;
    let agent = test.user("agent@example.com", Role::Agent, domain::Language::En).await;
    let edit = |name: &str, query: &str| Some(json!({"name": name, "query": query, "languages": ["fr"], "owner": "marie"}));
    let updated = test.bearer(Method::PUT, &format!("/api/v1/topics/{brand}"), &test.admin_token, edit("Alizé", "alize*")).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    assert_eq!((updated.json()["name"].as_str(), updated.json()["query"].as_str()), (Some("Alizé"), Some("alize*")));
    let conflict = test.bearer(Method::PUT, &format!("/api/v1/topics/{brand}"), &test.admin_token, edit(HOSTILE_TOPIC, "x")).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    let invalid = test.bearer(Method::PUT, &format!("/api/v1/topics/{hostile}"), &test.admin_token, edit("t", "(retard")).await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert_eq!(test.bearer(Method::PUT, "/api/v1/topics/999", &test.admin_token, edit("t", "x")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(test.app.list_topics().unwrap().iter().find(|t| t.id.0 == brand).unwrap().topic.languages, ["fr"]);

    // An agent reads topics and dashboards but may not change topics: no editor, 403.
    let page = test.get("/app/topics", &agent).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text.contains("data-query-preview") && !page.text.contains("data-method=\"DELETE\""), "no editor for an agent");
    let request = Request::put(format!("/api/v1/topics/{brand}")).header(header::COOKIE, &agent).header(header::CONTENT_TYPE, "application/json");
    let refused = test.request(request.body(Body::from(edit("x", "y").unwrap().to_string())).unwrap()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert_eq!(test.get(&format!("/app/topics?edit={brand}"), &agent).await.status, StatusCode::OK);

    // A token narrowed to contacts may not read mentions: 403 on every listening route.
    let contacts_only = test.app.create_user_api_token("test", "agent@example.com", "contacts", &[domain::Scope::ContactsRead]).unwrap();
    for path in ["/api/v1/dashboards/listening", "/api/v1/topics/preview?q=x", "/api/v1/dashboards/listening?format=csv&chart=reasons"] {
        assert_eq!(test.bearer(Method::GET, path, &contacts_only, None).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    // Pages are for signed-in people: a visitor is sent to sign in.
    for path in ["/app/listening", "/app/topics", "/app/search?q=x", "/app/listening/charts"] {
        let answer = test.request(Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
    }
}
