//! What other services need to trust Latchkey's tokens without sharing its
//! database or a secret:
//!
//! - `GET /.well-known/jwks.json` (RFC 7517): the Ed25519 public keys that
//!   may verify a token now, the next one included before it signs;
//! - `GET /.well-known/oauth-authorization-server` (RFC 8414): where the
//!   token, device authorization, revocation, introspection and key
//!   endpoints are, and the grants that are on;
//! - `POST /auth/introspect` (RFC 7662, in [`super::introspect`]): for a
//!   service that wants a revocation to count at once, the server's own
//!   verdict on a token.
//!
//! All three exist in JWT mode; session mode issues nothing to verify. The
//! JWKS needs EdDSA: an HS256 secret verifies only by signing, so it is
//! never published.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{header, StatusCode};
use serde_json::json;

use crate::AppState;

/// `GET /.well-known/jwks.json`.
pub async fn jwks(State(state): State<AppState>) -> Response {
    let Some(jwt) = state.auth.tokens() else {
        return session_mode();
    };
    match jwt.keys().jwks(state.clock.now()) {
        Some(set) => (
            [
                (header::CONTENT_TYPE, "application/jwk-set+json".to_string()),
                (header::CACHE_CONTROL, cache_for(&state)),
            ],
            Json(set),
        )
            .into_response(),
        None => not_found(
            "This server signs tokens with HS256, a shared secret: whoever holds it can sign as \
             well as verify, so it is never published. Set LATCHKEY_JWT_ALG=EdDSA to publish \
             verification keys.",
        ),
    }
}

/// `GET /.well-known/oauth-authorization-server`.
pub async fn metadata(State(state): State<AppState>) -> Response {
    let Some(jwt) = state.auth.tokens() else {
        return session_mode();
    };
    let issuer = jwt.keys().issuer();
    let mut body = json!({
        "issuer": issuer,
        "token_endpoint": format!("{issuer}/auth/token"),
        "revocation_endpoint": format!("{issuer}/auth/revoke"),
        "grant_types_supported": super::oauth::grant_types(&state),
        // RFC 8628 §4.
        "device_authorization_endpoint": format!("{issuer}{}", super::device_grant::DEVICE_PATH),
        // No authorization endpoint: nothing is obtained by redirection.
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        // Proofs of possession the token endpoint and the API accept
        // (RFC 9449 §5.1).
        "dpop_signing_alg_values_supported": crate::auth::dpop::ALGS,
    });
    if jwt.keys().publishes() {
        body["jwks_uri"] = json!(format!("{issuer}/.well-known/jwks.json"));
    }
    if state.config.introspection_secret.is_some() {
        body["introspection_endpoint"] = json!(format!("{issuer}/auth/introspect"));
        body["introspection_endpoint_auth_methods_supported"] = json!(["client_secret_basic"]);
    }
    ([(header::CACHE_CONTROL, cache_for(&state))], Json(body)).into_response()
}

/// What session mode answers on every discovery endpoint.
pub(super) fn session_mode() -> Response {
    not_found(
        "This server runs in session mode: it issues no tokens for other services to verify. \
         Set LATCHKEY_AUTH_MODE=jwt.",
    )
}

fn cache_for(state: &AppState) -> String {
    format!("public, max-age={}", state.config.jwks_max_age.as_secs())
}

pub(super) fn not_found(message: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": "not_found", "message": message })),
    )
        .into_response()
}
