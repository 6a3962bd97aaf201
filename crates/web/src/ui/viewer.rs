//! Who looks at a page: [`Visitor`] (anyone, in the language of their cookie or
//! browser) and [`PageCaller`] (signed in with the session cookie, in their stored
//! language; otherwise redirected to `/login`). Pages are not for API tokens.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{Action, Principal};
use webui::{SignedIn, Tr, Viewer};

use crate::auth::session_cookie;
use crate::{ApiError, AppState};

/// The cookie a visitor's language choice is kept in before signing in.
const LANGUAGE_COOKIE: &str = "comptoir_lang";

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn visitor_viewer(headers: &HeaderMap) -> Viewer {
    let accept_language = headers.get(header::ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok());
    let language = webui::visitor_language(cookie(headers, LANGUAGE_COOKIE), accept_language);
    Viewer { tr: Tr(language), signed_in: None }
}

/// Anyone, signed in or not.
pub struct Visitor(pub Viewer);

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Visitor(visitor_viewer(&parts.headers)))
    }
}

/// A signed-in user looking at a page.
pub struct PageCaller {
    pub viewer: Viewer,
    pub principal: Principal,
}

impl PageCaller {
    /// The principal, if allowed; else 403 (shown as a page).
    pub fn require(&self, action: Action) -> Result<&Principal, ApiError> {
        if self.principal.may(action) {
            Ok(&self.principal)
        } else {
            Err(ApiError::forbidden(self.viewer.t("forbidden")))
        }
    }

    pub fn may(&self, action: Action) -> bool {
        self.principal.may(action)
    }
}

fn to_login(parts: &Parts) -> Response {
    let path = parts.uri.path_and_query().map(|path| path.as_str()).unwrap_or("/app");
    let next: String = path
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect();
    Redirect::to(&format!("/login?next={next}")).into_response()
}

impl FromRequestParts<AppState> for PageCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(secret) = session_cookie(&parts.headers) else { return Err(to_login(parts)) };
        let app = state.app.clone();
        let found = tokio::task::spawn_blocking(move || {
            let Some((principal, csrf_token)) = app.session_principal(&secret)? else { return Ok(None) };
            let user = principal.user_id.map(|id| app.get_user(id)).transpose()?;
            Ok::<_, service::ServiceError>(user.map(|user| (principal, csrf_token, user)))
        })
        .await
        .map_err(|error| ApiError::from(error).into_response())?
        .map_err(|error| ApiError::from(error).into_response())?;
        let Some((principal, csrf_token, user)) = found else { return Err(to_login(parts)) };
        let signed_in = SignedIn {
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            csrf_token,
            may_administer: principal.may(Action::ReadUsers),
        };
        Ok(PageCaller { viewer: Viewer { tr: Tr(user.language), signed_in: Some(signed_in) }, principal })
    }
}
