//! `/account` (protected): who you are and how long this sign-in lasts.
//!
//! The server answers anonymous requests for this page with `303` before
//! rendering; the redirect here covers client-side navigation after the
//! session ended.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_location, use_query_map};

use views::account::AccountView;
use views::Mode;

use crate::api::{account, ChangePassword};
use crate::components::awaited::awaited;
use crate::components::form_error::{action_error, field_error, invalid, FieldMessage, FormError};
use crate::components::relative_time::RelativeTime;
use crate::renewal::use_auth_changes;
use crate::routes::login_url;
use crate::AuthEpoch;

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let data = Resource::new(move || epoch.0.get(), |_| account());
    let location = use_location();
    // Back here after signing in again, by the same rule as the server's own
    // redirect.
    let sign_in_again = move || {
        let (path, query) = (
            location.pathname.get_untracked(),
            location.search.get_untracked(),
        );
        let query = query.trim_start_matches('?');
        let here = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        login_url(&here)
    };
    let query = use_query_map();
    let changed = move || query.read().get("password").as_deref() == Some("changed");
    view! {
        <Title text="Your account" />
        // At the top, where it is seen on a phone too.
        <Show when=changed>
            <p class="notice" role="status">
                "Your password was changed. Every other device was signed out; \
                 this one got a new sign-in."
            </p>
        </Show>
        <Transition fallback=|| view! { <p class="status">"Loading…"</p> }>
            {awaited(move || async move {
                match data.await {
                    Ok(view) => view! { <AccountDetails view /> }.into_any(),
                    Err(e) if e.is_unauthorized() => {
                        view! { <Redirect path=sign_in_again() /> }.into_any()
                    }
                    Err(e) => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
                }
            })}
        </Transition>
        <ChangePasswordForm />
    }
}

/// Current and new password; on success every other device is signed out
/// and the page comes back with `?password=changed`.
#[component]
fn ChangePasswordForm() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let action = ServerAction::<ChangePassword>::new();
    let (value, pending) = (action.value(), action.pending());
    use_auth_changes().track(pending);
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(()))) {
            epoch.bump();
            // Passwords do not linger in the fields once they have been used.
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
    let error = action_error(value);
    let (current_error, new_error) = (
        field_error(error, "current_password"),
        field_error(error, "new_password"),
    );
    view! {
        <section class="card">
            <h2>"Change password"</h2>
            <ActionForm action node_ref=form attr:class="form" attr:novalidate=true>
                <label for="current_password">"Current password"</label>
                <input
                    id="current_password"
                    name="current_password"
                    type="password"
                    autocomplete="current-password"
                    maxlength="256"
                    aria-invalid=invalid(current_error)
                    aria-describedby="current_password-error"
                    required
                />
                <FieldMessage error=current_error name="current_password" />
                <label for="new_password">"New password"</label>
                <input
                    id="new_password"
                    name="new_password"
                    type="password"
                    autocomplete="new-password"
                    minlength="8"
                    maxlength="256"
                    aria-invalid=invalid(new_error)
                    aria-describedby="new_password-error new_password-hint"
                    required
                />
                <FieldMessage error=new_error name="new_password" />
                <p id="new_password-hint" class="hint">
                    "8–128 characters, not only spaces. Every other device will be signed out."
                </p>
                <FormError error />
                <button type="submit" class="button button-primary" disabled=move || pending.get()>
                    "Change password"
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn AccountDetails(view: AccountView) -> impl IntoView {
    let now = view.now;
    let when = move |ts: i64| view! { <RelativeTime ts now /> };
    let maybe = move |ts: Option<i64>| match ts {
        Some(ts) => when(ts).into_any(),
        None => view! { <span class="muted">"not available right now"</span> }.into_any(),
    };
    view! {
        {view.degraded.then(|| view! {
            <p class="notice" role="status">
                "Some details cannot be read right now because a store is not answering. \
                 You are still signed in."
            </p>
        })}
        <section class="card">
            <h1>"Your account"</h1>
            <dl class="facts">
                <dt>"Username"</dt>
                <dd class="username">{view.username}</dd>
                <dt>"Member since"</dt>
                <dd>{maybe(view.member_since)}</dd>
            </dl>
        </section>
        <section class="card">
            <h2>"This sign-in"</h2>
            <p class="mechanism">
                "Kept in " <strong>{view.mode.name()}</strong> ": "
                {match view.mode {
                    Mode::Jwt => "a signed access token, checked by its signature alone, renewed \
                                  with a refresh token that rotates on every use. Both live in \
                                  HttpOnly cookies.",
                    Mode::Session => "a random session ID in an HttpOnly cookie, looked up on \
                                      every request.",
                }}
            </p>
            <dl class="facts">
                <dt>"Signed in since"</dt>
                <dd>{when(view.signed_in_at)}</dd>
                <dt>"Password asked again"</dt>
                <dd data-testid="proved-until">{when(view.proved_until)}</dd>
                {view.access_expires_at.map(|exp| view! {
                    <dt>"Access token expires"</dt>
                    <dd>{when(exp)}</dd>
                })}
                <dt>"Ends if unused"</dt>
                <dd>{maybe(view.idle_expires_at)}</dd>
                <dt>"Ends at the latest"</dt>
                <dd>{maybe(view.absolute_expires_at)}</dd>
            </dl>
            <p class="hint">
                "From “password asked again” on, signing out everywhere asks for your password \
                 first: a sign-in that old no longer proves who is at the keyboard."
            </p>
            {(view.idle_expires_at.is_some() && view.idle_expires_at == view.absolute_expires_at)
                .then(|| view! {
                    <p class="hint">
                        "Both ends are the same moment: using this sign-in can no longer push \
                         it past its latest end."
                    </p>
                })}
        </section>
    }
}
