//! `/account/activity` (protected): the account's security events, newest
//! first, a page at a time (`?before=` is the cursor the server handed out,
//! so the "Older" link works without JavaScript).

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use views::account::{ActivityView, EventView};

use crate::api::devices::{activity_page, short_id};
use crate::components::awaited::awaited;
use crate::components::local_time::LocalTime;
use crate::components::signed_in::signed_in_view;
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

/// Where an event came from: the client's browser, system and network, or
/// the operator's command for what only the admin command does.
fn origin(e: &EventView) -> String {
    let disable = "account_disabled";
    if e.kind == disable || e.cause.as_deref() == Some(disable) {
        return "by an operator (latchkey users disable)".into();
    }
    if e.kind == "account_enabled" {
        return "by an operator (latchkey users enable)".into();
    }
    match &e.address {
        Some(address) => format!("{} on {} · {}", e.browser, e.os, address),
        None => format!("{} on {}", e.browser, e.os),
    }
}

/// The devices that signed in on this page of events, by id: a sign-in
/// event's client is the device it started ("Firefox 133 on Windows 10").
fn device_names(events: &[EventView]) -> HashMap<String, String> {
    events
        .iter()
        .filter(|e| e.kind == "sign_in_ok")
        .filter_map(|e| {
            let id = e.device_id.clone()?;
            Some((id, format!("{} on {}", e.browser, e.os)))
        })
        .collect()
}

/// What an event means, in a sentence, and how alarming it is. Devices are
/// named by their short id, and by browser and system when this page holds
/// their sign-in.
fn describe(e: &EventView, names: &HashMap<String, String>) -> (String, &'static str) {
    let device = match e.device_id.as_deref() {
        Some(id) => match names.get(id) {
            Some(name) => format!("{name} (device {})", short_id(id)),
            None => format!("device {}", short_id(id)),
        },
        None => "a device".into(),
    };
    match (e.kind.as_str(), e.cause.as_deref()) {
        ("sign_up", _) => ("Account created".into(), "ok"),
        // The line under it names the browser: here only the device id.
        ("sign_in_ok", Some("api")) => (
            format!("Signed in from an app or script: device {}", short_of(e)),
            "ok",
        ),
        ("sign_in_ok", Some("passkey")) => (
            format!("Signed in with a passkey: device {}", short_of(e)),
            "ok",
        ),
        ("sign_in_ok", _) => (
            format!("Signed in from a browser: device {}", short_of(e)),
            "ok",
        ),
        ("sign_in_failed", Some("passkey")) => (
            "Failed sign-in: a passkey was refused (unknown, removed, or not verified)".into(),
            "warn",
        ),
        ("sign_in_failed", _) => ("Failed sign-in: wrong password".into(), "warn"),
        ("sign_in_throttled", _) => (
            "Sign-in refused: too many failed attempts, the account is locked for a while".into(),
            "warn",
        ),
        ("sign_in_disabled", _) => (
            "Sign-in refused: the account is disabled (the password was right)".into(),
            "alert",
        ),
        ("sign_out", _) => (format!("Signed out: {device}"), "ok"),
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
        ("device_revoked", Some("account_disabled")) => {
            (format!("The account was disabled: {device} ended"), "alert")
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
        ("reauthenticated", _) => (
            format!("You confirmed it was you (password typed again) on {device}"),
            "ok",
        ),
        ("passkey_added", _) => (format!("Passkey added on {device}"), "ok"),
        ("passkey_removed", _) => (format!("Passkey removed on {device}"), "ok"),
        ("passkey_cloned", _) => (
            "Sign-in refused: a passkey's counter went backwards, so a copy of it may exist. \
             Remove it on the security page if this was not you."
                .into(),
            "alert",
        ),
        ("account_disabled", _) => ("Account disabled by an operator".into(), "alert"),
        ("account_enabled", _) => ("Account enabled again by an operator".into(), "ok"),
        ("device_migrated", from) => (
            format!(
                "{device} carried over from {} mode after the server switched mode",
                if from == Some("jwt") {
                    "JWT"
                } else {
                    "session"
                }
            ),
            "ok",
        ),
        (other, _) => (format!("Event: {other}"), "ok"),
    }
}

/// The short id of the event's device.
fn short_of(e: &EventView) -> &str {
    e.device_id.as_deref().map_or("?", short_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, detail: Option<&str>) -> EventView {
        EventView {
            id: "e".into(),
            at: 0,
            kind: kind.into(),
            cause: detail.map(Into::into),
            device_id: Some("AbCdEfGhIjKlMnOpQrStUv".into()),
            browser: "Firefox 133".into(),
            os: "Linux".into(),
            address: None,
            attempts: 1,
            last_at: None,
        }
    }

    #[test]
    fn reuse_names_the_device_and_alarms() {
        let (text, tone) = describe(&event("refresh_reuse_detected", None), &HashMap::new());
        assert!(text.contains("an old token of device AbCdEf"), "{text}");
        assert!(text.contains("signed out"), "{text}");
        assert_eq!(tone, "alert");
    }

    #[test]
    fn revocations_say_who_caused_them() {
        let none = HashMap::new();
        let by = |cause| describe(&event("device_revoked", Some(cause)), &none).0;
        assert!(by("owner").starts_with("You signed out"));
        assert!(by("password_changed").contains("password change"));
        assert!(by("everywhere").contains("everywhere"));
        let api = describe(&event("sign_in_ok", Some("api")), &none).0;
        assert!(api.contains("app or script"), "{api}");
    }

    #[test]
    fn a_confirmation_says_it_was_you_on_which_device() {
        let (text, tone) = describe(&event("reauthenticated", None), &HashMap::new());
        assert_eq!(
            text,
            "You confirmed it was you (password typed again) on device AbCdEf"
        );
        assert_eq!(tone, "ok");
    }

    #[test]
    fn what_an_operator_did_says_so() {
        let by_operator = "by an operator (latchkey users disable)";
        assert_eq!(origin(&event("account_disabled", None)), by_operator);
        assert_eq!(
            origin(&event("device_revoked", Some("account_disabled"))),
            by_operator
        );
        assert_eq!(
            origin(&event("sign_in_disabled", Some("browser"))),
            "Firefox 133 on Linux"
        );
    }

    #[test]
    fn devices_are_named_by_their_sign_in_on_the_page() {
        let events = [event("sign_in_ok", Some("browser"))];
        let names = device_names(&events);
        let (text, _) = describe(&event("device_revoked", Some("owner")), &names);
        assert_eq!(text, "You signed out Firefox 133 on Linux (device AbCdEf)");
    }
}
