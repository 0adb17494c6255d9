//! The site header: brand, the active mode, and who is signed in.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{get_viewer, SignOut};
use crate::AuthEpoch;

/// The header, with a sign-out button when signed in.
#[component]
pub fn Header() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if sign_out.version().get() > 0 {
            epoch.bump();
        }
    });
    let viewer = Resource::new(move || epoch.0.get(), |_| get_viewer());
    view! {
        <header class="site-header">
            <div class="container header-row">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"⚿"</span>
                    "Latchkey"
                </A>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let viewer = viewer.await.ok()?;
                        let mode = viewer.mode.clone();
                        Some(view! {
                            <span class="mode-badge" title="Active authentication mode">
                                {format!("{mode} mode")}
                            </span>
                            <nav class="nav" aria-label="Account">
                                {match viewer.user {
                                    Some(user) => view! {
                                        <A href="/account" attr:class="nav-link">
                                            "Signed in as " <strong>{user.username}</strong>
                                        </A>
                                        <ActionForm action=sign_out attr:class="inline-form">
                                            <button type="submit" class="button button-quiet">
                                                "Sign out"
                                            </button>
                                        </ActionForm>
                                    }
                                    .into_any(),
                                    None => view! {
                                        <A href="/login" attr:class="nav-link">"Sign in"</A>
                                        <A href="/signup" attr:class="button">"Create account"</A>
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
