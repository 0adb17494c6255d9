//! DPoP proof checking (RFC 9449 §4.3): is this `DPoP` header a fresh proof,
//! signed by the key it carries, made for this very request?
//!
//! [`check`] is pure: no I/O, no clock, no store. It runs these checks in
//! this order and stops at the first that fails, each with its own
//! [`ProofError`]:
//!
//! 1. at most [`MAX_PROOF_LEN`] bytes, three base64url segments, a JSON
//!    object header and payload;
//! 2. header `typ` is exactly `dpop+jwt`;
//! 3. header `alg` is in [`ALGS`] (never `none`, never a MAC);
//! 4. header `crit` is absent (no JWS extension is understood here);
//! 5. header `jwk` is a public key (no private member) of the kind `alg`
//!    names: EC P-256 for `ES256`, OKP Ed25519 for `EdDSA` and `Ed25519`;
//! 6. the signature verifies with that key;
//! 7. payload `jti`, `htm`, `htu`, `iat` are present and well typed;
//! 8. `htm` is the request's method;
//! 9. `htu` is the request's URL, query and fragment ignored;
//! 10. `iat` is within the freshness [`Window`] around `now`;
//! 11. when the server demands a nonce, `nonce` is that nonce;
//! 12. when an access token comes along, `ath` is its SHA-256 hash.
//!
//! The proof's key is returned as its RFC 7638 thumbprint ([`Jkt`]). What is
//! left to the caller: exactly one `DPoP` header, the replay check (record
//! `(jkt, jti)` and refuse one seen within the window), and comparing the
//! thumbprint with the access token's `cnf.jkt`.
//!
//! Why our own code: no established Rust crate verifies DPoP proofs, and the
//! check is mostly claim bookkeeping. The cryptography is not ours: the
//! signature is verified by `jsonwebtoken` (its RustCrypto backend).

mod error;
mod proof;
mod thumbprint;

#[cfg(test)]
mod tests;

pub use error::{Claim, ProofError};
pub use proof::{check, Expected, VerifiedProof, Window, ALGS, MAX_PROOF_LEN};
pub use thumbprint::Jkt;
