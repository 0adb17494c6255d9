//! Passkeys (WebAuthn) as a sign-in method: this server as the relying
//! party, through `webauthn-rs`.
//!
//! [`RelyingParty`] is built once from the configuration: the RP ID the
//! passkeys are bound to and the one origin whose pages may use them
//! (`LATCHKEY_PUBLIC_ORIGIN`, else `http://localhost:<port>`: browsers
//! refuse WebAuthn on an IP address). It turns webauthn-rs's calls into the
//! two ceremonies this app runs, with the choices made here:
//!
//! - registration asks for a discoverable credential ("resident key
//!   preferred"), so signing in needs no username, and for user
//!   verification (a PIN or biometric: the passkey is a whole sign-in, not
//!   a second factor); no attestation (any authenticator will do);
//! - sign-in is discoverable (no `allowCredentials`): the authenticator
//!   names the account by its user handle, a random UUID per account
//!   ([`records`]); webauthn-rs checks the challenge, origin, RP ID hash,
//!   user verification, signature and sign counter (a count that does not
//!   go up means a cloned authenticator: [`Refused::Cloned`]).
//!
//! The state webauthn-rs keeps between the two requests of a ceremony is
//! serialised into the ceremony store ([`super::ceremony`]).

pub mod records;

use serde_json::{json, Value};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder, WebauthnError,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use crate::config::Config;
use crate::{Error, Result};

/// This server as a WebAuthn relying party.
#[derive(Clone, Debug)]
pub struct RelyingParty {
    webauthn: std::sync::Arc<Webauthn>,
    rp_id: String,
    origin: Url,
}

/// A passkey checked at registration, ready to be stored.
#[derive(Debug)]
pub struct NewPasskey {
    pub passkey: Passkey,
    /// The credential id, base64url.
    pub credential_id: String,
    pub facts: Facts,
    /// The browser's `credProps.rk`: whether the authenticator kept a
    /// discoverable credential (`None`: it did not say).
    pub discoverable: Option<bool>,
}

/// What an authenticator reports about a passkey at each use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// Synced to the owner's other devices (the backup-state flag).
    pub backed_up: bool,
    pub sign_count: u32,
}

/// Why a passkey was refused. Clients are told the same in every case.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The sign counter did not go up: the credential may have been copied.
    Cloned,
    /// Anything else (signature, challenge, origin, RP ID, user
    /// verification, shape): webauthn-rs's reason, for the log.
    Invalid(String),
}

impl RelyingParty {
    /// The relying party `config` describes, or a sentence saying which
    /// setting is wrong.
    pub fn from_config(config: &Config) -> std::result::Result<Self, String> {
        let origin = Url::parse(&config.origin())
            .map_err(|e| format!("LATCHKEY_PUBLIC_ORIGIN is not a URL ({e})"))?;
        let rp_id = match &config.webauthn_rp_id {
            Some(id) => id.trim().to_ascii_lowercase(),
            None => origin.host_str().unwrap_or_default().to_string(),
        };
        let webauthn = WebauthnBuilder::new(&rp_id, &origin)
            .map_err(|_| {
                format!(
                    "LATCHKEY_WEBAUTHN_RP_ID {rp_id:?} must be the host of {origin} or a domain it \
                     lies under (an IP address cannot be one: browsers refuse passkeys there)"
                )
            })?
            .rp_name("Latchkey")
            .build()
            .map_err(|e| format!("WebAuthn settings: {e}"))?;
        Ok(RelyingParty {
            webauthn: std::sync::Arc::new(webauthn),
            rp_id,
            origin,
        })
    }

    /// The RP ID passkeys are bound to.
    pub fn rp_id(&self) -> &str {
        &self.rp_id
    }

    /// The origin whose pages may use passkeys.
    pub fn origin(&self) -> &str {
        self.origin.as_str().trim_end_matches('/')
    }

