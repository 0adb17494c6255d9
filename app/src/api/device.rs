//! Server functions of `/device`, where a signed-in person answers an
//! app's device authorization request (RFC 8628): look the request up by
//! the code the app shows, then approve or deny it. Both are plain form
//! posts too, so the page works without JavaScript.

use leptos::prelude::*;
use views::device::{DeviceAnswer, DeviceRequestView};

#[cfg(feature = "ssr")]
use super::context;
use crate::error::AppError;

/// The request waiting with `user_code`, to show before the answer; `401`
/// if anonymous, `422` (on the `user_code` field) if no request waits with
/// that code.
#[server(prefix = "/api", endpoint = "device_request")]
pub async fn device_request(user_code: String) -> Result<DeviceRequestView, AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let identity = cx.signed_in()?;
        Ok(server::accounts::device_request(&cx.state, &identity, &user_code).await?)
    })
    .await
}

/// Approves (`decision=approve`) or denies the request waiting with
/// `user_code`, then says so on the page.
#[server(prefix = "/api", endpoint = "decide_device")]
pub async fn decide_device(user_code: String, decision: String) -> Result<DeviceAnswer, AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let identity = cx.signed_in()?;
        let approve = match decision.as_str() {
            "approve" => true,
            "deny" => false,
            _ => {
                return Err(AppError::new(
                    422,
                    "Choose Approve or Deny to answer the request.",
                ))
            }
        };
        let state = &cx.state;
        let answer =
            server::accounts::decide_device(state, &identity, &user_code, approve, &cx.client)
                .await?;
        let answered = match answer {
            DeviceAnswer::Approved => "approved",
            DeviceAnswer::Denied => "denied",
        };
        leptos_axum::redirect(&format!("/device?answered={answered}"));
        Ok(answer)
    })
    .await
}
