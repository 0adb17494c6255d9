//! The mode a server runs in, as every page names it.

use serde::{Deserialize, Serialize};

/// How this server remembers who is signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Session,
    Jwt,
}

impl Mode {
    /// The value that chooses this mode in configuration
    /// (`LATCHKEY_AUTH_MODE`).
    pub fn label(self) -> &'static str {
        match self {
            Mode::Session => "session",
            Mode::Jwt => "jwt",
        }
    }

    /// The mode's name on every page, spelled one way everywhere.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Session => "Session mode",
            Mode::Jwt => "JWT mode",
        }
    }

    /// The setting that chooses this mode, as an operator writes it.
    pub fn setting(self) -> &'static str {
        match self {
            Mode::Session => "LATCHKEY_AUTH_MODE=session",
            Mode::Jwt => "LATCHKEY_AUTH_MODE=jwt",
        }
    }
}
