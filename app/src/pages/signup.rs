//! `/signup`: create an account and be signed in; someone signed in already
//! is told who they are instead of being offered a second account.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::SignUp;
use crate::components::already_signed_in::FormUnlessSignedIn;
use crate::components::form_error::{action_error, field_error, invalid, FieldMessage, FormError};
use crate::components::keep_signed_in::KeepSignedIn;
use crate::components::refused_form::kept_username;
use crate::AuthEpoch;

/// The sign-up form; works as a plain HTML form and hydrated.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let action = ServerAction::<SignUp>::new();
    let (value, pending) = (action.value(), action.pending());
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(()))) {
            epoch.bump();
        }
    });
    let error = action_error(value);
    let (name_error, password_error) = (
        field_error(error, "username"),
        field_error(error, "password"),
    );
    // Copy, so the form can be built by the fallback and the page alike.
    let kept = StoredValue::new(kept_username::<SignUp>());
    let form = move || {
        view! {
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
                    value=kept.get_value()
                    aria-invalid=invalid(name_error)
                    aria-describedby="username-error username-hint"
                    required
                />
                <FieldMessage error=name_error name="username" />
                <p id="username-hint" class="hint">
                    "3–32 characters: letters a–z, digits, and _ . - (capitals are read as small letters)"
                </p>
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    maxlength="256"
                    aria-invalid=invalid(password_error)
                    aria-describedby="password-error password-hint"
                    required
                />
                <FieldMessage error=password_error name="password" />
                <p id="password-hint" class="hint">
                    "8–128 characters, not only spaces. A long passphrase is best."
                </p>
                <KeepSignedIn />
                <FormError error />
                <button type="submit" class="button button-primary" disabled=move || pending.get()>
                    "Create account"
                </button>
            </ActionForm>
            <p class="aside">"Have an account? " <A href="/login">"Sign in"</A></p>
        }
    };
    view! {
        <Title text="Create account" />
        <section class="card form-card">
            <FormUnlessSignedIn
                form
                next=|| "/account".to_string()
                instead="create another account"
            />
        </section>
    }
}
