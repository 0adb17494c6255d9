//! The transport adapters: the only code that knows HTTP. The resolver
//! middleware and the cookie policy for browsers, the JSON API and token
//! endpoints for non-browser clients, the health probes, and the layers
//! every route shares. Each adapter turns a request into typed credentials,
//! calls the accounts service ([`crate::accounts`]), and turns the result
//! back into cookies or JSON.

pub mod account_api;
pub mod assets;
pub mod browser;
pub mod client_ip;
pub mod compression;
pub mod cookies;
pub mod credentials;
mod csrf;
mod device_grant;
mod discovery;
pub mod dpop;
#[cfg(test)]
mod fuzz;
pub mod headers;
mod introspect;
mod oauth;
mod oauth_answers;
pub mod observe;
pub mod passkeys;
pub mod redirect;
pub mod resolve;
pub mod signed_in;
mod token_request;

use axum::middleware::{from_fn, from_fn_with_state, map_response};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::StatusCode;
use serde_json::json;
use tower_cookies::CookieManagerLayer;
use tower_http::limit::RequestBodyLimitLayer;

use crate::{db, AppState};
use resolve::{require_user, resolve_caller, Protection};
use signed_in::SignedIn;

/// `/api/me`, the token and discovery endpoints, `/healthz` and `/readyz`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/me", get(me))
        .route(
            "/api/devices",
            get(account_api::list).delete(account_api::remove_all),
        )
        .route("/api/password", post(account_api::change_password))
        .route(
            "/api/devices/{id}",
            axum::routing::delete(account_api::remove),
        )
        .route("/api/activity", get(account_api::activity))
        .route("/api/passkeys", get(passkeys::list))
        .route(
            "/api/passkeys/{id}",
            axum::routing::delete(passkeys::remove).patch(passkeys::rename),
        )
        .route(
            "/auth/passkeys/authentication/options",
            post(passkeys::authentication_options),
        )
        .route(
            "/auth/passkeys/authentication",
            post(passkeys::authenticate),
        )
        .route(
            "/auth/passkeys/registration/options",
            post(passkeys::registration_options),
        )
        .route("/auth/passkeys/registration", post(passkeys::register))
        .route("/auth/token", post(oauth::token))
        .route(device_grant::DEVICE_PATH, post(device_grant::authorize))
        .route("/auth/revoke", post(oauth::revoke))
        .route("/auth/introspect", post(introspect::introspect))
        .route("/.well-known/jwks.json", get(discovery::jwks))
        .route(
            "/.well-known/oauth-authorization-server",
            get(discovery::metadata),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// The metrics in the Prometheus text format, when enabled; the in-process
/// gauges are read now, the lockout gauge is the maintenance task's
/// ([`AppState::count_lockouts`]).
async fn metrics(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    if !state.metrics.is_on() {
        return (
            StatusCode::NOT_FOUND,
            "Metrics are off; set LATCHKEY_METRICS=true to serve them.",
        )
            .into_response();
    }
    let m = &state.metrics;
    if let Some(n) = state.auth.revocation_set_size() {
        m.gauge("latchkey_revocation_set_size", n as f64);
    }
    m.gauge(
        "latchkey_password_hash_queue_depth",
        state.hasher.queued() as f64,
    );
    let body = m.render().unwrap_or_default();
    (
        [(
            http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// Wraps `router` in the auth layers: the cookie jar, the caller resolver
/// (which leaves the files `protection` names alone) and the guard for the
/// pages it names.
pub fn with_auth_layers<S>(router: Router<S>, state: AppState, protection: Protection) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let router = router
        .layer(from_fn(move |req, next| {
            require_user(protection, req, next)
        }))
        .layer(from_fn_with_state(
            (state.clone(), protection),
            resolve_caller,
        ))
        .layer(CookieManagerLayer::new())
        .layer(from_fn_with_state(
            csrf::guard(state.config.public_origin.as_deref())
                .expect("Config::validate checked LATCHKEY_PUBLIC_ORIGIN"),
            csrf::refuse_cross_site,
        ))
        .layer(map_response(retry_after_on_503))
        .layer(RequestBodyLimitLayer::new(headers::MAX_BODY))
        .layer(from_fn(headers::security_headers))
        // Outermost but for the observer: every answer, headers included,
        // is final before it is encoded (`compression` says what and how);
        // a small page or JSON answer is given its length first.
        .layer(from_fn(compression::size_small_answers))
        .layer(compression::layer());
    observe::observed(router, state.auth.mode().as_str(), state.metrics.clone())
}

/// Every `503` (a store out of reach) tells clients when to try again.
async fn retry_after_on_503(mut res: Response) -> Response {
    if res.status() == StatusCode::SERVICE_UNAVAILABLE
        && !res.headers().contains_key(http::header::RETRY_AFTER)
    {
        res.headers_mut().insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("5"),
        );
    }
    res
}

/// The signed-in user as JSON; [`SignedIn`] answers everyone else (`401`
/// with a `WWW-Authenticate` challenge, or `503`).
async fn me(SignedIn(identity): SignedIn) -> Json<serde_json::Value> {
    Json(json!({
        "id": identity.user_id,
        "username": identity.username,
        "signed_in_at": identity.signed_in_at,
        "amr": [identity.amr.as_str()],
    }))
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// Every store answers: `200` with each store's state, or `503` with
/// `Retry-After` naming the one that does not.
async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    let (database, redis, sessions) = tokio::join!(
        db::ping(&state.db),
        async {
            match &state.redis {
                Some(r) => Some(r.ping().await),
                None => None,
            }
        },
        state.auth.ping(),
    );
    let ready = database && redis.unwrap_or(true) && sessions;
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    let mut body = json!({
        "status": if ready { "ready" } else { "unavailable" },
        "database": word(database),
        "session_store": word(sessions),
    });
    if let Some(redis) = redis {
        body["redis"] = json!(word(redis));
    }
    if ready {
        (StatusCode::OK, Json(body)).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(http::header::RETRY_AFTER, "5")],
            Json(body),
        )
            .into_response()
    }
}
