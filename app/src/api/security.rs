//! Server functions of the security page: the account's passkeys, renamed
//! and removed by plain form posts (so the page works without JavaScript).
//! Adding a passkey is a WebAuthn ceremony the browser runs with the JSON
//! endpoints (`/auth/passkeys/registration…`, `public/passkeys.js`).

use leptos::prelude::*;
use views::security::SecurityView;

#[cfg(feature = "ssr")]
use super::context;
use crate::error::AppError;

/// The caller's passkeys and how to add one; `401` if anonymous.
#[server(prefix = "/api", endpoint = "security_page")]
pub async fn security_page() -> Result<SecurityView, AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let identity = cx.signed_in()?;
        Ok(server::accounts::security(&cx.state, &identity).await?)
    })
    .await
}

/// Renames one of the caller's passkeys, then shows the page again.
#[server(prefix = "/api", endpoint = "rename_passkey")]
pub async fn rename_passkey(id: String, name: String) -> Result<(), AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let identity = cx.signed_in()?;
        server::accounts::rename_passkey(&cx.state, &identity, &id, &name).await?;
        leptos_axum::redirect("/account/security?done=renamed");
        Ok(())
    })
    .await
}

/// Removes one of the caller's passkeys: a sensitive action, so a sign-in
/// older than the re-authentication window confirms it with the password
/// first (`confirm_password`).
#[server(prefix = "/api", endpoint = "remove_passkey")]
pub async fn remove_passkey(id: String, confirm_password: Option<String>) -> Result<(), AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let identity = cx.proved_recently(confirm_password).await?;
        server::accounts::remove_passkey(&cx.state, &identity, &id, &cx.client).await?;
        leptos_axum::redirect("/account/security?done=removed");
        Ok(())
    })
    .await
}
