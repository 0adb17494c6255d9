//! What a server function needs from the request: the state, the cookie jar,
//! the resolved caller and client details; how issued credentials reach the
//! browser; and how its errors become statuses. Server functions are browser
//! adapters: credentials travel in cookies, through `server::http::credentials`.

use std::future::Future;
use std::sync::Arc;

use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use server::auth::{Caller, ClientMeta, Credential, Identity, Issued};
use server::http::credentials;
use server::http::resolve::RenewedThisRequest;
use server::AppState;
use tower_cookies::Cookies;

use crate::error::AppError;

/// The request context of one server function call.
pub struct Request {
    pub state: AppState,
    pub jar: Cookies,
    pub caller: Caller,
    pub client: ClientMeta,
    /// The resolver already renewed the credentials on this request.
    pub renewed: bool,
}

impl Request {
    /// Reads the context provided by the router and the auth layers.
    pub async fn get() -> Result<Self, AppError> {
        let state = use_context::<AppState>().ok_or_else(|| missing("AppState"))?;
        // Read in place: `use_context` would clone the whole request head
        // (headers and extensions) for the four values taken here.
        let (jar, caller, client, renewed) = with_context::<Parts, _>(|parts| {
            let ext = &parts.extensions;
            (
                ext.get::<Cookies>().cloned(),
                ext.get::<Caller>().cloned().unwrap_or(Caller::Anonymous),
                ext.get::<ClientMeta>().cloned().unwrap_or_default(),
                ext.get::<RenewedThisRequest>().is_some(),
            )
        })
        .ok_or_else(|| missing("request parts"))?;
        let jar = jar.ok_or_else(|| missing("cookie jar"))?;
        Ok(Request {
            state,
            jar,
            caller,
            client,
            renewed,
        })
    }

    /// The credentials the browser holds (as the resolver may have renewed
    /// them on this request).
    pub fn presented(&self) -> Vec<Credential> {
        credentials::from_cookies(&self.jar)
    }

    /// Hands issued credentials to the browser.
    pub fn hand_out(&self, issued: &Issued) {
        credentials::set_cookies(&self.jar, issued);
    }

    /// Tells the browser to drop its auth cookies.
    pub fn forget(&self) {
        credentials::clear_cookies(&self.jar);
    }

    /// The signed-in identity, or `401` (`503` if the store could not say).
    pub fn require_user(&self) -> Result<Arc<Identity>, AppError> {
        match &self.caller {
            Caller::User(identity) => Ok(identity.clone()),
            Caller::StoreUnavailable => Err(server::Error::Unavailable.into()),
            Caller::Anonymous => Err(AppError::unauthorized()),
        }
    }
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
