//! The JSON API for non-browser clients and the health probes, plus the
//! layers every route shares.

use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use http::StatusCode;
use serde_json::json;
use tower_cookies::CookieManagerLayer;

use crate::auth::middleware::{require_user, resolve_caller, unavailable};
use crate::auth::Caller;
use crate::{db, AppState};

/// `/api/me`, `/healthz` and `/readyz`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/me", get(me))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// Wraps `router` in the auth layers: the cookie jar, the caller resolver and
/// the guard for the `protected` page paths.
pub fn with_auth_layers<S>(
    router: Router<S>,
    state: AppState,
    protected: &'static [&'static str],
) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router
        .layer(from_fn(move |req, next| require_user(protected, req, next)))
        .layer(from_fn_with_state(state, resolve_caller))
        .layer(CookieManagerLayer::new())
}

/// The signed-in user as JSON, or `401`.
async fn me(Extension(caller): Extension<Caller>) -> Response {
    match caller {
        Caller::User(identity) => Json(json!({
            "id": identity.user_id,
            "username": identity.username,
            "signed_in_at": identity.signed_in_at,
            "expires_at": identity.idle_expires_at.min(identity.absolute_expires_at),
        }))
        .into_response(),
        Caller::Anonymous => (
            StatusCode::UNAUTHORIZED,
            Json(json!({
                "error": "unauthorized",
                "message": "You are not signed in.",
            })),
        )
            .into_response(),
        Caller::Unknown => unavailable(),
    }
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// Every store answers.
async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    let database = db::ping(&state.db).await;
    let sessions = state.auth.ping().await;
    let status = if database && sessions {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    (
        status,
        Json(json!({ "database": word(database), "session_store": word(sessions) })),
    )
        .into_response()
}
