//! The device authorization grant (RFC 8628) over HTTP: `POST /auth/device`
//! starts a request, and the token endpoint's
//! `urn:ietf:params:oauth:grant-type:device_code` polls it. The person's
//! side, `/device`, is a page of the app.
//!
//! A request made with a `DPoP` proof is bound to that key: only a poll
//! proved by the same key redeems it, so a device code read off a screen
//! or a log is worth nothing to anyone else; the tokens are bound to the
//! key as at every grant.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use http::{HeaderMap, StatusCode};
use serde_json::json;

use super::oauth_answers::{
    dpop_refused, invalid_request, no_store, oauth_error, server_error, token_response,
};
use super::token_request::{parse, read_terms, TokenRequest};
use crate::accounts::{self, DeviceTokens};
use crate::auth::ClientMeta;
use crate::methods::device_code::Poll;
use crate::{AppState, Error};

/// Where requests are made: the path their DPoP proofs name.
pub const DEVICE_PATH: &str = "/auth/device";
/// Where the person answers, on this server's origin.
pub const VERIFICATION_PATH: &str = "/device";

/// `POST /auth/device` (RFC 8628 §3.1–3.2).
pub async fn authorize(
    State(state): State<AppState>,
    client: Option<Extension<ClientMeta>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut client = client.map(|Extension(c)| c).unwrap_or_default();
    let req = match parse(&headers, &body) {
        Ok(req) => req,
        Err(description) => return invalid_request(&description),
    };
    let mut res = match read_terms(&state, &headers, &req, DEVICE_PATH, &mut client).await {
        Ok(()) => begin(&state, req, &client).await,
        Err(refused) => refused,
    };
    if headers.contains_key(&super::dpop::DPOP) {
        super::dpop::hand_out_nonce(&state, &mut res);
    }
    res
}

async fn begin(state: &AppState, req: TokenRequest, client: &ClientMeta) -> Response {
    let Some(client_id) = req.client_id else {
        return invalid_request("The client_id parameter is missing: name the app asking.");
    };
    match accounts::request_device_code(state, &client_id, client).await {
        Ok(begun) => {
            let uri = format!("{}{VERIFICATION_PATH}", state.config.origin());
            let body = json!({
                "device_code": begun.device_code,
                "user_code": begun.user_code.to_string(),
                "verification_uri": uri,
                "verification_uri_complete": format!("{uri}?user_code={}", begun.user_code),
                "expires_in": begun.expires_in,
                "interval": begun.interval,
            });
            (StatusCode::OK, no_store(), Json(body)).into_response()
        }
        Err(Error::Invalid(message)) => invalid_request(&message),
        Err(Error::Unsupported(why)) => {
            oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", &why)
        }
        Err(e) => server_error(e),
    }
}

/// The token endpoint's device-code grant (RFC 8628 §3.4–3.5).
pub(super) async fn poll(state: &AppState, req: TokenRequest, client: &ClientMeta) -> Response {
    let Some(device_code) = req.device_code else {
        return invalid_request("The device_code grant needs device_code.");
    };
    let waiting = match accounts::device_token(state, &device_code, client).await {
        Ok(DeviceTokens::Issued(pair)) => return token_response(&pair),
        Ok(DeviceTokens::Waiting(poll)) => poll,
        Err(Error::Unsupported(why)) => {
            return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", &why)
        }
        Err(e) => return server_error(e),
    };
    let (code, description) = match waiting {
        Poll::Pending => (
            "authorization_pending",
            "The person has not answered yet: poll again after the interval.".to_string(),
        ),
        Poll::SlowDown(interval) => (
            "slow_down",
            format!("Polled too soon: wait {interval} seconds between polls from now on."),
        ),
        Poll::Denied => (
            "access_denied",
            "The person denied this sign-in request.".to_string(),
        ),
        Poll::Expired => (
            "expired_token",
            "Nobody approved this request in time: start a new one.".to_string(),
        ),
        Poll::WrongKey => {
            return dpop_refused(
                "This device code was requested with a DPoP key: poll with a proof signed by \
                 that key.",
            )
        }
        Poll::OtherResource => (
            "invalid_target",
            "This device code was requested for another service than the resource named."
                .to_string(),
        ),
        Poll::Unknown | Poll::Approved { .. } => (
            "invalid_grant",
            "The device code is unknown, or its tokens were handed out already.".to_string(),
        ),
    };
    oauth_error(StatusCode::BAD_REQUEST, code, &description)
}
