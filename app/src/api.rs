//! Server functions: the public endpoints behind the forms, also usable as
//! plain HTML form posts. Each is a thin adapter: read the request context,
//! call one `server::` function, map the result to a DTO.

pub mod account;
#[cfg(feature = "ssr")]
pub mod context;
pub mod devices;
pub mod inspect;
pub mod tradeoffs;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub use account::{account, Account, AccountView};

/// The signed-in user, as the header shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub username: String,
}

/// How this server remembers who is signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Session,
    Jwt,
}

impl Mode {
    /// The value that chooses this mode in configuration
    /// (`LATCHKEY_AUTH_MODE`).
    pub fn label(self) -> &'static str {
        match self {
            Mode::Session => "session",
            Mode::Jwt => "jwt",
        }
    }

    /// The mode's name on every page, spelled one way everywhere.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Session => "Session mode",
            Mode::Jwt => "JWT mode",
        }
    }

    /// The setting that chooses this mode, as an operator writes it.
    pub fn setting(self) -> &'static str {
        match self {
            Mode::Session => "LATCHKEY_AUTH_MODE=session",
            Mode::Jwt => "LATCHKEY_AUTH_MODE=jwt",
        }
    }
}

#[cfg(feature = "ssr")]
impl From<server::config::AuthMode> for Mode {
    fn from(m: server::config::AuthMode) -> Self {
        match m {
            server::config::AuthMode::Session => Mode::Session,
            server::config::AuthMode::Jwt => Mode::Jwt,
        }
    }
}

/// What every page needs: the mode and who is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub mode: Mode,
    pub user: Option<UserView>,
    /// JWT mode: seconds until the access token expires, so the page can
    /// refresh it in time (the token itself never reaches the page).
    pub access_expires_in: Option<i64>,
}

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
        let cx = context::Request::get().await?;
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
        let cx = context::Request::get().await?;
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
        let cx = context::Request::get().await?;
        let presented = cx.presented();
        server::accounts::sign_out(&cx.state, &cx.caller, &presented, &cx.client).await?;
        cx.forget();
        leptos_axum::redirect("/?signed_out=1");
        Ok(())
    })
    .await
}

/// Changes the password (the current one is required), signs out every other
/// device, then goes back to `/account`, which confirms the change.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    context::respond(async move {
        let cx = context::Request::get().await?;
        let identity = cx.require_user()?;
        let issued = server::accounts::change_password(
            &cx.state,
            &identity,
            current_password,
            new_password,
            &cx.client,
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
        let cx = context::Request::get().await?;
        let now = cx.state.clock.now();
        let identity = if cx.renewed {
            cx.caller.identity().cloned()
        } else {
            renew(&cx).await?
        };
        let identity = identity.ok_or_else(AppError::unauthorized)?;
        Ok(identity
            .access_expires_at
            .map_or(0, |exp| (exp - now).max(0)))
    })
    .await
}

/// Trades the browser's refresh cookie for new credentials; clears the
/// cookies when it is refused.
#[cfg(feature = "ssr")]
async fn renew(cx: &context::Request) -> Result<Option<server::auth::Identity>, AppError> {
    use server::auth::Credential;
    let refresh = cx.presented().into_iter().find_map(|c| match c {
        Credential::Refresh(token) => Some(token),
        _ => None,
    });
    let Some(refresh) = refresh else {
        return Ok(None);
    };
    match server::accounts::renew(&cx.state, &refresh, &cx.client).await? {
        Ok(issued) => {
            cx.hand_out(&issued);
            Ok(Some(issued.into_identity()))
        }
        Err(_) => {
            cx.forget();
            Ok(None)
        }
    }
}

/// The mode and the signed-in user, if any.
#[server(prefix = "/api", endpoint = "viewer")]
pub async fn get_viewer() -> Result<Viewer, AppError> {
    context::respond(async move {
        let cx = context::Request::get().await?;
        let identity = cx.caller.identity();
        let now = cx.state.clock.now();
        Ok(Viewer {
            mode: cx.state.auth.mode().into(),
            user: identity.map(|i| UserView {
                username: i.username.clone(),
            }),
            access_expires_in: identity
                .and_then(|i| i.access_expires_at)
                .map(|exp| (exp - now).max(0)),
        })
    })
    .await
}
