//! The passkey ceremonies' script (`public/passkeys.js`), on the pages that
//! run one: the sign-in page and the security page. Only there: it is a
//! file of its own beside the hashed bundle, sent `no-store` as every file
//! outside `/pkg/` is, so a page with no ceremony does not fetch it. A page
//! reached in place (the hydrated router) gets the element too, and the
//! browser runs the module once per document.

use leptos::prelude::*;

/// `<script type="module" src="/passkeys.js">`, with the page's CSP nonce.
#[component]
pub fn PasskeyScript() -> impl IntoView {
    let nonce = leptos::nonce::use_nonce();
    view! { <script type="module" nonce=nonce src="/passkeys.js"></script> }
}
