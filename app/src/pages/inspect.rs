//! `/inspect` (public, richer when signed in): how this very request was
//! recognised. What the browser sent, what the server did, what it keeps,
//! and in JWT mode the access token opened, with a tamper control and a
//! live revocation. Rendered on the server; works without JavaScript.

mod kept;
mod sent;
mod token;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use views::inspect::Inspection;
use views::Mode;

use crate::api::inspect::{inspect, RevokeHere};
use crate::components::awaited::awaited;
use crate::renewal::use_auth_changes;
use crate::AuthEpoch;

/// The inspector page.
#[component]
pub fn InspectPage() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let query = use_query_map();
    let tamper = move || query.read().get("tamper").as_deref() == Some("1");
    let revoked = move || query.read().get("revoked").as_deref() == Some("1");
    let data = Resource::new(move || (epoch.0.get(), tamper()), |(_, t)| inspect(t));
    // Kept here, above the sections the next inspection replaces, so its
    // answer stays on screen after the page comes back.
    let revoke = ServerAction::<RevokeHere>::new();
    use_auth_changes().track(revoke.pending());
    let revoked_now = revoke.value();
    Effect::new(move |_| {
        if matches!(revoked_now.get(), Some(Ok(_))) {
            epoch.bump();
        }
    });
    view! {
        <Title text="Inspector" />
        <section class="hero">
            <h1>"Inspector: how this request was recognised"</h1>
            <p class="lead">
                "HTTP keeps no state between requests: whoever you are has to arrive with each one. "
                "Here is what arrived with the request for this page, and what the server made of it."
            </p>
        </section>
        <Transition fallback=|| view! { <p class="status">"Loading…"</p> }>
            {awaited(move || async move {
                match data.await {
                    Ok(i) => view! { <Sections i revoked=revoked() revoke /> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
                }
            })}
        </Transition>
        <p class="aside">
            <A href="/tradeoffs">"Sessions or JWT? The trade-offs, measured"</A>
        </p>
    }
}

#[component]
fn Sections(i: Inspection, revoked: bool, revoke: ServerAction<RevokeHere>) -> impl IntoView {
    let mode = i.mode;
    let viewer = match &i.username {
        Some(name) => format!("Signed in as {name}"),
        None => "Not signed in".to_string(),
    };
    view! {
        <section class="card status-card" aria-labelledby="answered-heading">
            <h2 id="answered-heading">"Who answered"</h2>
            <dl class="facts">
                <dt>"Instance"</dt>
                <dd><code data-testid="instance">{i.instance.clone()}</code></dd>
                <dt>"Mode"</dt>
                <dd>
                    <strong class="mode-name">{mode.name()}</strong>
                    " (" <code>"LATCHKEY_AUTH_MODE"</code> ")"
                </dd>
                <dt>"You"</dt>
                <dd data-testid="viewer">{viewer}</dd>
            </dl>
            {(revoked && i.username.is_none()).then(|| view! {
                <p class="notice" role="status" data-testid="revoked-notice">
                    {revoked_notice(i.refusal.is_some())}
                    " You are signed out everywhere this sign-in was used."
                </p>
            })}
            {i.refusal.clone().map(|r| view! {
                <p class="form-error" data-testid="refusal">
                    "The credentials sent with this request were refused. " {r.reason}
                    {r.revoked_sid.map(|sid| view! {
                        " Revocation-set entry: device session " <code>{sid}</code> "."
                    })}
                </p>
            })}
        </section>
        // Each section is erased to `AnyView`: nested as one type, the page's
        // view is deep enough that the release build of the browser bundle
        // overflows the compiler's query depth while laying out its
        // hydration future (debug builds erase every component anyway).
        {view! { <sent::Sent i=i.clone() /> }.into_any()}
        {view! { <sent::ServerWork i=i.clone() /> }.into_any()}
        {view! { <kept::Kept i=i.clone() /> }.into_any()}
        {(mode == Mode::Jwt).then(|| view! { <token::Opened i=i.clone() /> }.into_any())}
        {view! { <token::Revocation i=i.clone() action=revoke /> }.into_any()}
    }
}

/// What became of this browser's credentials after the revocation: sent
/// with this request and refused, or already dropped because an earlier
/// request (another tab, the page's own calls) carried them first.
fn revoked_notice(sent_and_refused: bool) -> &'static str {
    if sent_and_refused {
        "This browser still held its old credentials and sent them with this request: they were \
         refused."
    } else {
        "This browser no longer holds its old credentials: a request it made since the \
         revocation carried them, was refused, and was answered with the cookies cleared."
    }
}
