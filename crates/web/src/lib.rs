//! Comptoir's HTTP server: the REST API under `/api/v1`, the Meta webhooks, metrics and
//! the web app's pages (`ui`, rendered by the `webui` crate). The only crate that knows HTTP; every route is listed in [`router`].

pub mod admission;
mod alerts;
mod auth;
pub mod bench;
mod authors;
mod care_settings;
mod cases;
mod csat;
mod contacts;
mod crisis;
mod enrichment;
mod error;
mod incidents;
mod listening;
mod mentions;
mod openapi;
mod pages;
mod people;
mod publishing;
mod reports;
mod search;
mod sessions;
mod topics;
mod ui;
mod webhooks;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use axum::Router;
use service::{App, IngestHandle};

pub use auth::{LoginLimiter, CSRF_HEADER, SESSION_COOKIE};
pub use error::ApiError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    pub ingest: IngestHandle,
    /// Shown on the home page (e.g. "demo: simulated stream").
    pub mode: Arc<str>,
    /// Sign-in attempts per e-mail and per client address.
    pub login_limiter: Arc<LoginLimiter>,
    /// Ends the live pages' event streams when the server stops.
    pub stopping: ui::Stopping,
    /// Case events (created, updated, customer_message, replied, note, presence…) for an
    /// in-process subscriber such as a server-sent-events page: `case_events.subscribe()`.
    pub case_events: tokio::sync::broadcast::Sender<service::cases::CaseEvent>,
    /// The threads that run reads for the store, in arrival order (see `admission`).
    pub reads: Arc<admission::ReadThreads>,
}

