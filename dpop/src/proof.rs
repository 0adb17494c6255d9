//! [`check`]: one DPoP proof against the request it came with (RFC 9449
//! §4.3), in the order the module documentation lists.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{crypto, Algorithm, DecodingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use url::Url;

use super::error::{Claim, ProofError};
use super::thumbprint::{Jkt, PublicJwk};

/// The proof algorithms accepted, in the order the server metadata
/// (`dpop_signing_alg_values_supported`) lists them. `Ed25519` is RFC 9864's
/// fully-specified name for what `EdDSA` means with an Ed25519 key; current
/// clients (panva's `dpop`) send it.
pub const ALGS: &[&str] = &["ES256", "EdDSA", "Ed25519"];

/// The longest proof looked at: a proof with an EC key is about 600 bytes,
/// so this only bounds the work an attacker can ask for.
pub const MAX_PROOF_LEN: usize = 8 * 1024;

/// The longest `jti` accepted, in bytes: it is stored for replay detection.
const MAX_JTI_LEN: usize = 256;

/// Header members that only a private or symmetric key has (RFC 7518 §6).
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

/// What the proof must be bound to: the request as the server received it.
#[derive(Clone, Copy, Debug)]
pub struct Expected<'a> {
    /// The request method, as sent (methods are case-sensitive).
    pub method: &'a str,
    /// The request's URL as the client addressed it: origin and path, no
    /// query (the server's public origin, not the proxy hop's).
    pub url: &'a str,
    /// The access token presented with the proof, if any: `ath` must hash it.
    pub access_token: Option<&'a str>,
    /// The nonce the server currently demands, if any.
    pub nonce: Option<&'a str>,
}

/// How long a proof stays acceptable, in seconds.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    /// How old `iat` may be.
    pub max_age: i64,
    /// How far past `now` `iat` may be, for client clocks running ahead. It
    /// also widens `max_age`, for clocks running behind.
    pub leeway: i64,
}

/// A proof that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedProof {
    /// The thumbprint of the key that signed the proof.
    pub jkt: Jkt,
    /// The proof's id: the caller refuses a `(jkt, jti)` seen in the window.
    pub jti: String,
    pub iat: i64,
}

/// Checks `proof` (the `DPoP` header value) against the request it came with.
pub fn check(
    proof: &str,
    expected: &Expected,
    window: Window,
    now: i64,
) -> Result<VerifiedProof, ProofError> {
    let jws = Jws::split(proof)?;
    if jws.header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
        return Err(ProofError::WrongTyp);
    }
    let (alg, algorithm) = match jws.header.get("alg").and_then(Value::as_str) {
        Some(alg @ "ES256") => (alg, Algorithm::ES256),
        // Same signature scheme: jsonwebtoken knows it as EdDSA only.
        Some(alg @ ("EdDSA" | "Ed25519")) => (alg, Algorithm::EdDSA),
        _ => return Err(ProofError::AlgNotAllowed),
    };
    if jws.header.contains_key("crit") {
        return Err(ProofError::CritUnsupported);
    }
    let key = public_key(&jws.header, alg)?;
    verify_signature(&jws, &key, algorithm)?;

    let claims = &jws.payload;
    let jti = string_claim(claims, Claim::Jti)?;
    if jti.is_empty() || jti.len() > MAX_JTI_LEN {
        return Err(ProofError::ClaimInvalid(Claim::Jti));
    }
    let htm = string_claim(claims, Claim::Htm)?;
    let htu = string_claim(claims, Claim::Htu)?;
    let iat = iat_claim(claims)?;

    if htm != expected.method {
        return Err(ProofError::HtmMismatch);
    }
    if !same_resource(htu, expected.url) {
        return Err(ProofError::HtuMismatch);
    }
    // Saturating, as `now` and the window come from configuration and `iat`
    // from the client. Negative settings would make no sense: read as 0.
    let leeway = window.leeway.max(0);
    let oldest = now
        .saturating_sub(window.max_age.max(0))
        .saturating_sub(leeway);
    if iat < oldest {
        return Err(ProofError::IatTooOld);
    }
    if iat > now.saturating_add(leeway) {
        return Err(ProofError::IatInFuture);
    }
    if let Some(nonce) = expected.nonce {
        match claims.get("nonce") {
            None => return Err(ProofError::NonceMissing),
            Some(got) if got.as_str() == Some(nonce) => {}
            Some(_) => return Err(ProofError::NonceWrong),
        }
    }
    if let Some(token) = expected.access_token {
        let ath = URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()));
        match claims.get("ath") {
            None => return Err(ProofError::AthMissing),
            Some(got) if got.as_str() == Some(ath.as_str()) => {}
            Some(_) => return Err(ProofError::AthMismatch),
        }
    }
    Ok(VerifiedProof {
        jkt: Jkt::of(&key),
        jti: jti.to_owned(),
        iat,
    })
}

/// A compact JWS taken apart, nothing verified yet.
struct Jws<'a> {
    header: Map<String, Value>,
    payload: Map<String, Value>,
    /// `header.payload`, as signed.
    signing_input: &'a str,
    signature: &'a str,
}

