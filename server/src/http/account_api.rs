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
//!
//! Two are sensitive and take `SignedIn<RECENTLY>`: a sign-in older than
//! the re-authentication window is answered `401
//! insufficient_user_authentication` with `max_age` (RFC 9470), and the
//! client signs in again for a fresh token.
//!
//! - `DELETE /api/devices`: signs out every device, this one too (`200`
//!   with how many ended).
//! - `POST /api/password` (`{"current_password", "new_password"}`): changes
//!   the password, signs every device out and answers with this device's
//!   new credentials: a token pair for a bearer client, new cookies for a
//!   script in the browser.
//!
//! The items are [`views::account::DeviceView`] and
//! [`views::account::EventView`], the shapes the account's pages show, and
//! [`SignedIn`] refuses callers as on every JSON endpoint.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::json;
use tower_cookies::Cookies;

use super::signed_in::{SignedIn, RECENTLY};
use super::{credentials, oauth_answers};
use crate::accounts;
use crate::auth::{ClientMeta, Issued};
use crate::events::Channel;
use crate::AppState;

/// An error from the accounts service as JSON.
pub(super) fn failure(e: crate::Error) -> Response {
    let status = e.status();
    if status.is_server_error() {
        tracing::error!(error = %e, "account API request failed");
    }
    let code = match status {
        _ if matches!(e, crate::Error::PasskeyRefused) => "passkey_refused",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "invalid_request",
        StatusCode::TOO_MANY_REQUESTS => "too_many_attempts",
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
pub async fn list(State(state): State<AppState>, SignedIn(identity): SignedIn) -> Response {
    match accounts::device_views(&state, &identity).await {
        Ok(devices) => Json(json!({ "devices": devices })).into_response(),
        Err(e) => failure(e),
    }
}

/// `DELETE /api/devices/{id}`.
pub async fn remove(
    State(state): State<AppState>,
    SignedIn(identity): SignedIn,
    Extension(client): Extension<ClientMeta>,
    Path(id): Path<String>,
) -> Response {
    match accounts::end_device(&state, &identity, &id, &client).await {
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
    SignedIn(identity): SignedIn,
    Query(query): Query<ActivityQuery>,
) -> Response {
    match accounts::activity(&state, &identity, query.before.as_deref()).await {
        Ok(page) => Json(page).into_response(),
        Err(e) => failure(e),
    }
}

/// `DELETE /api/devices`.
pub async fn remove_all(
    State(state): State<AppState>,
    SignedIn(identity): SignedIn<RECENTLY>,
    Extension(client): Extension<ClientMeta>,
) -> Response {
    match accounts::end_all_devices(&state, &identity, &client).await {
        Ok(ended) => Json(json!({ "ended": ended })).into_response(),
        Err(e) => failure(e),
    }
}

/// The body of `POST /api/password`.
#[derive(Debug, Deserialize)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// `POST /api/password`.
pub async fn change_password(
    State(state): State<AppState>,
    SignedIn(identity): SignedIn<RECENTLY>,
    Extension(client): Extension<ClientMeta>,
    jar: Cookies,
    headers: HeaderMap,
    body: Result<Json<PasswordChange>, JsonRejection>,
) -> Response {
    let Json(change) = match body {
        Ok(body) => body,
        Err(rejected) => {
            let message = format!(
                "Send a JSON object with current_password and new_password ({}).",
                rejected.body_text()
            );
            let body = json!({ "error": "invalid_request", "message": message });
            return (rejected.status(), Json(body)).into_response();
        }
    };
    let (current, new) = (change.current_password, change.new_password);
    let changed =
        accounts::change_password(&state, &identity, current, new, &client, Channel::Api).await;
    match changed {
        // A bearer client holds its credentials itself; a script in the
        // browser holds them in the cookies, as the pages do.
        Ok(Issued::Tokens(pair)) if credentials::authorization(&headers).is_some() => {
            oauth_answers::token_response(&pair)
        }
        Ok(issued) => {
            credentials::set_cookies(&jar, &issued);
            Json(json!({ "password": "changed" })).into_response()
        }
        Err(e) => failure(e),
    }
}
