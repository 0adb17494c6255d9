//! Creating an account and signing in: the password check, throttled, then
//! a new device session the configured way.

use super::audit::{record, record_attempt, record_blocked, About};
use crate::auth::throttle::Key;
use crate::auth::{Amr, AuthBackend, ClientMeta, Credential, Issued, TokenPair};
use crate::events::{Channel, EventKind};
use crate::users::{self, User};
use crate::{AppState, Error, Result};

/// Creates an account and signs it in on this device, ending the session
/// the device held before (`presented`); `persistent`: "keep me signed in".
pub async fn sign_up(
    state: &AppState,
    username: &str,
    password: String,
    client: &ClientMeta,
    presented: &[Credential],
    persistent: bool,
) -> Result<Issued> {
    // Both fields are checked, so the form can mark each one that is wrong.
    let (name, rules) = (
        users::normalize_username(username),
        users::check_new_password(&password),
    );
    let message = |e: &Error| e.to_string();
    Error::check_fields([
        ("username", name.as_ref().err().map(message)),
        ("password", rules.as_ref().err().map(message)),
    ])?;
    let username = name?;
    // "Taken" tells whether an account exists, so a client that keeps
    // hitting taken names is throttled like one guessing passwords.
    let client_key: Vec<Key> = client_key(client).into_iter().collect();
    if let Some(wait) = state
        .throttle
        .locked_for(&client_key, state.clock.now())
        .await?
    {
        return Err(Error::Throttled(wait));
    }
    let hash = state.hasher.hash(password).await?;
    let now = state.clock.now();
    let user = match users::create(&state.db, &username, &hash, now).await {
        Err(Error::UsernameTaken) => {
            state.throttle.fail(&client_key, now).await?;
            return Err(Error::UsernameTaken);
        }
        other => other?,
    };
    let about = About::user(&user.id, Some(&username));
    record(state, EventKind::SignUp, about, client).await;
    let how = (persistent, Channel::Browser, Amr::Pwd);
    start(state, &user, client, presented, how).await
}

/// Checks a username and password, then signs the user in on this device,
/// ending the session the device held before (`presented`); `persistent`:
/// "keep me signed in".
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: String,
    client: &ClientMeta,
    presented: &[Credential],
    persistent: bool,
) -> Result<Issued> {
    let user = authenticate(state, username, password, client, Channel::Browser).await?;
    start(
        state,
        &user,
        client,
        presented,
        (persistent, Channel::Browser, Amr::Pwd),
    )
    .await
}

/// The token endpoint's password grant: a sign-in that hands out bearer
/// tokens. Refused before any check when this server issues none.
pub async fn token_sign_in(
    state: &AppState,
    username: &str,
    password: String,
    client: &ClientMeta,
) -> Result<TokenPair> {
    super::grants::require_tokens(state, super::grants::USE_SESSIONS)?;
    let user = authenticate(state, username, password, client, Channel::Api).await?;
    // An API client keeps its tokens as long as it likes; there is no
    // browser to close.
    let how = (true, Channel::Api, Amr::Pwd);
    match start(state, &user, client, &[], how).await? {
        Issued::Tokens(pair) => Ok(pair),
        Issued::Session { .. } => Err(Error::Internal("a token backend issued a session".into())),
    }
}

/// Remembers the sign-in of an authenticated `user` the configured way:
/// `how` says whether it is kept ("keep me signed in"), where it came
/// from, and how the user proved who they are.
pub(super) async fn start(
    state: &AppState,
    user: &User,
    client: &ClientMeta,
    presented: &[Credential],
    (persistent, channel, amr): (bool, Channel, Amr),
) -> Result<Issued> {
    for credential in presented {
        state
            .auth
            .end(credential, "replaced by a new sign-in")
            .await?;
    }
    let issued = state.auth.start(user, client, persistent, amr).await?;
    let about = About::user(&user.id, Some(&user.username))
        .device(&issued.identity().device_id)
        .channel(channel);
    record(state, EventKind::SignInOk, about, client).await;
    Ok(issued)
}

/// Checks a username and password typed into `channel`; the user if they
/// match.
///
/// Unknown user, wrong password, disabled account and a username that could
/// never exist all cost one password verification and end in the same
/// [`Error::InvalidCredentials`]. While the account name or the client is
/// throttled every attempt ends in the same [`Error::Throttled`] before any
/// check, whatever the password and whether or not the account exists.
pub async fn authenticate(
    state: &AppState,
    username: &str,
    password: String,
    client: &ClientMeta,
    channel: Channel,
) -> Result<User> {
    if username.trim().is_empty() || password.is_empty() {
        return Err(Error::Invalid(
            "Please enter your username and password.".into(),
        ));
    }
    let keys = throttle_keys(state, username, client);
    let now = state.clock.now();
    if let Some(lock) = state.throttle.lock(&keys, now).await? {
        record_blocked(state, username, client, channel, lock).await;
        return Err(Error::Throttled(lock.wait));
    }
    let candidate = match users::normalize_username(username) {
        Ok(name) if password.chars().count() <= users::PASSWORD_LEN.1 => {
            users::find_for_login(&state.db, &name).await?
        }
        _ => None,
    };
    let (stored, active) = match &candidate {
        Some(u) => (Some(u.password_hash.clone()), u.disabled_at.is_none()),
        None => (None, false),
    };
    let matches = state.hasher.verify(password, stored).await?;
    match candidate {
        Some(u) if matches && active => {
            state.throttle.clear(&keys[0]).await?;
            Ok(User::from(u))
        }
        other => {
            state.throttle.fail(&keys, state.clock.now()).await?;
            match other {
                // The owner (or whoever has the password) is told nothing
                // more than a wrong password would tell; the trail says why.
                Some(u) if matches => {
                    let about = About::user(&u.id, Some(&u.username)).channel(channel);
                    record(state, EventKind::SignInDisabled, about, client).await;
                }
                _ => {
                    record_attempt(state, EventKind::SignInFailed, username, client, channel).await
                }
            }
            Err(Error::InvalidCredentials)
        }
    }
}

/// The throttle keys of an attempt: the account name first, then the client.
fn throttle_keys(state: &AppState, username: &str, client: &ClientMeta) -> Vec<Key> {
    std::iter::once(Key::account(&state.names, username))
        .chain(client_key(client))
        .collect()
}

/// The client's throttle key, when its address is known.
pub(super) fn client_key(client: &ClientMeta) -> Option<Key> {
    client
        .ip
        .as_deref()
        .and_then(|ip| ip.parse().ok())
        .map(Key::client)
}
