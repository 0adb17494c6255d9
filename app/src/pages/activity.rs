//! `/account/activity` (protected): the account's security events, newest
//! first, a page at a time (`?before=` is the cursor the server handed out,
//! so the "Older" link works without JavaScript).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_query_map;

use crate::api::devices::{activity_page, short_id, ActivityView, EventView};
use crate::components::local_time::LocalTime;
use crate::routes::login_url;
use crate::AuthEpoch;

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
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <EventList view first_page=before().is_none() /> }.into_any(),
                    Err(e) if e.is_unauthorized() => {
                        view! { <Redirect path=login_url("/account/activity") /> }.into_any()
                    }
                    Err(e) => {
                        e.set_page_status();
                        view! { <p class="form-error" role="alert">{e.message}</p> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn EventList(view: ActivityView, first_page: bool) -> impl IntoView {
    let empty = view.events.is_empty();
    view! {
        <section class="card" aria-label="Events">
            {empty.then(|| view! { <p class="muted">"No events on this page."</p> })}
            <ol class="event-list">
                {view.events.into_iter().map(|event| view! { <EventRow event /> }).collect_view()}
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
fn EventRow(event: EventView) -> impl IntoView {
    let (title, tone) = describe(&event);
    let from = match &event.address {
        Some(address) => format!("{} on {} · {}", event.browser, event.os, address),
        None => format!("{} on {}", event.browser, event.os),
    };
    view! {
        <li class="event" data-kind=event.kind.clone()>
            <span class=format!("event-mark {tone}") aria-hidden="true"></span>
            <div class="event-body">
                <p class="event-title">{title}</p>
                <p class="hint">
                    <LocalTime ts=event.at />
                    " · " {from}
                </p>
            </div>
        </li>
    }
}

/// What an event means, in a sentence, and how alarming it is.
fn describe(e: &EventView) -> (String, &'static str) {
    let device = e
        .device_id
        .as_deref()
        .map(|id| format!("device {}", short_id(id)))
        .unwrap_or_else(|| "a device".into());
    match (e.kind.as_str(), e.detail.as_deref()) {
        ("sign_up", _) => ("Account created".into(), "ok"),
        ("sign_in_ok", Some("api")) => {
            (format!("Signed in from an app or script ({device})"), "ok")
        }
        ("sign_in_ok", _) => (format!("Signed in from a browser ({device})"), "ok"),
        ("sign_in_failed", _) => ("Failed sign-in: wrong password".into(), "warn"),
        ("sign_in_throttled", _) => (
            "Sign-in refused: too many failed attempts, the account is locked for a while".into(),
            "warn",
        ),
        ("sign_out", _) => (format!("Signed out ({device})"), "ok"),
        ("device_revoked", Some("owner")) => (format!("You signed out {device}"), "ok"),
        ("device_revoked", Some("everywhere")) => {
            (format!("Signed out everywhere: {device} ended"), "ok")
        }
        ("device_revoked", Some("password_changed")) => {
            (format!("Your password change signed out {device}"), "ok")
        }
        ("device_revoked", Some("token_holder")) => {
            (format!("An app revoked its token: {device} ended"), "ok")
        }
        ("device_revoked", _) => (format!("{device} was signed out"), "ok"),
        ("refresh_reuse_detected", _) => (
            format!(
                "Refresh-token reuse detected: an old token of {device} was used again; \
                 that device was signed out"
            ),
            "alert",
        ),
        ("password_changed", _) => ("Password changed".into(), "ok"),
        ("account_disabled", _) => ("Account disabled by an operator".into(), "alert"),
        (other, _) => (format!("Event: {other}"), "ok"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, detail: Option<&str>) -> EventView {
        EventView {
            id: "e".into(),
            at: 0,
            kind: kind.into(),
            detail: detail.map(Into::into),
            device_id: Some("AbCdEfGhIjKlMnOpQrStUv".into()),
            browser: "Firefox 133".into(),
            os: "Linux".into(),
            address: None,
        }
    }

    #[test]
    fn reuse_names_the_device_and_alarms() {
        let (text, tone) = describe(&event("refresh_reuse_detected", None));
        assert!(text.contains("device AbCdEf"), "{text}");
        assert!(text.contains("signed out"), "{text}");
        assert_eq!(tone, "alert");
    }

    #[test]
    fn revocations_say_who_caused_them() {
        let by = |cause| describe(&event("device_revoked", Some(cause))).0;
        assert!(by("owner").starts_with("You signed out"));
        assert!(by("password_changed").contains("password change"));
        assert!(by("everywhere").contains("everywhere"));
        let api = describe(&event("sign_in_ok", Some("api"))).0;
        assert!(api.contains("app or script"), "{api}");
    }
}
