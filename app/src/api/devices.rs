//! Server functions of the devices and activity pages. They call the same
//! accounts service as the JSON API (`/api/devices`, `/api/activity`) and
//! return the same [`views::account`] shapes.

use leptos::prelude::*;
use views::account::{ActivityView, DevicesView};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use super::context;

/// The short form of a device id that the pages show, so a device on the
/// devices page can be found in the activity list.
pub fn short_id(id: &str) -> &str {
    id.get(..6).unwrap_or(id)
}

/// The caller's signed-in devices, this one first; `401` if anonymous.
#[server(prefix = "/api", endpoint = "device_list")]
pub async fn device_list() -> Result<DevicesView, AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let identity = cx.signed_in()?;
        Ok(server::accounts::device_list(&cx.state, &identity).await?)
    })
    .await
}

/// Signs out one other device, then shows the list again.
#[server(prefix = "/api", endpoint = "end_device")]
pub async fn end_device(id: String) -> Result<(), AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let identity = cx.signed_in()?;
        server::accounts::end_device(&cx.state, &identity, &id, &cx.client).await?;
        leptos_axum::redirect("/account/devices?ended=one");
        Ok(())
    })
    .await
}

/// Signs out every other device, then shows the list again.
#[server(prefix = "/api", endpoint = "end_other_devices")]
pub async fn end_other_devices() -> Result<u64, AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let identity = cx.signed_in()?;
        let n = server::accounts::end_other_devices(&cx.state, &identity, &cx.client).await?;
        leptos_axum::redirect(&format!("/account/devices?ended=others&count={n}"));
        Ok(n)
    })
    .await
}

/// Signs out every device, this one too, then goes to the sign-in page. A
/// sensitive action: a sign-in older than the re-authentication window
/// confirms it with the password first (`confirm_password`).
#[server(prefix = "/api", endpoint = "end_all_devices")]
pub async fn end_all_devices(confirm_password: Option<String>) -> Result<u64, AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let identity = cx.proved_recently(confirm_password).await?;
        let n = server::accounts::end_all_devices(&cx.state, &identity, &cx.client).await?;
        cx.forget();
        leptos_axum::redirect("/login?ended=everywhere");
        Ok(n)
    })
    .await
}

/// A page of the caller's security events, newest first.
#[server(prefix = "/api", endpoint = "activity_page")]
pub async fn activity_page(before: Option<String>) -> Result<ActivityView, AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let identity = cx.signed_in()?;
        Ok(server::accounts::activity(&cx.state, &identity, before.as_deref()).await?)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::short_id;

    #[test]
    fn short_ids_are_a_prefix() {
        assert_eq!(short_id("AbCdEfGhIjKlMnOpQrStUv"), "AbCdEf");
        assert_eq!(short_id("abc"), "abc");
        assert_eq!(short_id(""), "");
    }
}
