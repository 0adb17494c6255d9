//! The server functions that issue, renew and end credentials: sign up,
//! sign in, sign out, change the password, and (JWT mode) refresh.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context;
use crate::error::AppError;

/// Whether a "keep me signed in" checkbox was checked (`on` as browsers
/// send it; `true` or `1` from scripts). Absent means unchecked.
pub fn kept(remember: Option<&str>) -> bool {
    matches!(remember, Some("on" | "true" | "1"))
}

/// Creates an account and signs it in, then goes to `/account`.
#[server(prefix = "/api", endpoint = "sign_up")]
pub async fn sign_up(
    username: String,
    password: String,
    remember: Option<String>,
) -> Result<(), AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let presented = cx.presented();
        let persistent = kept(remember.as_deref());
        let issued = server::accounts::sign_up(
            &cx.state, &username, password, &cx.client, &presented, persistent,
        )
        .await?;
        cx.hand_out(&issued);
        leptos_axum::redirect("/account");
        Ok(())
    })
    .await
}

/// Signs in, then goes to `next` (a same-site path) or `/account`.
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(
    username: String,
    password: String,
    next: Option<String>,
    remember: Option<String>,
) -> Result<(), AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let presented = cx.presented();
        let persistent = kept(remember.as_deref());
        let issued = server::accounts::sign_in(
            &cx.state, &username, password, &cx.client, &presented, persistent,
        )
        .await?;
        cx.hand_out(&issued);
        let target = match next.as_deref() {
            None | Some("") => "/account".to_string(),
            Some(n) => server::http::redirect::safe_next(Some(n)),
        };
        leptos_axum::redirect(&target);
        Ok(())
    })
    .await
}

/// Signs out on this device, then goes to `/`, which says so.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let presented = cx.presented();
        server::accounts::sign_out(&cx.state, &cx.caller, &presented, &cx.client).await?;
        cx.forget();
        leptos_axum::redirect("/?signed_out=1");
        Ok(())
    })
    .await
}

/// Changes the password (the current one is required), signs out every other
/// device, then goes back to `/account`, which confirms the change. A
/// sensitive action whose form asks for the current password whatever the
/// age of the sign-in: that field is its confirmation step.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let identity = cx.signed_in()?;
        let issued = server::accounts::change_password(
            &cx.state,
            &identity,
            current_password,
            new_password,
            &cx.client,
            server::events::Channel::Browser,
        )
        .await?;
        cx.hand_out(&issued);
        leptos_axum::redirect("/account?password=changed");
        Ok(())
    })
    .await
}

/// JWT mode: rotates the refresh cookie into a new access token; returns the
/// seconds until it expires. `401` when there is nothing (valid) to refresh.
/// Rotates at most once per request: when the resolver already renewed an
/// expired access token on this very request, that renewal is the answer.
#[server(prefix = "/api", endpoint = "refresh")]
pub async fn refresh() -> Result<i64, AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let now = cx.state.clock.now();
        let identity = cx.renew().await?.ok_or_else(AppError::unauthorized)?;
        Ok(identity
            .access_expires_at
            .map_or(0, |exp| (exp - now).max(0)))
    })
    .await
}
