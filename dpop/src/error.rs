//! Why a DPoP proof was refused: one variant per check, each with the OAuth
//! error code to answer with (RFC 9449 §7.1, §8) and a sentence for the
//! developer whose client sent it.

use std::fmt;

/// A payload claim every proof must carry (RFC 9449 §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    Jti,
    Htm,
    Htu,
    Iat,
}

impl Claim {
    /// The claim's name in the payload.
    pub fn name(self) -> &'static str {
        match self {
            Self::Jti => "jti",
            Self::Htm => "htm",
            Self::Htu => "htu",
            Self::Iat => "iat",
        }
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why [`check`](super::check) refused a proof. Variants are listed in the
/// order the checks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.description())]
pub enum ProofError {
    /// Longer than [`MAX_PROOF_LEN`](super::MAX_PROOF_LEN).
    TooLong,
    /// Not three base64url segments, or header or payload not a JSON object.
    Malformed,
    WrongTyp,
    /// `alg` missing or outside [`ALGS`](super::ALGS).
    AlgNotAllowed,
    /// A `crit` header: it names extensions, and none is understood here.
    CritUnsupported,
    JwkMissing,
    /// The `jwk` has a private or symmetric key member.
    JwkPrivate,
    /// The `jwk` is not a valid public key of the kind `alg` names.
    JwkInvalid,
    SignatureInvalid,
    ClaimMissing(Claim),
    /// A claim of the wrong JSON type, or a `jti` empty or too long.
    ClaimInvalid(Claim),
    HtmMismatch,
    HtuMismatch,
    IatTooOld,
    IatInFuture,
    NonceMissing,
    NonceWrong,
    AthMissing,
    AthMismatch,
    /// Its `jti` was seen before, with the same key, while fresh (checked
    /// after [`check`](super::check), in the shared store).
    Replayed,
    /// None sent where one is needed (a token sent as `DPoP`).
    Missing,
    /// Several `DPoP` headers (RFC 9449 §4.3: exactly one).
    NotOne,
}

impl ProofError {
    /// The OAuth `error` code: the nonce errors tell the client to retry
    /// with the nonce of the `DPoP-Nonce` response header (RFC 9449 §8).
    pub fn code(self) -> &'static str {
        match self {
            Self::NonceMissing | Self::NonceWrong => "use_dpop_nonce",
            _ => "invalid_dpop_proof",
        }
    }

    /// One sentence for `error_description`, naming what to fix.
    pub fn description(self) -> &'static str {
        use Claim::{Htm, Htu, Iat, Jti};
        match self {
            Self::TooLong => "The DPoP proof is longer than 8 KiB.",
            Self::Malformed => "The DPoP proof is not a compact JWS with a JSON object header and payload.",
            Self::WrongTyp => "The DPoP proof's typ header is not dpop+jwt.",
            Self::AlgNotAllowed => "The DPoP proof's alg is not one of ES256, EdDSA, Ed25519.",
            Self::CritUnsupported => "The DPoP proof has a crit header, and no JWS extension is supported.",
            Self::JwkMissing => "The DPoP proof has no jwk header.",
            Self::JwkPrivate => "The DPoP proof's jwk contains private key material; send the public key only.",
            Self::JwkInvalid => "The DPoP proof's jwk is not a valid public key for its alg (ES256: EC P-256; EdDSA, Ed25519: OKP Ed25519).",
            Self::SignatureInvalid => "The DPoP proof's signature does not verify with its jwk.",
            Self::ClaimMissing(Jti) => "The DPoP proof has no jti claim.",
            Self::ClaimMissing(Htm) => "The DPoP proof has no htm claim.",
            Self::ClaimMissing(Htu) => "The DPoP proof has no htu claim.",
            Self::ClaimMissing(Iat) => "The DPoP proof has no iat claim.",
            Self::ClaimInvalid(Jti) => "The DPoP proof's jti is not a string of 1 to 256 bytes.",
            Self::ClaimInvalid(Htm) => "The DPoP proof's htm is not a string.",
            Self::ClaimInvalid(Htu) => "The DPoP proof's htu is not a string.",
            Self::ClaimInvalid(Iat) => "The DPoP proof's iat is not an integer number of seconds.",
            Self::HtmMismatch => "The DPoP proof's htm is not this request's method.",
            Self::HtuMismatch => "The DPoP proof's htu is not this request's URL.",
            Self::IatTooOld => "The DPoP proof's iat is too old; make a new proof for each request.",
            Self::IatInFuture => "The DPoP proof's iat is in the future; check the client's clock.",
            Self::NonceMissing => "The DPoP proof has no nonce; use the one in the DPoP-Nonce header.",
            Self::NonceWrong => "The DPoP proof's nonce is not the current one; use the one in the DPoP-Nonce header.",
            Self::AthMissing => "The DPoP proof has no ath claim, and an access token came with it.",
            Self::AthMismatch => "The DPoP proof's ath is not the hash of this request's access token.",
            Self::Replayed => "This DPoP proof was used before; make a new proof, with a new jti, for each request.",
            Self::Missing => "A DPoP-bound access token needs a DPoP proof header.",
            Self::NotOne => "Send exactly one DPoP header.",
        }
    }
}
