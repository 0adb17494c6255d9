//! `latchkey keys list` and `latchkey keys rotate`: the signing key set in
//! the data directory, read and changed without a server or a database.
//!
//! A rotation only writes the key set file; running servers read it within
//! [`crate::auth::jwt::revocation::SYNC_EVERY`] (see [`crate::auth::jwt::keys`]).

use std::time::Duration;

use clap::Subcommand;

use super::answer::{utc, Answer};
use crate::auth::jwt::claims::LEEWAY;
use crate::auth::jwt::keys::{KeyState, Keyring};
use crate::clock::Clock;
use crate::config::{Config, JwtAlg};
use crate::{Error, Result};

#[derive(Debug, Subcommand)]
pub enum Keys {
    /// Every key of the EdDSA set: its state, when it was made, when it
    /// signs from and, once superseded, until when it verifies.
    List,
    /// Add a key: published at once, signing after `--delay`; the current
    /// key verifies on until every token it signed has expired.
    Rotate {
        /// How long the new key waits before it signs. Default:
        /// LATCHKEY_JWKS_MAX_AGE, so services caching the JWKS hold it first.
        #[arg(long, value_parser = parse_delay)]
        delay: Option<Duration>,
    },
}

/// A delay such as `0s`, `90s` or `5m`.
fn parse_delay(s: &str) -> std::result::Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("{e}; use a duration such as 0s, 90s or 5m"))
}

/// Runs a `keys` command for `config`.
pub fn run(config: &Config, action: Keys) -> Result<Answer> {
    if config.jwt_alg == JwtAlg::Hs256 {
        return Err(Error::Invalid(
            "LATCHKEY_JWT_ALG=HS256 signs with one shared secret: whoever can verify with it can \
             also sign, so it is never published and cannot overlap with a successor. Key sets \
             and rotation are for LATCHKEY_JWT_ALG=EdDSA."
                .into(),
        ));
    }
    let overlap = config.access_ttl.as_secs() as i64 + LEEWAY;
    let now = Clock::System.now();
    match action {
        Keys::List => list(config, now, overlap),
        Keys::Rotate { delay } => {
            let delay = delay.unwrap_or(config.jwks_max_age).as_secs() as i64;
            let r = Keyring::rotate(&config.data_dir, now, delay, overlap)?;
            let mut text = format!(
                "Added key {}: published now, signs from {} UTC; the current key verifies until \
                 {} UTC.\nRunning servers read the change within {} s.",
                r.kid,
                utc(r.signs_from),
                utc(r.signs_from + overlap),
                crate::auth::jwt::revocation::SYNC_EVERY.as_secs()
            );
            if !r.dropped.is_empty() {
                text.push_str(&format!(
                    "\nDropped retired key(s): {}.",
                    r.dropped.join(", ")
                ));
            }
            Ok(Answer::Done(text))
        }
    }
}

fn list(config: &Config, now: i64, overlap: i64) -> Result<Answer> {
    let set = Keyring::read_set(&config.data_dir, overlap)?;
    let mut out = format!(
        "{:<16}  {:<8}  {:<19}  {:<19}  VERIFIES UNTIL (UTC)",
        "KID", "STATE", "CREATED (UTC)", "SIGNS FROM (UTC)"
    );
    for (key, state, until) in set.states(now) {
        let until = match (state, until) {
            (KeyState::Next | KeyState::Current, _) | (_, None) => "-".to_string(),
            (_, Some(at)) => utc(at),
        };
        out.push_str(&format!(
            "\n{:<16}  {:<8}  {:<19}  {:<19}  {until}",
            key.kid,
            state.as_str(),
            utc(key.created_at),
            utc(key.signs_from),
        ));
    }
    Ok(Answer::Done(out))
}
