//! The token endpoints' grants exist only where bearer tokens are issued;
//! in session mode they are refused before any check.

use crate::{AppState, Error, Result};

/// What a session-mode client uses instead of the token endpoint's grants.
pub(super) const USE_SESSIONS: &str = "sign in at /api/sign_in and keep the session cookie";

/// The token endpoints serve only a backend that issues bearer tokens;
/// elsewhere they are refused before any check, `instead` saying what to use.
pub(super) fn require_tokens(state: &AppState, instead: &str) -> Result<()> {
    if state.auth.issues_tokens() {
        Ok(())
    } else {
        Err(Error::Unsupported(format!(
            "This server runs in session mode: {instead}."
        )))
    }
}
