//! `/login`: sign in, then go back where you came from (`?next=`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::SignIn;
use crate::components::form_error::{action_error, FormError};
use crate::components::keep_signed_in::KeepSignedIn;
use crate::AuthEpoch;

/// The sign-in form; works as a plain HTML form and hydrated.
#[component]
pub fn LoginPage() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let action = ServerAction::<SignIn>::new();
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            epoch.bump();
        }
    });
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let ended_everywhere = move || query.read().get("ended").as_deref() == Some("everywhere");
    view! {
        <Title text="Sign in" />
        <section class="card form-card">
            <h1>"Sign in"</h1>
            <Show when=ended_everywhere>
                <p class="notice" role="status">
                    "You were signed out everywhere, on this device too."
                </p>
            </Show>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="next" value=next />
                <label for="username">"Username"</label>
                <input
                    id="username"
                    name="username"
                    type="text"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    maxlength="64"
                    required
                />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    maxlength="256"
                    required
                />
                <KeepSignedIn />
                <FormError error=action_error(action.into()) />
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                    "Sign in"
                </button>
            </ActionForm>
            <p class="aside">"No account yet? " <A href="/signup">"Create one"</A></p>
        </section>
    }
}
