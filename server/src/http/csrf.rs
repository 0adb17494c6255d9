//! Refusing cross-site requests (CSRF; ASVS 5.0 V3.5).
//!
//! tower-http's `csrf` layer implements the check Go 1.25 adopted: a request
//! with an unsafe method passes when `Sec-Fetch-Site` says `same-origin` or
//! `none`, when its `Origin` is a trusted origin (`LATCHKEY_PUBLIC_ORIGIN`, for
//! deployments behind a proxy that rewrites `Host`) or matches `Host`, or when
//! it carries neither header (not a browser). Every other unsafe request is
//! refused with `403` before any handler, server function or cookie code runs,
//! so it covers sign-in (login CSRF), sign-up, sign-out, refresh and `/auth/*`
//! alike. Safe methods never change state here.
//!
//! A request that brings a Bearer token and no cookies is exempt: the browser
//! never attaches such a header on its own, so it cannot be forged cross-site.

use std::convert::Infallible;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, StatusCode};
use tower::{service_fn, Layer, ServiceExt};
use tower_http::csrf::{CsrfLayer, ProtectionError};

/// The configured cross-site check.
pub type CrossSiteGuard = CsrfLayer<fn(ProtectionError) -> Response>;

/// The check, trusting `public_origin` (e.g. `https://auth.example.com`) as
/// well as the request's own `Host`.
pub fn guard(public_origin: Option<&str>) -> Result<CrossSiteGuard, String> {
    let layer =
        CsrfLayer::new().with_rejection_response(refusal as fn(ProtectionError) -> Response);
    match public_origin {
        Some(origin) => layer
            .add_trusted_origin(origin)
            .map_err(|e| format!("LATCHKEY_PUBLIC_ORIGIN: {e}")),
        None => Ok(layer),
    }
}

fn refusal(_: ProtectionError) -> Response {
    (
        StatusCode::FORBIDDEN,
        "This request came from another site and was refused. \
         Please use the form on Latchkey's own pages.",
    )
        .into_response()
}

fn is_bearer_without_cookies(headers: &HeaderMap) -> bool {
    super::credentials::authorization(headers).is_some() && !headers.contains_key(header::COOKIE)
}

/// Middleware: runs `guard` in front of the rest of the stack.
pub async fn refuse_cross_site(
    State(guard): State<CrossSiteGuard>,
    req: Request,
    next: Next,
) -> Response {
    if is_bearer_without_cookies(req.headers()) {
        return next.run(req).await;
    }
    // `Next` runs once; the layer calls its inner service at most once.
    let mut next = Some(next);
    let inner = service_fn(move |req: Request| {
        let next = next.take();
        async move {
            Ok::<_, Infallible>(match next {
                Some(next) => next.run(req).await,
                None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            })
        }
    });
    match guard.layer(inner).oneshot(req).await {
        Ok(res) => res,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_requests_without_cookies_are_exempt() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert!(is_bearer_without_cookies(&h));
        h.insert(header::COOKIE, "a=b".parse().unwrap());
        assert!(!is_bearer_without_cookies(&h));
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert!(!is_bearer_without_cookies(&h));
    }

    #[test]
    fn the_public_origin_must_be_an_origin() {
        assert!(guard(Some("https://auth.example.com")).is_ok());
        assert!(guard(Some("https://auth.example.com/path")).is_err());
        assert!(guard(Some("not an origin")).is_err());
        assert!(guard(None).is_ok());
    }
}
