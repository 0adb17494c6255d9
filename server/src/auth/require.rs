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
use std::time::Duration;

use super::identity::{Caller, Identity};
use crate::clock::Clock;

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

    /// Whether a proof made at `proved_at` meets this one.
    pub fn allows(self, proved_at: i64) -> bool {
        match self {
            Proof::Any => true,
            Proof::Since(at) => proved_at >= at,
        }
    }
}

/// How recent a proof sensitive actions need (`LATCHKEY_REAUTH_WINDOW`),
/// read against the clock: the one place that turns the setting into a
/// [`Proof`], for every adapter.
#[derive(Clone, Debug)]
pub struct ReauthWindow {
    clock: Clock,
    secs: i64,
}

impl ReauthWindow {
    /// A window of `window`, read against `clock`.
    pub fn new(clock: Clock, window: Duration) -> Self {
        let secs = i64::try_from(window.as_secs()).unwrap_or(i64::MAX);
        ReauthWindow { clock, secs }
    }

    /// The window in seconds (RFC 9470's `max_age`).
    pub fn secs(&self) -> i64 {
        self.secs
    }

    /// The proof a sensitive action needs now.
    pub fn proof(&self) -> Proof {
        Proof::within(self.secs, self.clock.now())
    }

    /// Until when a proof made at `proved_at` lets its user do sensitive
    /// actions without proving again.
    pub fn open_until(&self, proved_at: i64) -> i64 {
        proved_at.saturating_add(self.secs)
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
            Caller::User(identity) if proof.allows(identity.signed_in_at) => Ok(identity),
            Caller::User(identity) => Err(Denied::ProveAgain {
                proved_at: identity.signed_in_at,
            }),
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
    fn the_window_asks_for_a_proof_no_older_than_itself() {
        let clock = Clock::manual(10_000);
        let window = ReauthWindow::new(clock.clone(), Duration::from_secs(600));
        assert_eq!(window.secs(), 600);
        assert_eq!(window.proof(), Proof::Since(9_400));
        assert_eq!(window.open_until(9_400), 10_000);
        let caller = Caller::signed_in_at(9_400);
        assert!(caller.require(window.proof()).is_ok());
        // One second later the same sign-in is too old.
        clock.advance(1);
        assert_eq!(
            caller.require(window.proof()).unwrap_err(),
            Denied::ProveAgain { proved_at: 9_400 }
        );
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
