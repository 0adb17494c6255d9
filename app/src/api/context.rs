//! What a server function needs from the request: the browser adapter's
//! [`BrowserRequest`] (state, cookie jar, the resolved caller and client
//! details, and the one way to require a user), and how its errors become
//! statuses. Server functions are browser adapters: credentials travel in
//! cookies, through `server::http`.

use std::future::Future;

use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use server::http::browser::BrowserRequest;
use server::AppState;

use crate::error::AppError;

/// The request context of the current server function call, as the router
/// and the auth layers provided it.
pub fn request() -> Result<BrowserRequest, AppError> {
    let state = use_context::<AppState>().ok_or_else(|| missing("AppState"))?;
    with_context::<Parts, _>(|parts| BrowserRequest::of(state, parts))
        .ok_or_else(|| missing("request parts"))?
        .ok_or_else(|| missing("cookie jar"))
}

fn missing(what: &str) -> AppError {
    tracing::error!("{what} missing from the server function context");
    AppError::internal()
}

/// Runs a server function body; an error sets the response status.
pub async fn respond<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(e) = &result {
        set_status(e);
    }
    result
}

/// Sets the status of the current response to the error's, except for plain
/// HTML form posts: those are redirected back to the form, which shows the
/// error from the URL.
pub fn set_status(err: &AppError) {
    let is_form_post = with_context::<Parts, _>(|p| {
        p.headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
    .unwrap_or(false);
    if let (false, Some(res)) = (is_form_post, use_context::<ResponseOptions>()) {
        res.set_status(err.status());
        if let Some(secs) = err.retry_after {
            res.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
        }
    }
}
