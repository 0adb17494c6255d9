//! The sign-out button: a plain form post that works without JavaScript,
//! and with it tells the tab that nobody is signed in any more.

use leptos::prelude::*;

use crate::api::SignOut;
use crate::AuthEpoch;

/// A form with one "Sign out" button, styled by `class`.
#[component]
pub fn SignOutForm(#[prop(into)] class: String) -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if sign_out.version().get() > 0 {
            epoch.bump();
        }
    });
    view! {
        <ActionForm action=sign_out attr:class="inline-form">
            <button type="submit" class=class>"Sign out"</button>
        </ActionForm>
    }
}
