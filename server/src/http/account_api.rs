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
//! The items are [`views::account::DeviceView`] and
//! [`views::account::EventView`], the shapes the account's pages show, and
//! [`SignedIn`] refuses callers as on every JSON endpoint.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;
use views::account::DeviceView;

use super::signed_in::SignedIn;
use crate::accounts;
use crate::auth::ClientMeta;
use crate::AppState;

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
pub async fn list(State(state): State<AppState>, SignedIn(identity): SignedIn) -> Response {
    match accounts::devices(&state, &identity).await {
        Ok(devices) => {
            let devices: Vec<DeviceView> = devices.into_iter().map(Into::into).collect();
            Json(json!({ "devices": devices })).into_response()
        }
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
