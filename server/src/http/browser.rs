//! The browser adapter's view of a request, for the app's server functions:
//! the state, the cookie jar, the caller the resolver found and the
//! client's details. Credentials travel in cookies here, through
//! [`credentials`]; a server function asks for a user with
//! [`BrowserRequest::signed_in`] ([`Caller::require`], as every adapter),
//! and for a sensitive action with [`BrowserRequest::proved_recently`]: the
//! same check with the re-authentication window, whose refusal a page turns
//! into its confirmation step.

use std::sync::Arc;

use http::request::Parts;
use tower_cookies::Cookies;

use super::credentials;
use super::resolve::RenewedThisRequest;
use crate::auth::{Caller, ClientMeta, Credential, Denied, Identity, Issued, Proof};
use crate::{accounts, AppState, Result};

/// What a server function call needs from its request.
pub struct BrowserRequest {
    pub state: AppState,
    pub jar: Cookies,
    pub caller: Caller,
    pub client: ClientMeta,
    /// The resolver already renewed the credentials on this request.
    pub renewed: bool,
}

impl BrowserRequest {
    /// Reads what the auth layers put in the request's extensions, in
    /// place (cloning the whole request head would copy every header for
    /// the four values taken here); `None` without the cookie layer.
    pub fn of(state: AppState, parts: &Parts) -> Option<Self> {
        let ext = &parts.extensions;
        Some(BrowserRequest {
            state,
            jar: ext.get::<Cookies>()?.clone(),
            caller: ext.get::<Caller>().cloned().unwrap_or(Caller::Anonymous),
            client: ext.get::<ClientMeta>().cloned().unwrap_or_default(),
            renewed: ext.get::<RenewedThisRequest>().is_some(),
        })
    }

    /// The signed-in identity: [`crate::Error::NotSignedIn`], or
    /// `Unavailable` when the store could not say.
    pub fn signed_in(&self) -> Result<Arc<Identity>> {
        Ok(self.caller.require(Proof::Any)?.clone())
    }

    /// The signed-in identity, for a sensitive action: one who proved who
    /// they are within the re-authentication window, or who proves it now
    /// with `password` (the page's confirmation step,
    /// [`accounts::confirm`]: a missing or wrong one is an error on its
    /// field, and the action does not happen).
    pub async fn proved_recently(&self, password: Option<String>) -> Result<Arc<Identity>> {
        match self.caller.require(self.state.reauth.proof()) {
            Ok(identity) => Ok(identity.clone()),
            Err(Denied::ProveAgain { .. }) => {
                let identity = self.signed_in()?;
                accounts::confirm(&self.state, &identity, password, &self.client).await?;
                Ok(identity)
            }
            Err(denied) => Err(denied.into()),
        }
    }

    /// The credentials the browser holds (as the resolver may have renewed
    /// them on this request).
    pub fn presented(&self) -> Vec<Credential> {
        credentials::from_cookies(&self.jar)
    }

    /// Hands issued credentials to the browser.
    pub fn hand_out(&self, issued: &Issued) {
        credentials::set_cookies(&self.jar, issued);
    }

    /// Tells the browser to drop its auth cookies.
    pub fn forget(&self) {
        credentials::clear_cookies(&self.jar);
    }

    /// JWT mode: the caller after a renewal of the browser's refresh token,
    /// at most one per request (when the resolver already renewed on this
    /// very request, that renewal is the answer); `None`, and the cookies
    /// cleared, when there is nothing valid to renew.
    pub async fn renew(&self) -> Result<Option<Identity>> {
        if self.renewed {
            return Ok(self.caller.identity().cloned());
        }
        let refresh = self.presented().into_iter().find_map(|c| match c {
            Credential::Refresh(token) => Some(token),
            _ => None,
        });
        let Some(refresh) = refresh else {
            return Ok(None);
        };
        match accounts::renew(&self.state, &refresh, &self.client).await? {
            Ok(issued) => {
                self.hand_out(&issued);
                Ok(Some(issued.into_identity()))
            }
            Err(_) => {
                self.forget();
                Ok(None)
            }
        }
    }
}
