//! The request-side of authentication: the resolver that never fails, and the
//! guard for protected pages.
//!
//! The resolver runs before Leptos starts rendering or streaming, so any
//! cookie it changes reaches this very response, and pages can read the
//! [`Caller`] from the request extensions synchronously.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, Method, StatusCode};
use tower_cookies::Cookies;

use super::counters::Outcome;
use super::{redirect, AuthBackend, Caller, ClientMeta};
use crate::AppState;

/// Longest user agent kept.
const MAX_USER_AGENT: usize = 256;

/// Puts the [`Caller`] and [`ClientMeta`] into the request extensions. Never
/// fails: a store fault becomes [`Caller::Unknown`] and is logged.
pub async fn resolve_caller(
    State(state): State<AppState>,
    jar: Cookies,
    mut req: Request,
    next: Next,
) -> Response {
    // Static build output needs no identity; skip the store lookup.
    if !req.uri().path().starts_with("/pkg/") {
        let (caller, outcome) = match state.auth.resolve(req.headers(), &jar).await {
            Ok(Some(identity)) => (Caller::User(Arc::new(identity)), Outcome::SignedIn),
            Ok(None) => (Caller::Anonymous, Outcome::Anonymous),
            Err(e) => {
                tracing::error!(error = %e, "could not resolve the caller");
                (Caller::Unknown, Outcome::Unknown)
            }
        };
        state.auth.counters().resolved(outcome);
        let client = client_meta(&req, &state.config.trusted_proxies);
        req.extensions_mut().insert(caller);
        req.extensions_mut().insert(client);
    }
    next.run(req).await
}

fn client_meta(req: &Request, trusted: &[ipnet::IpNet]) -> ClientMeta {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let ip = super::client_ip::client_ip(peer, req.headers(), trusted).map(|ip| ip.to_string());
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(MAX_USER_AGENT).collect());
    ClientMeta { ip, user_agent }
}

/// Answers page requests for `protected` paths from anonymous callers with
/// `303 See Other` to the sign-in page, which comes back here afterwards.
pub async fn require_user(
    protected: &'static [&'static str],
    req: Request,
    next: Next,
) -> Response {
    let is_page_read = matches!(*req.method(), Method::GET | Method::HEAD);
    if !is_page_read || !protected.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    match req.extensions().get::<Caller>() {
        Some(Caller::User(_)) => next.run(req).await,
        Some(Caller::Unknown) => unavailable(),
        _ => {
            let here = req.uri().path_and_query().map_or("/", |p| p.as_str());
            let location = redirect::login_url(here);
            let mut res = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                res.headers_mut().insert(header::LOCATION, v);
            }
            res
        }
    }
}

/// `503` with a short message and `Retry-After`.
pub fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5")],
        "The service is temporarily unavailable. Please try again in a moment.",
    )
        .into_response()
}
