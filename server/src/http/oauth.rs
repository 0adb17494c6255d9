//! Token endpoints for non-browser clients, in the shape of OAuth 2.0:
//! `POST /auth/token` (RFC 6749, errors as §5.2) and `POST /auth/revoke`
//! (RFC 7009). Bodies may be form-encoded or JSON. Token responses are
//! never cached.
//!
//! The grants: `refresh_token`; the device grant (RFC 8628, in
//! [`super::device_grant`]), by which an app signs in with a person's
//! approval in a browser and never sees their password; and `password`
//! only when `LATCHKEY_PASSWORD_GRANT` turns it on, since a client that
//! holds the password can use it anywhere (RFC 9700 §2.4).
//!
//! A token request may name the service the tokens are for with `resource`
//! (RFC 8707), one of `LATCHKEY_RESOURCES`: the access token's `aud` is
//! then that service's URI, and Latchkey's own API refuses it.
//!
//! A token request with a `DPoP` proof (RFC 9449 §5) gets tokens bound to
//! the proof's key: `token_type: "DPoP"`, the access token's `cnf.jkt`, and
//! a refresh family whose tokens are refused without a proof by that key.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use http::{header, HeaderMap, StatusCode};
use serde_json::json;

use super::oauth_answers::{
    dpop_refused, invalid_request, no_store, oauth_error, server_error, token_response,
};
use super::token_request::{parse, read_terms, TokenRequest};
use crate::accounts;
use crate::auth::{ClientMeta, RefreshToken, Refusal};
use crate::{AppState, Error};

/// Where the token endpoint is served: the path its DPoP proofs name.
pub const TOKEN_PATH: &str = "/auth/token";

/// `POST /auth/token`.
pub async fn token(
    State(state): State<AppState>,
    client: Option<Extension<ClientMeta>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let client = client.map(|Extension(c)| c).unwrap_or_default();
    let mut res = grant(&state, client, &headers, &body).await;
    if headers.contains_key(&super::dpop::DPOP) {
        super::dpop::hand_out_nonce(&state, &mut res);
    }
    res
}

/// What [`token`] answers, before a DPoP nonce is added.
async fn grant(
    state: &AppState,
    mut client: ClientMeta,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let req = match parse(headers, body) {
        Ok(req) => req,
        Err(description) => return invalid_request(&description),
    };
    // Session mode refuses every grant below, before any proof is read.
    if let Err(refused) = read_terms(state, headers, &req, TOKEN_PATH, &mut client).await {
        return refused;
    }
    match req.grant_type.as_deref() {
        Some("password") if state.config.password_grant => {
            password_grant(state, req, &client).await
        }
        Some("refresh_token") => refresh_grant(state, req, &client).await,
        Some(DEVICE_CODE_GRANT) => super::device_grant::poll(state, req, &client).await,
        Some("password") => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The password grant is off on this server: an app that holds a password can use \
             it anywhere. Sign in with the device grant (POST /auth/device), or turn the \
             grant on with LATCHKEY_PASSWORD_GRANT=true.",
        ),
        Some(other) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!(
                "Grant type {other:?} is not supported; use {}.",
                grant_types(state)
                    .iter()
                    .map(|g| format!("{g:?}"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        ),
        None => invalid_request("The grant_type parameter is missing."),
    }
}

/// The device authorization grant's type (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The grants the token endpoint takes, as the metadata lists them: the
/// password grant only when `LATCHKEY_PASSWORD_GRANT` turned it on.
pub fn grant_types(state: &AppState) -> Vec<&'static str> {
    let password = state.config.password_grant.then_some("password");
    password
        .into_iter()
        .chain(["refresh_token", DEVICE_CODE_GRANT])
        .collect()
}

async fn password_grant(state: &AppState, req: TokenRequest, client: &ClientMeta) -> Response {
    let (Some(username), Some(password)) = (req.username, req.password) else {
        return invalid_request("The password grant needs username and password.");
    };
    match accounts::token_sign_in(state, &username, password, client).await {
        Ok(pair) => token_response(&pair),
        Err(Error::InvalidCredentials) => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Incorrect username or password.",
        ),
        Err(Error::Invalid(message)) => invalid_request(&message),
        // "slow_down" is the registered OAuth error for "too many requests"
        // (RFC 8628 §3.5); Retry-After says for how long.
        Err(e @ Error::Throttled(secs)) => {
            let mut res = oauth_error(
                StatusCode::TOO_MANY_REQUESTS,
                "slow_down",
                &e.public_message(),
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, http::HeaderValue::from(secs));
            res
        }
        Err(e) => grant_error(e),
    }
}

async fn refresh_grant(state: &AppState, req: TokenRequest, client: &ClientMeta) -> Response {
    let Some(raw) = req.refresh_token else {
        return invalid_request("The refresh_token grant needs refresh_token.");
    };
    match accounts::token_refresh(state, &RefreshToken::new(raw), client).await {
        Ok(Ok(pair)) => token_response(&pair),
        Ok(Err(Refusal::WrongKey)) => dpop_refused(
            "This refresh token is bound to a key: send a DPoP proof signed by that key.",
        ),
        Ok(Err(Refusal::OtherResource)) => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_target",
            "This refresh token's tokens are for another service than the resource asked for.",
        ),
        Ok(Err(_)) => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The refresh token is invalid, expired or revoked. Sign in again.",
        ),
        Err(e) => grant_error(e),
    }
}

/// A grant this server does not offer, or a fault.
fn grant_error(e: Error) -> Response {
    match e {
        Error::Unsupported(why) => {
            oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", &why)
        }
        e => server_error(e),
    }
}

/// `POST /auth/revoke` (RFC 7009): 200 whether or not the token was known.
pub async fn revoke(
    State(state): State<AppState>,
    client: Option<Extension<ClientMeta>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = match parse(&headers, &body) {
        Ok(req) => req,
        Err(description) => return invalid_request(&description),
    };
    let Some(token) = req.token else {
        return invalid_request("The token parameter is missing.");
    };
    let client = client.map(|Extension(c)| c).unwrap_or_default();
    match accounts::revoke_token(&state, &token, &client).await {
        Ok(()) => (StatusCode::OK, no_store(), Json(json!({}))).into_response(),
        Err(Error::Unsupported(why)) => {
            oauth_error(StatusCode::BAD_REQUEST, "unsupported_token_type", &why)
        }
        Err(e) => server_error(e),
    }
}
