//! Signing in with a passkey, for every transport.
//!
//! The checks are the relying party's ([`crate::methods::passkey`]); what
//! happens around them is this module's: the ceremony is kept server-side
//! and taken once ([`crate::methods::ceremony`]); a passkey sign-in is
//! throttled and recorded exactly like a password one, whatever made it
//! fail (an unknown key, a bad signature, another site's origin, no user
//! verification, a disabled account) ends in the same
//! [`Error::PasskeyRefused`]; a sign counter that does not go up (a cloned
//! authenticator) is refused and recorded as `passkey_cloned`; and the
//! sign-in itself starts exactly as a password sign-in does.

use webauthn_rs::prelude::PublicKeyCredential;

use super::audit::{record, About};
use super::passkeys::{expired, Options};
use super::sign_in::{client_key, start};
use crate::auth::throttle::Key;
use crate::auth::{Amr, ClientMeta, Credential, Issued};
use crate::events::{Channel, EventKind};
use crate::methods::ceremony::{Ceremony, Kind};
use crate::methods::passkey::records::{self, StoredPasskey};
use crate::methods::passkey::Refused;
use crate::users::{self, Account, User};
use crate::{AppState, Error, Result};

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
