//! [`awaited`]: the child of a `<Transition>` that awaits resources.
//!
//! On the server a `<Suspense>` or `<Transition>` walks its children three
//! times: once to learn which resources they read, once more when those have
//! loaded (in case the loaded data read further resources), and once to
//! render. A child written as `move || Suspend::new(async { .. })` is called
//! afresh on every walk, so the whole view it builds (components, links,
//! formatted times) is built three times for one render.
//!
//! The server renders a page once and never calls a child again, so there the
//! child is a single `Suspend`: its future runs once, and once it is ready
//! the view it built is kept and rendered. The browser needs the closure: it
//! builds the view again whenever a resource the future awaits loads anew
//! (after a sign-in, a sign-out, a renewal). Both give the same HTML, so the
//! page hydrates the same.

use std::future::Future;

use leptos::prelude::*;

/// The view `make` builds once the resources it awaits have loaded: built
/// once on the server, again on every reload in the browser.
pub fn awaited<F, Fut, V>(make: F) -> impl IntoView
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = V> + Send + 'static,
    V: IntoView + 'static,
{
    #[cfg(not(feature = "hydrate"))]
    {
        Suspend::new(make())
    }
    #[cfg(feature = "hydrate")]
    {
        move || Suspend::new(make())
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use futures::StreamExt;
    use leptos::prelude::*;

    use super::awaited;

    /// A `<Transition>` over a loaded resource, rendered on the server the
    /// way a page is; `builds` counts the views its child built.
    async fn render(builds: Arc<AtomicUsize>, child_as_closure: bool) -> String {
        let owner = Owner::new();
        owner.set();
        let name = Resource::new(|| (), |_| async { String::from("ada") });
        let make = move || {
            let builds = Arc::clone(&builds);
            async move {
                let name = name.await;
                builds.fetch_add(1, Ordering::SeqCst);
                view! { <p>"Signed in as " <strong>{name}</strong></p> }
            }
        };
        let html = if child_as_closure {
            view! { <Transition fallback=|| "…">{move || Suspend::new(make())}</Transition> }
                .to_html_stream_in_order()
                .collect::<String>()
                .await
        } else {
            view! { <Transition fallback=|| "…">{awaited(make)}</Transition> }
                .to_html_stream_in_order()
                .collect::<String>()
                .await
        };
        drop(owner);
        html
    }

    #[tokio::test]
    async fn the_server_builds_the_view_once_and_renders_what_the_closure_renders() {
        _ = any_spawner::Executor::init_tokio();
        // Not while another test generates the route list (see there).
        let _rendering = crate::route_list_lock::ROUTE_LIST.lock().await;
        let builds = Arc::new(AtomicUsize::new(0));
        let html = render(Arc::clone(&builds), false).await;
        assert!(html.contains("Signed in as <strong>ada</strong>"), "{html}");
        assert_eq!(
            builds.load(Ordering::SeqCst),
            1,
            "views built for one render"
        );

        let closure = render(Arc::new(AtomicUsize::new(0)), true).await;
        assert_eq!(html, closure);
    }
}
