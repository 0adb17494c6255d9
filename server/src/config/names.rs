//! The names an instance goes by: the issuer URL other services know it
//! by, and the instance name `/inspect` shows.

use super::Config;

impl Config {
    /// The issuer URL (see [`Config::issuer`]), without a trailing slash.
    pub fn issuer(&self) -> String {
        match (&self.issuer, &self.public_origin) {
            (Some(issuer), _) => issuer.clone(),
            (None, Some(origin)) => origin.trim_end_matches('/').to_string(),
            (None, None) => format!("http://{}", self.site_addr),
        }
    }

    /// The origin browsers and clients reach this server at (scheme, host
    /// and port, no trailing slash): `LATCHKEY_PUBLIC_ORIGIN`, else
    /// `http://localhost:<site port>`. Passkeys are bound to it and DPoP
    /// proofs must name it; it is never read from a request's `Host`.
    pub fn origin(&self) -> String {
        match &self.public_origin {
            Some(origin) => origin.trim_end_matches('/').to_string(),
            None => format!("http://localhost:{}", self.site_addr.port()),
        }
    }

    /// This instance's name (see [`Config::instance_name`]).
    pub fn instance_name(&self) -> String {
        match &self.instance_name {
            Some(name) if !name.trim().is_empty() => name.trim().to_string(),
            _ => {
                let host = rustix::system::uname();
                let host = host.nodename().to_string_lossy();
                format!("{host}:{}", self.site_addr.port())
            }
        }
    }
}
