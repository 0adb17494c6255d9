//! Seeing each request from outside: which one it was, what became of it,
//! how long it took.
//!
//! - A request id: the client's `x-request-id` if it sent a usable one (1 to
//!   64 of `A-Z a-z 0-9 . _ : -`: what a proxy or tracing system mints), else
//!   a new UUID (tower-http's request-id layers), echoed on the response so a
//!   person reporting a failure can quote it and an operator can find it. Any
//!   other value is dropped before it is logged or echoed: a client must not
//!   be able to write kilobytes, or text that looks like other log fields,
//!   into every log line of its request.
//! - One span per request (tower-http's trace layer) with the method, the
//!   route template, the mode, the caller's user id once the resolver knows
//!   it, the status and the latency; one log line when the request is
//!   answered. Never the path with its query, a header value or a cookie:
//!   no credential can reach the logs through here.
//! - The request's latency in the metrics, by route template, method and
//!   status.

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{from_fn_with_state, map_request, Next};
use axum::response::Response;
use axum::Router;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::field::Empty;
use tracing::Span;

use crate::metrics::Metrics;

/// The header carrying the request id.
pub const REQUEST_ID: &str = "x-request-id";

/// The route label of a request no route matched, which the fallback
/// answers: the built assets under `/pkg/`, or `fallback` for the other
/// static files (the icon) and pages the site does not have.
fn unmatched_route(path: &str) -> &'static str {
    if path.starts_with(super::assets::PKG) {
        "/pkg/{file}"
    } else {
        "fallback"
    }
}

/// The route template of `req`, bounded whatever path a client sends.
fn route_of(req: &Request) -> &str {
    match req.extensions().get::<MatchedPath>() {
        Some(m) => m.as_str(),
        None => unmatched_route(req.uri().path()),
    }
}

/// Wraps `router` (as its outermost layers) in request ids, the request span
/// and log line (naming `mode`), and latency `metrics`.
pub fn observed<S>(router: Router<S>, mode: &'static str, metrics: Metrics) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let trace = TraceLayer::new_for_http()
        .make_span_with(move |req: &Request| {
            let id = req
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            tracing::info_span!(
                "request",
                request_id = id,
                method = %req.method(),
                route = route_of(req),
                mode,
                user_id = Empty,
                status = Empty,
                latency_ms = Empty,
            )
        })
        .on_request(())
        .on_response(|res: &Response, latency: Duration, span: &Span| {
            let (status, ms) = (res.status().as_u16(), latency.as_secs_f64() * 1000.0);
            span.record("status", status);
            span.record("latency_ms", ms);
            tracing::info!(status, latency_ms = ms, "request answered");
        })
        // A failure is a 5xx, already in the line above.
        .on_failure(());
    // With metrics off the timing layer is left out, not skipped per request.
    let router = if metrics.is_on() {
        router.layer(from_fn_with_state(metrics, record_latency))
    } else {
        router
    };
    router
        .layer(trace)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(map_request(drop_unusable_request_id))
}

/// The longest request id taken from a client.
const REQUEST_ID_MAX: usize = 64;

/// Whether a client's request id can be kept: 1 to [`REQUEST_ID_MAX`] of
/// `A-Z a-z 0-9 . _ : -`.
fn usable_request_id(id: &[u8]) -> bool {
    (1..=REQUEST_ID_MAX).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Removes a client's request id that is not [usable](usable_request_id), so
/// that the next layer mints one instead.
async fn drop_unusable_request_id(mut req: Request) -> Request {
    let headers = req.headers_mut();
    let mut ids = headers.get_all(REQUEST_ID).iter();
    let keep = match (ids.next(), ids.next()) {
        (Some(id), None) => usable_request_id(id.as_bytes()),
        (None, _) => true,
        // Two ids: neither is more the request's than the other.
        (Some(_), Some(_)) => false,
    };
    if !keep {
        headers.remove(REQUEST_ID);
    }
    req
}

/// Records the caller's user id on the request span (the resolver calls it).
pub fn record_user(user_id: &str) {
    Span::current().record("user_id", user_id);
}

/// Times the request into the latency histogram.
async fn record_latency(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let route = route_of(&req).to_string();
    let method = method_label(req.method());
    let started = Instant::now();
    let res = next.run(req).await;
    metrics.request(&route, method, res.status().as_u16(), started.elapsed());
    res
}

/// The method as a label from a fixed list.
fn method_label(m: &http::Method) -> &'static str {
    use http::Method;
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_id_is_kept_only_if_short_and_plain() {
        for id in [
            "a",
            "0f8c2d1e-4b6a-4c3e-9d2f-1a2b3c4d5e6f",
            "trace:01.span_7",
            &"x".repeat(64),
        ] {
            assert!(usable_request_id(id.as_bytes()), "{id}");
        }
        let too_long = "x".repeat(65);
        for id in [
            "",
            too_long.as_str(),
            "a b",
            "id\"=1",
            "tab\tin",
            "é",
            "x\ny",
            "a/b",
        ] {
            assert!(!usable_request_id(id.as_bytes()), "{id:?}");
        }
    }

    #[test]
    fn unmatched_paths_get_one_of_two_labels() {
        assert_eq!(unmatched_route("/pkg/latchkey-3f2a.wasm"), "/pkg/{file}");
        assert_eq!(unmatched_route("/users/alice/secret-token"), "fallback");
        assert_eq!(
            method_label(&http::Method::from_bytes(b"BREW").unwrap()),
            "other"
        );
    }
}
