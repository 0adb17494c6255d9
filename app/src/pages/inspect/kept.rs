//! What the server keeps about this sign-in.
//!
//! The record, the refresh chain and one chain link are components of their
//! own, each erased to `AnyView`: written as one nested view, the section's
//! type is deep enough that the release build of the browser bundle
//! overflows the compiler's query depth while laying out its hydration
//! future.

use leptos::prelude::*;

use crate::components::local_time::LocalTime;
use views::inspect::{ChainView, Inspection, LinkView, RecordView};

/// The device-session record, the refresh chain (JWT) and the memory
/// store's size.
#[component]
pub fn Kept(i: Inspection) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="kept-heading">
            <h2 id="kept-heading">"What the server keeps about you"</h2>
            {match i.record {
                None => view! {
                    <p data-testid="no-record">"Nothing: this request is not signed in."</p>
                }.into_any(),
                Some(r) => view! { <Record r /> }.into_any(),
            }}
            {i.chain.map(|c| view! { <Chain c /> }.into_any())}
            {i.memory.map(|m| view! {
                <p data-testid="memory">
                    {format!(
                        "This instance's memory holds {} session(s), about {} bytes each \
                         (what the store allocated). They grow with every signed-in device, and \
                         no other instance can see them.",
                        m.sessions, m.bytes_per_session
                    )}
                </p>
            })}
        </section>
    }
}

/// The device-session record as stored.
#[component]
fn Record(r: RecordView) -> impl IntoView {
    view! {
        <dl class="facts" data-testid="record">
            <dt>"Store key"</dt>
            <dd>{match r.key_prefix {
                Some(p) => format!("{p}… (a hash: the raw value is stored nowhere)"),
                None => "—".to_string(),
            }}</dd>
            <dt>"Device session"</dt>
            <dd><code>{r.device_id}</code></dd>
            <dt>"User"</dt>
            <dd>{r.username}" ("<code>{r.user_id}</code>")"</dd>
            <dt>"Signed in"</dt>
            <dd><LocalTime ts=r.created_at />" (" <code>"auth_time"</code> ": renewals never move it)"</dd>
            <dt>"Proved by"</dt>
            <dd data-testid="amr">
                {match r.amr.as_str() {
                    "hwk" => "a passkey kept on one device",
                    "swk" => "a synced passkey",
                    _ => "a password",
                }}
                " (" <code>{format!("amr: {}", r.amr)}</code> ")"
            </dd>
            <dt>"Last seen"</dt>
            <dd><LocalTime ts=r.last_seen_at /></dd>
            <dt>"Idle deadline"</dt>
            <dd><LocalTime ts=r.idle_expires_at />
                {if r.persistent { " (moves on with use)" } else { " (short: not kept signed in)" }}</dd>
            <dt>"Absolute deadline"</dt>
            <dd><LocalTime ts=r.absolute_expires_at />" (never moves)"</dd>
        </dl>
    }
    .into_any()
}

/// JWT mode: the refresh family's chain of tokens.
#[component]
fn Chain(c: ChainView) -> impl IntoView {
    view! {
        <h3>"The refresh chain"</h3>
        <p>
            {format!(
                "Each refresh trades the refresh token for a new one; the used one stays, \
                 marked used, so a second use is caught. A token used again within {} s \
                 (tabs refreshing at once) is forgiven; later, the whole family is revoked.",
                c.grace_secs
            )}
        </p>
        <p data-testid="reuse">{if c.reuse_detected {
            "Reuse was detected: this family is revoked."
        } else {
            "No reuse detected."
        }}</p>
        <ol class="event-list" data-testid="chain">
            {c.links.into_iter().map(|l| view! { <Link l /> }).collect_view()}
        </ol>
    }
    .into_any()
}

/// One refresh token of the chain.
#[component]
fn Link(l: LinkView) -> impl IntoView {
    view! {
        <li class="event">
            <span class="event-mark" aria-hidden="true"></span>
            <div>
                <p class="event-title"><code>{l.hash_prefix}"…"</code>
                    {if l.used_at.is_none() { " (current)" } else { "" }}</p>
                <p class="hint">
                    "Issued " <LocalTime ts=l.issued_at />
                    {l.used_at.map(|u| view! { " · used " <LocalTime ts=u /> })}
                    " · expires " <LocalTime ts=l.expires_at />
                    {l.parent_prefix.map(|p| format!(" · follows {p}…"))}
                </p>
            </div>
        </li>
    }
    .into_any()
}
