//! The site header: brand, the active mode, and who is signed in.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::awaited::awaited;
use crate::components::sign_out::SignOutForm;
use crate::renewal::{keep_access_token_fresh, use_auth_changes};
use crate::{use_viewer, AuthEpoch};

/// The header, with a sign-out button when signed in.
#[component]
pub fn Header() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let viewer = use_viewer();
    keep_access_token_fresh(viewer, epoch, use_auth_changes());
    view! {
        <header class="site-header">
            <div class="container header-row">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"⚿"</span>
                    "Latchkey"
                </A>
                <Transition fallback=|| ()>
                    {awaited(move || async move {
                        let viewer = viewer.await.ok()?;
                        let mode = viewer.mode;
                        Some(view! {
                            <span class="pill mode-badge" title=format!("Chosen by {}", mode.setting())>
                                {mode.name()}
                            </span>
                            <nav class="nav" aria-label="Account">
                                <A href="/inspect" attr:class="nav-link">"Inspector"</A>
                                {match viewer.user {
                                    Some(user) => view! {
                                        <A href="/account" attr:class="nav-link" exact=true>"Account"</A>
                                        <A href="/account/devices" attr:class="nav-link">"Devices"</A>
                                        <A href="/account/activity" attr:class="nav-link">"Activity"</A>
                                        <A href="/account/security" attr:class="nav-link">"Security"</A>
                                        // Kept together: on a phone they share
                                        // a row, the button at its edge.
                                        <span class="session">
                                            <span class="who">
                                                "Signed in as " <strong>{user.username}</strong>
                                            </span>
                                            <SignOutForm class="button button-quiet" />
                                        </span>
                                    }
                                    .into_any(),
                                    None => view! {
                                        <span class="session">
                                            <A href="/login" attr:class="nav-link">"Sign in"</A>
                                            <A href="/signup" attr:class="button">"Create account"</A>
                                        </span>
                                    }
                                    .into_any(),
                                }}
                            </nav>
                        })
                    })}
                </Transition>
            </div>
        </header>
    }
}
