//! Requiring a signed-in user: one check that every adapter uses — the page
//! guard, the JSON handlers' extractor (`http::signed_in`), `/api/me` and
//! the server functions' context — so they cannot disagree on who passes.
//!
//! The check takes a [`Proof`]: any signed-in user, or one who proved who
//! they are (typed their password) recently enough, for an action that must
//! not be open to whoever finds an unlocked device. The answer when that is
//! too long ago is its own refusal, [`Denied::ProveAgain`], so the adapter
//! can ask for the password again rather than send the person to sign in
//! (RFC 9470's `insufficient_user_authentication` for bearer clients).

use std::sync::Arc;

use super::identity::{Caller, Identity};

/// How recently the user must have proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    /// Signed in at all.
    Any,
    /// Proved at this Unix time or later ([`Proof::within`]).
    Since(i64),
}

impl Proof {
    /// Proved within the last `secs` seconds before `now`.
    pub fn within(secs: i64, now: i64) -> Self {
        Proof::Since(now.saturating_sub(secs))
    }
}

/// Why a caller does not pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// Nobody is signed in (no credentials, or refused ones).
    NotSignedIn,
    /// The store that could check the credentials did not answer: retry.
    Unavailable,
    /// Signed in, but the last proof is older than the [`Proof`] allows.
    ProveAgain {
        /// When the user last proved who they are.
        proved_at: i64,
    },
}

/// As an error of the use cases (`401`, or `503` to retry).
impl From<Denied> for crate::Error {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::NotSignedIn => crate::Error::NotSignedIn,
            Denied::Unavailable => crate::Error::Unavailable,
            Denied::ProveAgain { .. } => crate::Error::ProveAgain,
        }
    }
}

impl Caller {
    /// The signed-in identity, if it meets `proof`.
    pub fn require(&self, proof: Proof) -> Result<&Arc<Identity>, Denied> {
        match self {
            Caller::User(identity) => match proof {
                Proof::Since(at) if identity.signed_in_at < at => Err(Denied::ProveAgain {
                    proved_at: identity.signed_in_at,
                }),
                _ => Ok(identity),
            },
            Caller::Anonymous => Err(Denied::NotSignedIn),
            Caller::StoreUnavailable => Err(Denied::Unavailable),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_signed_in_user_passes_whenever_they_signed_in() {
        let caller = Caller::signed_in_at(0);
        assert_eq!(caller.require(Proof::Any).unwrap().username, "ada");
    }

    #[test]
    fn nobody_and_an_unknown_caller_are_refused_apart() {
        for proof in [Proof::Any, Proof::within(600, 1_000)] {
            assert_eq!(
                Caller::Anonymous.require(proof).unwrap_err(),
                Denied::NotSignedIn
            );
            assert_eq!(
                Caller::StoreUnavailable.require(proof).unwrap_err(),
                Denied::Unavailable
            );
        }
    }

    #[test]
    fn a_recent_proof_is_asked_again_once_it_is_too_old() {
        let now = 10_000;
        let caller = Caller::signed_in_at(now - 600);
        // Proved ten minutes ago: passes "within ten minutes", to the second.
        assert!(caller.require(Proof::within(600, now)).is_ok());
        assert!(caller.require(Proof::within(3_600, now)).is_ok());
        // Not "within five minutes", and the refusal says when it was.
        assert_eq!(
            caller.require(Proof::within(300, now)).unwrap_err(),
            Denied::ProveAgain {
                proved_at: now - 600
            }
        );
        assert_eq!(
            caller.require(Proof::within(599, now)).unwrap_err(),
            Denied::ProveAgain {
                proved_at: now - 600
            }
        );
    }
}
