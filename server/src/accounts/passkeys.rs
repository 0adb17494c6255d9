//! Passkeys: adding one to a signed-in account, and listing, renaming and
//! removing them, for every transport (signing in with one:
//! [`super::passkey_sign_in`]).
//!
//! The checks are the relying party's ([`crate::methods::passkey`]); what
//! happens around them is this module's: a ceremony is kept server-side and
//! taken once ([`crate::methods::ceremony`]), a name is checked, and each
//! change is recorded.

use views::security::{PasskeyView, SecurityView, PASSKEY_NAME_MAX};
use webauthn_rs::prelude::RegisterPublicKeyCredential;

use super::audit::{record, About};
use crate::auth::{ClientMeta, Identity};
use crate::events::EventKind;
use crate::methods::ceremony::{Ceremony, Kind};
use crate::methods::passkey::records::{self, StoredPasskey};
use crate::random::new_id;
use crate::{AppState, Error, Result};

/// What a ceremony's first step hands the client: the options for the
/// browser (`{"publicKey": …}`) and the id of the state kept here.
#[derive(Debug)]
pub struct Options {
    pub options: serde_json::Value,
    pub ceremony: String,
}

/// Starts adding a passkey to the signed-in `identity`'s account (the
/// caller checked the re-authentication window).
pub async fn passkey_registration_options(
    state: &AppState,
    identity: &Identity,
) -> Result<Options> {
    let handle = records::handle_of(&state.db, &identity.user_id).await?;
    let exclude = records::of_user(&state.db, &identity.user_id)
        .await?
        .into_iter()
        .map(|p| p.passkey.cred_id().to_vec())
        .collect();
    let (options, kept) =
        state
            .passkeys
            .registration_options(handle, &identity.username, exclude)?;
    let ceremony = Ceremony {
        kind: Kind::Registration,
        user_id: Some(identity.user_id.clone()),
        state: kept,
    };
    let ceremony = state.ceremonies.begin(&ceremony).await?;
    Ok(Options { options, ceremony })
}

/// Finishes adding a passkey named `name` (blank: named after the
/// browser) to `identity`'s account, from the browser's answer to the
/// ceremony `ceremony`.
pub async fn add_passkey(
    state: &AppState,
    identity: &Identity,
    ceremony: &str,
    credential: &RegisterPublicKeyCredential,
    name: &str,
    client: &ClientMeta,
) -> Result<PasskeyView> {
    let name = passkey_name(name, client)?;
    let kept = state
        .ceremonies
        .take(ceremony, Kind::Registration)
        .await?
        .filter(|c| c.user_id.as_deref() == Some(identity.user_id.as_str()))
        .ok_or_else(expired)?;
    let new = state
        .passkeys
        .register(&kept.state, credential)
        .map_err(|why| {
            tracing::info!(reason = ?why, "passkey registration refused");
            Error::Invalid(
                "Your browser's answer could not be checked, so no passkey was added. Please try \
             again."
                    .into(),
            )
        })?;
    let id = new_id();
    let now = state.clock.now();
    if !records::insert(&state.db, &id, &identity.user_id, &new, &name, now).await? {
        return Err(Error::Invalid(
            "This passkey is registered already. Use it to sign in, or remove it first.".into(),
        ));
    }
    let about = About::user(&identity.user_id, Some(&identity.username))
        .device(&identity.device_id)
        .detail(&id);
    record(state, EventKind::PasskeyAdded, about, client).await;
    Ok(PasskeyView {
        id,
        name,
        created_at: now,
        last_used_at: None,
        synced: new.facts.backed_up,
        discoverable: new.discoverable,
        suspended_at: None,
    })
}

/// The signed-in account's passkeys, oldest first.
pub async fn passkeys(state: &AppState, identity: &Identity) -> Result<Vec<PasskeyView>> {
    let stored = records::of_user(&state.db, &identity.user_id).await?;
    Ok(stored.into_iter().map(view).collect())
}

/// The security page's data.
pub async fn security(state: &AppState, identity: &Identity) -> Result<SecurityView> {
    Ok(SecurityView {
        passkeys: passkeys(state, identity).await?,
        confirm_needed: !state.reauth.proof().allows(identity.signed_in_at),
        reauth_window_secs: state.reauth.secs(),
        rp_id: state.passkeys.rp_id().to_string(),
        passkey_origin: state.passkeys.origin().to_string(),
    })
}

/// Renames the caller's passkey `id`.
pub async fn rename_passkey(
    state: &AppState,
    identity: &Identity,
    id: &str,
    name: &str,
) -> Result<()> {
    let name = checked_name(name)?;
    if records::rename(&state.db, &identity.user_id, id, &name).await? {
        Ok(())
    } else {
        Err(not_yours())
    }
}

/// Removes the caller's passkey `id` (the caller checked the
/// re-authentication window): it signs in no more, from the next attempt.
pub async fn remove_passkey(
    state: &AppState,
    identity: &Identity,
    id: &str,
    client: &ClientMeta,
) -> Result<()> {
    let Some(_name) = records::remove(&state.db, &identity.user_id, id).await? else {
        return Err(not_yours());
    };
    let about = About::user(&identity.user_id, Some(&identity.username))
        .device(&identity.device_id)
        .detail(id);
    record(state, EventKind::PasskeyRemoved, about, client).await;
    Ok(())
}

fn view(p: StoredPasskey) -> PasskeyView {
    PasskeyView {
        id: p.id,
        name: p.name,
        created_at: p.created_at,
        last_used_at: p.last_used_at,
        synced: p.backed_up,
        discoverable: p.discoverable,
        suspended_at: p.suspended_at,
    }
}

/// A name as given, trimmed; blank: the browser and system it was added
/// on ("Chrome 120 on Linux").
fn passkey_name(name: &str, client: &ClientMeta) -> Result<String> {
    if name.trim().is_empty() {
        let sw = crate::describe::software(client.user_agent.as_deref());
        return Ok(format!("{} on {}", sw.browser, sw.os));
    }
    checked_name(name)
}

fn checked_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::field("name", "Please give the passkey a name."));
    }
    if name.chars().count() > PASSKEY_NAME_MAX || name.chars().any(char::is_control) {
        return Err(Error::field(
            "name",
            format!("A passkey's name is at most {PASSKEY_NAME_MAX} characters, on one line."),
        ));
    }
    Ok(name.to_string())
}

pub(super) fn expired() -> Error {
    Error::Invalid(
        "This passkey request has expired or was already answered. Please try again.".into(),
    )
}

fn not_yours() -> Error {
    Error::NotFound("You have no passkey with that id.".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_one_line_and_bounded() {
        assert_eq!(checked_name("  My phone ").unwrap(), "My phone");
        assert!(checked_name("   ").is_err());
        assert!(checked_name("a\nb").is_err());
        assert!(checked_name(&"é".repeat(PASSKEY_NAME_MAX)).is_ok());
        assert!(checked_name(&"é".repeat(PASSKEY_NAME_MAX + 1)).is_err());
        let client = ClientMeta {
            user_agent: Some(
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/120.0 Safari/537.36"
                    .into(),
            ),
            ..ClientMeta::default()
        };
        assert_eq!(passkey_name("", &client).unwrap(), "Chrome 120 on Linux");
    }
}
