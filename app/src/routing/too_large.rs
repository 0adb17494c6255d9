//! The answer to a request body over the limit (`413`): a page a person can
//! read when a browser form sent it, with the site's look and a way back;
//! a JSON error for every other client. Nothing was read, so nothing was
//! saved, and both say so.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue, StatusCode};
use server::http::headers::MAX_BODY;

/// The page, made once per router (it names this build's stylesheet).
#[derive(Clone)]
pub struct TooLarge(Arc<str>);

impl TooLarge {
    pub fn new(stylesheet: &str) -> Self {
        let limit = MAX_BODY / 1024;
        Self(
            format!(
                r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Too much to send · Latchkey</title><link rel="stylesheet" href="{stylesheet}"><link rel="icon" href="/favicon.svg" type="image/svg+xml"></head>
<body><header class="site-header"><div class="container header-row"><a href="/" class="brand"><span class="brand-mark" aria-hidden="true">⚿</span>Latchkey</a></div></header>
<main id="main" class="container"><section class="card form-card"><h1>Too much to send</h1>
<p>That form held more than {limit} KiB, more than any field here needs, so the server did not read it. Nothing was saved and nothing changed.</p>
<p>Go back, shorten what you typed, and send it again.</p>
<p><a href="/" class="button">Go to the front page</a></p></section></main></body></html>"#
            )
            .into(),
        )
    }
}

/// Replaces the body of a `413` with [`TooLarge`]'s page or a JSON error.
pub async fn explain(State(page): State<TooLarge>, req: Request, next: Next) -> Response {
    let wants_page = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let res = next.run(req).await;
    if res.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return res;
    }
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = if wants_page {
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        // A page with no script: its styles and icon, nothing else.
        parts.headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self'; \
                 base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
        Body::from(page.0.to_string())
    } else {
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let message = format!(
            "The request body is larger than {} KiB; nothing was saved.",
            MAX_BODY / 1024
        );
        Body::from(
            serde_json::json!({ "error": "payload_too_large", "message": message }).to_string(),
        )
    };
    Response::from_parts(parts, body)
}
