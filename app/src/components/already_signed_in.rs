//! What the sign-in and sign-up pages show someone who is already signed
//! in: who they are, the way on, and the way out. A second form would let
//! them make or enter another account without a word about the first.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::awaited::awaited;
use crate::components::sign_out::SignOutForm;
use crate::use_viewer;

/// `form` for someone signed out (and while the page learns who is
/// looking); [`AlreadySignedIn`] for someone signed in, with a way on to
/// `next`.
#[component]
pub fn FormUnlessSignedIn<F, V, N>(form: F, next: N, instead: &'static str) -> impl IntoView
where
    F: Fn() -> V + Copy + Send + Sync + 'static,
    V: IntoView + 'static,
    N: Fn() -> String + Copy + Send + Sync + 'static,
{
    let viewer = use_viewer();
    view! {
        <Transition fallback=form>
            {awaited(move || async move {
                match viewer.await.ok().and_then(|v| v.user) {
                    Some(user) => {
                        view! { <AlreadySignedIn username=user.username next=next() instead /> }
                            .into_any()
                    }
                    None => form().into_any(),
                }
            })}
        </Transition>
    }
}

/// "You are signed in as …", a link on to `next`, and a sign-out button;
/// `instead` says what signing out first allows ("sign in as someone
/// else").
#[component]
pub fn AlreadySignedIn(username: String, next: String, instead: &'static str) -> impl IntoView {
    view! {
        <h1>"You are already signed in"</h1>
        <p data-testid="already-signed-in">
            "You are signed in as " <strong>{username}</strong> ". To " {instead}
            ", sign out first."
        </p>
        <div class="choice">
            <A href=next attr:class="button button-primary">"Continue"</A>
            <SignOutForm class="button" />
        </div>
    }
}
