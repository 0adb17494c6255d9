//! `/account/devices` (protected): every signed-in device of the account,
//! with a way to end each, all the others, or all.
//!
//! Every action is a plain form post to a server function, so the page
//! works without JavaScript; hydrated, the same forms run in place. The
//! server answers anonymous requests with `303` before rendering.
//!
//! "Sign out everywhere" is a sensitive action: when this sign-in is older
//! than the re-authentication window its form asks for the password too
//! (the confirmation step), and the action happens once it is right.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use views::account::{DeviceView, DevicesView, CONFIRM_FIELD};
use views::Mode;

use crate::api::devices::{device_list, short_id, EndAllDevices, EndDevice, EndOtherDevices};
use crate::components::awaited::awaited;
use crate::components::form_error::{action_error, field_error, invalid, FieldMessage, FormError};
use crate::components::local_time::LocalTime;
use crate::components::signed_in::signed_in_view;
use crate::renewal::use_auth_changes;
use crate::AuthEpoch;

/// The devices page.
#[component]
pub fn DevicesPage() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let end_one = ServerAction::<EndDevice>::new();
    let end_others = ServerAction::<EndOtherDevices>::new();
    let end_all = ServerAction::<EndAllDevices>::new();
    // The confirmation step's password as typed, kept here, above the list:
    // the list is made again whenever the tab asks who is signed in (in JWT
    // mode after every renewal of the access token), and its field with it.
    let typed = RwSignal::new(String::new());
    use_auth_changes().track(end_all.pending());
    let data = Resource::new(
        move || {
            (
                epoch.0.get(),
                end_one.version().get(),
                end_others.version().get(),
            )
        },
        |_| device_list(),
    );
    // Signed out everywhere: the tab asks again who is signed in. A refusal
    // (the confirmation step's password missing or wrong) changes nothing,
    // and must not reload the list: that would empty the password field.
    Effect::new(move |_| {
        if matches!(end_all.value().get(), Some(Ok(_))) {
            epoch.bump();
        }
    });
    let query = use_query_map();
    let notice = move || match query.read().get("ended").as_deref() {
        Some("one") => Some("That device was signed out.".to_string()),
        Some("others") => {
            let n: u64 = query
                .read()
                .get("count")
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            Some(match n {
                0 => "There were no other devices to sign out.".to_string(),
                1 => "1 other device was signed out.".to_string(),
                n => format!("{n} other devices were signed out."),
            })
        }
        _ => None,
    };
    let each = [
        action_error(end_one.value()),
        action_error(end_others.value()),
        action_error(end_all.value()),
    ];
    let errors = Signal::derive(move || each.iter().find_map(|e| e.get()));
    view! {
        <Title text="Your devices" />
        <section class="card">
            <h1>"Your devices"</h1>
            <p class="hint">
                "Every browser or app signed in to your account. Sign out any you do not \
                 recognise, or that you no longer use."
            </p>
            {move || notice().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            <FormError error=errors />
        </section>
        <Transition fallback=|| view! { <p class="status">"Loading…"</p> }>
            {awaited(move || async move {
                signed_in_view(data.await, "/account/devices", |view| {
                    view! { <DeviceList view end_one end_others end_all typed /> }.into_any()
                })
            })}
        </Transition>
    }
}