impl AppState {
    pub fn new(app: Arc<App>, ingest: IngestHandle, mode: &str) -> AppState {
        let case_events = app.case_events().sender();
        AppState {
            app,
            ingest,
            mode: mode.into(),
            login_limiter: Arc::new(LoginLimiter::default()),
            stopping: ui::Stopping::default(),
            case_events,
            reads: Arc::new(admission::ReadThreads::start(service::READ_CONNECTIONS)),
        }
    }
}

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    let max_body = state.app.config.ingest.max_body_bytes;
    Router::new()
        .merge(ui::routes())
        .route("/healthz", get(pages::health))
        .route("/metrics", get(pages::metrics))
        .route("/api/v1/mentions", post(mentions::ingest))
        .route("/api/v1/mentions/{id}", get(mentions::get_one))
        .route("/api/v1/mentions/{id}/enrichment", put(enrichment::correct))
        .route("/api/v1/search", get(search::search))
        .route("/api/v1/authors", get(authors::list))
        .route("/api/v1/authors/{source}/{handle}", get(authors::get_one))
        .route("/api/v1/topics", get(topics::list).post(topics::create))
        .route("/api/v1/topics/preview", get(listening::preview))
        .route("/api/v1/topics/{id}", delete(topics::remove).put(listening::update_topic))
        .route("/api/v1/dashboards/listening", get(listening::dashboard))
        .route("/api/v1/quarantine", get(mentions::quarantine))
        .route("/api/v1/auth/login", post(sessions::login))
        .route("/api/v1/auth/logout", post(sessions::logout))
        .route("/api/v1/me", get(sessions::me))
        .route("/api/v1/me/language", put(sessions::set_language))
        .route("/api/v1/tokens", get(people::list_tokens).post(people::create_token))
        .route("/api/v1/tokens/{id}", delete(people::revoke_token))
        .route("/api/v1/users", get(people::list_users).post(people::create_user))
        .route("/api/v1/users/{id}", get(people::get_user).patch(people::update_user).delete(people::deactivate_user))
        .route("/api/v1/teams", get(people::list_teams).post(people::create_team))
        .route("/api/v1/teams/{id}", get(people::get_team).put(people::update_team).delete(people::delete_team))
        .route("/api/v1/audit", get(people::audit))
        .route("/api/v1/contacts", get(contacts::list))
        .route("/api/v1/contacts/{id}", get(contacts::get_one).patch(contacts::patch).delete(contacts::erase))
        .route("/api/v1/contacts/{id}/identities", post(contacts::add_identity))
        .route("/api/v1/contacts/{id}/notes", post(contacts::add_note))
        .route("/api/v1/contacts/{id}/merge", post(contacts::merge))
        .route("/api/v1/contacts/{id}/merge-suggestions", get(contacts::merge_suggestions))
        .route("/api/v1/contacts/{id}/timeline", get(contacts::timeline))
        .route("/api/v1/contacts/{id}/export", get(contacts::export))
        .route("/api/v1/contacts/merges/{merge_id}/undo", post(contacts::undo_merge))
        .route("/api/v1/topics/{id}/weak-signals", get(incidents::weak_signals))
        .route("/api/v1/incidents", get(incidents::list))
        .route("/api/v1/incidents/{id}", get(incidents::get_one).patch(incidents::patch))
        .route("/api/v1/incidents/{id}/mentions", get(incidents::mentions))
        .route("/api/v1/incidents/{id}/cases", get(incidents::cases))
        .route("/api/v1/incidents/{id}/crisis", get(crisis::get_crisis).post(crisis::set_crisis))
        .route("/api/v1/incidents/{id}/broadcast", post(crisis::broadcast))
        .route("/api/v1/incidents/{id}/bulk-reply/preview", post(crisis::bulk_reply_preview))
        .route("/api/v1/incidents/{id}/bulk-reply", post(crisis::bulk_reply))
        .route("/api/v1/incidents/{id}/notify/preview", post(crisis::notify_preview))
        .route("/api/v1/incidents/{id}/notify", post(crisis::notify))
        .route("/api/v1/incidents/{id}/bulk/{preview_id}", get(crisis::bulk))
        .route("/api/v1/posts", get(publishing::list).post(publishing::create))
        .route("/api/v1/posts/{id}", get(publishing::get_one).patch(publishing::edit))
        .route("/api/v1/posts/{id}/submit", post(publishing::submit))
        .route("/api/v1/posts/{id}/approve", post(publishing::approve))
        .route("/api/v1/posts/{id}/reject", post(publishing::reject))
        .route("/api/v1/posts/{id}/publish", post(publishing::publish))
        .route("/api/v1/mentions/{id}/amplify", post(publishing::amplify))
        .route("/api/v1/publishing", get(publishing::calendar))
        .route("/api/v1/publishing/pause", post(publishing::pause))
        .route("/api/v1/publishing/resume", post(publishing::resume))
        .route("/api/v1/outbox", get(publishing::outbox))
        .route("/api/v1/alert-rules", get(alerts::list_rules).post(alerts::create_rule))
        .route("/api/v1/alert-rules/{id}", delete(alerts::delete_rule).patch(alerts::patch_rule))
        .route("/api/v1/alert-rules/{id}/test", post(alerts::test_rule))
        .route("/api/v1/alerts", get(alerts::list_alerts))
        .route("/api/v1/cases", get(cases::list))
        .route("/api/v1/cases/bulk", post(cases::bulk))
        .route("/api/v1/cases/{id}", get(cases::get_one).patch(cases::patch))
        .route("/api/v1/cases/{id}/notes", post(cases::add_note))
        .route("/api/v1/cases/{id}/presence", post(cases::presence))
        .route("/api/v1/cases/{id}/replies", post(cases::reply))
        .route("/api/v1/cases/{id}/callback", post(cases::callback))
        .route("/api/v1/callbacks", get(cases::list_callbacks))
        .route("/api/v1/callbacks/{id}/outcome", post(cases::callback_outcome))
        .route("/api/v1/reports/csat", get(cases::csat_report))
        .route("/api/v1/reports/care", get(reports::care))
        .route("/api/v1/reports/care.csv", get(reports::care_csv))
        .route("/api/v1/staffing/forecast", get(cases::staffing_forecast))
        .route("/api/v1/openapi.json", get(openapi::openapi))
        .route("/api/v1/routing-rules", get(care_settings::list_routing_rules).post(care_settings::create_routing_rule))
        .route("/api/v1/routing-rules/{id}", delete(care_settings::delete_routing_rule))
        .route("/api/v1/sla-policies", get(care_settings::list_sla_policies).post(care_settings::create_sla_policy))
        .route("/api/v1/sla-policies/{id}", put(care_settings::update_sla_policy).delete(care_settings::delete_sla_policy))
        .route("/api/v1/teams/{id}/care-settings", get(care_settings::get_team_settings).put(care_settings::put_team_settings))
        .route("/api/v1/canned-responses", get(care_settings::list_canned).post(care_settings::create_canned))
        .route("/api/v1/canned-responses/{id}", delete(care_settings::delete_canned))
        .route("/api/v1/agents", get(care_settings::list_agents))
        .route("/api/v1/agents/{id}", axum::routing::patch(care_settings::patch_agent))
        .route("/api/v1/case-rules", get(care_settings::get_case_rules).put(care_settings::put_case_rules))
        .route("/api/v1/cases/{id}/move", post(cases::move_conversation))
        .route("/api/v1/replies/pending", get(cases::pending_replies))
        .route("/api/v1/replies/{id}/approve", post(cases::approve_reply))
        .route("/api/v1/replies/{id}/reject", post(cases::reject_reply))
        .route("/api/v1/care/escalation", get(care_settings::get_escalation).put(care_settings::put_escalation))
        .route("/api/v1/case-webhook", put(care_settings::put_case_webhook))
        .route("/csat/{token}", get(csat::show).post(csat::answer))
        .route("/webhooks/meta", get(webhooks::meta_handshake).post(webhooks::meta_event))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(state.clone(), admission::admit_reads))
        .layer(axum::middleware::from_fn(ui::security_headers))
        .with_state(state)
}

/// Serves until the process is asked to stop (Ctrl-C or SIGTERM).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    // Connect info gives the client address that sign-in attempts are limited by.
    let stopping = state.stopping.clone();
    let service: IntoMakeServiceWithConnectInfo<Router, std::net::SocketAddr> =
        router(state).into_make_service_with_connect_info();
    let shutdown = async move {
        shutdown_signal().await;
        stopping.stop();
    };
    axum::serve(listener, service).with_graceful_shutdown(shutdown).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
