//! Credentials as typed values, apart from how they travel.
//!
//! The adapters read them from cookies or an `Authorization` header and write
//! issued ones back; the backends see only these types. Each secret's `Debug`
//! is redacted, so a credential logged by mistake shows its kind, never its
//! value.

use super::Identity;

macro_rules! secret {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Wraps a raw value as the client presented or will receive it.
            pub fn new(raw: impl Into<String>) -> Self {
                $name(raw.into())
            }

            /// The raw value, to hash, verify or send to its holder.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "(…{} bytes)"), self.0.len())
            }
        }
    };
}

secret!(
    /// Session mode: the random ID naming a session record.
    SessionId
);
secret!(
    /// JWT mode: a signed, short-lived access token.
    AccessToken
);
secret!(
    /// JWT mode: an opaque, long-lived refresh token, rotated on every use.
    RefreshToken
);

/// One credential a client presented.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    Session(SessionId),
    Access(AccessToken),
    Refresh(RefreshToken),
}

/// Access and refresh tokens handed to a client.
#[derive(Clone, Debug)]
pub struct TokenPair {
    pub access_token: AccessToken,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: RefreshToken,
    /// Seconds until the refresh token expires unless used.
    pub refresh_expires_in: i64,
    pub identity: Identity,
}

/// What a sign-in or a renewal gives the client to hold.
#[derive(Clone, Debug)]
pub enum Issued {
    /// Session mode: a new session ID, good for `expires_in` seconds at most.
    Session {
        id: SessionId,
        expires_in: i64,
        identity: Identity,
    },
    /// JWT mode: a token pair.
    Tokens(TokenPair),
}

impl Issued {
    /// Who the issued credentials belong to.
    pub fn identity(&self) -> &Identity {
        match self {
            Issued::Session { identity, .. } => identity,
            Issued::Tokens(pair) => &pair.identity,
        }
    }

    /// The same, by value.
    pub fn into_identity(self) -> Identity {
        match self {
            Issued::Session { identity, .. } => identity,
            Issued::Tokens(pair) => pair.identity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_secret() {
        let raw = "abcdefghijklmnopqrstuvwxyz0123456789-_ABCDE";
        for shown in [
            format!("{:?}", SessionId::new(raw)),
            format!("{:?}", AccessToken::new(raw)),
            format!("{:?}", Credential::Refresh(RefreshToken::new(raw))),
        ] {
            assert!(!shown.contains("abcdef"), "{shown}");
            assert!(shown.contains("43 bytes"), "{shown}");
        }
    }
}
