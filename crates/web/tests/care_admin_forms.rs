//! The care administration forms are fields, not JSON: the SLA policy form (targets per
//! priority, time zone, opening hours per weekday, holidays) and the routing rule form
//! (languages, intents, reasons, sources, topics, VIP). The fields of the rendered page are
//! read back the way `app.js` nests them (dotted names, `data-split`, `data-type`) and sent
//! to the API, which must accept them: the page's names and the API's schema agree.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use domain::Role;
use serde_json::{json, Map, Value};
use service::{App, Config, UserRequest};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery staple";

struct Browser {
    cookie: String,
    csrf: String,
}

async fn call(router: &Router, method: Method, path: &str, browser: &Browser, body: Option<Value>) -> (StatusCode, String) {
    let mut request = Request::builder().method(method).uri(path).header(header::COOKIE, &browser.cookie).header("x-csrf-token", &browser.csrf);
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let response = router.clone().oneshot(request.body(body.map_or_else(Body::empty, |body| Body::from(body.to_string()))).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn sign_in(router: &Router, app: &App) -> Browser {
    let request = UserRequest {
        email: "admin@example.com".into(),
        password: PASSWORD.into(),
        role: Role::Admin,
        display_name: None,
        language: domain::Language::En,
        signature: None,
        expertise: vec![],
        capacity: None,
    };
    app.create_user("test", &request).unwrap();
    let body = json!({"email": "admin@example.com", "password": PASSWORD}).to_string();
    let response = router.clone().oneshot(Request::post("/api/v1/auth/login").header(header::CONTENT_TYPE, "application/json").body(Body::from(body)).unwrap()).await.unwrap();
    let cookie = response.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let csrf = serde_json::from_slice::<Value>(&bytes).unwrap()["csrf_token"].as_str().unwrap().to_string();
    Browser { cookie, csrf }
}

/// An attribute of one tag (`name="x"`), unescaped as far as these forms need.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[start..].split('"').next()
}

fn has_attribute(tag: &str, name: &str) -> bool {
    tag.split_whitespace().any(|token| token == name || token.starts_with(&format!("{name}=")))
}

fn put(body: &mut Map<String, Value>, name: &str, value: Value) {
    let mut path: Vec<&str> = name.split('.').collect();
    let last = path.pop().unwrap();
    let mut target = body;
    for key in path {
        target = target.entry(key.to_string()).or_insert_with(|| Value::Object(Map::new())).as_object_mut().unwrap();
    }
    match (target.get_mut(last), value) {
        (Some(Value::Array(list)), Value::Array(more)) => list.extend(more),
        (_, value) => {
            target.insert(last.to_string(), value);
        }
    }
}

/// The JSON `app.js` would send for the form with this id, its fields as rendered
/// (checkboxes as their `checked` says, a select's selected option).
fn form_body(page: &str, form_id: &str) -> Value {
    let form = page.split(&format!("id=\"{form_id}\"")).nth(1).expect("the form").split("</form>").next().unwrap();
    let mut body = Map::new();
    for piece in form.split('<').skip(1) {
        let tag = piece.split('>').next().unwrap();
        let Some(name) = attribute(tag, "name") else { continue };
        let raw = if tag.starts_with("select") {
            let options = piece_options(form, name);
            options.unwrap_or_default()
        } else if tag.starts_with("input") {
            attribute(tag, "value").unwrap_or_default().to_string()
        } else {
            continue;
        };
        let number = attribute(tag, "data-type") == Some("number");
        if has_attribute(tag, "data-array") {
            let checked = has_attribute(tag, "checked");
            let value = if number { json!(raw.parse::<i64>().unwrap()) } else { json!(raw) };
            put(&mut body, name, Value::Array(if checked { vec![value] } else { vec![] }));
            continue;
        }
        if raw.is_empty() {
            continue;
        }
        let value = match (attribute(tag, "data-type"), attribute(tag, "data-split")) {
            (Some("number"), _) => json!(raw.parse::<i64>().unwrap()),
            (Some("json"), _) => serde_json::from_str(&raw).unwrap(),
            (_, Some(separator)) => Value::Array(raw.split(separator).map(str::trim).filter(|part| !part.is_empty()).map(|part| json!(part)).collect()),
            _ => json!(raw),
        };
        put(&mut body, name, value);
    }
    Value::Object(body)
}

/// The selected option of the select named `name` (its value, else its text).
fn piece_options(form: &str, name: &str) -> Option<String> {
    let select = form.split(&format!("name=\"{name}\"")).nth(1)?.split("</select>").next()?;
    let option = select.split("<option").skip(1).find(|option| option.split('>').next().unwrap_or_default().contains(" selected"))?;
    let head = option.split('>').next()?;
    Some(match attribute(head, "value") {
        Some(value) => value.to_string(),
        None => option.split('>').nth(1)?.split('<').next()?.to_string(),
    })
}

#[tokio::test]
async fn the_sla_and_routing_forms_send_what_the_api_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(Config { data_dir: dir.path().to_path_buf(), ..Config::default() }).unwrap());
    let ingest = service::start_ingest_thread(app.clone(), 8);
    let router = web::router(web::AppState::new(app.clone(), ingest, "test"));
    let browser = sign_in(&router, &app).await;
    let (_, team) = call(&router, Method::POST, "/api/v1/teams", &browser, Some(json!({"name": "Night shift", "members": []}))).await;
    let team_id = serde_json::from_str::<Value>(&team).unwrap()["id"].as_i64().unwrap();

    let (status, page) = call(&router, Method::GET, "/app/admin/sla", &browser, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("data-type=\"json\""), "no JSON left to type");
    assert!(page.contains("name=\"calendar.opening_hours.monday\""));
    assert!(page.contains("<option selected>Europe/Paris</option>"), "the default calendar's time zone is selected");
    assert!(page.contains("<option>America/Montreal</option>"), "every IANA time zone is offered");
    let mut policy = form_body(&page, "new-policy");
    assert!(policy["targets"]["urgent"]["first_response_minutes"].is_u64(), "{policy}");
    assert!(policy["calendar"]["opening_hours"]["monday"].as_array().is_some_and(|hours| !hours.is_empty()), "{policy}");
    policy["name"] = json!("Night");
    policy["team_id"] = json!(team_id);
    let (status, created) = call(&router, Method::POST, "/api/v1/sla-policies", &browser, Some(policy.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "the form's fields are the API's schema: {created} from {policy}");
    let (_, page) = call(&router, Method::GET, "/app/admin/sla", &browser, None).await;
    let id = serde_json::from_str::<Value>(&created).unwrap()["id"].as_i64().unwrap();
    assert!(page.contains(&format!("id=\"policy-{id}-zone\"")), "the stored policy has its edit fields");
    let broken = json!({"name": "Broken", "team_id": team_id, "targets": policy["targets"], "calendar": {"time_zone": "Europe/Paris", "opening_hours": {"monday": ["25:00-26:00"]}}});
    let (status, refused) = call(&router, Method::POST, "/api/v1/sla-policies", &browser, Some(broken)).await;
    assert!(status.is_client_error(), "a broken interval typed in a field is refused: {status} {refused}");

    let (status, topic) = call(&router, Method::POST, "/api/v1/topics", &browser, Some(json!({"name": "Alizé <b>Air</b>", "query": "alize"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{topic}");
    let (status, page) = call(&router, Method::GET, "/app/admin/routing", &browser, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Alizé &lt;b&gt;Air&lt;/b&gt;"), "topics are offered by name, escaped");
    let page = page.replace("name=\"when.intents\" data-array value=\"complaint\"", "name=\"when.intents\" data-array checked value=\"complaint\"");
    let mut rule = form_body(&page, "new-rule");
    rule["name"] = json!("Complaints");
    rule["team_id"] = json!(team_id);
    rule["when"]["languages"] = json!(["fr"]);
    let (status, created) = call(&router, Method::POST, "/api/v1/routing-rules", &browser, Some(rule.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{created} from {rule}");
    assert_eq!(rule["when"]["intents"], json!(["complaint"]), "{rule}");
    assert_eq!(rule["when"]["sources"], json!([]), "{rule}");
}
