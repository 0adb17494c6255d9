//! `/login`: sign in, with a password or a passkey, then go back where you
//! came from (`?next=`). Says why you are here when a signed-in page sent
//! you, and who you are when you are signed in already.
//!
//! The passkey button and the username field's autofill are run by
//! `public/passkeys.js` (WebAuthn is a browser API: no form post can do
//! it); without JavaScript the page says so and the password form works.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::SignIn;
use crate::components::already_signed_in::FormUnlessSignedIn;
use crate::components::form_error::{action_error, FormError};
use crate::components::keep_signed_in::KeepSignedIn;
use crate::components::passkey_script::PasskeyScript;
use crate::components::refused_form::kept_username;
use crate::routes::protected_page_shows;
use crate::AuthEpoch;

/// The sign-in form; works as a plain HTML form and hydrated.
#[component]
pub fn LoginPage() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let action = ServerAction::<SignIn>::new();
    let (value, pending) = (action.value(), action.pending());
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(()))) {
            epoch.bump();
        }
    });
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let notice = move || match query.read().get("ended").as_deref() {
        Some("everywhere") => {
            Some("You were signed out everywhere, on this device too.".to_string())
        }
        _ => protected_page_shows(&next()).map(|shows| format!("Please sign in to see {shows}.")),
    };
    // The server checks `next` again on sign-in; a link onwards only has to
    // stay on this site.
    let continue_to = move || match next() {
        n if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/account".to_string(),
    };
    // Copy, so the form can be built by the fallback and the page alike.
    let kept = StoredValue::new(kept_username::<SignIn>());
    let form = move || {
        view! {
            <h1>"Sign in"</h1>
            {notice().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            <ActionForm action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="next" value=next />
                <label for="username">"Username"</label>
                <input
                    id="username"
                    name="username"
                    type="text"
                    // "webauthn": the browser may offer this site's
                    // passkeys in the field's autofill (`passkeys.js`).
                    autocomplete="username webauthn"
                    autocapitalize="none"
                    spellcheck="false"
                    maxlength="64"
                    value=kept.get_value()
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
                <FormError error=action_error(value) />
                <button type="submit" class="button button-primary" disabled=move || pending.get()>
                    "Sign in"
                </button>
            </ActionForm>
            <div class="passkey-sign-in">
                <p class="divider" aria-hidden="true">"or"</p>
                // `passkeys.js` runs the ceremony, then goes to `data-next`.
                <button
                    type="button"
                    id="passkey-sign-in"
                    class="button"
                    data-next=continue_to
                    aria-describedby="passkey-status"
                >
                    "Sign in with a passkey"
                </button>
                // Announced as it changes, but not a second "status" beside the
                // page's notice.
                <p id="passkey-status" class="hint" aria-live="polite">
                    <span class="needs-js">"Signing in with a passkey needs JavaScript."</span>
                </p>
            </div>
            <p class="aside">"No account yet? " <A href="/signup">"Create one"</A></p>
        }
    };
    view! {
        <Title text="Sign in" />
        <PasskeyScript />
        <section class="card form-card">
            <FormUnlessSignedIn form next=continue_to instead="sign in as someone else" />
        </section>
    }
}
