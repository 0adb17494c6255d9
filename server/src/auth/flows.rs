//! The account flows every mode shares: sign-up, the password check,
//! sign-in and sign-out, each recorded in the audit trail. The configured
//! [`Auth`] backend only decides how a sign-in is remembered.

use tower_cookies::Cookies;

use super::throttle::Key;
use super::{Auth, AuthBackend, Caller, ClientMeta, Identity};
use crate::events::{self, Event, EventKind};
use crate::users::{self, User};
use crate::{AppState, Error, Result};

/// Creates an account and signs it in on this device.
pub async fn sign_up(
    state: &AppState,
    username: &str,
    password: String,
    client: &ClientMeta,
    jar: &Cookies,
) -> Result<Identity> {
    let username = users::normalize_username(username)?;
    users::check_new_password(&password)?;
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
    record(
        state,
        EventKind::SignUp,
        Some(&user.id),
        Some(&username),
        client,
    )
    .await;
    start(state, &user, client, jar).await
}

/// Checks a username and password, then signs the user in on this device.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: String,
    client: &ClientMeta,
    jar: &Cookies,
) -> Result<Identity> {
    let user = authenticate(state, username, password, client).await?;
    start(state, &user, client, jar).await
}

/// Remembers the sign-in of an authenticated `user` the configured way.
async fn start(
    state: &AppState,
    user: &User,
    client: &ClientMeta,
    jar: &Cookies,
) -> Result<Identity> {
    let identity = state.auth.sign_in(user, client, jar).await?;
    record(
        state,
        EventKind::SignInOk,
        Some(&user.id),
        Some(&user.username),
        client,
    )
    .await;
    Ok(identity)
}

/// Checks a username and password; the user if they match.
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
) -> Result<User> {
    if username.trim().is_empty() || password.is_empty() {
        return Err(Error::Invalid(
            "Please enter your username and password.".into(),
        ));
    }
    let keys = throttle_keys(username, client);
    let now = state.clock.now();
    if let Some(wait) = state.throttle.locked_for(&keys, now).await? {
        record_failure(state, EventKind::SignInThrottled, username, client).await;
        return Err(Error::Throttled(wait));
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
        _ => {
            state.throttle.fail(&keys, state.clock.now()).await?;
            record_failure(state, EventKind::SignInFailed, username, client).await;
            Err(Error::InvalidCredentials)
        }
    }
}

/// The throttle keys of an attempt: the account name first, then the client.
fn throttle_keys(username: &str, client: &ClientMeta) -> Vec<Key> {
    std::iter::once(Key::account(username))
        .chain(client_key(client))
        .collect()
}

/// The client's throttle key, when its address is known.
fn client_key(client: &ClientMeta) -> Option<Key> {
    client
        .ip
        .as_deref()
        .and_then(|ip| ip.parse().ok())
        .map(Key::client)
}

async fn record_failure(state: &AppState, kind: EventKind, username: &str, client: &ClientMeta) {
    let name = users::normalize_username(username).ok();
    record(state, kind, None, name.as_deref(), client).await;
}

/// JWT mode: rotates the browser's refresh cookie, setting fresh cookies.
/// `None` in session mode or when there is no valid refresh token.
pub async fn refresh(state: &AppState, jar: &Cookies) -> Result<Option<Identity>> {
    match &state.auth {
        Auth::Jwt(b) => b.refresh_cookies(jar).await,
        Auth::Session(_) => Ok(None),
    }
}

/// Signs the caller out on this device. Signing out twice is not an error.
pub async fn sign_out(
    state: &AppState,
    caller: &Caller,
    client: &ClientMeta,
    jar: &Cookies,
) -> Result<()> {
    state.auth.sign_out(jar).await?;
    if let Some(identity) = caller.identity() {
        let (id, name) = (&identity.user_id, &identity.username);
        record(state, EventKind::SignOut, Some(id), Some(name), client).await;
    }
    Ok(())
}

/// Writes an audit event about `user_id` / `username` from `client`.
pub(super) async fn record(
    state: &AppState,
    kind: EventKind,
    user_id: Option<&str>,
    username: Option<&str>,
    client: &ClientMeta,
) {
    let event = Event {
        kind,
        at: state.clock.now(),
        user_id,
        username,
        ip: client.ip.as_deref(),
        user_agent: client.user_agent.as_deref(),
    };
    events::record(&state.db, event).await;
}
