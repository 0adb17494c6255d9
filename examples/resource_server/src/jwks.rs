//! The issuer's public keys, fetched from its `jwks_uri` and cached.
//!
//! The set is kept for the `max-age` of the issuer's `Cache-Control`. Three
//! rules keep an issuer's trouble from becoming this service's:
//! - **Known keys never wait.** A request whose `kid` is cached is verified
//!   with it at once; when the set is stale, a fetch starts in the
//!   background and the cached keys keep serving meanwhile.
//! - **One fetch at a time**, outside the lock the keys are read under, and
//!   each bounded by [`FETCH_TIMEOUT`]: an issuer that accepts connections
//!   but never answers (stopped, overloaded) holds one fetch, not every
//!   request.
//! - **At most one attempt per cooldown, counted from the last attempt**
//!   (success or not), doubling after each failed one up to 32 times the
//!   cooldown: a stream of tokens with made-up `kid`s, or an outage, cannot
//!   turn this service into a flood of requests to the issuer. A token
//!   naming a key not in the cache (the issuer rotated) waits for that one
//!   fetch, when one is due or under way.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{JwkSet, KeyAlgorithm};
use jsonwebtoken::DecodingKey;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// How long a set is kept when the issuer does not say.
const DEFAULT_MAX_AGE: Duration = Duration::from_secs(300);

/// The longest a fetch may take before it counts as failed.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest wait between attempts, in cooldowns, after failures.
const MAX_BACKOFF: u32 = 32;

/// The issuer's verification keys by `kid`.
#[derive(Clone)]
pub struct KeyCache {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    uri: String,
    cooldown: Duration,
    /// Replaced whole by a fetch; the lock is held only to clone or swap
    /// the `Arc`, never across an await.
    cached: RwLock<Arc<Cached>>,
    /// Held for the length of a fetch: one at a time.
    attempts: Arc<Mutex<Attempts>>,
    fetches: AtomicUsize,
}

struct Cached {
    keys: HashMap<String, DecodingKey>,
    fetched_at: Instant,
    max_age: Duration,
}

/// When the last fetch began, and how many failed in a row since the last
/// success.
struct Attempts {
    last: Instant,
    failures: u32,
}

impl Attempts {
    /// Whether another attempt may begin at `now`: a cooldown after the
    /// last one, doubled for each failure in a row.
    fn due(&self, cooldown: Duration, now: Instant) -> bool {
        let backoff = 1u32 << self.failures.min(MAX_BACKOFF.trailing_zeros());
        now.saturating_duration_since(self.last) >= cooldown * backoff
    }
}

impl KeyCache {
    /// Fetches the set at `uri`; fails if the first fetch does.
    pub async fn new(
        http: reqwest::Client,
        uri: String,
        cooldown: Duration,
    ) -> Result<Self, String> {
        let started = Instant::now();
        let (keys, max_age) = fetch(&http, &uri).await?;
        Ok(KeyCache {
            inner: Arc::new(Inner {
                http,
                uri,
                cooldown,
                cached: RwLock::new(Arc::new(Cached {
                    keys,
                    fetched_at: Instant::now(),
                    max_age,
                })),
                attempts: Arc::new(Mutex::new(Attempts {
                    last: started,
                    failures: 0,
                })),
                fetches: AtomicUsize::new(1),
            }),
        })
    }

    /// The key named `kid`. A cached one is returned at once (a stale set
    /// starts a fetch in the background); a missing one waits for the fetch
    /// under way or due, if any.
    pub async fn key(&self, kid: &str) -> Option<DecodingKey> {
        let cached = self.inner.snapshot();
        if let Some(key) = cached.keys.get(kid) {
            if cached.fetched_at.elapsed() >= cached.max_age {
                self.refresh_in_background();
            }
            return Some(key.clone());
        }
        self.refresh(cached.fetched_at).await;
        self.inner.snapshot().keys.get(kid).cloned()
    }

    /// Starts a fetch unless one is under way or not yet due.
    fn refresh_in_background(&self) {
        let Ok(attempts) = self.inner.attempts.clone().try_lock_owned() else {
            return;
        };
        if attempts.due(self.inner.cooldown, Instant::now()) {
            let inner = self.inner.clone();
            tokio::spawn(async move { inner.fetch(attempts).await });
        }
    }

    /// Waits for the fetch under way, if any; then fetches if none has
    /// replaced the set fetched at `seen` and one is due.
    async fn refresh(&self, seen: Instant) {
        let attempts = self.inner.attempts.clone().lock_owned().await;
        let due = attempts.due(self.inner.cooldown, Instant::now());
        if self.inner.snapshot().fetched_at > seen || !due {
            return;
        }
        self.inner.fetch(attempts).await;
    }

    /// How many fetches of the set were attempted, the first included.
    pub fn fetches(&self) -> usize {
        self.inner.fetches.load(Ordering::Relaxed)
    }
}

impl Inner {
    fn snapshot(&self) -> Arc<Cached> {
        self.cached
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// One fetch attempt, holding `attempts` (the right to fetch) until it
    /// ends; the keys stay readable all along.
    async fn fetch(&self, mut attempts: OwnedMutexGuard<Attempts>) {
        attempts.last = Instant::now();
        self.fetches.fetch_add(1, Ordering::Relaxed);
        match fetch(&self.http, &self.uri).await {
            Ok((keys, max_age)) => {
                attempts.failures = 0;
                let fresh = Arc::new(Cached {
                    keys,
                    fetched_at: Instant::now(),
                    max_age,
                });
                *self.cached.write().unwrap_or_else(|e| e.into_inner()) = fresh;
            }
            Err(e) => {
                attempts.failures = attempts.failures.saturating_add(1);
                tracing::warn!(error = %e, "could not refresh the issuer's keys");
            }
        }
    }
}

/// The EdDSA keys of the set at `uri` and how long it may be kept.
async fn fetch(
    http: &reqwest::Client,
    uri: &str,
) -> Result<(HashMap<String, DecodingKey>, Duration), String> {
    let res = http
        .get(uri)
        .timeout(FETCH_TIMEOUT)
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
    // The body is read under the same timeout as the request.
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
    fn attempts_wait_a_cooldown_doubled_per_failure_up_to_a_bound() {
        let cooldown = Duration::from_secs(10);
        let t0 = Instant::now();
        let after = |secs| t0 + Duration::from_secs(secs);
        let failed = |failures| Attempts { last: t0, failures };
        assert!(!failed(0).due(cooldown, after(9)));
        assert!(failed(0).due(cooldown, after(10)));
        assert!(!failed(1).due(cooldown, after(19)));
        assert!(failed(1).due(cooldown, after(20)));
        assert!(!failed(3).due(cooldown, after(79)));
        assert!(failed(40).due(cooldown, after(320)), "at most 32 cooldowns");
        assert!(!failed(40).due(cooldown, after(319)));
    }

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
