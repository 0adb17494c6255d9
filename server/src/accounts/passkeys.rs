//! Passkeys: adding one to a signed-in account, signing in with one, and
//! listing, renaming and removing them, for every transport.
//!
//! The checks are the relying party's ([`crate::methods::passkey`]); what
//! happens around them is this module's: a ceremony is kept server-side and
//! taken once ([`crate::methods::ceremony`]); a passkey sign-in is
//! throttled and recorded exactly like a password one, whatever made it
//! fail (an unknown key, a bad signature, another site's origin, no user
//! verification, a disabled account) ends in the same
//! [`Error::PasskeyRefused`]; a sign counter that does not go up (a cloned
//! authenticator) is refused and recorded as `passkey_cloned`; and the
//! sign-in itself starts exactly as a password sign-in does.

use views::security::{PasskeyView, SecurityView, PASSKEY_NAME_MAX};
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use super::audit::{record, About};
use super::sign_in::{client_key, start};
use crate::auth::throttle::Key;
use crate::auth::{Amr, ClientMeta, Credential, Identity, Issued};
use crate::events::{Channel, EventKind};
use crate::methods::ceremony::{Ceremony, Kind};
use crate::methods::passkey::records::{self, StoredPasskey};
use crate::methods::passkey::Refused;
use crate::random::new_id;
use crate::users::{self, Account, User};
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

/// Starts a sign-in with a passkey (no username).
pub async fn passkey_sign_in_options(state: &AppState) -> Result<Options> {
    let (options, kept) = state.passkeys.sign_in_options()?;
    let ceremony = Ceremony {
        kind: Kind::Authentication,
        user_id: None,
        state: kept,
    };
    let ceremony = state.ceremonies.begin(&ceremony).await?;
    Ok(Options { options, ceremony })
}

/// Checks the browser's assertion for the ceremony `ceremony`, then signs
/// its account in on this device exactly as a password sign-in would
/// (ending the session it held before, `presented`; `persistent`: "keep me
/// signed in").
pub async fn passkey_sign_in(
    state: &AppState,
    ceremony: &str,
    credential: &PublicKeyCredential,
    client: &ClientMeta,
    presented: &[Credential],
    persistent: bool,
) -> Result<Issued> {
    let kept = state
        .ceremonies
        .take(ceremony, Kind::Authentication)
        .await?
        .ok_or_else(expired)?;
    let named = state.passkeys.identify(credential);
    let stored = match &named {
        Some((handle, credential_id)) => records::by_credential(&state.db, credential_id)
            .await?
            // The handle must be the account's too: an assertion naming
            // someone else's handle with one's own key is refused.
            .zip(records::user_of_handle(&state.db, *handle).await?)
            .filter(|(p, owner)| &p.user_id == owner)
            .map(|(p, _)| p),
        None => None,
    };
    // Disabled or not: a disabled account's key is checked like any other,
    // and refused after, so the answer does not tell the two apart.
    let account = match &stored {
        Some(p) => users::by_id(&state.db, &p.user_id).await?,
        None => None,
    };
    // The throttle keys: the account when the key names one (a wrong
    // password counts against it, so does this), then the client.
    let mut keys: Vec<Key> = Vec::new();
    if let Some(a) = &account {
        keys.push(Key::account(&state.names, &a.username));
    }
    keys.extend(client_key(client));
    let now = state.clock.now();
    if let Some(lock) = state.throttle.lock(&keys, now).await? {
        let typed = account.as_ref().map_or("", |a| a.username.as_str());
        super::audit::record_blocked(state, typed, client, Channel::Passkey, lock).await;
        return Err(Error::Throttled(lock.wait));
    }
    let checked = match &stored {
        Some(p) if p.suspended_at.is_some() => Err(Some(Refused::Invalid(
            "the passkey was stopped after a sign count that did not go up".into(),
        ))),
        Some(p) => state
            .passkeys
            .sign_in(&kept.state, credential, p.passkey.clone())
            .map_err(Some),
        None => Err(None),
    };
    let owner = account.as_ref().zip(stored.as_ref());
    let (passkey, facts, (account, stored)) = match (checked, owner) {
        (Ok((passkey, facts)), Some(owner)) => (passkey, facts, owner),
        (checked, owner) => {
            let why = match checked {
                Err(Some(why)) => why,
                _ => Refused::Invalid("no such passkey".into()),
            };
            refuse(state, &keys, owner, why, client).await?;
            return Err(Error::PasskeyRefused);
        }
    };
    if account.disabled_at.is_some() {
        state.throttle.fail(&keys, now).await?;
        let about = About::user(&account.id, Some(&account.username)).channel(Channel::Passkey);
        record(state, EventKind::SignInDisabled, about, client).await;
        return Err(Error::PasskeyRefused);
    }
    // A use that lost a race with another (the same count twice) is a
    // copy of the key signing in twice: refused.
    if !records::record_use(&state.db, &stored.id, &passkey, facts, now).await? {
        refuse(
            state,
            &keys,
            Some((account, stored)),
            Refused::Cloned,
            client,
        )
        .await?;
        return Err(Error::PasskeyRefused);
    }
    if let Some(first) = keys.first() {
        state.throttle.clear(first).await?;
    }
    let user = User {
        id: account.id.clone(),
        username: account.username.clone(),
        created_at: account.created_at,
    };
    // How it was proved, for the backends (`amr`): a synced key or one
    // bound to its device.
    let how = (persistent, Channel::Passkey, Amr::passkey(facts.backed_up));
    start(state, &user, client, presented, how).await
}

/// Counts a refused passkey sign-in against `keys` and records it.
async fn refuse(
    state: &AppState,
    keys: &[Key],
    owner: Option<(&Account, &StoredPasskey)>,
    why: Refused,
    client: &ClientMeta,
) -> Result<()> {
    tracing::info!(reason = ?why, "passkey sign-in refused");
    state.throttle.fail(keys, state.clock.now()).await?;
    match owner {
        Some((user, passkey)) => {
            let about = About::user(&user.id, Some(&user.username));
            let (kind, about) = match why {
                Refused::Cloned => {
                    records::suspend(&state.db, &passkey.id, state.clock.now()).await?;
                    (EventKind::PasskeyCloned, about.detail(&passkey.id))
                }
                Refused::Invalid(_) => (EventKind::SignInFailed, about.channel(Channel::Passkey)),
            };
            record(state, kind, about, client).await;
        }
        None => {
            super::audit::record_attempt(
                state,
                EventKind::SignInFailed,
                "",
                client,
                Channel::Passkey,
            )
            .await
        }
    }
    Ok(())
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

fn expired() -> Error {
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
