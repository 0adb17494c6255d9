//! `GET /notes` and `POST /notes`: the caller's notes, kept in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Json, State as Extract};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::dpop::{challenge, Proofs};
use crate::verify::{Caller, Check, Refusal, Verifier};

/// Longest note kept, in characters.
const MAX_NOTE: usize = 500;

#[derive(Clone)]
pub struct State {
    pub verifier: Arc<Verifier>,
    pub proofs: Arc<Proofs>,
    pub notes: Arc<Mutex<HashMap<String, Vec<String>>>>,
}

#[derive(Deserialize)]
pub struct NewNote {
    text: String,
}

/// The caller's notes.
pub async fn list(
    Extract(state): Extract<State>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let caller = match caller(&state, (&method, &uri, &headers)).await {
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
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    note: Result<Json<NewNote>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let caller = match caller(&state, (&method, &uri, &headers)).await {
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

/// The caller of a request (its method, URI and headers: a DPoP proof names
/// the first two), or the `401` / `503` to answer instead. A
/// token bound to a key stands only as `DPoP` with a proof by that key; an
/// unbound one only as `Bearer`.
async fn caller(
    state: &State,
    (method, uri, headers): (&Method, &Uri, &HeaderMap),
) -> Result<Caller, Response> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .map(|(scheme, token)| (scheme, token.trim()))
        .filter(|(_, token)| !token.is_empty());
    let (dpop, token) = match authorization {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => (false, token),
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("dpop") => (true, token),
        _ => {
            return Err(unauthorized(
                "Bearer realm=\"notes\"".into(),
                "Send a Latchkey access token: Authorization: Bearer <token>.",
            ))
        }
    };
    let caller = match state.verifier.verify(token).await {
        Ok(caller) => caller,
        Err(Refusal::Invalid) if dpop => {
            let why = "The access token is invalid, expired or revoked.";
            return Err(unauthorized(challenge("invalid_token", why), why));
        }
        Err(Refusal::Invalid) => {
            return Err(unauthorized(
                "Bearer realm=\"notes\", error=\"invalid_token\"".into(),
                "The access token is invalid, expired or revoked.",
            ))
        }
        Err(Refusal::IssuerUnavailable(why)) => {
            tracing::warn!(error = %why, "could not ask the issuer");
            return Err((
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "error": "The sign-in service cannot be reached; try again soon." })),
            )
                .into_response());
        }
    };
    let refuse = |error: &str, why: &str| unauthorized(challenge(error, why), why);
    match (&caller.bound_to, dpop) {
        (None, false) => Ok(caller),
        (None, true) => Err(refuse(
            "invalid_token",
            "The access token is not bound to a key: send it as Authorization: Bearer.",
        )),
        (Some(_), false) => Err(refuse(
            "invalid_token",
            "The access token is bound to a key: send it as Authorization: DPoP with a DPoP proof.",
        )),
        (Some(bound), true) => {
            let mut proofs = headers.get_all("dpop").iter();
            let (Some(proof), None) = (proofs.next(), proofs.next()) else {
                return Err(refuse(
                    "invalid_dpop_proof",
                    "Send exactly one DPoP header.",
                ));
            };
            let proof = proof.to_str().unwrap_or_default();
            match state.proofs.key(proof, method.as_str(), uri.path(), token) {
                Ok(key) if key.as_str() == bound => Ok(caller),
                Ok(_) => Err(refuse(
                    "invalid_token",
                    "The access token is bound to another key than the DPoP proof's.",
                )),
                Err(e) => Err(refuse(e.code(), e.description())),
            }
        }
    }
}

fn unauthorized(challenge: String, message: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, challenge)],
        Json(json!({ "error": message })),
    )
        .into_response()
}
