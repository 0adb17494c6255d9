//! Reading the issuer's authorization-server metadata (RFC 8414).

use serde::Deserialize;

/// The parts of the metadata this service uses.
#[derive(Clone, Debug, Deserialize)]
pub struct Metadata {
    pub issuer: String,
    pub jwks_uri: Option<String>,
    pub introspection_endpoint: Option<String>,
}

/// Fetches `{issuer}/.well-known/oauth-authorization-server`. The
/// document must name the same issuer it was fetched for (RFC 8414 §3.3),
/// so a server cannot pass itself off as another.
pub async fn discover(http: &reqwest::Client, issuer: &str) -> Result<Metadata, String> {
    let issuer = issuer.trim_end_matches('/');
    let url = format!("{issuer}/.well-known/oauth-authorization-server");
    let res = http
        .get(&url)
        .send()
        .await
        .map_err(|e| format!("cannot reach {url}: {e}"))?;
    if !res.status().is_success() {
        return Err(format!(
            "{url} answered {}: is the issuer in JWT mode?",
            res.status()
        ));
    }
    let metadata: Metadata = res
        .json()
        .await
        .map_err(|e| format!("{url} is not authorization-server metadata: {e}"))?;
    if metadata.issuer != issuer {
        return Err(format!(
            "{url} names the issuer {:?}, not {issuer:?}",
            metadata.issuer
        ));
    }
    Ok(metadata)
}
