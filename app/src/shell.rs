//! The document and the application: the HTML shell the server renders
//! around the app, and the app's header, routes and footer.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::assets::AssetTags;
use crate::components::header::Header;
use crate::pages::{
    account::AccountPage, activity::ActivityPage, device::DevicePage, devices::DevicesPage,
    home::HomePage, inspect::InspectPage, login::LoginPage, not_found::NotFound,
    security::SecurityPage, signup::SignUpPage, tradeoffs::TradeoffsPage,
};
use crate::viewer;

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
    let epoch = viewer::provide();
    #[cfg(feature = "hydrate")]
    crate::renewal::AuthChanges::provide();
    // Effects run only in the browser: `data-hydrated` turns "true" once the
    // page is interactive (tests wait for it before using hydrated forms).
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    viewer::recheck_when_shown(epoch);
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
                    <Route path=path!("/account/security") view=SecurityPage ssr=SsrMode::Async />
                    <Route path=path!("/device") view=DevicePage ssr=SsrMode::Async />
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
