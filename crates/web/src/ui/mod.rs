//! The web app's pages (`/`, `/login`, `/app/…`, `/static/…`): who is looking and in
//! which language, the security headers, the embedded files. The HTML itself is the
//! `webui` crate's; the data comes from the same service calls as the JSON API, and
//! every change a page makes goes through that API (with the session's CSRF token).

mod admin;
mod care_admin;
mod cases;
mod contacts;
mod crisis;
mod incidents;
mod listening;
mod live;
mod reports;
mod viewer;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use domain::Action;
use serde::Deserialize;
use webui::pages::general;
use webui::Markup;

use crate::error::blocking;
use crate::{ApiError, AppState};
pub use live::Stopping;
pub use viewer::{PageCaller, Visitor};

/// The pages and their files.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(landing))
        .route("/login", get(login))
        .route("/static/app.css", get(style))
        .route("/static/app.js", get(script))
        .route("/app", get(overview))
        .route("/app/inbox", get(cases::inbox))
        .route("/app/cases/{id}", get(cases::show))
        .route("/app/case-events", get(cases::events))
        .route("/app/insights", get(|| async { Redirect::to("/app/listening") }))
        .route("/app/topics", get(listening::topics))
        .route("/app/search", get(listening::search))
        .route("/app/listening", get(listening::dashboard))
        .route("/app/listening/charts", get(listening::dashboard_charts))
        .route("/app/live", get(live::page))
        .route("/app/events", get(live::events))
        .route("/app/contacts", get(contacts::list))
        .route("/app/contacts/{id}", get(contacts::show))
        .route("/app/contacts/{id}/merge", get(contacts::merge_preview))
        .route("/app/admin", get(|| async { Redirect::to("/app/admin/users") }))
        .route("/app/admin/users", get(admin::users))
        .route("/app/admin/teams", get(admin::teams))
        .route("/app/admin/tokens", get(admin::tokens))
        .route("/app/admin/audit", get(admin::audit))
        .route("/app/admin/sources", get(admin::sources))
        .route("/app/admin/sla", get(care_admin::sla))
        .route("/app/admin/routing", get(care_admin::routing))
        .route("/app/admin/canned", get(care_admin::canned))
        .route("/app/admin/agents", get(care_admin::agents))
        .route("/app/reports", get(reports::care))
        .route("/app/staffing", get(reports::staffing))
        .route("/app/incidents", get(incidents::list))
        .route("/app/incidents/{id}", get(incidents::show))
        .route("/app/alerts", get(incidents::alerts))
        .route("/app/incidents/{id}/crisis", get(crisis::show))
        .route("/app/publishing", get(crisis::calendar))
}

/// Only our own files, no framing, no MIME sniffing, no referrer to other sites.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Adds the security headers to every response (pages and API alike).
pub async fn security_headers(request: Request<axum::body::Body>, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// A rendered page (never cached: it holds personal data).
pub fn html(markup: Markup) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Html(markup.into_string())).into_response()
}

/// An error as an HTML page with the error's status (bad input is a 4xx, never a 500).
pub fn error_page(viewer: &webui::Viewer, error: ApiError) -> Response {
    let title = error.status.canonical_reason().unwrap_or("Error");
    (error.status, html(general::error(viewer, title, &error.detail))).into_response()
}

/// The page, or its error rendered as a page.
pub fn respond(viewer: &webui::Viewer, page: Result<Markup, ApiError>) -> Response {
    match page {
        Ok(markup) => html(markup),
        Err(error) => error_page(viewer, error),
    }
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=300")], body).into_response()
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", webui::assets::STYLE)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", webui::assets::SCRIPT)
}

async fn landing(State(state): State<AppState>, visitor: Visitor) -> Response {
    let config = &state.app.config;
    let data_dir = config.data_dir.display().to_string();
    let landing = general::Landing { mode: &state.mode, backend: state.app.store().backend(), data_dir: &data_dir };
    html(general::landing(&visitor.0, &landing))
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

/// Where to go after signing in: a path of this app only (no open redirect).
fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(path) if path.starts_with("/app") && !path.contains("//") && !path.contains('\\') && path.len() <= 500 => path,
        _ => "/app",
    }
}

async fn login(visitor: Visitor, Query(query): Query<LoginQuery>) -> Response {
    html(general::login(&visitor.0, local_path(query.next.as_deref())))
}

async fn overview(State(state): State<AppState>, caller: PageCaller) -> Response {
    let page = async {
        caller.require(Action::ReadMentions)?;
        let app = state.app.clone();
        let (mentions_stored, quarantined, latest) = blocking(move || {
            Ok((app.store().count_mentions()?, app.store().count_quarantine()?, app.recently_stored(10)?))
        })
        .await?;
        let sources_seen = state.app.live_feed().health().len();
        let figures = general::Overview { mentions_stored, quarantined, sources_seen, latest };
        Ok(general::overview(&caller.viewer, &figures))
    };
    respond(&caller.viewer, page.await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_returns_only_to_pages_of_this_app() {
        assert_eq!(local_path(Some("/app/contacts/3")), "/app/contacts/3");
        assert_eq!(local_path(Some("https://evil.example/app")), "/app");
        assert_eq!(local_path(Some("//evil.example")), "/app");
        assert_eq!(local_path(Some("/app//evil.example")), "/app");
        assert_eq!(local_path(Some("/app\\evil")), "/app");
        assert_eq!(local_path(None), "/app");
    }
}
