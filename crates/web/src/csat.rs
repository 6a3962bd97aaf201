//! The public CSAT survey: `GET /csat/{token}` shows a tiny form (no login, no script),
//! `POST /csat/{token}` records the answer once. The token is the only credential: it is
//! stored hashed, and a used or unknown one shows a plain page with the right status.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use service::cases::CsatForm;
use service::ServiceError;

use crate::error::blocking;
use crate::{ApiError, AppState};

/// Tokens are `csat_` and 36 hex digits; anything else is refused before the store.
fn plausible(token: &str) -> bool {
    token.len() <= 64 && token.starts_with("csat_") && token[5..].bytes().all(|byte| byte.is_ascii_hexdigit())
}

fn page(status: StatusCode, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Votre avis / Your opinion</title></head><body style=\"font-family:sans-serif;max-width:32em;margin:2em auto\">{body}</body></html>"
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], html).into_response()
}

fn problem_page(error: ApiError) -> Response {
    let detail = html_escape::encode_text(&error.detail).into_owned();
    page(error.status, &format!("<h1>Merci / Thank you</h1><p>{detail}</p>"))
}

fn survey_form(token: &str) -> String {
    let token = html_escape::encode_double_quoted_attribute(token);
    let choices: String = (1..=5)
        .map(|rating| format!("<label><input type=\"radio\" name=\"rating\" value=\"{rating}\" required> {rating}</label> "))
        .collect();
    format!(
        "<h1>Comment avons-nous répondu ? / How did we do?</h1>\
         <form method=\"post\" action=\"/csat/{token}\"><p>{choices}</p>\
         <p><label>Un commentaire ? / A comment?<br><textarea name=\"comment\" maxlength=\"2000\" rows=\"4\" cols=\"40\"></textarea></label></p>\
         <p><button type=\"submit\">Envoyer / Send</button></p></form>"
    )
}

pub async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    if !plausible(&token) {
        return problem_page(ServiceError::NotFound("this survey link is unknown".into()).into());
    }
    let app = state.app.clone();
    let lookup = token.clone();
    match blocking(move || app.open_csat(&lookup)).await {
        Ok(_) => page(StatusCode::OK, &survey_form(&token)),
        Err(error) => problem_page(error),
    }
}

pub async fn answer(State(state): State<AppState>, Path(token): Path<String>, form: Result<Form<CsatForm>, FormRejection>) -> Response {
    if !plausible(&token) {
        return problem_page(ServiceError::NotFound("this survey link is unknown".into()).into());
    }
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return problem_page(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, rejection.body_text())),
    };
    let app = state.app.clone();
    match blocking(move || app.answer_csat(&token, &form)).await {
        Ok(_) => page(StatusCode::OK, "<h1>Merci ! / Thank you!</h1><p>Votre avis est bien enregistré. / Your answer is recorded.</p>"),
        Err(error) => problem_page(error),
    }
}
