//! `/device` (protected): where a signed-in person lets an app on another
//! device sign in to their account, the device authorization grant
//! (RFC 8628). The app shows a short code and this address; the person
//! types the code (or follows the app's link, which carries it), sees which
//! app asks for what, from where, and approves or denies.
//!
//! The code form is a plain GET form and the answers are form posts to
//! server functions, so the page works without JavaScript. Wrong codes
//! count against the account like wrong passwords: a code is short.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use views::device::{DeviceRequestView, USER_CODE_FIELD};
use views::Mode;

use crate::api::device::{device_request, DecideDevice};
use crate::components::awaited::awaited;
use crate::components::form_error::action_error;
use crate::components::local_time::LocalTime;
use crate::routes::login_url;
use crate::{use_viewer, AppError};

/// The page.
#[component]
pub fn DevicePage() -> impl IntoView {
    let decide = ServerAction::<DecideDevice>::new();
    let viewer = use_viewer();
    let query = use_query_map();
    let typed = move || {
        query
            .read()
            .get(USER_CODE_FIELD)
            .filter(|c| !c.trim().is_empty())
    };
    let data = Resource::new(typed, |code| async move {
        match code {
            Some(code) => Some(device_request(code).await),
            None => None,
        }
    });
    let answered = move || match query.read().get("answered").as_deref() {
        Some("approved") => Some(
            "Approved: the app signs in on its next check, within seconds. It is then one of \
             your devices, where you can sign it out at any time.",
        ),
        Some("denied") => Some("Denied: the app was not signed in."),
        _ => None,
    };
    view! {
        <Title text="Sign in an app" />
        <section class="card">
            <h1>"Sign in an app"</h1>
            <p class="hint">
                "An app on another device, such as a command-line tool, showed you a code and \
                 this address. Type the code here to let that app sign in to your account, \
                 without giving it your password."
            </p>
            {move || answered().map(|text| view! { <p class="notice" role="status">{text}</p> })}
        </section>
        <Transition fallback=|| view! { <p class="status">"Loading…"</p> }>
            {awaited(move || async move {
                // Session mode issues no tokens: there is nothing to approve.
                let mode = viewer.await.ok().map(|v| v.mode);
                if mode == Some(Mode::Session) {
                    return view! {
                        <p class="notice" role="status">
                            "This server runs in session mode: it issues no tokens, so no app \
                             can sign in with a code here."
                        </p>
                    }
                    .into_any();
                }
                match data.await {
                    None => view! { <CodeForm error=None /> }.into_any(),
                    Some(Ok(request)) => view! { <Request request decide /> }.into_any(),
                    Some(Err(e)) => refused(e, typed().unwrap_or_default()),
                }
            })}
        </Transition>
    }
}

/// What the page shows when the code's request cannot be shown.
fn refused(e: AppError, typed: String) -> AnyView {
    if e.is_unauthorized() {
        let here = format!(
            "/device?{USER_CODE_FIELD}={}",
            form_urlencoded::byte_serialize(typed.as_bytes()).collect::<String>()
        );
        return view! { <Redirect path=login_url(&here) /> }.into_any();
    }
    e.set_page_status();
    let message = e
        .field(USER_CODE_FIELD)
        .map(str::to_owned)
        .unwrap_or(e.message);
    view! { <CodeForm error=Some(message) /> }.into_any()
}

/// The code form, with what was wrong with the last code.
#[component]
fn CodeForm(error: Option<String>) -> impl IntoView {
    let described = match error {
        Some(_) => "user_code-error user_code-hint",
        None => "user_code-hint",
    };
    view! {
        <section class="card">
            <form method="get" action="/device" class="form" novalidate>
                <label for="user_code">"Code from the app"</label>
                <p id="user_code-hint" class="hint">"Eight letters, like BCDF-GHJK."</p>
                <input
                    id="user_code"
                    name=USER_CODE_FIELD
                    type="text"
                    autocomplete="off"
                    autocapitalize="characters"
                    spellcheck="false"
                    maxlength="20"
                    aria-invalid=error.as_ref().map(|_| "true")
                    aria-describedby=described
                    required
                />
                {error.map(|message| view! {
                    <p id="user_code-error" class="field-error" role="alert">{message}</p>
                })}
                <button type="submit" class="button button-primary">"Continue"</button>
            </form>
        </section>
    }
}

/// A request waiting for the answer, and the two answers.
#[component]
fn Request(request: DeviceRequestView, decide: ServerAction<DecideDevice>) -> impl IntoView {
    let error = action_error(decide.value());
    let message = move || {
        error.get().map(|e| {
            e.field(USER_CODE_FIELD)
                .map(str::to_owned)
                .unwrap_or(e.message)
        })
    };
    let access = match &request.resource {
        Some(resource) => format!("The service at {resource}, as you"),
        None => "Your account on this server, as you".to_string(),
    };
    let tokens = if request.bound {
        "Bound to a key only the app holds (DPoP): a copy of them is useless without it."
    } else {
        "Bearer tokens: whoever holds a copy can use them until they expire."
    };
    let code = request.user_code.clone();
    view! {
        <section class="card" aria-labelledby="request-heading">
            <h2 id="request-heading">"Approve this sign-in?"</h2>
            <p class="hint">
                "Approve only if you started this sign-in yourself and the app shows the same \
                 code. Nobody from this site will ever ask you for a code."
            </p>
            <dl class="facts">
                <dt>"Code"</dt>
                <dd><code data-testid="user-code">{request.user_code.clone()}</code></dd>
                <dt>"App"</dt>
                <dd>
                    <strong data-testid="client-id">{request.client_id.clone()}</strong>
                    " (the name it gives itself)"
                </dd>
                <dt>"Program"</dt>
                <dd>{request.software.clone()}</dd>
                <dt>"Asked from"</dt>
                <dd>{request.address.clone().unwrap_or_else(|| "unknown".into())}</dd>
                <dt>"Asked"</dt>
                <dd><LocalTime ts=request.asked_at /></dd>
                <dt>"Code expires"</dt>
                <dd><LocalTime ts=request.expires_at /></dd>
                <dt>"Access to"</dt>
                <dd>{access}</dd>
                <dt>"Its tokens"</dt>
                <dd>{tokens}</dd>
            </dl>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{message}</p>
            </Show>
            <div class="bulk-actions">
                <Answer decide code=code.clone() decision="approve" label="Approve" primary=true />
                <Answer decide code decision="deny" label="Deny" primary=false />
            </div>
        </section>
    }
}

/// One answer to the request `code`: a form of its own, so it posts
/// without JavaScript too.
#[component]
fn Answer(
    decide: ServerAction<DecideDevice>,
    code: String,
    decision: &'static str,
    label: &'static str,
    primary: bool,
) -> impl IntoView {
    let pending = decide.pending();
    view! {
        <ActionForm action=decide attr:class="inline-form">
            <input type="hidden" name=USER_CODE_FIELD value=code.clone() />
            <input type="hidden" name="decision" value=decision />
            <button
                type="submit"
                class="button"
                class:button-primary=primary
                disabled=move || pending.get()
            >
                {label}
            </button>
        </ActionForm>
    }
}
