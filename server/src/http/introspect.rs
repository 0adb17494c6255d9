//! `POST /auth/introspect` (RFC 7662): the server's own verdict on an access
//! token, for a service that wants a revocation to count at once.
//!
//! The caller authenticates with HTTP Basic, the configured introspection
//! secret as the password. The secret guards an oracle on every token, so:
//! - it is compared in constant time ([`subtle`]), as SHA-256 digests so
//!   that neither its content nor its length shows in the time taken;
//! - a client address that gets it wrong is throttled as sign-ins are
//!   (ten misses free, then locks that double, `429` with `Retry-After`),
//!   counted apart from that address's sign-ins;
//! - every miss is logged at `warn` with the address, never with what was
//!   sent.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::discovery::{not_found, session_mode};
use crate::auth::throttle::Key;
use crate::auth::ClientMeta;
use crate::{AppState, Error};

#[derive(Deserialize)]
struct IntrospectRequest {
    token: Option<String>,
}

/// `POST /auth/introspect`: `{"active": false}` for anything that is not a
/// live access token of this server; the claims for one that is.
pub async fn introspect(
    State(state): State<AppState>,
    client: Option<Extension<ClientMeta>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(jwt) = state.auth.tokens() else {
        return session_mode();
    };
    let Some(secret) = &state.config.introspection_secret else {
        return not_found(
            "Token introspection is off; set LATCHKEY_INTROSPECTION_SECRET to turn it on.",
        );
    };
    let client = client.map(|Extension(c)| c).unwrap_or_default();
    if let Err(refused) = authenticate(&state, &headers, secret.expose(), &client).await {
        return refused;
    }
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let token = match serde_urlencoded::from_bytes::<IntrospectRequest>(&body) {
        Ok(IntrospectRequest { token: Some(t) }) if form => t,
        _ => {
            return answer(
                StatusCode::BAD_REQUEST,
                json!({
                    "error": "invalid_request",
                    "error_description": "Send the token as an \
                                          application/x-www-form-urlencoded `token` parameter.",
                }),
            )
        }
    };
    let body = match jwt.valid_claims(&token) {
        Ok(c) => {
            let mut body = json!({
            "active": true,
            // A bound token names its key (RFC 9449 §6.2): the resource
            // server must see a proof by it.
            "token_type": if c.cnf.is_some() { "DPoP" } else { "Bearer" },
            "iss": c.iss,
            "aud": c.aud,
            "sub": c.sub,
            "username": c.username,
            "exp": c.exp,
            "iat": c.iat,
            "nbf": c.nbf,
            "jti": c.jti,
            "sid": c.sid,
            });
            if let Some(cnf) = &c.cnf {
                body["cnf"] = json!(cnf);
            }
            body
        }
        // Expired, revoked, forged, a refresh token, or not a token at all:
        // RFC 7662 §2.2 says no more than that.
        Err(_) => json!({ "active": false }),
    };
    answer(StatusCode::OK, body)
}

/// Checks the caller's Basic credentials against `secret`, throttled per
/// client address; the answer to send instead when they do not pass.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    secret: &str,
    client: &ClientMeta,
) -> Result<(), Response> {
    let key = client
        .ip
        .as_deref()
        .and_then(|ip| ip.parse().ok())
        .map(Key::introspection_client);
    let keys: Vec<Key> = key.into_iter().collect();
    let now = state.clock.now();
    match state.throttle.locked_for(&keys, now).await {
        Ok(None) => {}
        Ok(Some(wait)) => return Err(throttled(wait)),
        Err(e) => return Err(store_error(e)),
    }
    if presents(headers, secret) {
        return Ok(());
    }
    tracing::warn!(
        ip = client.ip.as_deref().unwrap_or("unknown"),
        "introspection refused: wrong or missing client credentials"
    );
    if let Err(e) = state.throttle.fail(&keys, now).await {
        return Err(store_error(e));
    }
    Err(answer_with(
        StatusCode::UNAUTHORIZED,
        ("www-authenticate", "Basic realm=\"latchkey introspection\""),
        json!({
            "error": "invalid_client",
            "error_description": "Introspection needs HTTP Basic credentials with the \
                                  configured introspection secret as the password.",
        }),
    ))
}

/// Whether the Basic credentials carry `secret` as the password (any
/// client name).
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
    let unescaped: String = form_urlencoded::parse(format!("p={password}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let expected = Sha256::digest(secret.as_bytes());
    let plain = Sha256::digest(password.as_bytes()).ct_eq(&expected);
    let escaped = Sha256::digest(unescaped.as_bytes()).ct_eq(&expected);
    (plain | escaped).into()
}

/// `429` with `Retry-After`: this address missed too often.
fn throttled(wait: i64) -> Response {
    let mut res = answer(
        StatusCode::TOO_MANY_REQUESTS,
        json!({
            "error": "slow_down",
            "error_description": Error::Throttled(wait).public_message(),
        }),
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait));
    res
}

/// A store that could not count the attempt: refused, never let through.
fn store_error(e: Error) -> Response {
    tracing::warn!(error = %e, "introspection: the throttle store failed");
    answer(
        e.status(),
        json!({ "error": "temporarily_unavailable", "error_description": e.public_message() }),
    )
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

fn answer_with(
    status: StatusCode,
    (name, value): (&'static str, &'static str),
    body: serde_json::Value,
) -> Response {
    let mut res = answer(status, body);
    res.headers_mut()
        .insert(name, HeaderValue::from_static(value));
    res
}
