//! How a sign-in was proved, in the words of RFC 8176 ("authentication
//! method reference", the `amr` claim): with a password, or with a passkey
//! whose private key is held by hardware on one device (`hwk`) or synced
//! between the owner's devices by their provider (`swk`).
//!
//! Besides the time of the proof (`auth_time`), this is all the backends
//! keep of how someone proved who they are: a sign-in method
//! ([`crate::methods`]) names it, the session or the refresh family stores
//! it, and a JWT carries it, so a page or a service can tell a passkey
//! sign-in from a password one without asking.

use serde::{Deserialize, Serialize};

/// The method a sign-in was proved by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Amr {
    /// A password (every sign-in before passkeys, and the default of
    /// records and tokens that do not say).
    #[default]
    Pwd,
    /// A passkey bound to one device or security key.
    Hwk,
    /// A synced passkey (a phone's or password manager's).
    Swk,
}

impl Amr {
    /// The RFC 8176 value.
    pub fn as_str(self) -> &'static str {
        match self {
            Amr::Pwd => "pwd",
            Amr::Hwk => "hwk",
            Amr::Swk => "swk",
        }
    }

    /// The value stored as `as_str` wrote it; anything else is a password
    /// (the stores' default).
    pub fn from_stored(s: &str) -> Self {
        match s {
            "hwk" => Amr::Hwk,
            "swk" => Amr::Swk,
            _ => Amr::Pwd,
        }
    }

    /// The method of a passkey sign-in, by where its key lives.
    pub fn passkey(synced: bool) -> Self {
        if synced {
            Amr::Swk
        } else {
            Amr::Hwk
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_rfc_8176_and_round_trip() {
        for amr in [Amr::Pwd, Amr::Hwk, Amr::Swk] {
            assert_eq!(Amr::from_stored(amr.as_str()), amr);
            let json = serde_json::to_string(&amr).unwrap();
            assert_eq!(json, format!("\"{}\"", amr.as_str()));
        }
        assert_eq!(Amr::from_stored(""), Amr::Pwd);
        assert_eq!(Amr::passkey(true), Amr::Swk);
        assert_eq!(Amr::passkey(false), Amr::Hwk);
    }
}
