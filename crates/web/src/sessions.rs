//! Signing in and out: `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`,
//! `GET /api/v1/me`, `PUT /api/v1/me/language`.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::auth::{Caller, ClientIp, Credential, SESSION_COOKIE};
use crate::error::{blocking, json_body};
use crate::{ApiError, AppState};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    email: String,
    password: String,
}

fn session_cookie(value: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}");
    HeaderValue::from_str(&cookie).expect("a cookie of hex digits is a valid header")
}

/// Checks the e-mail and password; sets the session cookie and answers the user and the
/// session's CSRF token. 429 with `Retry-After` past 10 attempts in 5 minutes per e-mail
/// or per client address.
pub async fn login(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let request = json_body(body)?;
    if let Err(wait_seconds) = state.login_limiter.check(&request.email, client) {
        let mut response = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too many sign-in attempts; try again later").into_response();
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait_seconds));
        return Ok(response);
    }
    let app = state.app.clone();
    let signed_in = blocking(move || app.sign_in(&request.email, &request.password)).await?;
    let max_age = service::SESSION_TTL.num_seconds();
    let cookie = session_cookie(&signed_in.session_secret, max_age, state.app.config.web.secure_cookies);
    let body = json!({ "user": signed_in.user, "csrf_token": signed_in.csrf_token, "expires_at": signed_in.expires_at });
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// Ends the session (a token caller has none: nothing to do) and clears the cookie.
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    if let Credential::Session(secret) = caller.credential {
        let app = state.app.clone();
        blocking(move || app.sign_out(&secret)).await?;
    }
    let cookie = session_cookie("", 0, state.app.config.web.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// The caller: their user (none for an ownerless token), role and scopes.
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<serde_json::Value>, ApiError> {
    let principal = caller.principal;
    let user = match principal.user_id {
        Some(id) => {
            let app = state.app.clone();
            Some(blocking(move || app.get_user(id)).await?)
        }
        None => None,
    };
    let scopes: Vec<&str> = principal.scopes.iter().map(|scope| scope.as_str()).collect();
    Ok(Json(json!({ "user": user, "role": principal.role, "scopes": scopes })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageRequest {
    language: domain::Language,
}

/// Stores the signed-in user's language (the web app's switch); 204. Any user may set
/// their own; an ownerless token has no user: 400.
pub async fn set_language(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<LanguageRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let request = json_body(body)?;
    let principal = caller.principal;
    let user_id = principal.user_id.ok_or_else(|| ApiError::bad_request("this token belongs to no user: there is no language to set"))?;
    let app = state.app.clone();
    let patch = service::UserPatch { language: Some(request.language), ..service::UserPatch::default() };
    blocking(move || app.update_user(&principal.actor, user_id, &patch)).await?;
    Ok(StatusCode::NO_CONTENT)
}
