//! Server functions of the devices and activity pages, and what they return.
//! They call the same accounts service as the JSON API (`/api/devices`,
//! `/api/activity`) and return the same fields: the app is also built for
//! the browser, without the `server` crate, so it keeps its own copy of the
//! shapes, filled from the server's with `From`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Mode;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use super::context;

/// One signed-in device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: String,
    /// The device this page was requested from.
    pub current: bool,
    pub browser: String,
    pub os: String,
    /// The network it signed in from, e.g. `203.0.113.x`.
    pub address: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub idle_expires_at: i64,
    pub absolute_expires_at: i64,
    /// "Keep me signed in" was checked.
    pub persistent: bool,
    /// Signed in under the other mode, before a switch of mode.
    pub other_mode: bool,
}

/// The devices page's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicesView {
    pub mode: Mode,
    pub devices: Vec<DeviceView>,
    /// JWT mode: at most how long other instances keep accepting the access
    /// token of a device signed out here.
    pub revocation_sync_secs: u64,
}

/// One security event of the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub id: String,
    pub at: i64,
    pub kind: String,
    pub detail: Option<String>,
    pub device_id: Option<String>,
    /// The client that made the request.
    pub browser: String,
    pub os: String,
    pub address: Option<String>,
    /// Attempts the event stands for (a lock's refusals: the first at `at`,
    /// the last at `last_at`).
    pub attempts: i64,
    pub last_at: Option<i64>,
}

/// A page of the activity list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub events: Vec<EventView>,
    /// The `before` of the next, older page.
    pub older: Option<String>,
}

/// The short form of a device id that the pages show, so a device on the
/// devices page can be found in the activity list.
pub fn short_id(id: &str) -> &str {
    id.get(..6).unwrap_or(id)
}

#[cfg(feature = "ssr")]
impl From<server::http::account_api::DeviceJson> for DeviceView {
    fn from(d: server::http::account_api::DeviceJson) -> Self {
        DeviceView {
            id: d.id,
            current: d.current,
            browser: d.browser,
            os: d.os,
            address: d.address,
            created_at: d.created_at,
            last_seen_at: d.last_seen_at,
            idle_expires_at: d.idle_expires_at,
            absolute_expires_at: d.absolute_expires_at,
            persistent: d.persistent,
            other_mode: d.other_mode,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<server::http::account_api::EventJson> for EventView {
    fn from(e: server::http::account_api::EventJson) -> Self {
        EventView {
            id: e.id,
            at: e.at,
            kind: e.kind,
            detail: e.cause,
            device_id: e.device_id,
            browser: e.browser,
            os: e.os,
            address: e.address,
            attempts: e.attempts,
            last_at: e.last_at,
        }
    }
}

/// The caller's signed-in devices, this one first; `401` if anonymous.
#[server(prefix = "/api", endpoint = "device_list")]
pub async fn device_list() -> Result<DevicesView, AppError> {
    use server::http::account_api::DeviceJson;
    context::respond(async move {
        let cx = context::Request::get().await?;
        let identity = cx.require_user()?;
        let devices = server::accounts::devices(&cx.state, &identity).await?;
        Ok(DevicesView {
            mode: cx.state.auth.mode().into(),
            devices: devices
                .into_iter()
                .map(|d| DeviceJson::from(d).into())
                .collect(),
            revocation_sync_secs: server::auth::jwt::revocation::SYNC_EVERY.as_secs(),
        })
    })
    .await
}

/// Signs out one other device, then shows the list again.
#[server(prefix = "/api", endpoint = "end_device")]
pub async fn end_device(id: String) -> Result<(), AppError> {
    context::respond(async move {
        let cx = context::Request::get().await?;
        let identity = cx.require_user()?;
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
        let cx = context::Request::get().await?;
        let identity = cx.require_user()?;
        let n = server::accounts::end_other_devices(&cx.state, &identity, &cx.client).await?;
        leptos_axum::redirect(&format!("/account/devices?ended=others&count={n}"));
        Ok(n)
    })
    .await
}

/// Signs out every device, this one too, then goes to the sign-in page.
#[server(prefix = "/api", endpoint = "end_all_devices")]
pub async fn end_all_devices() -> Result<u64, AppError> {
    context::respond(async move {
        let cx = context::Request::get().await?;
        let identity = cx.require_user()?;
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
    use server::http::account_api::EventJson;
    context::respond(async move {
        let cx = context::Request::get().await?;
        let identity = cx.require_user()?;
        let page = server::accounts::activity(&cx.state, &identity, before.as_deref()).await?;
        Ok(ActivityView {
            events: page
                .events
                .into_iter()
                .map(|e| EventJson::from(e).into())
                .collect(),
            older: page.older.map(|c| c.to_string()),
        })
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
