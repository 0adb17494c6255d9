//! What other services need to trust Latchkey's tokens without sharing its
//! database or a secret:
//!
//! - `GET /.well-known/jwks.json` (RFC 7517): the Ed25519 public keys that
//!   may verify a token now, the next one included before it signs;
//! - `GET /.well-known/oauth-authorization-server` (RFC 8414): where the
//!   token, revocation, introspection and key endpoints are;
//! - `POST /auth/introspect` (RFC 7662): for a service that wants a
//!   revocation to count at once, the server's own verdict on a token.
//!
//! All three exist in JWT mode; session mode issues nothing to verify. The
//! JWKS needs EdDSA: an HS256 secret verifies only by signing, so it is
//! never published.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{header, HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::auth::Auth;
use crate::AppState;

/// `GET /.well-known/jwks.json`.
pub async fn jwks(State(state): State<AppState>) -> Response {
    let Auth::Jwt(jwt) = &state.auth else {
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
    let Auth::Jwt(jwt) = &state.auth else {
        return session_mode();
    };
    let issuer = jwt.keys().issuer();
    let mut body = json!({
        "issuer": issuer,
        "token_endpoint": format!("{issuer}/auth/token"),
        "revocation_endpoint": format!("{issuer}/auth/revoke"),
        "grant_types_supported": ["password", "refresh_token"],
        // No authorization endpoint: nothing is obtained by redirection.
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint_auth_methods_supported": ["none"],
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

#[derive(Deserialize)]
struct IntrospectRequest {
    token: Option<String>,
}

/// `POST /auth/introspect`: `{"active": false}` for anything that is not a
/// live access token of this server; the claims for one that is.
pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Auth::Jwt(jwt) = &state.auth else {
        return session_mode();
    };
    let Some(secret) = &state.config.introspection_secret else {
        return not_found(
            "Token introspection is off; set LATCHKEY_INTROSPECTION_SECRET to turn it on.",
        );
    };
    if !presents(&headers, secret.expose()) {
        return (
            StatusCode::UNAUTHORIZED,
            [
                (
                    header::WWW_AUTHENTICATE,
                    "Basic realm=\"latchkey introspection\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            Json(json!({
                "error": "invalid_client",
                "error_description": "Introspection needs HTTP Basic credentials with the \
                                      configured introspection secret as the password.",
            })),
        )
            .into_response();
    }
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let token = match serde_urlencoded::from_bytes::<IntrospectRequest>(&body) {
        Ok(IntrospectRequest { token: Some(t) }) if form => t,
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                [(header::CACHE_CONTROL, "no-store")],
                Json(json!({
                    "error": "invalid_request",
                    "error_description": "Send the token as an \
                                          application/x-www-form-urlencoded `token` parameter.",
                })),
            )
                .into_response()
        }
    };
    let body = match jwt.valid_claims(&token) {
        Ok(c) => json!({
            "active": true,
            "token_type": "Bearer",
            "iss": c.iss,
            "aud": c.aud,
            "sub": c.sub,
            "username": c.username,
            "exp": c.exp,
            "iat": c.iat,
            "nbf": c.nbf,
            "jti": c.jti,
            "sid": c.sid,
        }),
        // Expired, revoked, forged, a refresh token, or not a token at all:
        // RFC 7662 §2.2 says no more than that.
        Err(_) => json!({ "active": false }),
    };
    ([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// Whether the Basic credentials carry `secret` as the password (any
/// client name). Compared as SHA-256 digests, so the time taken says
/// nothing about how much of the secret a guess got right.
fn presents(headers: &HeaderMap, secret: &str) -> bool {
    use base64::Engine;
    let Some(encoded) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let Some((_, password)) = std::str::from_utf8(&decoded)
        .ok()
        .and_then(|s| s.split_once(':'))
    else {
        return false;
    };
    // RFC 6749 §2.3.1 has clients form-encode the secret first; many
    // clients do not. Either form is accepted.
    let decoded: String = form_urlencoded::parse(format!("p={password}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let expected = Sha256::digest(secret.as_bytes());
    Sha256::digest(password.as_bytes()) == expected
        || Sha256::digest(decoded.as_bytes()) == expected
}

/// What session mode answers on every discovery endpoint.
fn session_mode() -> Response {
    not_found(
        "This server runs in session mode: it issues no tokens for other services to verify. \
         Set LATCHKEY_AUTH_MODE=jwt.",
    )
}

fn cache_for(state: &AppState) -> String {
    format!("public, max-age={}", state.config.jwks_max_age.as_secs())
}

fn not_found(message: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": "not_found", "message": message })),
    )
        .into_response()
}
