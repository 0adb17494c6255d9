//! The whole HTTP surface as one axum `Router`: Leptos pages and server
//! functions, the JSON API, static files, and the auth layers around them.
//! `main` serves it; router-level tests drive it with `oneshot`.

use axum::Router;
use leptos::prelude::*;
use leptos_axum::{
    file_and_error_handler_with_context, generate_route_list, AxumRouteListing, LeptosRoutes,
};
use server::AppState;

use crate::{shell, App, PROTECTED_PATHS};

/// The page routes, found once per process. Leptos suppresses resource loads
/// process-wide while it generates a route list, so a page rendering at that
/// moment on another router (tests build many routers side by side) would
/// wait forever for a resource that never starts (leptos-rs/leptos#4773).
/// Generating once, before any router exists, leaves no render to catch.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Builds the application router over `state`.
pub fn router(state: AppState, options: LeptosOptions) -> Router {
    let routes = page_routes();
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_csp_nonce();
        }
    };
    let pages = Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(file_and_error_handler_with_context(context, shell))
        .with_state(options);
    let api = server::http::routes().with_state(state.clone());
    server::http::with_auth_layers(pages.merge(api), state, PROTECTED_PATHS)
}

/// Makes the nonce the security-headers layer put in this response's CSP the
/// one Leptos writes on its inline scripts (replacing the one it drew).
fn provide_csp_nonce() {
    let nonce = use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<server::http::headers::CspNonce>()
            .cloned()
    });
    if let Some(nonce) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}
