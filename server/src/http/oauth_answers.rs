//! How the OAuth endpoints answer: tokens, and errors in the shape of
//! RFC 6749 §5.2, never cached.

use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{header, StatusCode};
use serde_json::json;

use crate::auth::TokenPair;
use crate::Error;

pub(super) fn token_response(pair: &TokenPair) -> Response {
    let token_type = match pair.identity.bound_to {
        Some(_) => "DPoP",
        None => "Bearer",
    };
    let body = json!({
        "access_token": pair.access_token.expose(),
        "token_type": token_type,
        "expires_in": pair.expires_in,
        "refresh_token": pair.refresh_token.expose(),
    });
    (StatusCode::OK, no_store(), Json(body)).into_response()
}

pub(super) fn no_store() -> [(header::HeaderName, &'static str); 2] {
    [
        (header::CACHE_CONTROL, "no-store"),
        (header::PRAGMA, "no-cache"),
    ]
}

/// `400 invalid_dpop_proof` (RFC 9449 §5): a proof was wrong or missing.
pub(super) fn dpop_refused(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_dpop_proof", description)
}

pub(super) fn invalid_request(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

pub(super) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    (status, no_store(), Json(body)).into_response()
}

pub(super) fn server_error(e: Error) -> Response {
    let status = e.status();
    if status.is_server_error() {
        tracing::error!(error = %e, "token endpoint failed");
    }
    let code = if status == StatusCode::SERVICE_UNAVAILABLE {
        "temporarily_unavailable"
    } else {
        "server_error"
    };
    oauth_error(status, code, &e.public_message())
}
