//! What a signed-in page shows once its data has loaded: the page, a trip
//! to sign in when the sign-in ended while the tab was open (the server's
//! guard covers fresh requests), or the error, with its status.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::routes::login_url;
use crate::AppError;

/// `page` of the loaded `data`; `here` is where signing in again returns.
pub fn signed_in_view<T>(
    data: Result<T, AppError>,
    here: &str,
    page: impl FnOnce(T) -> AnyView,
) -> AnyView {
    match data {
        Ok(data) => page(data),
        Err(e) if e.is_unauthorized() => view! { <Redirect path=login_url(here) /> }.into_any(),
        Err(e) => {
            e.set_page_status();
            view! { <p class="form-error" role="alert">{e.message}</p> }.into_any()
        }
    }
}
