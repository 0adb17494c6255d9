//! Response headers every answer carries (ASVS 5.0 V3.4), and the page
//! Content-Security-Policy.
//!
//! The CSP allows scripts from this origin and the inline scripts Leptos
//! writes by a per-response nonce: no `'unsafe-inline'`. The nonce is made
//! here, before the request reaches Leptos, and handed to it as
//! [`CspNonce`] (the app provides it as Leptos's nonce), so the header and
//! the page cannot disagree. `'wasm-unsafe-eval'` lets the app's WebAssembly compile.
//! `Referrer-Policy: same-origin` keeps URLs from leaking to other sites while
//! plain form posts still name their page (the server sends a refused form
//! back to it). Dynamic responses are personal (the header names who is signed in), so
//! they are never stored by caches; built assets under `/pkg/` may be.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue};

/// Largest request body accepted (forms and token requests are tiny).
pub const MAX_BODY: usize = 16 * 1024;

/// The policy for an HTML page whose inline scripts carry `nonce`.
pub fn page_policy(nonce: &str) -> String {
    // The development server's live reload talks over a WebSocket on its
    // own port; release builds have none.
    let reload = if cfg!(debug_assertions) { " ws:" } else { "" };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'{reload}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// This response's CSP nonce (128 bits, base64url), in the request
/// extensions for the page renderer.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Adds the security headers to every response.
pub async fn security_headers(mut req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with(super::assets::PKG);
    let nonce = crate::random::new_id();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // A page another site opens cannot keep a handle on its window.
    h.insert(
        http::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    // Nothing is cached unless its handler said so (the discovery
    // documents, which are the same for everyone).
    if !is_asset && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let policy = if is_html {
        HeaderValue::from_str(&page_policy(&nonce)).ok()
    } else {
        // Not a page: nothing in it may load or frame anything.
        Some(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'",
        ))
    };
    if let Some(policy) = policy {
        h.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_policy_has_no_unsafe_inline() {
        let p = page_policy("abc");
        assert!(p.contains("script-src 'self' 'nonce-abc'"), "{p}");
        assert!(p.contains("frame-ancestors 'none'"), "{p}");
        assert!(!p.contains("unsafe-inline"), "{p}");
    }
}
