//! The whole HTTP surface as one axum `Router`: Leptos pages and server
//! functions, the JSON API, static files, and the auth layers around them.
//! `main` serves it; router-level tests drive it with `oneshot`.

use axum::body::{to_bytes, Body};
use axum::middleware::{from_fn_with_state, map_response};
use axum::response::Response;
use axum::Router;
use leptos::prelude::*;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use leptos_axum::{
    file_and_error_handler_with_context, generate_route_list, AxumRouteListing, LeptosRoutes,
};
use server::http::assets::{self, Fingerprints};
use server::http::resolve::Protection;
use server::AppState;

use crate::assets::AssetLinks;
use crate::{routes, shell, App, AppError};

mod refused_form;
mod too_large;
use too_large::TooLarge;

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
    let fingerprints = fingerprints(&options);
    let links = AssetLinks::new(|kind| fingerprints.path(&options.output_name, kind));
    let too_large = TooLarge::new(&links.css);
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(links.clone());
            provide_csp_nonce();
            refused_form::provide();
        }
    };
    let pages = Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(file_and_error_handler_with_context(context, shell))
        .layer(map_response(server_fn_error_status))
        .layer(from_fn_with_state(fingerprints, assets::cache_policy))
        .layer(axum::middleware::from_fn(refused_form::keep))
        .with_state(options);
    let api = server::http::routes().with_state(state.clone());
    let protection = Protection {
        is_file,
        requires_user: routes::requires_user,
        login_url: routes::login_url,
    };
    server::http::with_auth_layers(pages.merge(api), state, protection)
        .layer(from_fn_with_state(too_large, too_large::explain))
}

/// Where Leptos and cargo-leptos keep the asset hashes: the hash file
/// beside the executable (an absolute `hash_file` stands alone).
pub fn hash_file(options: &LeptosOptions) -> std::path::PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf))
        .unwrap_or_default()
        .join(options.hash_file.as_ref())
}

/// This build's asset hashes, when its files are hashed.
fn fingerprints(options: &LeptosOptions) -> Fingerprints {
    if !options.hash_files {
        return Fingerprints::default();
    }
    Fingerprints::read(&hash_file(options)).unwrap_or_else(|| {
        tracing::warn!("asset hashing is on but the hash file cannot be read");
        Fingerprints::default()
    })
}

/// Largest server-function error body read back (they are a sentence long).
const MAX_ERROR_BODY: usize = 16 * 1024;

/// A server function that fails before its body runs (its arguments could not
/// be read) is answered `500` by the server-function layer, whatever the
/// error says. The error carries its own status: answer with that, and its
/// `Retry-After`.
async fn server_fn_error_status(res: Response) -> Response {
    if res.status() != http::StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    // Anything that is not one of our errors stays a 500.
    let Ok(error) = serde_json::from_slice::<AppError>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.status = error.status();
    if let Some(secs) = error.retry_after {
        parts
            .headers
            .insert(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Makes the nonce the security-headers layer put in this response's CSP the
/// one Leptos writes on its inline scripts (replacing the one it drew).
fn provide_csp_nonce() {
    let nonce = with_context::<http::request::Parts, _>(|parts| {
        parts
            .extensions
            .get::<server::http::headers::CspNonce>()
            .cloned()
    })
    .flatten();
    if let Some(nonce) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}

/// Whether `path` (no query) names a file sent as it is, which needs no
/// identity: a built asset or one of [`routes::PUBLIC_FILES`].
fn is_file(path: &str) -> bool {
    path.starts_with(server::http::assets::PKG) || routes::PUBLIC_FILES.contains(&path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route the app declares is in the page table, and the other way
    /// round: a page cannot be added without saying who may see it.
    #[tokio::test]
    async fn the_page_table_lists_every_route() {
        let generating = crate::route_list_lock::ROUTE_LIST.lock().await;
        let routes = page_routes();
        drop(generating);
        let mut declared: Vec<String> = routes.iter().map(|r| r.path().to_string()).collect();
        let mut listed: Vec<String> = routes::PAGES.iter().map(|p| p.path.to_string()).collect();
        declared.sort();
        listed.sort();
        assert_eq!(declared, listed);
    }

    #[test]
    fn files_are_the_built_assets_and_what_public_holds() {
        assert!(is_file("/pkg/latchkey.css"));
        assert!(is_file("/favicon.svg"));
        for path in [
            "/",
            "/inspect",
            "/favicon.svg/x",
            "/pkg",
            "/account/favicon.ico",
        ] {
            assert!(!is_file(path), "{path}");
        }
    }
}
