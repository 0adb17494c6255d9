//! RFC 7638 JWK thumbprints (`jkt`) of the public keys a DPoP proof may
//! carry, and the checked key itself ([`PublicJwk`]).
//!
//! A thumbprint is the base64url (no padding) SHA-256 of the key's required
//! members as JSON, in lexicographic order, without whitespace: for EC
//! `{"crv","kty","x","y"}`, for OKP `{"crv","kty","x"}` (RFC 7638 §3.2,
//! RFC 8037 §2).

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, EllipticCurveKeyParameters,
    EllipticCurveKeyType, Jwk, OctetKeyPairParameters, OctetKeyPairType,
};
use sha2::{Digest, Sha256};

/// The RFC 7638 SHA-256 thumbprint of a DPoP key, base64url without padding:
/// what an access token's `cnf.jkt` names and what replay records key on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Jkt(String);

impl Jkt {
    /// The thumbprint of a checked public key.
    pub(super) fn of(key: &PublicJwk) -> Self {
        Self(URL_SAFE_NO_PAD.encode(Sha256::digest(key.canonical_json())))
    }

    /// A thumbprint read back from our own storage (a token's `cnf.jkt`, a
    /// PAR's `dpop_jkt`): taken as is, since it is only ever compared.
    pub fn from_stored(jkt: String) -> Self {
        Self(jkt)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Jkt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A public key of a kind DPoP accepts here. Its coordinates are the
/// header's own strings, checked to be canonical base64url of 32 bytes.
/// Canonical matters: base64url has several spellings of the same bytes
/// (non-zero trailing bits), and one key must have one thumbprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum PublicJwk {
    P256 { x: String, y: String },
    Ed25519 { x: String },
}

impl PublicJwk {
    /// An EC P-256 key from its `x` and `y` members, if both are 32 bytes.
    pub(super) fn p256(x: &str, y: &str) -> Option<Self> {
        (is_32_bytes(x) && is_32_bytes(y)).then(|| Self::P256 {
            x: x.to_owned(),
            y: y.to_owned(),
        })
    }

    /// An OKP Ed25519 key from its `x` member, if it is 32 bytes.
    pub(super) fn ed25519(x: &str) -> Option<Self> {
        is_32_bytes(x).then(|| Self::Ed25519 { x: x.to_owned() })
    }

    /// The key as `jsonwebtoken` takes it for verification: built from the
    /// very members that are thumbprinted, so the key that verified the
    /// signature is the key the [`Jkt`] names.
    pub(super) fn to_jwk(&self) -> Jwk {
        let algorithm = match self {
            Self::P256 { x, y } => AlgorithmParameters::EllipticCurve(EllipticCurveKeyParameters {
                key_type: EllipticCurveKeyType::EC,
                curve: EllipticCurve::P256,
                x: x.clone(),
                y: y.clone(),
            }),
            Self::Ed25519 { x } => AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
                key_type: OctetKeyPairType::OctetKeyPair,
                curve: EllipticCurve::Ed25519,
                x: x.clone(),
            }),
        };
        Jwk {
            common: CommonParameters::default(),
            algorithm,
        }
    }

    /// RFC 7638 §3.2 input. Plain formatting is safe: the members are
    /// base64url, so nothing in them needs JSON escaping.
    fn canonical_json(&self) -> String {
        match self {
            Self::P256 { x, y } => format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#),
            Self::Ed25519 { x } => format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#),
        }
    }
}

/// Whether `member` is canonical unpadded base64url of exactly 32 bytes (the
/// `base64` engine refuses padding and non-zero trailing bits).
fn is_32_bytes(member: &str) -> bool {
    member.len() == 43 && URL_SAFE_NO_PAD.decode(member).is_ok_and(|b| b.len() == 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9449's example key (§4.1, figure 2) and the thumbprint the RFC
    /// publishes for it (§6.1, figure 9): computed by someone else.
    #[test]
    fn matches_the_rfc_9449_example() {
        let key = PublicJwk::p256(
            "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
            "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
        )
        .unwrap();
        let jkt = Jkt::of(&key);
        assert_eq!(jkt.as_str(), "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
        assert_eq!(jkt.to_string(), jkt.as_str());
        assert_eq!(Jkt::from_stored(jkt.to_string()), jkt);
    }

    /// RFC 8037 §A.3: the Ed25519 example key's thumbprint.
    #[test]
    fn matches_the_rfc_8037_example() {
        let key = PublicJwk::ed25519("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").unwrap();
        assert_eq!(
            Jkt::of(&key).as_str(),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }

    #[test]
    fn refuses_members_that_are_not_32_canonical_bytes() {
        let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
        assert!(PublicJwk::ed25519(&x[..42]).is_none(), "31 bytes");
        assert!(PublicJwk::ed25519(&format!("{x}=")).is_none(), "padding");
        // The last character carries 2 unused bits: `p` sets one of them.
        assert!(
            PublicJwk::ed25519(&format!("{}p", &x[..42])).is_none(),
            "trailing bits"
        );
        assert!(
            PublicJwk::ed25519(&x.replace('_', "/")).is_none(),
            "base64, not base64url"
        );
        assert!(PublicJwk::p256(x, "").is_none());
    }
}