impl<'a> Jws<'a> {
    fn split(proof: &'a str) -> Result<Self, ProofError> {
        if proof.len() > MAX_PROOF_LEN {
            return Err(ProofError::TooLong);
        }
        // Exactly three segments: `header.payload` is what was signed.
        if proof.bytes().filter(|b| *b == b'.').count() != 2 {
            return Err(ProofError::Malformed);
        }
        let (signing_input, signature) = proof.rsplit_once('.').ok_or(ProofError::Malformed)?;
        let (header, payload) = signing_input.split_once('.').ok_or(ProofError::Malformed)?;
        // The signature is decoded again by jsonwebtoken; decoding it here
        // keeps a bad encoding a format error rather than a key error.
        if URL_SAFE_NO_PAD.decode(signature).is_err() {
            return Err(ProofError::Malformed);
        }
        Ok(Self {
            header: json_object(header)?,
            payload: json_object(payload)?,
            signing_input,
            signature,
        })
    }
}

/// A base64url segment holding a JSON object.
fn json_object(segment: &str) -> Result<Map<String, Value>, ProofError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| ProofError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| ProofError::Malformed)
}

/// The header's `jwk`, if it is a public key of the kind `alg` needs. The
/// private members are looked for in the raw JSON: a typed key would drop
/// them silently, and a client that sends its private key has leaked it.
fn public_key(header: &Map<String, Value>, alg: &str) -> Result<PublicJwk, ProofError> {
    let jwk = match header.get("jwk") {
        None => return Err(ProofError::JwkMissing),
        Some(Value::Object(jwk)) => jwk,
        Some(_) => return Err(ProofError::JwkInvalid),
    };
    if PRIVATE_MEMBERS.iter().any(|m| jwk.contains_key(*m)) {
        return Err(ProofError::JwkPrivate);
    }
    let member = |name: &str| jwk.get(name).and_then(Value::as_str);
    let key = match (alg, member("kty"), member("crv")) {
        ("ES256", Some("EC"), Some("P-256")) => PublicJwk::p256(
            member("x").unwrap_or_default(),
            member("y").unwrap_or_default(),
        ),
        ("EdDSA" | "Ed25519", Some("OKP"), Some("Ed25519")) => {
            PublicJwk::ed25519(member("x").unwrap_or_default())
        }
        _ => None,
    };
    key.ok_or(ProofError::JwkInvalid)
}

/// The signature check proper, left to jsonwebtoken. `crypto::verify` is
/// used rather than `decode`: `decode` re-parses the header into a struct
/// that refuses some valid headers (non-string extra members) and validates
/// JWT claims DPoP does not use, both failures that would pass for a bad
/// signature here.
fn verify_signature(jws: &Jws, key: &PublicJwk, alg: Algorithm) -> Result<(), ProofError> {
    let decoding = DecodingKey::from_jwk(&key.to_jwk()).map_err(|_| ProofError::JwkInvalid)?;
    match crypto::verify(jws.signature, jws.signing_input.as_bytes(), &decoding, alg) {
        Ok(true) => Ok(()),
        Ok(false) => Err(ProofError::SignatureInvalid),
        // The signature's encoding was checked: only the key can be wrong,
        // e.g. a P-256 point not on the curve.
        Err(_) => Err(ProofError::JwkInvalid),
    }
}

fn string_claim(claims: &Map<String, Value>, claim: Claim) -> Result<&str, ProofError> {
    match claims.get(claim.name()) {
        None => Err(ProofError::ClaimMissing(claim)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(ProofError::ClaimInvalid(claim)),
    }
}

/// `iat` as whole seconds. An integer beyond `i64` is far in the future and
/// is kept as such; a fraction is refused, as no client sends one.
fn iat_claim(claims: &Map<String, Value>) -> Result<i64, ProofError> {
    match claims.get("iat") {
        None => Err(ProofError::ClaimMissing(Claim::Iat)),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(n.as_i64().unwrap_or(i64::MAX)),
        Some(_) => Err(ProofError::ClaimInvalid(Claim::Iat)),
    }
}

/// Whether `htu` names the same resource as `expected` (RFC 9449 §4.3 point
/// 9): both parsed, scheme, host, port (default ports filled in) and path
/// compared, query and fragment ignored. Userinfo must match too, so an
/// `htu` carrying credentials never matches a plain URL.
fn same_resource(htu: &str, expected: &str) -> bool {
    let (Ok(htu), Ok(expected)) = (Url::parse(htu), Url::parse(expected)) else {
        return false;
    };
    matches!(htu.scheme(), "https" | "http")
        && htu.scheme() == expected.scheme()
        && htu.host() == expected.host()
        && htu.port_or_known_default() == expected.port_or_known_default()
        && htu.username() == expected.username()
        && htu.password() == expected.password()
        && normalize_path(htu.path()) == normalize_path(expected.path())
}

/// The RFC 3986 §6.2.2 normalizations the `url` crate leaves out, which
/// RFC 9449 §4.3 recommends: percent-encodings compare case-insensitively
/// (`%2f` = `%2F`), and those of unreserved characters equal the characters
/// (`%7E` = `~`). (Case of scheme and host, dot segments and default ports
/// are already normalized by parsing.)
fn normalize_path(path: &str) -> Vec<u8> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| char::from(*b).to_digit(16));
        if let (b'%', Some(hi), Some(lo)) = (bytes[i], hex(i + 1), hex(i + 2)) {
            let byte = (hi * 16 + lo) as u8;
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                out.push(byte);
            } else {
                out.extend_from_slice(format!("%{byte:02X}").as_bytes());
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}
