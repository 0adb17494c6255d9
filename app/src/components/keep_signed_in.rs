//! The "Keep me signed in" choice of the sign-in and sign-up forms.

use leptos::prelude::*;

/// A checkbox named `remember` (unchecked by default) and what it decides.
#[component]
pub fn KeepSignedIn() -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" name="remember" value="on" />
            <span>"Keep me signed in"</span>
        </label>
        <p class="hint">
            "Unchecked, this sign-in ends when you close the browser, and sooner when \
             left unused. Leave it unchecked on a shared computer."
        </p>
    }
}
