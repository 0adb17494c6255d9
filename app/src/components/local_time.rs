//! A point in time shown in the reader's own locale and time zone.
//!
//! The server cannot know the reader's zone, so it renders UTC (the page
//! reads correctly without JavaScript); once the page is hydrated the same
//! element switches to the browser's locale. The exact UTC time stays in
//! `datetime` and in the tooltip.

use leptos::prelude::*;

use views::format::{iso, utc};

/// `ts` (Unix seconds) as a `<time>` element.
#[component]
pub fn LocalTime(ts: i64) -> impl IntoView {
    // Server and first browser render agree (UTC), so hydration matches;
    // effects run only in the browser.
    let text = RwSignal::new(utc(ts));
    Effect::new(move |_| {
        if let Some(local) = in_browser_locale(ts) {
            text.set(local);
        }
    });
    view! { <time datetime=iso(ts) title=utc(ts)>{move || text.get()}</time> }
}

#[cfg(feature = "hydrate")]
fn in_browser_locale(ts: i64) -> Option<String> {
    use js_sys::{Date, Object, Reflect};
    let date = Date::new(&(ts as f64 * 1000.0).into());
    let options = Object::new();
    for (key, value) in [("dateStyle", "medium"), ("timeStyle", "short")] {
        Reflect::set(&options, &key.into(), &value.into()).ok()?;
    }
    String::from(date.to_locale_string("default", &options)).into()
}

#[cfg(not(feature = "hydrate"))]
fn in_browser_locale(_ts: i64) -> Option<String> {
    None
}
