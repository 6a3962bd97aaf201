//! Sign-in, the public landing page, the overview, the live mentions stream, and the
//! shells of the pages whose API comes later (inbox, insights).

use domain::StoredMention;
use maud::{html, Markup};

use crate::layout::{page, Section, Viewer};
use crate::pages::mention_row;

/// `/login`: e-mail and password, posted as JSON by the page's script.
pub fn login(viewer: &Viewer, next: &str) -> Markup {
    let t = |key| viewer.t(key);
    let body = html! {
        form.api-form.card #login-form data-method="POST" data-action="/api/v1/auth/login" data-redirect=(next) {
            p { label for="email" { (t("login_email")) }
                input #email name="email" type="email" autocomplete="username" required autofocus; }
            p { label for="password" { (t("login_password")) }
                input #password name="password" type="password" autocomplete="current-password" required; }
            p { button type="submit" { (t("login_submit")) } }
        }
        p.hint { (t("login_demo_hint")) }
    };
    page(viewer, Section::None, t("login_title"), body)
}

/// What `/` says to anyone: what is running, where to sign in, where the API is.
pub struct Landing<'a> {
    pub mode: &'a str,
    pub backend: &'a str,
    pub data_dir: &'a str,
}

pub fn landing(viewer: &Viewer, landing: &Landing) -> Markup {
    let t = |key| viewer.t(key);
    let body = html! {
        p { (t("landing_intro")) }
        p { a.button href="/app" { (t("landing_open_app")) } }
        ul {
            li { (t("landing_mode")) " " (landing.mode) }
            li { (t("landing_store")) " " (landing.backend) ", " code { (landing.data_dir) } }
        }
        h2 { "API" }
        p { (t("landing_api")) }
        ul.api {
            li { code { "GET /api/v1/search?q=QUERY&sort=relevance|newest|oldest&limit=20" } }
            li { code { "POST /api/v1/mentions" } " (JSON, NDJSON)" }
            li { code { "GET /api/v1/mentions/ID" } ", " code { "GET|POST /api/v1/topics" } ", " code { "GET /api/v1/quarantine" } }
            li { code { "GET /api/v1/contacts" } ", " code { "GET /api/v1/incidents" } ", " code { "GET /api/v1/audit" } }
            li { code { "GET|POST /webhooks/meta" } }
            li { code { "GET /metrics" } ", " code { "GET /healthz" } }
        }
    };
    page(viewer, Section::None, "Comptoir", body)
}

/// Figures on the overview page.
pub struct Overview {
    pub mentions_stored: u64,
    pub quarantined: u64,
    pub sources_seen: usize,
    pub latest: Vec<StoredMention>,
}

pub fn overview(viewer: &Viewer, overview: &Overview) -> Markup {
    let t = |key| viewer.t(key);
    let body = html! {
        ul.figures {
            li { strong { (overview.mentions_stored) } " " (t("overview_mentions")) }
            li { strong { (overview.quarantined) } " " a href="/app/admin/sources" { (t("overview_quarantined")) } }
            li { strong { (overview.sources_seen) } " " (t("overview_sources")) }
        }
        h2 { (t("overview_latest")) }
        @if overview.latest.is_empty() {
            p { (t("overview_no_mentions")) }
        } @else {
            ol.list data-list { @for mention in &overview.latest { (mention_row(viewer, mention)) } }
        }
        p { a href="/app/live" { (t("overview_watch_live")) } }
    };
    page(viewer, Section::Overview, t("nav_overview"), body)
}

/// `/app/live`: new mentions arrive through `/app/events` (server-sent events) and are
/// added by the script with `textContent` only.
pub fn live(viewer: &Viewer, latest: &[StoredMention]) -> Markup {
    let t = |key| viewer.t(key);
    let body = html! {
        p { (t("live_intro")) }
        p #live-state role="status" data-connected=(t("live_connected")) data-disconnected=(t("live_disconnected")) { (t("live_connecting")) }
        ol.list #live-mentions data-list data-events="/app/events" aria-live="polite" aria-relevant="additions"
            data-label-negative=(t("sentiment_negative")) data-label-neutral=(t("sentiment_neutral")) data-label-positive=(t("sentiment_positive")) {
            @for mention in latest { (mention_row(viewer, mention)) }
        }
    };
    page(viewer, Section::Live, t("nav_live"), body)
}

/// A page whose API is not there yet: says so, and what it will hold.
pub fn coming_soon(viewer: &Viewer, section: Section, title_key: &str, what_key: &str) -> Markup {
    let t = |key| viewer.t(key);
    let body = html! {
        p.notice { (t(what_key)) }
        p { (t("coming_soon")) }
    };
    page(viewer, section, t(title_key), body)
}

/// A page-level error (forbidden, not found, bad input) with a way back.
pub fn error(viewer: &Viewer, title: &str, detail: &str) -> Markup {
    let t = |key| viewer.t(key);
    let body = html! {
        p.error { (detail) }
        p { a href="/app" { (t("back_to_overview")) } }
    };
    page(viewer, Section::None, title, body)
}

