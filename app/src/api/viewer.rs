//! What every page asks first: the mode, and who is signed in.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use views::Mode;

#[cfg(feature = "ssr")]
use super::context;
use crate::error::AppError;

/// The signed-in user, as the header shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub username: String,
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

/// The mode and the signed-in user, if any.
#[server(prefix = "/api", endpoint = "viewer")]
pub async fn get_viewer() -> Result<Viewer, AppError> {
    context::respond(async move {
        let cx = context::request()?;
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
