//! `GET /notes` and `POST /notes`: the caller's notes, kept in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Json, State as Extract};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::verify::{Caller, Check, Refusal, Verifier};

/// Longest note kept, in characters.
const MAX_NOTE: usize = 500;

#[derive(Clone)]
pub struct State {
    pub verifier: Arc<Verifier>,
    pub notes: Arc<Mutex<HashMap<String, Vec<String>>>>,
}

#[derive(Deserialize)]
pub struct NewNote {
    text: String,
}

/// The caller's notes.
pub async fn list(Extract(state): Extract<State>, headers: HeaderMap) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let notes = state.notes.lock().unwrap_or_else(|e| e.into_inner());
    let mine = notes.get(&caller.sub).cloned().unwrap_or_default();
    Json(json!({
        "username": caller.username,
        "checked_by": checked_by(&state),
        "notes": mine,
    }))
    .into_response()
}

/// Adds a note for the caller.
pub async fn add(
    Extract(state): Extract<State>,
    headers: HeaderMap,
    note: Result<Json<NewNote>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let text = match note {
        Ok(Json(n)) if !n.text.trim().is_empty() && n.text.chars().count() <= MAX_NOTE => n.text,
        _ => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({
                    "error": format!("Send {{\"text\": \"…\"}} with 1 to {MAX_NOTE} characters."),
                })),
            )
                .into_response()
        }
    };
    let mut notes = state.notes.lock().unwrap_or_else(|e| e.into_inner());
    notes.entry(caller.sub).or_default().push(text);
    StatusCode::CREATED.into_response()
}

fn checked_by(state: &State) -> &'static str {
    match state.verifier.check {
        Check::Signature(_) => "signature",
        Check::Introspection { .. } => "introspection",
    }
}

/// The caller of a request, or the `401` / `503` to answer instead.
async fn caller(state: &State, headers: &HeaderMap) -> Result<Caller, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(unauthorized(
            "Bearer realm=\"notes\"",
            "Send a Latchkey access token: Authorization: Bearer <token>.",
        ));
    };
    match state.verifier.verify(token).await {
        Ok(caller) => Ok(caller),
        Err(Refusal::Invalid) => Err(unauthorized(
            "Bearer realm=\"notes\", error=\"invalid_token\"",
            "The access token is invalid, expired or revoked.",
        )),
        Err(Refusal::IssuerUnavailable(why)) => {
            tracing::warn!(error = %why, "could not ask the issuer");
            Err((
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "error": "The sign-in service cannot be reached; try again soon." })),
            )
                .into_response())
        }
    }
}

fn unauthorized(challenge: &'static str, message: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, challenge)],
        Json(json!({ "error": message })),
    )
        .into_response()
}
