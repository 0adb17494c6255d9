//! A moment shown as a person says it ("in 29 minutes", "12 minutes ago"),
//! kept current while the page is open.
//!
//! Server and browser first render the same text, relative to the server's
//! clock sent with the page's data, so hydration matches and the page reads
//! the same without JavaScript. Once hydrated, the element ticks every
//! second against the browser's
//! clock corrected by its difference from the server's at hydration, so a
//! visitor whose clock is wrong still sees the right countdown. The exact
//! UTC time is in `datetime` and in the tooltip.

use leptos::prelude::*;

use views::format::{iso, relative, utc};

/// `ts` relative to `now` (both Unix seconds, `now` from the server).
#[component]
pub fn RelativeTime(ts: i64, now: i64) -> impl IntoView {
    let text = ticking(ts, now);
    view! { <time datetime=iso(ts) title=utc(ts)>{text}</time> }
}

/// The text, counting in the browser once hydrated.
#[cfg(feature = "hydrate")]
fn ticking(ts: i64, now: i64) -> impl Fn() -> String + Send + Sync + Copy + 'static {
    let text = RwSignal::new(relative(ts, now));
    Effect::new(move |_| tick(ts, now, text));
    move || text.get()
}

/// The text: the server renders it once and never updates it, so it keeps
/// no signal (the same markup as the browser's, which hydrates it).
#[cfg(not(feature = "hydrate"))]
fn ticking(ts: i64, now: i64) -> impl Fn() -> String + Send + Sync + Copy + 'static {
    move || relative(ts, now)
}

#[cfg(feature = "hydrate")]
fn tick(ts: i64, server_now: i64, text: RwSignal<String>) {
    let browser_now = || (js_sys::Date::now() / 1000.0) as i64;
    let skew = server_now - browser_now();
    let handle = set_interval_with_handle(
        move || text.set(relative(ts, browser_now() + skew)),
        std::time::Duration::from_secs(1),
    );
    if let Ok(handle) = handle {
        on_cleanup(move || handle.clear());
    }
}
