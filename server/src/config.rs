//! Typed configuration, parsed once at startup from CLI flags and environment
//! variables (each flag has a matching `LATCHKEY_*` variable).
//!
//! A bad value stops startup with a message that names the allowed values;
//! tests build [`Config`] directly.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use ipnet::IpNet;

mod kinds;
mod names;
mod parse;
mod validate;

pub use self::kinds::{AuthMode, JwtAlg, SessionStoreKind};
use self::parse::{
    parse_duration, parse_grace, parse_issuer, parse_reauth_window, parse_resource, parse_secret,
};
pub use self::parse::{parse_trusted, Secret};

/// Latchkey's configuration.
#[derive(Clone, Debug, Parser)]
#[command(name = "latchkey", version, about = "Sessions and JWTs, side by side.")]
pub struct Config {
    /// How sign-in is remembered: `session` or `jwt`.
    #[arg(
        long,
        env = "LATCHKEY_AUTH_MODE",
        value_enum,
        default_value = "session"
    )]
    pub auth_mode: AuthMode,

    /// Directory for the SQLite database and generated keys; created on first run.
    #[arg(long, env = "LATCHKEY_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Database URL; default: a SQLite file `latchkey.db` in the data directory.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Where sessions (session mode) and the revocation set (JWT mode) are
    /// kept: `memory`, `database` or `redis`.
    #[arg(
        long,
        env = "LATCHKEY_SESSION_STORE",
        value_enum,
        default_value = "database"
    )]
    pub session_store: SessionStoreKind,

    /// Redis URL for `LATCHKEY_SESSION_STORE=redis`, e.g. redis://127.0.0.1:6379;
    /// with `LATCHKEY_REDIS_CLUSTER=true`, one or more nodes of the cluster,
    /// separated by commas.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,

    /// Whether `REDIS_URL` names a Redis Cluster (or Valkey cluster): keys
    /// are then spread over its masters and the nodes it names are only
    /// where the client first learns the cluster's layout.
    #[arg(
        long,
        env = "LATCHKEY_REDIS_CLUSTER",
        default_value = "false",
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub redis_cluster: bool,

    /// Prefix of every Redis key, so several deployments can share one Redis.
    #[arg(long, env = "LATCHKEY_REDIS_PREFIX", default_value = "latchkey:")]
    pub redis_prefix: String,

    /// How long a request waits for PostgreSQL or Redis before answering 503.
    #[arg(long, env = "LATCHKEY_STORE_TIMEOUT", default_value = "2s", value_parser = parse_duration)]
    pub store_timeout: Duration,

    /// A session ends after this long without a request (sliding).
    #[arg(long, env = "LATCHKEY_SESSION_IDLE_TTL", default_value = "24h", value_parser = parse_duration)]
    pub session_idle_ttl: Duration,

    /// A sign-in without "keep me signed in" ends after this long without a
    /// request (both modes; its cookies also end with the browser).
    #[arg(long, env = "LATCHKEY_SHORT_IDLE_TTL", default_value = "12h", value_parser = parse_duration)]
    pub short_idle_ttl: Duration,

    /// A session ends this long after sign-in, however active it is.
    #[arg(long, env = "LATCHKEY_SESSION_ABSOLUTE_TTL", default_value = "14d", value_parser = parse_duration)]
    pub session_absolute_ttl: Duration,

    /// JWT mode: lifetime of an access token.
    #[arg(long, env = "LATCHKEY_ACCESS_TTL", default_value = "30m", value_parser = parse_duration)]
    pub access_ttl: Duration,

    /// JWT mode: a refresh token unused this long expires (each use renews it).
    #[arg(long, env = "LATCHKEY_REFRESH_TTL", default_value = "14d", value_parser = parse_duration)]
    pub refresh_ttl: Duration,

    /// JWT mode: how long a rotated refresh token still yields the same successor
    /// (tabs refreshing at once); used later than that, it revokes its family.
    #[arg(long, env = "LATCHKEY_REFRESH_GRACE", default_value = "10s", value_parser = parse_grace)]
    pub refresh_grace: Duration,

    /// Sensitive actions (sign out everywhere, a password change through the
    /// API) need a proof of who the user is (a sign-in, or the password typed
    /// again) no older than this; both modes.
    #[arg(long, env = "LATCHKEY_REAUTH_WINDOW", default_value = "10m", value_parser = parse_reauth_window)]
    pub reauth_window: Duration,

    /// JWT mode: signature algorithm, `HS256` or `EdDSA`.
    #[arg(
        long,
        env = "LATCHKEY_JWT_ALG",
        value_enum,
        ignore_case = true,
        default_value = "HS256"
    )]
    pub jwt_alg: JwtAlg,

    /// The site's public origin (`https://auth.example.com`) when a proxy in
    /// front rewrites `Host`: form posts from it pass the cross-site check.
    #[arg(long, env = "LATCHKEY_PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,

    /// The WebAuthn relying party ID passkeys are bound to: the host of the
    /// public origin or a domain it lies under (`example.com` for
    /// `https://auth.example.com`). Default: that host, else `localhost`
    /// (browsers refuse passkeys on an IP address).
    #[arg(long, env = "LATCHKEY_WEBAUTHN_RP_ID")]
    pub webauthn_rp_id: Option<String>,

    /// The issuer: the URL other services know Latchkey by, the `iss` of
    /// every access token and the base of the discovery endpoints. Default:
    /// `LATCHKEY_PUBLIC_ORIGIN`, else `http://` and `LEPTOS_SITE_ADDR`.
    #[arg(long, env = "LATCHKEY_ISSUER", value_parser = parse_issuer)]
    pub issuer: Option<String>,

    /// How long other services may cache `/.well-known/jwks.json`; also
    /// how long `latchkey keys rotate` waits before a new key signs, so
    /// they hold it before they see a token it signed.
    #[arg(long, env = "LATCHKEY_JWKS_MAX_AGE", default_value = "5m", value_parser = parse_duration)]
    pub jwks_max_age: Duration,

    /// The secret resource servers present (HTTP Basic, any client name)
    /// to `POST /auth/introspect`; unset, introspection is off.
    #[arg(long, env = "LATCHKEY_INTROSPECTION_SECRET", hide_env_values = true, value_parser = parse_secret)]
    pub introspection_secret: Option<Secret>,

    /// JWT mode: DPoP proofs must carry a nonce this server handed out
    /// (RFC 9449 §8, the `DPoP-Nonce` header): a proof can then not be made
    /// ahead of time for longer than a nonce lives (5 to 10 minutes).
    #[arg(
        long,
        env = "LATCHKEY_DPOP_NONCES",
        default_value = "false",
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub dpop_nonces: bool,

    /// JWT mode: whether the token endpoint takes a username and password
    /// (`grant_type=password`). Off by default: a client that holds the
    /// password can use it anywhere, so the OAuth security best practice
    /// (RFC 9700 §2.4) forbids the grant; command-line clients sign in by
    /// the device grant (`POST /auth/device`) approved in a browser.
    #[arg(
        long,
        env = "LATCHKEY_PASSWORD_GRANT",
        default_value = "false",
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub password_grant: bool,

    /// JWT mode: how long a device-grant client waits between two polls of
    /// the token endpoint (RFC 8628 §3.2 `interval`); one that polls sooner
    /// is told `slow_down` and waits five seconds longer from then on.
    #[arg(long, env = "LATCHKEY_DEVICE_INTERVAL", default_value = "5s", value_parser = parse_duration)]
    pub device_interval: Duration,

    /// The services (resource servers, RFC 8707) the token endpoint issues
    /// tokens for, as absolute URIs separated by commas (e.g.
    /// `https://notes.example.com`): a client asks with `resource`, and the
    /// token's `aud` is that URI, so Latchkey's own API refuses it and the
    /// service accepts only its own. Empty: tokens for Latchkey's API only.
    #[arg(long, env = "LATCHKEY_RESOURCES", value_delimiter = ',', value_parser = parse_resource)]
    pub resources: Vec<String>,

    /// After a switch of `LATCHKEY_AUTH_MODE`, accept the other mode's
    /// sign-in once and turn it into this mode's, so nobody is signed out.
    #[arg(
        long,
        env = "LATCHKEY_MODE_MIGRATION",
        default_value = "true",
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub mode_migration: bool,

    /// Proxies whose `X-Forwarded-For` is believed, as addresses or CIDR
    /// blocks separated by commas (e.g. `10.0.0.0/8,::1`). Empty: the socket's
    /// peer is the client, and the header is ignored.
    #[arg(long, env = "LATCHKEY_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_trusted)]
    pub trusted_proxies: Vec<IpNet>,

    /// How long audit events (`auth_events`) are kept before the maintenance
    /// task deletes them.
    #[arg(long, env = "LATCHKEY_AUDIT_RETENTION", default_value = "90d", value_parser = parse_duration)]
    pub audit_retention: Duration,

    /// Record metrics and serve them on `GET /metrics` (Prometheus text). Off by default: put it behind your proxy's
    /// access rules before turning it on.
    #[arg(
        long,
        env = "LATCHKEY_METRICS",
        default_value = "false",
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub metrics: bool,

    /// Log lines as `text` or `json` (one object per line).
    #[arg(long, env = "LATCHKEY_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: crate::telemetry::LogFormat,

    /// The name this instance gives itself on `/inspect`, so a visitor
    /// behind a load balancer sees which instance answered. Default: the
    /// host name and the port it listens on.
    #[arg(long, env = "LATCHKEY_INSTANCE_NAME")]
    pub instance_name: Option<String>,

    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub site_addr: SocketAddr,

    /// Directory holding the built site (`pkg/`, assets).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
}

impl Config {
    /// Defaults for everything, as if no flag or variable were given.
    pub fn defaults() -> Self {
        Config::parse_from(["latchkey"])
    }

    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("latchkey.db").display()),
        }
    }
}

#[cfg(test)]
mod tests;
