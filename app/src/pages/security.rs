//! `/account/security` (protected): the account's passkeys, with a way to
//! add one, rename each and remove each.
//!
//! Renaming and removing are plain form posts to server functions, so they
//! work without JavaScript; hydrated, the same forms run in place. Adding
//! a passkey is a WebAuthn ceremony: the browser makes the key, so the
//! form needs JavaScript (`public/passkeys.js` runs it against
//! `/auth/passkeys/registration…`), and without it says so. Adding and
//! removing are sensitive actions: on a sign-in older than the
//! re-authentication window their forms ask for the password too.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use views::account::CONFIRM_FIELD;
use views::security::{PasskeyView, SecurityView, PASSKEY_NAME_MAX};

use crate::api::security::{security_page, RemovePasskey, RenamePasskey};
use crate::components::awaited::awaited;
use crate::components::form_error::{action_error, FormError};
use crate::components::local_time::LocalTime;
use crate::components::passkey_script::PasskeyScript;
use crate::components::signed_in::signed_in_view;
use crate::AuthEpoch;

/// The security page.
#[component]
pub fn SecurityPage() -> impl IntoView {
    let epoch = expect_context::<AuthEpoch>();
    let rename = ServerAction::<RenamePasskey>::new();
    let remove = ServerAction::<RemovePasskey>::new();
    let data = Resource::new(
        move || {
            (
                epoch.0.get(),
                rename.version().get(),
                remove.version().get(),
            )
        },
        |_| security_page(),
    );
    let query = use_query_map();
    let notice = move || match query.read().get("done").as_deref() {
        Some("added") => Some("Your passkey was added. You can sign in with it now."),
        Some("renamed") => Some("The passkey was renamed."),
        Some("removed") => Some("The passkey was removed: it cannot sign in any more."),
        _ => query.read().get("needs_js").map(|_| {
            "Adding a passkey needs JavaScript: your browser makes the key and this page \
             hands it over. Turn JavaScript on for this site and try again."
        }),
    };
    let each = [action_error(rename.value()), action_error(remove.value())];
    let errors = Signal::derive(move || each.iter().find_map(|e| e.get()));
    view! {
        <Title text="Security" />
        <PasskeyScript />
        <section class="card">
            <h1>"Security"</h1>
            <p class="hint">
                "A passkey signs you in with this device's screen lock (a fingerprint, your face, \
                 a PIN) or a security key, without a password. It only works on this site, so a \
                 look-alike site cannot use it."
            </p>
            {move || notice().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            <FormError error=errors />
        </section>
        <Transition fallback=|| view! { <p class="status">"Loading…"</p> }>
            {awaited(move || async move {
                signed_in_view(data.await, "/account/security", |view| {
                    view! { <Passkeys view rename remove /> }.into_any()
                })
            })}
        </Transition>
    }
}

#[component]
fn Passkeys(
    view: SecurityView,
    rename: ServerAction<RenamePasskey>,
    remove: ServerAction<RemovePasskey>,
) -> impl IntoView {
    let confirm = view.confirm_needed;
    let window = views::format::duration(view.reauth_window_secs);
    let count = match view.passkeys.len() {
        0 => "No passkeys yet".to_string(),
        1 => "1 passkey".to_string(),
        n => format!("{n} passkeys"),
    };
    view! {
        <section class="card" aria-labelledby="passkeys-heading">
            <h2 id="passkeys-heading">{count}</h2>
            {view.passkeys.is_empty().then(|| view! {
                <p class="hint">"Add one below, then sign in with it instead of your password."</p>
            })}
            <ul class="device-list">
                {view
                    .passkeys
                    .into_iter()
                    .map(|passkey| view! { <PasskeyRow passkey rename remove confirm /> })
                    .collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="add-heading">
            <h2 id="add-heading">"Add a passkey"</h2>
            // Without JavaScript the form comes back here with `needs_js`;
            // with it, `passkeys.js` takes the submission.
            <form
                id="add-passkey"
                class="form"
                method="get"
                action="/account/security"
                data-rp-id=view.rp_id
                data-passkey-origin=view.passkey_origin
                novalidate
            >
                <input type="hidden" name="needs_js" value="1" />
                <label for="passkey-name">"Name"</label>
                <input
                    id="passkey-name"
                    name="name"
                    type="text"
                    maxlength=PASSKEY_NAME_MAX.to_string()
                    autocomplete="off"
                    aria-describedby="passkey-name-hint"
                />
                <p id="passkey-name-hint" class="hint">
                    "To tell your passkeys apart, e.g. “Work laptop”. Left blank, it is named after \
                     this browser."
                </p>
                {confirm.then(|| view! {
                    <p id="add-confirm-hint" class="hint">
                        {format!("You signed in more than {window} ago: confirm it is you first.")}
                    </p>
                    <label for="add-confirm-password">"Your password"</label>
                    <input
                        id="add-confirm-password"
                        name=CONFIRM_FIELD
                        type="password"
                        autocomplete="current-password"
                        maxlength="256"
                        aria-describedby="add-confirm-hint"
                    />
                })}
                <p id="passkey-add-status" class="form-error" role="alert" hidden></p>
                <button type="submit" class="button button-primary">"Add a passkey"</button>
                <p class="hint needs-js">"Adding a passkey needs JavaScript."</p>
            </form>
        </section>
    }
}

#[component]
fn PasskeyRow(
    passkey: PasskeyView,
    rename: ServerAction<RenamePasskey>,
    remove: ServerAction<RemovePasskey>,
    confirm: bool,
) -> impl IntoView {
    let (renaming, removing) = (rename.pending(), remove.pending());
    let name_id = format!("rename-{}", passkey.id);
    let confirm_id = format!("confirm-{}", passkey.id);
    let remove_label = format!("Remove passkey {}", passkey.name);
    let (rename_id, remove_id) = (passkey.id.clone(), passkey.id.clone());
    view! {
        <li class="device passkey">
            <div class="device-head">
                <h3 class="device-name">{passkey.name.clone()}</h3>
                <span class="tag" title="Where the key lives">
                    {if passkey.synced { "Synced to your devices" } else { "On one device" }}
                </span>
                {(passkey.discoverable == Some(false)).then(|| view! {
                    <span class="tag">"Needs your username"</span>
                })}
                {passkey.suspended_at.is_some().then(|| view! {
                    <span class="tag tag-alert">"Stopped"</span>
                })}
            </div>
            {passkey.suspended_at.map(|ts| view! {
                <p class="hint" role="note">
                    "Stopped " <LocalTime ts /> ": it signed in with a counter that went \
                     backwards, so a copy of it may exist. It signs nobody in any more; \
                     remove it, and add the device again if it is yours."
                </p>
            })}
            <dl class="facts">
                <dt>"Added"</dt>
                <dd><LocalTime ts=passkey.created_at /></dd>
                <dt>"Last used"</dt>
                <dd>
                    {match passkey.last_used_at {
                        Some(ts) => view! { <LocalTime ts /> }.into_any(),
                        None => "Not yet".into_any(),
                    }}
                </dd>
            </dl>
            <div class="bulk-actions">
                <ActionForm action=rename attr:class="inline-form rename-form">
                    <input type="hidden" name="id" value=rename_id />
                    <label for=name_id.clone()>"New name"</label>
                    <input
                        id=name_id
                        name="name"
                        type="text"
                        maxlength=PASSKEY_NAME_MAX.to_string()
                        value=passkey.name.clone()
                        required
                    />
                    <button type="submit" class="button" disabled=move || renaming.get()>
                        "Rename"
                    </button>
                </ActionForm>
                <ActionForm action=remove attr:class="inline-form confirm-form" attr:novalidate=true>
                    <input type="hidden" name="id" value=remove_id />
                    {confirm.then(|| view! {
                        <label for=confirm_id.clone()>"Your password, to remove it"</label>
                        <input
                            id=confirm_id.clone()
                            name=CONFIRM_FIELD
                            type="password"
                            autocomplete="current-password"
                            maxlength="256"
                        />
                    })}
                    <button
                        type="submit"
                        class="button button-danger"
                        aria-label=remove_label
                        disabled=move || removing.get()
                    >
                        "Remove"
                    </button>
                </ActionForm>
            </div>
        </li>
    }
}
