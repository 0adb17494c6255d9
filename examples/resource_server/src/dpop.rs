//! DPoP-bound tokens at this service (RFC 9449 §7): a token whose `cnf.jkt`
//! names a client's key is accepted only as `Authorization: DPoP <token>`
//! with a fresh proof by that key, made for this request's method and URL
//! (on this service's public URL, `--public-url`, never the `Host` header)
//! and for this token (`ath`).
//!
//! The proof's checks are `dpop-proof`'s, the same Latchkey runs. The one
//! that needs state, each proof used once, is kept here in memory: this
//! service runs as one process. Several instances would need a shared
//! store, as Latchkey's own replay cache is. The memory is bounded
//! ([`CAPACITY`] fresh proofs); when it is full of proofs still fresh, a new
//! one is refused rather than remembered by forgetting another.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use dpop_proof::{check, Expected, Jkt, ProofError, Window};

/// Most proofs remembered at once.
pub const CAPACITY: usize = 100_000;
/// How long a proof stays acceptable after its `iat`, in seconds, and the
/// clock skew allowed ahead: Latchkey's own.
const WINDOW: Window = Window {
    max_age: 60,
    leeway: 5,
};

/// The proofs this service checks, and the ones it has seen.
pub struct Proofs {
    origin: String,
    /// `jkt.jti` → when it can no longer pass the time check.
    seen: Mutex<HashMap<String, i64>>,
}

impl Proofs {
    /// A checker for requests to `origin` (scheme, host and port).
    pub fn new(origin: &str) -> Self {
        Proofs {
            origin: origin.trim_end_matches('/').to_string(),
            seen: Mutex::default(),
        }
    }

    /// The key of `proof`, checked against a request with `method` to
    /// `path` carrying `token`, used here for the first time.
    pub fn key(
        &self,
        proof: &str,
        method: &str,
        path: &str,
        token: &str,
    ) -> Result<Jkt, ProofError> {
        let url = format!("{}{path}", self.origin);
        let expected = Expected {
            method,
            url: &url,
            access_token: Some(token),
            nonce: None,
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let proof = check(proof, &expected, WINDOW, now)?;
        let until = proof.iat.saturating_add(WINDOW.max_age + WINDOW.leeway + 1);
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= CAPACITY {
            seen.retain(|_, expires| *expires > now);
        }
        if seen.len() >= CAPACITY {
            return Err(ProofError::Replayed);
        }
        let id = format!("{}.{}", proof.jkt.as_str(), proof.jti);
        if seen.insert(id, until).is_some_and(|expires| expires > now) {
            return Err(ProofError::Replayed);
        }
        Ok(proof.jkt)
    }
}

/// The `WWW-Authenticate` challenge of a refusal (RFC 9449 §7.1).
pub fn challenge(error: &str, description: &str) -> String {
    format!(
        r#"DPoP algs="{}", error="{error}", error_description="{}""#,
        dpop_proof::ALGS.join(" "),
        description.replace('"', "'")
    )
}