#[component]
fn DeviceList(
    view: DevicesView,
    end_one: ServerAction<EndDevice>,
    end_others: ServerAction<EndOtherDevices>,
    end_all: ServerAction<EndAllDevices>,
    typed: RwSignal<String>,
) -> impl IntoView {
    let others = view.devices.iter().filter(|d| !d.current).count();
    let (others_pending, all_pending) = (end_others.pending(), end_all.pending());
    let confirm_error = field_error(action_error(end_all.value()), CONFIRM_FIELD);
    // Asked when the page was made, or when the window closed before the
    // form was sent (the server said so).
    let confirm_needed = view.confirm_needed;
    let ask = move || confirm_needed || confirm_error.get().is_some();
    let window = views::format::duration(view.reauth_window_secs);
    let how_it_ends = match view.mode {
        Mode::Session => "Signing a device out deletes its session on the server: its next \
                          request is refused."
            .to_string(),
        Mode::Jwt => format!(
            "Signing a device out revokes its refresh token and adds it to the revocation \
             list: its access token is refused on its next request (on other server \
             instances within {} seconds). “Last active” is when the device last renewed \
             its access token: requests checked by signature alone leave no trace.",
            view.revocation_sync_secs
        ),
    };
    view! {
        <section class="card" aria-labelledby="devices-heading">
            <h2 id="devices-heading">
                {match view.devices.len() {
                    1 => "1 signed-in device".to_string(),
                    n => format!("{n} signed-in devices"),
                }}
            </h2>
            <p class="hint">{how_it_ends}</p>
            <ul class="device-list">
                {view
                    .devices
                    .into_iter()
                    .map(|device| view! { <DeviceRow device end_one /> })
                    .collect_view()}
            </ul>
        </section>
        <section class="card">
            <h2>"Sign out in bulk"</h2>
            <div class="bulk-actions">
                <ActionForm action=end_others attr:class="inline-form">
                    <button
                        type="submit"
                        class="button"
                        disabled=move || others == 0 || others_pending.get()
                    >
                        "Sign out all other devices"
                    </button>
                </ActionForm>
                <ActionForm action=end_all attr:class="inline-form confirm-form" attr:novalidate=true>
                    <Show when=ask>
                        <p id="confirm_password-hint" class="hint">
                            {format!(
                                "You signed in more than {window} ago: confirm it is you before \
                                 signing out everywhere."
                            )}
                        </p>
                        <label for="confirm_password">"Your password"</label>
                        <input
                            id="confirm_password"
                            name=CONFIRM_FIELD
                            type="password"
                            autocomplete="current-password"
                            maxlength="256"
                            // Set once, when the field is made: typing is
                            // not echoed back (the caret stays where it is).
                            prop:value=typed.get_untracked()
                            on:input=move |ev| typed.set(event_target_value(&ev))
                            aria-invalid=invalid(confirm_error)
                            aria-describedby="confirm_password-error confirm_password-hint"
                            required
                        />
                        <FieldMessage error=confirm_error name=CONFIRM_FIELD />
                    </Show>
                    <button type="submit" class="button button-danger" disabled=move || all_pending.get()>
                        "Sign out everywhere"
                    </button>
                </ActionForm>
            </div>
            <p class="hint">"“Everywhere” includes this device: you will need to sign in again."</p>
        </section>
    }
}

#[component]
fn DeviceRow(device: DeviceView, end_one: ServerAction<EndDevice>) -> impl IntoView {
    let name = format!("{} on {}", device.browser, device.os);
    let pending = end_one.pending();
    let label = format!("Sign out {name} (device {})", short_id(&device.id));
    view! {
        <li class="device" class:current=device.current>
            <div class="device-head">
                <h3 class="device-name">{name}</h3>
                {device.current.then(|| view! { <span class="tag tag-accent">"This device"</span> })}
                <span class="tag">
                    {if device.persistent { "Kept signed in" } else { "Until the browser closes" }}
                </span>
                {device.other_mode.then(|| view! {
                    <span class="tag" data-testid="other-mode" title="Signed in before this server \
                        switched between session and JWT mode; it moves over on its next visit.">
                        "From the other mode"
                    </span>
                })}
                {device.bound.then(|| view! {
                    <span class="tag" data-testid="bound" title="Its tokens are useless without a \
                        key only it holds: a copy of them cannot be used elsewhere.">
                        "Bound to its key (DPoP)"
                    </span>
                })}
                {device.audience.clone().map(|service| view! {
                    <span class="tag" data-testid="audience">{format!("Tokens for {service}")}</span>
                })}
            </div>
            <dl class="facts">
                <dt>"Device"</dt>
                <dd><code>{short_id(&device.id).to_string()}</code></dd>
                <dt>"Address"</dt>
                <dd>{device.address.unwrap_or_else(|| "unknown".into())}</dd>
                <dt>"Signed in"</dt>
                <dd><LocalTime ts=device.created_at /></dd>
                <dt>"Last active"</dt>
                <dd><LocalTime ts=device.last_seen_at /></dd>
                <dt>"Ends if idle until"</dt>
                <dd><LocalTime ts=device.idle_expires_at /></dd>
                <dt>"Ends at the latest"</dt>
                <dd><LocalTime ts=device.absolute_expires_at /></dd>
            </dl>
            {(!device.current).then(|| view! {
                <ActionForm action=end_one attr:class="inline-form">
                    <input type="hidden" name="id" value=device.id.clone() />
                    <button
                        type="submit"
                        class="button"
                        aria-label=label
                        disabled=move || pending.get()
                    >
                        "Sign out"
                    </button>
                </ActionForm>
            })}
            {device.current.then(|| view! {
                <p class="hint">"To end this one, sign out (top of the page)."</p>
            })}
        </li>
    }
}
