//! `/`: what Latchkey is, which mode is on, and whether you are signed in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use leptos_router::hooks::use_query_map;

use crate::components::awaited::awaited;
use crate::use_viewer;
use views::Mode;

/// The public front page.
#[component]
pub fn HomePage() -> impl IntoView {
    let viewer = use_viewer();
    let query = use_query_map();
    let signed_out = move || query.read().get("signed_out").is_some();
    view! {
        <Title text="Home" />
        <Show when=signed_out>
            <p class="notice" role="status" data-testid="signed-out-notice">
                "You are signed out on this device. Your other devices stay signed in."
            </p>
        </Show>
        <section class="hero">
            <h1>"Who is logged in, over stateless HTTP?"</h1>
            <p class="lead">
                "HTTP forgets everything between requests. Latchkey remembers who you are in one of "
                "the two classic ways, switched by one setting: "
                <code>"LATCHKEY_AUTH_MODE"</code> "."
            </p>
            <p class="hero-links">
                <A href="/inspect" attr:class="button button-primary">"Inspect your own request"</A>
                <A href="/tradeoffs" attr:class="button">"Sessions or JWT: the trade-offs"</A>
            </p>
        </section>
        <Transition fallback=|| view! { <p class="status">"Loading…"</p> }>
            {awaited(move || async move {
                let viewer = viewer.await.ok()?;
                let mode = viewer.mode;
                Some(view! {
                    <section class="card status-card" aria-live="polite">
                        <p>
                            "This server runs in " <strong class="mode-name">{mode.name()}</strong>
                            ", chosen by " <code>{mode.setting()}</code> "."
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
                    <section class="modes" aria-label="The two modes">
                        <ModeCard mode=Mode::Session live=mode == Mode::Session>
                            "Signing in creates a random session ID. Your browser keeps it in an "
                            <code>"HttpOnly; Secure"</code> " cookie; the server keeps only its hash and "
                            "looks it up on every request. Signing out deletes the server's record."
                        </ModeCard>
                        <ModeCard mode=Mode::Jwt live=mode == Mode::Jwt>
                            "Signing in issues a short-lived signed access token and a long-lived refresh "
                            "token. The server checks the access token by its signature alone and renews it "
                            "with the refresh token when it expires."
                        </ModeCard>
                    </section>
                })
            })}
        </Transition>
    }
}

/// One of the two modes, marked when it is the one this server runs.
#[component]
fn ModeCard(mode: Mode, live: bool, children: Children) -> impl IntoView {
    view! {
        <article class="card mode-card" class:mode-live=live data-live=live.to_string()>
            <h2>
                {mode.name()}
                {live.then(|| view! { " " <span class="pill live-badge">"Running here"</span> })}
            </h2>
            <p>{children()}</p>
            <p class="mode-setting"><code>{mode.setting()}</code></p>
        </article>
    }
}
