//! Server functions of the inspector (`/inspect`): what the browser sent on
//! this request, what the server did with it, what it keeps, and, in JWT
//! mode, the access token opened (`server::inspect` assembles it).

use leptos::prelude::*;
use views::inspect::{Inspection, RevokedView};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use super::context;

/// What this request carried and what the server did with it. With
/// `tamper`, also the access token with one payload character changed, as
/// the server judges it.
#[server(prefix = "/api", endpoint = "inspect")]
pub async fn inspect(tamper: bool) -> Result<Inspection, AppError> {
    use server::inspect::{inspection, ThisRequest};
    context::respond(async move {
        let cx = context::request()?;
        let parts = use_context::<http::request::Parts>().ok_or_else(AppError::internal)?;
        let this = ThisRequest::of(&cx.caller, &parts, cx.presented());
        Ok(inspection(&cx.state, &this, tamper).await?)
    })
    .await
}

/// Revokes this browser's device session while it keeps its cookies, as a
/// sign-out from another device would, then checks the same credentials
/// again. Without JavaScript, comes back to `/inspect`, whose next request
/// carries those credentials and shows them refused.
#[server(prefix = "/api", endpoint = "revoke_here")]
pub async fn revoke_here() -> Result<RevokedView, AppError> {
    context::respond(async move {
        let cx = context::request()?;
        let identity = cx.signed_in()?;
        server::accounts::revoke_this_device(&cx.state, &identity, &cx.client).await?;
        let view = server::inspect::recheck(&cx.state, &cx.presented())
            .await?
            .ok_or_else(AppError::unauthorized)?;
        leptos_axum::redirect("/inspect?revoked=1");
        Ok(view)
    })
    .await
}
