//! What the browser sent, and what the server did with it.

use leptos::prelude::*;

use views::inspect::Inspection;

/// The auth cookies of this request: sizes, attributes, what is kept.
#[component]
pub fn Sent(i: Inspection) -> impl IntoView {
    let total: usize = i.cookies.iter().map(|c| c.bytes).sum();
    let policy = i.policy.join("; ");
    let empty = i.cookies.is_empty();
    view! {
        <section class="card" aria-labelledby="sent-heading">
            <h2 id="sent-heading">"What your browser sent"</h2>
            {i.bearer.then(|| view! {
                <p>"This request carried an " <code>"Authorization: Bearer"</code>
                " header: an API client's credential, judged alone (cookies are ignored then)."</p>
            })}
            {empty.then(|| view! {
                <p data-testid="no-cookies">
                    "No auth cookie: the server had nothing to recognise you by, so you are anonymous."
                </p>
            })}
            <ul class="device-list">
                {i.cookies.into_iter().map(|c| view! {
                    <li class="device" data-testid="cookie" data-name=c.name.clone()>
                        <h3 class="device-name"><code>{c.name.clone()}</code></h3>
                        <dl class="facts">
                            <dt>"Size"</dt>
                            <dd data-testid="cookie-bytes">{format!("{} bytes", c.bytes)}</dd>
                            <dt>"Value"</dt>
                            <dd>{format!(
                                "{} characters; SHA-256 starts {}… (the value itself is not shown)",
                                c.value_chars, c.hash_prefix
                            )}</dd>
                            <dt>"Set with"</dt>
                            <dd><code>{policy.clone()}</code>" · "{c.lifetime}</dd>
                            <dt>"Server keeps"</dt>
                            <dd>{c.kept}</dd>
                        </dl>
                    </li>
                }).collect_view()}
            </ul>
            <p data-testid="cookie-total">
                {format!(
                    "Auth cookies: {total} bytes. The whole Cookie header: {} bytes, sent again with \
                     every request to this site, images and scripts included.",
                    i.cookie_header_bytes
                )}
            </p>
            <h3>"Why these attributes"</h3>
            <ul>
                <li><code>"HttpOnly"</code>": scripts on the page cannot read the cookie, so an injected script cannot steal it."</li>
                <li><code>"Secure"</code>" and the "<code>"__Host-"</code>" prefix: sent over HTTPS only, for this host only, never set by a sibling subdomain."</li>
                <li><code>"SameSite=Lax"</code>": not sent with cross-site form posts or sub-requests, the first line against cross-site request forgery."</li>
                <li><code>"Path=/"</code>": every page of the site receives it."</li>
                <li>"With " <code>"Max-Age"</code> " the browser keeps it across restarts (\"Keep me signed in\"); without, it goes when the browser closes."</li>
            </ul>
            <ScriptView />
        </section>
    }
}

/// With JavaScript: what `document.cookie` shows this page's own scripts.
#[component]
fn ScriptView() -> impl IntoView {
    let seen = RwSignal::new(None::<String>);
    Effect::new(move |_| seen.set(document_cookie()));
    view! {
        <p data-testid="document-cookie">
            {move || match seen.get() {
                None => "With JavaScript on, this page asks document.cookie what scripts can see.".to_string(),
                Some(text) if !text.contains("latchkey") => format!(
                    "document.cookie, as this page's scripts see it: {}. None of the auth cookies: HttpOnly hides them.",
                    if text.is_empty() { "(empty)".to_string() } else { format!("\"{text}\"") }
                ),
                Some(_) => "document.cookie shows an auth cookie: HttpOnly is missing!".to_string(),
            }}
        </p>
    }
}

#[cfg(feature = "hydrate")]
fn document_cookie() -> Option<String> {
    use js_sys::Reflect;
    let document = Reflect::get(&js_sys::global(), &"document".into()).ok()?;
    Reflect::get(&document, &"cookie".into()).ok()?.as_string()
}

#[cfg(not(feature = "hydrate"))]
fn document_cookie() -> Option<String> {
    None
}

/// What resolving this request cost.
#[component]
pub fn ServerWork(i: Inspection) -> impl IntoView {
    let ops = i.store_ops.len();
    let names = if i.store_ops.is_empty() {
        "none".to_string()
    } else {
        i.store_ops.join(", ")
    };
    view! {
        <section class="card" aria-labelledby="work-heading">
            <h2 id="work-heading">"What the server did for this request"</h2>
            <dl class="facts">
                <dt>"Mode and store"</dt>
                <dd>{format!("{}, device sessions in {}", i.mode.name(), i.store)}</dd>
                <dt>"Store operations"</dt>
                <dd data-testid="store-ops" data-count=ops.to_string()>
                    {format!("{ops} ({names})")}
                </dd>
                <dt>"Time recognising you"</dt>
                <dd data-testid="resolve-time">{format!("{} µs", i.resolve_micros)}</dd>
            </dl>
            <p class="hint">
                {match i.mode {
                    views::Mode::Session => "Session mode looks the ID's hash up in the store on every request.",
                    views::Mode::Jwt => "JWT mode checks the access token's signature with the key it holds: no store is asked (the revocation set is in memory).",
                }}
            </p>
        </section>
    }
}
