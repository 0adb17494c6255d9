//! Latchkey's user interface: pages, components and server functions.
//!
//! Compiles for the browser (feature `hydrate`) and the server (feature
//! `ssr`). Only the `ssr` build depends on the `server` crate, so database,
//! hashing and token code never enter the wasm bundle.

pub mod api;
pub mod assets;
pub mod components;
pub mod error;
pub mod format;
pub mod pages;
pub mod renewal;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod routing;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use assets::AssetTags;
use components::header::Header;
use pages::{
    account::AccountPage, activity::ActivityPage, devices::DevicesPage, home::HomePage,
    inspect::InspectPage, login::LoginPage, not_found::NotFound, signup::SignUpPage,
    tradeoffs::TradeoffsPage,
};

pub use error::AppError;

/// Bumped whenever this tab signs in or out, so views that show the
/// signed-in user fetch it again.
#[derive(Clone, Copy)]
pub struct AuthEpoch(pub RwSignal<u32>);

impl AuthEpoch {
    /// Marks that who is signed in has changed.
    pub fn bump(self) {
        self.0.update(|n| *n = n.wrapping_add(1));
    }
}

/// Who is looking and in which mode: one resource per page load, shared by
/// the header and the page, so a render asks the server once. Refetched
/// when this tab signs in or out ([`AuthEpoch`]).
#[derive(Clone, Copy)]
pub struct ViewerResource(pub Resource<Result<api::Viewer, AppError>>);

/// The page's [`ViewerResource`].
pub fn use_viewer() -> Resource<Result<api::Viewer, AppError>> {
    expect_context::<ViewerResource>().0
}

/// A tab coming back into view asks again who is signed in, so a sign-out
/// in another tab or on another device shows here (a signed-in page then
/// goes to sign in) without a reload.
fn recheck_when_shown(epoch: AuthEpoch) {
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener_untyped("visibilitychange", move |_| {
            if !document().hidden() {
                epoch.bump();
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = epoch;
}

/// The HTML document around the app (server side).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options />
                <AssetTags />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: header and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let epoch = AuthEpoch(RwSignal::new(0));
    provide_context(epoch);
    #[cfg(feature = "hydrate")]
    renewal::AuthChanges::provide();
    provide_context(ViewerResource(Resource::new(
        move || epoch.0.get(),
        |_| api::get_viewer(),
    )));
    // Effects run only in the browser: `data-hydrated` turns "true" once the
    // page is interactive (tests wait for it before using hydrated forms).
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    recheck_when_shown(epoch);
    view! {
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        <Title formatter=|page: String| format!("{page} · Latchkey") />
        <Router>
            <Header />
            <main id="main" class="container" data-hydrated=move || hydrated.get().to_string()>
                // Async rendering: the whole page, data included, is in the first
                // response, so it reads the same with JavaScript off.
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/account/devices") view=DevicesPage ssr=SsrMode::Async />
                    <Route path=path!("/account/activity") view=ActivityPage ssr=SsrMode::Async />
                    <Route path=path!("/inspect") view=InspectPage ssr=SsrMode::Async />
                    <Route path=path!("/tradeoffs") view=TradeoffsPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <footer class="container footer">
                "Latchkey — sessions and JWTs, side by side."
            </footer>
        </Router>
    }
}
