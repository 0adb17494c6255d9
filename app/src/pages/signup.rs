//! `/signup`: create an account and be signed in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::SignUp;
use crate::components::form_error::{action_error, FormError};
use crate::components::keep_signed_in::KeepSignedIn;
use crate::AuthEpoch;

/// The sign-up form; works as a plain HTML form and hydrated.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let action = ServerAction::<SignUp>::new();
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            epoch.bump();
        }
    });
    view! {
        <Title text="Create account" />
        <section class="card form-card">
            <h1>"Create an account"</h1>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <label for="username">"Username"</label>
                <input
                    id="username"
                    name="username"
                    type="text"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    maxlength="64"
                    aria-describedby="username-hint"
                    required
                />
                <p id="username-hint" class="hint">"3–32 characters: letters a–z, digits, and _ . -"</p>
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    maxlength="256"
                    aria-describedby="password-hint"
                    required
                />
                <p id="password-hint" class="hint">"8–128 characters. A long passphrase is best."</p>
                <KeepSignedIn />
                <FormError error=action_error(action.into()) />
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                    "Create account"
                </button>
            </ActionForm>
            <p class="aside">"Have an account? " <A href="/login">"Sign in"</A></p>
        </section>
    }
}
