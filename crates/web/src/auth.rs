//! Who is calling, and may they: a Bearer API token (`Authorization: Bearer TOKEN`) or a
//! session cookie set by `POST /api/v1/auth/login`. Requests authenticated by cookie
//! that change state must carry the session's CSRF token in `X-CSRF-Token`; tokens are
//! exempt (a browser never sends them on its own). Every handler then asks
//! [`Caller::require`] for its action (`domain::role_allows` is the table).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, Method};
use domain::{Action, Principal};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::{ApiError, AppState};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "comptoir_session";
/// The header a cookie-authenticated state change carries.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Longest credential read from a header or cookie.
const MAX_SECRET_BYTES: usize = 200;

/// How a caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Token,
    /// The session cookie's secret (to sign out).
    Session(String),
}

/// Present in a handler's arguments: the request carried a valid token or session (and,
/// for a cookie-authenticated state change, the right CSRF token).
pub struct Caller {
    pub principal: Principal,
    pub credential: Credential,
}

impl Caller {
    /// The principal, if their role and scopes allow `action`; else 403.
    pub fn require(&self, action: Action) -> Result<&Principal, ApiError> {
        if self.principal.may(action) {
            Ok(&self.principal)
        } else {
            Err(ApiError::forbidden(format!("your role or token scopes do not allow {action:?}")))
        }
    }
}

fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(str::trim)
}

/// The session cookie's secret, if the request has one.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|value| !value.is_empty() && value.len() <= MAX_SECRET_BYTES)
}

/// Compares without an early exit, so timing tells nothing about the token.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len() && given.iter().zip(expected).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer_token(parts) {
            if token.is_empty() || token.len() > MAX_SECRET_BYTES {
                return Err(ApiError::unauthorized());
            }
            // A caller seen in the last seconds is answered here; otherwise the store is asked off the async threads.
            let principal = match state.app.remembered_caller(token) {
                Some((principal, _)) => Some(principal),
                None => {
                    let (app, token) = (state.app.clone(), token.to_string());
                    tokio::task::spawn_blocking(move || app.token_principal(&token)).await??
                }
            };
            let principal = principal.ok_or_else(ApiError::unauthorized)?;
            return Ok(Caller { principal, credential: Credential::Token });
        }
        let secret = session_cookie(&parts.headers).ok_or_else(ApiError::unauthorized)?;
        let found = match state.app.remembered_caller(&secret) {
            Some(found) => Some(found),
            None => {
                let (app, lookup) = (state.app.clone(), secret.clone());
                tokio::task::spawn_blocking(move || app.session_principal(&lookup)).await??
            }
        };
        let (principal, csrf_token) = found.ok_or_else(ApiError::unauthorized)?;
        if changes_state(&parts.method) {
            let given = parts.headers.get(CSRF_HEADER).map(|value| value.as_bytes()).unwrap_or_default();
            if !same_secret(given, csrf_token.as_bytes()) {
                return Err(ApiError::forbidden("send the session's CSRF token in the X-CSRF-Token header"));
            }
        }
        Ok(Caller { principal, credential: Credential::Session(secret) })
    }
}

/// The peer address, when the server was started with connect info (tests may omit it).
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip())))
    }
}

/// Sign-in attempts allowed per e-mail address and per client address: a burst of 10,
/// then one more every 30 seconds (10 per 5 minutes).
pub struct LoginLimiter {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        let burst = NonZeroU32::new(10).expect("10 is not zero");
        let quota = Quota::with_period(Duration::from_secs(30)).expect("a period").allow_burst(burst);
        LoginLimiter { limiter: RateLimiter::keyed(quota) }
    }
}

impl LoginLimiter {
    /// Counts one attempt for each key; `Err(seconds to wait)` when any is over its quota.
    pub fn check(&self, email: &str, client: Option<IpAddr>) -> Result<(), u64> {
        let mut keys = vec![format!("email:{}", email.trim().to_lowercase())];
        if let Some(client) = client {
            keys.push(format!("ip:{client}"));
        }
        let now = DefaultClock::default().now();
        for key in keys {
            if let Err(not_until) = self.limiter.check_key(&key) {
                return Err(not_until.wait_time_from(now).as_secs().max(1));
            }
        }
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        Ok(())
    }
}
