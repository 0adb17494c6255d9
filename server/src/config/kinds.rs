//! The choices the configuration names: the mode, the signature algorithm
//! and the session store, each with the name settings and pages use.

use clap::ValueEnum;

/// How the server remembers who is signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuthMode {
    /// A random session ID in a cookie, looked up in a server-side store.
    Session,
    /// Signed access tokens checked by signature, renewed with refresh tokens.
    Jwt,
}

impl AuthMode {
    /// The name used in configuration and shown on the pages.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::Session => "session",
            AuthMode::Jwt => "jwt",
        }
    }
}

/// The mode as the pages name it.
impl From<AuthMode> for views::Mode {
    fn from(m: AuthMode) -> Self {
        match m {
            AuthMode::Session => views::Mode::Session,
            AuthMode::Jwt => views::Mode::Jwt,
        }
    }
}

/// The access-token signature algorithm in JWT mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum JwtAlg {
    /// HMAC-SHA256 with a 256-bit secret: fastest; every verifier can also sign.
    #[value(name = "HS256")]
    Hs256,
    /// Ed25519 signatures: verifiers need only the public key.
    #[value(name = "EdDSA")]
    EdDsa,
}

/// Where session records live in session mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SessionStoreKind {
    /// In this process only: fast, but a restart signs everybody out and a
    /// second instance cannot see the sessions.
    Memory,
    /// The SQL database: survives restarts; shared when it is PostgreSQL.
    Database,
    /// Redis (`REDIS_URL`): shared by every instance, expires records itself.
    Redis,
}

impl SessionStoreKind {
    /// The name used in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStoreKind::Memory => "memory",
            SessionStoreKind::Database => "database",
            SessionStoreKind::Redis => "redis",
        }
    }
}
