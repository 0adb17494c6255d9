//! The issuer's public keys, fetched from its `jwks_uri` and cached.
//!
//! The set is kept for the `max-age` of the issuer's `Cache-Control`, then
//! fetched again on next use. A token naming a key not in the cache (the
//! issuer rotated and the new key already signs) makes the cache fetch
//! again at once, but at most once per `cooldown`: a stream of tokens with
//! made-up `kid`s cannot turn this service into a flood of requests to the
//! issuer. When a fetch fails, the keys already held keep working.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{JwkSet, KeyAlgorithm};
use jsonwebtoken::DecodingKey;
use tokio::sync::Mutex;

/// How long a set is kept when the issuer does not say.
const DEFAULT_MAX_AGE: Duration = Duration::from_secs(300);

/// The issuer's verification keys by `kid`.
pub struct KeyCache {
    http: reqwest::Client,
    uri: String,
    cooldown: Duration,
    // One lock for hits and fetches alike: concurrent misses wait for one
    // fetch instead of each making their own.
    cached: Mutex<Cached>,
    fetches: AtomicUsize,
}

struct Cached {
    keys: HashMap<String, DecodingKey>,
    fetched_at: Instant,
    max_age: Duration,
}

impl KeyCache {
    /// Fetches the set at `uri`; fails if the first fetch does.
    pub async fn new(
        http: reqwest::Client,
        uri: String,
        cooldown: Duration,
    ) -> Result<Self, String> {
        let (keys, max_age) = fetch(&http, &uri).await?;
        Ok(KeyCache {
            http,
            uri,
            cooldown,
            cached: Mutex::new(Cached {
                keys,
                fetched_at: Instant::now(),
                max_age,
            }),
            fetches: AtomicUsize::new(1),
        })
    }

    /// The key named `kid`, fetching the set again if it is stale or does
    /// not hold `kid` (and the cooldown has passed).
    pub async fn key(&self, kid: &str) -> Option<DecodingKey> {
        let mut cached = self.cached.lock().await;
        let age = cached.fetched_at.elapsed();
        let stale = age >= cached.max_age;
        let missing = !cached.keys.contains_key(kid);
        if (stale || missing) && age >= self.cooldown {
            self.fetches.fetch_add(1, Ordering::Relaxed);
            match fetch(&self.http, &self.uri).await {
                Ok((keys, max_age)) => {
                    *cached = Cached {
                        keys,
                        fetched_at: Instant::now(),
                        max_age,
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not refresh the issuer's keys"),
            }
        }
        cached.keys.get(kid).cloned()
    }

    /// How many times the set was fetched.
    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::Relaxed)
    }
}

/// The EdDSA keys of the set at `uri` and how long it may be kept.
async fn fetch(
    http: &reqwest::Client,
    uri: &str,
) -> Result<(HashMap<String, DecodingKey>, Duration), String> {
    let res = http
        .get(uri)
        .send()
        .await
        .map_err(|e| format!("cannot reach {uri}: {e}"))?;
    if !res.status().is_success() {
        return Err(format!("{uri} answered {}", res.status()));
    }
    let max_age = res
        .headers()
        .get(reqwest::header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .and_then(max_age)
        .unwrap_or(DEFAULT_MAX_AGE);
    let set: JwkSet = res
        .json()
        .await
        .map_err(|e| format!("{uri} is not a JWK set: {e}"))?;
    let keys = set
        .keys
        .iter()
        // Only what the issuer signs with; never a key the set merely lists.
        .filter(|jwk| jwk.common.key_algorithm == Some(KeyAlgorithm::EdDSA))
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            Some((kid, DecodingKey::from_jwk(jwk).ok()?))
        })
        .collect();
    Ok((keys, max_age))
}

/// The `max-age` of a `Cache-Control` value.
fn max_age(cache_control: &str) -> Option<Duration> {
    cache_control.split(',').find_map(|part| {
        let secs = part.trim().strip_prefix("max-age=")?;
        secs.parse().ok().map(Duration::from_secs)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(
            max_age("public, max-age=300"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(max_age("max-age=5"), Some(Duration::from_secs(5)));
        assert_eq!(max_age("no-store"), None);
        assert_eq!(max_age("max-age=soon"), None);
    }
}
