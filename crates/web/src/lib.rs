//! Comptoir's HTTP server: the REST API under `/api/v1`, the Meta webhooks, metrics and
//! the home page. The only crate that knows HTTP; every route is listed in [`router`].

mod auth;
mod authors;
mod enrichment;
mod error;
mod mentions;
mod pages;
mod search;
mod topics;
mod webhooks;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
use axum::Router;
use service::{App, IngestHandle};

pub use error::ApiError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    pub ingest: IngestHandle,
    /// Shown on the home page (e.g. "demo: simulated stream").
    pub mode: Arc<str>,
}

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    let max_body = state.app.config.ingest.max_body_bytes;
    Router::new()
        .route("/", get(pages::home))
        .route("/healthz", get(pages::health))
        .route("/metrics", get(pages::metrics))
        .route("/api/v1/mentions", post(mentions::ingest))
        .route("/api/v1/mentions/{id}", get(mentions::get_one))
        .route("/api/v1/mentions/{id}/enrichment", put(enrichment::correct))
        .route("/api/v1/search", get(search::search))
        .route("/api/v1/authors", get(authors::list))
        .route("/api/v1/authors/{source}/{handle}", get(authors::get_one))
        .route("/api/v1/topics", get(topics::list).post(topics::create))
        .route("/api/v1/topics/{id}", delete(topics::remove))
        .route("/api/v1/quarantine", get(mentions::quarantine))
        .route("/webhooks/meta", get(webhooks::meta_handshake).post(webhooks::meta_event))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}

/// Serves until the process is asked to stop (Ctrl-C or SIGTERM).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown_signal()).await
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
