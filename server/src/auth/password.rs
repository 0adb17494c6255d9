//! Password hashing with argon2id (m = 19456 KiB, t = 2, p = 1, OWASP's
//! recommendation).
//!
//! Each hash costs about 11 ms of one core, so hashing runs on tokio's blocking
//! pool, and a semaphore sized to the cores bounds how many run at once: a burst
//! of sign-ins queues instead of starving the async workers. An unknown user
//! still costs one verification against a dummy hash, so response time does not
//! tell whether a username exists.

use std::sync::Arc;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordVerifier as _, Version};
use tokio::sync::Semaphore;

use crate::{Error, Result};

/// Hashes and verifies passwords off the async workers.
#[derive(Clone)]
pub struct Hasher {
    inner: Arc<Inner>,
}

struct Inner {
    argon: Argon2<'static>,
    permits: Semaphore,
    dummy_hash: String,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher").finish_non_exhaustive()
    }
}

impl Hasher {
    /// A hasher with the production parameters, allowing one hash per core.
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::with_params(
            Params::new(19_456, 2, 1, None).expect("valid argon2 parameters"),
            cores,
        )
    }

    /// A hasher with explicit parameters and concurrency.
    pub fn with_params(params: Params, concurrency: usize) -> Self {
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::generate(&mut OsRng);
        let dummy_hash = argon
            .hash_password(b"latchkey dummy password", &salt)
            .expect("hashing the dummy password")
            .to_string();
        Hasher {
            inner: Arc::new(Inner {
                argon,
                permits: Semaphore::new(concurrency.max(1)),
                dummy_hash,
            }),
        }
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, password: String) -> Result<String> {
        self.run(move |inner| {
            let salt = SaltString::generate(&mut OsRng);
            inner
                .argon
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| Error::Internal(format!("hashing failed: {e}")))
        })
        .await
    }

    /// Checks `password` against `stored`; with `None` (unknown user) it checks
    /// against the dummy hash and returns `false`, at the same cost.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool> {
        self.run(move |inner| {
            let known = stored.is_some();
            let phc = stored.as_deref().unwrap_or(&inner.dummy_hash);
            let parsed = PasswordHash::new(phc)
                .map_err(|e| Error::Internal(format!("stored hash unreadable: {e}")))?;
            let matches = inner
                .argon
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            Ok(known && matches)
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|_| Error::Internal("hasher closed".into()))?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(|e| Error::Internal(format!("hashing task failed: {e}")))?
    }
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_uses_owasp_argon2id_parameters() {
        let h = Hasher::new();
        let phc = h.hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    }

    #[tokio::test]
    async fn verify_accepts_only_the_right_password() {
        let h = Hasher::new();
        let phc = h.hash("correct horse".into()).await.unwrap();
        assert!(h
            .verify("correct horse".into(), Some(phc.clone()))
            .await
            .unwrap());
        assert!(!h.verify("wrong horse".into(), Some(phc)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_user_never_verifies_even_with_the_dummy_password() {
        let h = Hasher::new();
        assert!(!h
            .verify("latchkey dummy password".into(), None)
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn same_password_gets_a_new_salt_each_time() {
        let h = Hasher::new();
        let a = h.hash("same password".into()).await.unwrap();
        let b = h.hash("same password".into()).await.unwrap();
        assert_ne!(a, b);
    }
}
