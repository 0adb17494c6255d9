//! `/`: what Latchkey is, which mode is on, and whether you are signed in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::get_viewer;
use crate::AuthEpoch;

/// The public front page.
#[component]
pub fn HomePage() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let viewer = Resource::new(move || epoch.0.get(), |_| get_viewer());
    view! {
        <Title text="Home" />
        <section class="hero">
            <h1>"Who is logged in, over stateless HTTP?"</h1>
            <p class="lead">
                "HTTP forgets everything between requests. Latchkey remembers who you are in one of "
                "the two classic ways, switched by one setting."
            </p>
            <p class="hero-links">
                <A href="/inspect" attr:class="button button-primary">"Inspect your own request"</A>
                <A href="/tradeoffs" attr:class="button">"Sessions or JWT: the trade-offs"</A>
            </p>
        </section>
        <Transition fallback=|| view! { <p class="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let viewer = viewer.await.ok()?;
                let mode = viewer.mode.label();
                Some(view! {
                    <section class="card status-card" aria-live="polite">
                        <p>
                            "This server runs in " <strong class="mode-name">{format!("{mode} mode")}</strong> "."
                        </p>
                        {match viewer.user {
                            Some(user) => view! {
                                <p class="status">
                                    "You are signed in as " <strong>{user.username}</strong> ". "
                                    <A href="/account">"See your account"</A>
                                </p>
                            }
                            .into_any(),
                            None => view! {
                                <p class="status">
                                    "You are not signed in. " <A href="/login">"Sign in"</A> " or "
                                    <A href="/signup">"create an account"</A> "."
                                </p>
                            }
                            .into_any(),
                        }}
                    </section>
                })
            })}
        </Transition>
        <section class="modes">
            <article class="card">
                <h2>"Session mode"</h2>
                <p>
                    "Signing in creates a random session ID. Your browser keeps it in an "
                    <code>"HttpOnly; Secure"</code> " cookie; the server keeps only its hash and "
                    "looks it up on every request. Signing out deletes the server's record."
                </p>
            </article>
            <article class="card">
                <h2>"JWT mode"</h2>
                <p>
                    "Signing in issues a short-lived signed access token and a long-lived refresh "
                    "token. The server checks the access token by its signature alone and renews it "
                    "with the refresh token when it expires."
                </p>
            </article>
        </section>
    }
}
