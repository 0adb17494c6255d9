//! `/account/activity` (protected): the account's security events, newest
//! first, a page at a time (`?before=` is the cursor the server handed out,
//! so the "Older" link works without JavaScript).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use views::account::{ActivityView, EventView};

use crate::api::devices::activity_page;
use crate::components::awaited::awaited;
use crate::components::local_time::LocalTime;
use crate::components::signed_in::signed_in_view;
use crate::AuthEpoch;

mod describe;
use describe::{describe, device_names, origin};

/// The activity page.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let query = use_query_map();
    let before = move || query.read().get("before").filter(|b| !b.is_empty());
    let data = Resource::new(
        move || (epoch.0.get(), before()),
        |(_, before)| activity_page(before),
    );
    view! {
        <Title text="Account activity" />
        <section class="card">
            <h1>"Account activity"</h1>
            <p class="hint">
                "Security events on your account, newest first: sign-ins from any browser or \
                 app, failed attempts, sign-outs and devices signed out. Times are in your \
                 time zone when JavaScript runs, in UTC otherwise."
            </p>
        </section>
        <Transition fallback=|| view! { <p class="status">"Loading…"</p> }>
            {awaited(move || async move {
                let first_page = before().is_none();
                signed_in_view(data.await, "/account/activity", |view| {
                    view! { <EventList view first_page /> }.into_any()
                })
            })}
        </Transition>
    }
}

#[component]
fn EventList(view: ActivityView, first_page: bool) -> impl IntoView {
    let empty = view.events.is_empty();
    let names = device_names(&view.events);
    view! {
        <section class="card" aria-label="Events">
            {empty.then(|| view! { <p class="muted">"No events on this page."</p> })}
            <ol class="event-list">
                {view
                    .events
                    .into_iter()
                    .map(|event| {
                        let (title, tone) = describe(&event, &names);
                        view! { <EventRow event title tone /> }
                    })
                    .collect_view()}
            </ol>
            <nav class="pager" aria-label="Pages of events">
                {(!first_page).then(|| view! { <A href="/account/activity">"Newest"</A> })}
                {view.older.map(|cursor| {
                    let href = format!(
                        "/account/activity?before={}",
                        form_urlencoded::byte_serialize(cursor.as_bytes()).collect::<String>()
                    );
                    view! { <A href=href attr:rel="next">"Older events"</A> }
                })}
            </nav>
        </section>
    }
}

#[component]
fn EventRow(event: EventView, title: String, tone: &'static str) -> impl IntoView {
    let from = origin(&event);
    view! {
        <li class="event" data-kind=event.kind.clone()>
            <span class=format!("event-mark {tone}") aria-hidden="true"></span>
            <div class="event-body">
                <p class="event-title">{title}</p>
                <p class="hint">
                    <LocalTime ts=event.at />
                    " · " {from}
                </p>
                {blocked(&event)}
            </div>
        </li>
    }
}

/// On a lock's row: how many attempts it refused, from when to when.
fn blocked(e: &EventView) -> Option<impl IntoView> {
    let last = e.last_at.filter(|_| e.attempts > 1)?;
    Some(view! {
        <p class="hint" data-testid="blocked-attempts">
            {format!("{} attempts blocked between ", e.attempts)}
            <LocalTime ts=e.at />
            " and "
            <LocalTime ts=last />
        </p>
    })
}
