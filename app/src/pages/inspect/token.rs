//! JWT mode: the access token opened, the tamper control; both modes: the
//! live revocation.

use leptos::prelude::*;
use leptos_router::components::Form;

use views::inspect::Inspection;
use views::Mode;

use crate::api::inspect::RevokeHere;
use crate::components::form_error::{action_error, FormError};
use crate::components::local_time::LocalTime;

/// The access token's three parts, decoded.
#[component]
pub fn Opened(i: Inspection) -> impl IntoView {
    let Some(t) = i.token else {
        return view! {
            <section class="card" aria-labelledby="token-heading">
                <h2 id="token-heading">"The access token, opened"</h2>
                <p>"No access token came with this request."</p>
            </section>
        }
        .into_any();
    };
    let [h, p, s] = t.part_chars;
    view! {
        <section class="card" aria-labelledby="token-heading">
            <h2 id="token-heading">"The access token, opened"</h2>
            <p>
                {format!(
                    "A JWT is three base64url parts joined by dots: {h} + {p} + {s} characters. \
                     The first two are only encoded, not encrypted: anyone holding the token reads \
                     them, as this page does, with no key."
                )}
            </p>
            <h3>"Header"</h3>
            <pre class="code-block" data-testid="token-header">{t.header}</pre>
            <h3>"Payload (the claims)"</h3>
            <pre class="code-block" data-testid="token-payload">{t.payload}</pre>
            <h3>"Signature"</h3>
            <p data-testid="token-status" data-valid=t.valid.to_string()>
                {format!("{} bytes. ", t.signature_bytes)} {t.status}
            </p>
            {t.exp.map(|exp| view! { <Countdown exp now=i.now /> })}
            <Form method="GET" action="/inspect" attr:class="inline-form">
                <button type="submit" class="button" name="tamper" value="1">
                    "Change one character and send it"
                </button>
            </Form>
            {i.tamper.map(|t| view! {
                <div class="notice" role="status" data-testid="tamper-result" data-accepted=t.accepted.to_string()>
                    <p>{format!(
                        "Changed payload character {} from '{}' to '{}'. It now decodes to:",
                        t.position, t.was, t.now
                    )}</p>
                    <pre class="code-block">{t.payload}</pre>
                    <p><strong>{t.verdict}</strong></p>
                </div>
            })}
        </section>
    }
    .into_any()
}

/// Seconds until `exp`, counting down with JavaScript.
#[component]
fn Countdown(exp: i64, now: i64) -> impl IntoView {
    let left = RwSignal::new((exp - now).max(0));
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || left.update(|l| *l = (*l - 1).max(0)),
            std::time::Duration::from_secs(1),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <p data-testid="token-exp">
            "Expires " <LocalTime ts=exp /> ", in "
            <span aria-live="off">{move || format!("{} s", left.get())}</span>
            ". Then the refresh token buys a new one."
        </p>
    }
}

/// Revokes this device while the browser keeps its credentials.
#[component]
pub fn Revocation(i: Inspection, action: ServerAction<RevokeHere>) -> impl IntoView {
    let value = action.value();
    let answer = move || match value.get() {
        Some(Ok(r)) => Some(r.detail),
        _ => None,
    };
    let what = match i.mode {
        Mode::Session => "session ID",
        Mode::Jwt => "access token",
    };
    view! {
        <section class="card" aria-labelledby="revoke-heading">
            <h2 id="revoke-heading">"Revocation, live"</h2>
            <p data-testid="revocation-bound">{i.revocation_bound}</p>
            {move || answer().map(|detail| view! {
                <p class="notice" role="status" data-testid="revoke-result">{detail}</p>
            })}
            {match i.username {
                Some(_) => view! {
                    <p>{format!(
                        "Sign this {what} out as if from another device: the server revokes this \
                         device session, your browser keeps its cookies and sends them again, and \
                         the next page shows them refused."
                    )}</p>
                    <ActionForm action attr:class="inline-form">
                        <button type="submit" class="button button-danger">
                            {format!("Sign this {what} out elsewhere")}
                        </button>
                    </ActionForm>
                    <FormError error=action_error(value) />
                }.into_any(),
                None => view! {
                    <p>"Sign in, then come back here to revoke your own sign-in and watch it refused."</p>
                }.into_any(),
            }}
        </section>
    }
}
