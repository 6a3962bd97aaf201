//! The live mentions page and its server-sent events (`/app/events`): each mention the
//! writer stores is sent as an `event: mention` with the mention as JSON. The stream
//! ends when the server stops, so a graceful shutdown does not wait for browsers.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::Response;
use domain::Action;
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

use super::{respond, PageCaller};
use crate::auth::Caller;
use crate::error::blocking;
use crate::{ApiError, AppState};

/// Mentions shown when the page opens (newer ones arrive by the stream).
const INITIAL_MENTIONS: usize = 20;

/// Tells long-lived responses (event streams) that the server is stopping.
#[derive(Clone)]
pub struct Stopping {
    sender: std::sync::Arc<watch::Sender<bool>>,
}

impl Default for Stopping {
    fn default() -> Self {
        Stopping { sender: std::sync::Arc::new(watch::channel(false).0) }
    }
}

impl Stopping {
    pub fn stop(&self) {
        self.sender.send_replace(true);
    }

    pub(super) fn watch(&self) -> watch::Receiver<bool> {
        self.sender.subscribe()
    }
}

pub async fn page(State(state): State<AppState>, caller: PageCaller) -> Response {
    let page = async {
        caller.require(Action::ReadMentions)?;
        let app = state.app.clone();
        let latest = blocking(move || app.recently_stored(INITIAL_MENTIONS)).await?;
        Ok(webui::pages::general::live(&caller.viewer, &latest))
    };
    respond(&caller.viewer, page.await)
}

pub async fn events(State(state): State<AppState>, caller: Caller) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    caller.require(Action::ReadMentions)?;
    let receiver = state.app.live_feed().subscribe();
    let stopping = state.stopping.watch();
    let stream = futures_util::stream::unfold((receiver, stopping), |(mut receiver, mut stopping)| async move {
        loop {
            if *stopping.borrow() {
                return None;
            }
            let received = tokio::select! {
                received = receiver.recv() => received,
                _ = stopping.changed() => return None,
            };
            match received {
                Ok(mention) => {
                    let event = Event::default().event("mention").id(mention.id.to_string());
                    let event = event.json_data(&mention).unwrap_or_else(|_| Event::default().comment("unserialisable"));
                    return Some((Ok(event), (receiver, stopping)));
                }
                // A slow browser skips what it missed; the page can be reloaded.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
