//! The sign-out button: a plain form post that works without JavaScript,
//! and with it tells the tab that nobody is signed in any more.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::{sign_out, SignOut};
use crate::renewal::use_auth_changes;
use crate::AuthEpoch;

/// A form with one "Sign out" button, styled by `class`.
///
/// Signing out has no progress or error to show, so the form keeps no
/// action state (`ServerAction` and `ActionForm` would make half a dozen
/// signals on every page a signed-in person loads, none read on the
/// server): with
/// JavaScript, submitting calls the server function, whose redirect the
/// router follows, then tells the tab; without, the browser posts the form.
#[component]
pub fn SignOutForm(#[prop(into)] class: String) -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let changes = use_auth_changes();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            // Failed or not, who is signed in may have changed.
            let _ = changes.during(sign_out()).await;
            epoch.bump();
        });
    };
    view! {
        <form class="inline-form" method="post" action=SignOut::url() on:submit=submit>
            <button type="submit" class=class>"Sign out"</button>
        </form>
    }
}