    /// Options for adding a passkey to the account with WebAuthn user handle
    /// `handle` (named `username` in the authenticator's list), excluding
    /// the credentials it has already; the options as the browser takes them
    /// (`{"publicKey": …}`) and the state to keep.
    pub fn registration_options(
        &self,
        handle: Uuid,
        username: &str,
        exclude: Vec<Vec<u8>>,
    ) -> Result<(Value, String)> {
        let exclude = (!exclude.is_empty()).then_some(exclude);
        let (mut options, state) = self
            .webauthn
            .start_passkey_registration(handle, username, username, exclude)
            .map_err(internal)?;
        // webauthn-rs leaves discoverability to the authenticator; a sign-in
        // without a username needs it, so ask for it where it can be had
        // (security keys with little storage may still decline).
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Preferred);
        }
        Ok((
            json!({ "publicKey": options.public_key }),
            serde_json::to_string(&state).map_err(internal)?,
        ))
    }

    /// Checks the browser's answer to a registration (`state` from
    /// [`Self::registration_options`]).
    pub fn register(
        &self,
        state: &str,
        credential: &RegisterPublicKeyCredential,
    ) -> std::result::Result<NewPasskey, Refused> {
        let state: PasskeyRegistration =
            serde_json::from_str(state).map_err(|e| Refused::Invalid(e.to_string()))?;
        let passkey = self
            .webauthn
            .finish_passkey_registration(credential, &state)
            .map_err(refused)?;
        let facts = facts_of(&passkey);
        Ok(NewPasskey {
            credential_id: b64(passkey.cred_id().as_ref()),
            discoverable: credential.extensions.cred_props.as_ref().and_then(|p| p.rk),
            facts,
            passkey,
        })
    }

    /// Options for a sign-in with any passkey of this RP (no username), and
    /// the state to keep. The page adds `mediation` itself: "conditional"
    /// for the username field's autofill, nothing for the button.
    pub fn sign_in_options(&self) -> Result<(Value, String)> {
        let (options, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(internal)?;
        Ok((
            json!({ "publicKey": options.public_key }),
            serde_json::to_string(&state).map_err(internal)?,
        ))
    }

    /// The user handle and credential id (base64url) an assertion names,
    /// read before any check to find the passkey to check it with.
    pub fn identify(&self, credential: &PublicKeyCredential) -> Option<(Uuid, String)> {
        self.webauthn
            .identify_discoverable_authentication(credential)
            .ok()
            .map(|(handle, id)| (handle, b64(id)))
    }

    /// Checks an assertion against the stored `passkey` (`state` from
    /// [`Self::sign_in_options`]); the passkey as it must be stored now
    /// (its counter moved on) and what the authenticator reported.
    pub fn sign_in(
        &self,
        state: &str,
        credential: &PublicKeyCredential,
        mut passkey: Passkey,
    ) -> std::result::Result<(Passkey, Facts), Refused> {
        let state: DiscoverableAuthentication =
            serde_json::from_str(state).map_err(|e| Refused::Invalid(e.to_string()))?;
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(credential, state, &passkey)
            .map_err(refused)?;
        passkey.update_credential(&result);
        let facts = Facts {
            backed_up: result.backup_state(),
            sign_count: result.counter(),
        };
        Ok((passkey, facts))
    }
}

/// The backup state and counter a stored passkey holds. webauthn-rs keeps
/// them private (their getters need its `danger-credential-internals`),
/// so they are read from its own serialised form.
pub fn facts_of(passkey: &Passkey) -> Facts {
    let value = serde_json::to_value(passkey).unwrap_or_default();
    let cred = &value["cred"];
    Facts {
        backed_up: cred["backup_state"].as_bool().unwrap_or(false),
        sign_count: cred["counter"].as_u64().unwrap_or(0) as u32,
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn refused(e: WebauthnError) -> Refused {
    match e {
        WebauthnError::CredentialPossibleCompromise => Refused::Cloned,
        other => Refused::Invalid(other.to_string()),
    }
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("webauthn: {e}"))
}

#[cfg(test)]
mod tests;
