//! The account's devices and activity as JSON: for API clients (Bearer) and
//! for scripts in the browser (cookies; the delete then passes the
//! cross-site check like every other unsafe request).
//!
//! - `GET /api/devices`: the caller's signed-in devices, this one first.
//! - `DELETE /api/devices/{id}`: signs one other device out (`204`); an id
//!   that is not a live device of the caller's is `404`, the caller's own
//!   device `422` (sign out instead).
//! - `GET /api/activity?before=…`: the account's security events, newest
//!   first, [`PAGE_SIZE`](crate::accounts::PAGE_SIZE) at a time; `older` is
//!   the `before` of the next page.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::resolve::unavailable;
use crate::accounts::{self, Device};
use crate::auth::{Caller, ClientMeta, Identity};
use crate::describe::{approximate_address, software};
use crate::events::StoredEvent;
use crate::AppState;

/// A device as the API shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeviceJson {
    pub id: String,
    pub current: bool,
    pub browser: String,
    pub os: String,
    /// The network it connected from ([`approximate_address`]).
    pub address: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub idle_expires_at: i64,
    pub absolute_expires_at: i64,
    /// "Keep me signed in": its cookies outlive the browser.
    pub persistent: bool,
    /// Signed in under the other mode before a switch of
    /// `LATCHKEY_AUTH_MODE`; carried over on its next request.
    pub other_mode: bool,
}

impl From<Device> for DeviceJson {
    fn from(d: Device) -> Self {
        let s = d.session;
        let sw = software(s.user_agent.as_deref());
        DeviceJson {
            id: s.id,
            current: d.current,
            browser: sw.browser,
            os: sw.os,
            address: approximate_address(s.ip.as_deref()),
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            idle_expires_at: s.idle_expires_at,
            absolute_expires_at: s.absolute_expires_at,
            persistent: s.persistent,
            other_mode: d.other_mode,
        }
    }
}

/// An event as the API shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct EventJson {
    pub id: String,
    pub at: i64,
    /// `sign_in_ok`, `sign_in_failed`, `sign_in_throttled`, `sign_in_disabled`, `sign_out`,
    /// `device_revoked`, `refresh_reuse_detected`, `password_changed`, …
    pub kind: String,
    /// For `device_revoked`: `owner`, `everywhere`, `password_changed`,
    /// `token_holder`, `account_disabled`; for the `sign_in_*` kinds: where
    /// the attempt came from, `browser` or `api`.
    pub cause: Option<String>,
    pub device_id: Option<String>,
    /// The client that made the request, as its user agent names it.
    pub browser: String,
    pub os: String,
    pub address: Option<String>,
    /// Attempts the event stands for: on a `sign_in_throttled` event, every
    /// attempt its lock refused (the first at `at`, the last at `last_at`).
    pub attempts: i64,
    pub last_at: Option<i64>,
}

impl From<StoredEvent> for EventJson {
    fn from(e: StoredEvent) -> Self {
        let sw = software(e.user_agent.as_deref());
        EventJson {
            id: e.id,
            at: e.at,
            kind: e.kind,
            cause: e.detail,
            device_id: e.device_id,
            browser: sw.browser,
            os: sw.os,
            address: approximate_address(e.ip.as_deref()),
            attempts: e.attempts,
            last_at: e.last_at,
        }
    }
}

/// Why a request to these endpoints is refused before any work.
enum Refused {
    /// `401`; `token_refused`: a bearer token was sent and is no good.
    NotSignedIn { token_refused: bool },
    /// `503`: the store that could check the credentials did not answer.
    Unavailable,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::NotSignedIn { token_refused } => super::not_signed_in(token_refused),
            Refused::Unavailable => unavailable(),
        }
    }
}

/// The caller's identity, or why they are refused.
fn signed_in<'c>(caller: &'c Caller, headers: &HeaderMap) -> Result<&'c Identity, Refused> {
    match caller {
        Caller::User(identity) => Ok(identity),
        Caller::Anonymous => Err(Refused::NotSignedIn {
            token_refused: headers.contains_key(http::header::AUTHORIZATION),
        }),
        Caller::StoreUnavailable => Err(Refused::Unavailable),
    }
}

/// An error from the accounts service as JSON.
fn failure(e: crate::Error) -> Response {
    let status = e.status();
    if status.is_server_error() {
        tracing::error!(error = %e, "account API request failed");
    }
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_request",
        StatusCode::SERVICE_UNAVAILABLE => "temporarily_unavailable",
        _ => "server_error",
    };
    let body = Json(json!({ "error": code, "message": e.public_message() }));
    let mut res = (status, body).into_response();
    if let Some(secs) = e.retry_after() {
        res.headers_mut()
            .insert(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
    }
    res
}

/// `GET /api/devices`.
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
) -> Response {
    let identity = match signed_in(&caller, &headers) {
        Ok(i) => i,
        Err(refused) => return refused.into_response(),
    };
    match accounts::devices(&state, identity).await {
        Ok(devices) => {
            let devices: Vec<DeviceJson> = devices.into_iter().map(Into::into).collect();
            Json(json!({ "devices": devices })).into_response()
        }
        Err(e) => failure(e),
    }
}

/// `DELETE /api/devices/{id}`.
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(client): Extension<ClientMeta>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let identity = match signed_in(&caller, &headers) {
        Ok(i) => i,
        Err(refused) => return refused.into_response(),
    };
    match accounts::end_device(&state, identity, &id, &client).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => failure(e),
    }
}

/// The query of `GET /api/activity`.
#[derive(Debug, Deserialize)]
pub struct ActivityQuery {
    before: Option<String>,
}

/// `GET /api/activity?before=…`.
pub async fn activity(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<ActivityQuery>,
) -> Response {
    let identity = match signed_in(&caller, &headers) {
        Ok(i) => i,
        Err(refused) => return refused.into_response(),
    };
    match accounts::activity(&state, identity, query.before.as_deref()).await {
        Ok(page) => {
            let events: Vec<EventJson> = page.events.into_iter().map(Into::into).collect();
            let older = page.older.map(|c| c.to_string());
            Json(json!({ "events": events, "older": older })).into_response()
        }
        Err(e) => failure(e),
    }
}
