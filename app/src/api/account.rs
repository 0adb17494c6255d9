//! `/account`'s data: who you are and this device's sign-in.

use leptos::prelude::*;
use views::account::AccountView;

#[cfg(feature = "ssr")]
use super::context;
use crate::error::AppError;

/// The signed-in user's account and this device's session; `401` if
/// anonymous, or if the sign-in turned out to be over
/// (`server::accounts::overview`).
#[server(prefix = "/api", endpoint = "account")]
pub async fn account() -> Result<AccountView, AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let identity = cx.signed_in()?;
        server::accounts::overview(&cx.state, &identity)
            .await?
            .ok_or_else(AppError::unauthorized)
    })
    .await
}
