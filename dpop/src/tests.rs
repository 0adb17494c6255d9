//! Tests of [`check`]: valid proofs pass, and each check refuses what it
//! must, with its own error. Proofs are signed here with fixed keys. This
//! file has the helpers, the valid proofs and the header checks; the key and
//! signature checks are in `keys`, the payload checks in `claims`; `panva`
//! checks proofs made by an independent implementation.

mod claims;
mod keys;
mod panva;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
// One trait (signature 2) signs with both ed25519-dalek and p256 keys.
use ed25519_dalek::Signer as _;
use serde_json::{json, Value};

use super::*;

const NOW: i64 = 1_700_000_000;
const URL: &str = "https://as.example.com/token";
const WINDOW: Window = Window {
    max_age: 60,
    leeway: 5,
};

/// A client key, to sign test proofs with.
enum Key {
    Es(p256::ecdsa::SigningKey),
    Ed(ed25519_dalek::SigningKey),
}

impl Key {
    fn es256(seed: u8) -> Self {
        Self::Es(p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap())
    }

    fn ed25519(seed: u8) -> Self {
        Self::Ed(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
    }

    fn jwk(&self) -> Value {
        match self {
            Self::Es(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                let (x, y) = (b64(point.x().unwrap()), b64(point.y().unwrap()));
                json!({ "kty": "EC", "crv": "P-256", "x": x, "y": y })
            }
            Self::Ed(key) => {
                json!({ "kty": "OKP", "crv": "Ed25519", "x": b64(key.verifying_key().as_bytes()) })
            }
        }
    }

    fn header(&self) -> Value {
        let alg = match self {
            Self::Es(_) => "ES256",
            Self::Ed(_) => "EdDSA",
        };
        json!({ "typ": "dpop+jwt", "alg": alg, "jwk": self.jwk() })
    }

    fn sign(&self, input: &[u8]) -> Vec<u8> {
        match self {
            Self::Es(key) => {
                let signature: p256::ecdsa::Signature = key.sign(input);
                signature.to_bytes().to_vec()
            }
            Self::Ed(key) => key.sign(input).to_bytes().to_vec(),
        }
    }

    /// A compact JWS of `header` and `claims`, signed with this key.
    fn proof(&self, header: &Value, claims: &Value) -> String {
        let input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
        format!("{input}.{}", b64(self.sign(input.as_bytes())))
    }

    fn valid_proof(&self) -> String {
        self.proof(&self.header(), &claims())
    }
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Takes `member` out of a JSON object.
fn remove(object: &mut Value, member: &str) {
    object.as_object_mut().unwrap().remove(member);
}

fn claims() -> Value {
    json!({ "jti": "e1j3V_bKic8-LAEB", "htm": "POST", "htu": URL, "iat": NOW })
}

fn expected() -> Expected<'static> {
    Expected {
        method: "POST",
        url: URL,
        access_token: None,
        nonce: None,
    }
}

fn run(proof: &str) -> Result<VerifiedProof, ProofError> {
    check(proof, &expected(), WINDOW, NOW)
}

/// A proof signed by an ES256 key, its header edited by `edit`.
fn with_header(edit: impl FnOnce(&mut Value)) -> String {
    let key = Key::es256(1);
    let mut header = key.header();
    edit(&mut header);
    key.proof(&header, &claims())
}

/// A proof signed by an ES256 key, its claims edited by `edit`.
fn with_claims(edit: impl FnOnce(&mut Value)) -> String {
    let key = Key::es256(1);
    let mut claims = claims();
    edit(&mut claims);
    key.proof(&key.header(), &claims)
}

#[test]
fn an_es256_proof_passes() {
    let key = Key::es256(1);
    let proof = run(&key.valid_proof()).unwrap();
    assert_eq!(proof.jti, "e1j3V_bKic8-LAEB");
    assert_eq!(proof.iat, NOW);
    let again = run(&with_claims(|c| c["jti"] = json!("another"))).unwrap();
    assert_eq!(again.jkt, proof.jkt, "one key, one thumbprint");
    assert_ne!(run(&Key::es256(2).valid_proof()).unwrap().jkt, proof.jkt);
}

#[test]
fn an_eddsa_proof_passes() {
    let key = Key::ed25519(1);
    let proof = run(&key.valid_proof()).unwrap();
    assert_eq!((proof.jti.as_str(), proof.iat), ("e1j3V_bKic8-LAEB", NOW));
    assert_ne!(run(&Key::ed25519(2).valid_proof()).unwrap().jkt, proof.jkt);
}

#[test]
fn every_listed_alg_passes_with_its_key() {
    for alg in ALGS {
        let key = if *alg == "ES256" {
            Key::es256(3)
        } else {
            Key::ed25519(3)
        };
        let mut header = key.header();
        header["alg"] = json!(alg);
        assert!(run(&key.proof(&header, &claims())).is_ok(), "{alg}");
    }
}

/// RFC 9449 §4.1 figure 2, with the thumbprint §6.1 figure 9 gives its key.
#[test]
fn the_rfc_9449_example_passes() {
    let proof = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";
    let expected = Expected {
        url: "https://server.example.com/token",
        ..expected()
    };
    let verified = check(proof, &expected, WINDOW, 1_562_262_616).unwrap();
    assert_eq!(
        verified.jkt.as_str(),
        "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
    );
    assert_eq!(verified.jti, "-BwC3ESc6acc2lTc");
}

#[test]
fn an_oversized_proof_is_refused_before_parsing() {
    let proof = with_claims(|c| c["pad"] = json!("a".repeat(MAX_PROOF_LEN)));
    assert_eq!(run(&proof), Err(ProofError::TooLong));
    assert_eq!(
        run(&"!".repeat(MAX_PROOF_LEN + 1)),
        Err(ProofError::TooLong)
    );
    let fits = with_claims(|c| c["pad"] = json!("a".repeat(MAX_PROOF_LEN / 2)));
    assert!(run(&fits).is_ok());
}

#[test]
fn garbage_is_malformed() {
    let valid = Key::es256(1).valid_proof();
    let (input, _) = valid.rsplit_once('.').unwrap();
    for proof in [
        String::new(),
        "not a jwt".into(),
        "a.b".into(),
        format!("{valid}.{}", b64("x")),
        format!("!!.{input}"),
        format!("{}.{}.", b64("[1]"), b64("{}")),
        format!("{}.{}.", b64(r#"{"typ":"dpop+jwt"}"#), b64("not json")),
        format!("{input}.+/+/"),
        format!("{input}.AA=="),
    ] {
        assert_eq!(run(&proof), Err(ProofError::Malformed), "{proof}");
    }
}

#[test]
fn typ_must_be_exactly_dpop_jwt() {
    for typ in [
        json!("JWT"),
        json!("DPoP+JWT"),
        json!("application/dpop+jwt"),
        json!(1),
    ] {
        assert_eq!(
            run(&with_header(|h| h["typ"] = typ.clone())),
            Err(ProofError::WrongTyp)
        );
    }
    let untyped = with_header(|h| remove(h, "typ"));
    assert_eq!(run(&untyped), Err(ProofError::WrongTyp));
}

#[test]
fn alg_none_is_refused() {
    let header = json!({ "typ": "dpop+jwt", "alg": "none", "jwk": Key::es256(1).jwk() });
    let proof = format!("{}.{}.", b64(header.to_string()), b64(claims().to_string()));
    assert_eq!(run(&proof), Err(ProofError::AlgNotAllowed));
}

/// A MAC keyed with a `jwk` the attacker chose proves nothing.
#[test]
fn an_hs256_proof_is_refused() {
    use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, OctetKeyParameters, OctetKeyType};
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.typ = Some("dpop+jwt".into());
    header.jwk = Some(Jwk {
        common: Default::default(),
        algorithm: AlgorithmParameters::OctetKey(OctetKeyParameters {
            key_type: OctetKeyType::Octet,
            value: b64("secret"),
        }),
    });
    let key = jsonwebtoken::EncodingKey::from_secret(b"secret");
    let proof = jsonwebtoken::encode(&header, &claims(), &key).unwrap();
    assert_eq!(run(&proof), Err(ProofError::AlgNotAllowed));
}

#[test]
fn algs_not_offered_are_refused() {
    for alg in ["RS256", "PS256", "ES384", "HS256", "es256", "ED25519"] {
        assert_eq!(
            run(&with_header(|h| h["alg"] = json!(alg))),
            Err(ProofError::AlgNotAllowed)
        );
    }
    let rsa = json!({ "typ": "dpop+jwt", "alg": "RS256", "jwk": { "kty": "RSA", "n": b64([7; 256]), "e": "AQAB" } });
    assert_eq!(
        run(&Key::es256(1).proof(&rsa, &claims())),
        Err(ProofError::AlgNotAllowed)
    );
    let no_alg = with_header(|h| remove(h, "alg"));
    assert_eq!(run(&no_alg), Err(ProofError::AlgNotAllowed));
}

#[test]
fn a_crit_header_is_refused() {
    let proof = with_header(|h| h["crit"] = json!(["b64"]));
    assert_eq!(run(&proof), Err(ProofError::CritUnsupported));
}
