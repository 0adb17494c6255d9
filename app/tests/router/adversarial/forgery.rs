//! The forgeries: every malformed or re-signed variant of a real access
//! token that the adversarial suite sends, by name.

use jsonwebtoken::{crypto, Algorithm, EncodingKey};
use serde_json::{json, Value};

use super::{b64, segment};
use crate::support::{self, TEST_SECRET};

/// `header.payload.signature` signed with `key` under `alg`.
pub fn sign(alg: Algorithm, key: &EncodingKey, header: &Value, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.to_string()), b64(payload));
    let sig = crypto::sign(input.as_bytes(), key, alg).unwrap();
    format!("{input}.{sig}")
}

/// Signed with the deployment's own key: only the claims are wrong.
pub fn ours(header: &Value, payload: &Value) -> String {
    sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(&TEST_SECRET),
        header,
        &payload.to_string(),
    )
}

pub fn with(base: &Value, changes: &[(&str, Value)]) -> Value {
    let mut v = base.clone();
    for (k, val) in changes {
        v[*k] = val.clone();
    }
    v
}

/// Every forgery of `access`, by name.
pub fn forgeries(access: &str, refresh: &str) -> Vec<(String, String)> {
    let h = segment(access, 0);
    let p = segment(access, 1);
    let now = support::T0;
    let (hp, sig) = access.rsplit_once('.').unwrap();
    let attacker = EncodingKey::from_secret(&[7u8; 32]);
    let mut cases: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, token: String| cases.push((name.to_string(), token));

    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = b64(with(&h, &[("alg", json!(alg))]).to_string());
        let payload = b64(p.to_string());
        add(
            &format!("alg {alg}, empty signature"),
            format!("{header}.{payload}."),
        );
        add(
            &format!("alg {alg}, no signature"),
            format!("{header}.{payload}"),
        );
        add(
            &format!("alg {alg}, old signature"),
            format!("{header}.{payload}.{sig}"),
        );
    }
    add("stripped signature", format!("{hp}."));
    add("signature segment missing", hp.to_string());
    let mut flipped = sig.as_bytes().to_vec();
    flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
    add(
        "tampered signature",
        format!("{hp}.{}", String::from_utf8(flipped).unwrap()),
    );
    let other_sub = b64(with(&p, &[("sub", json!("someone-else"))]).to_string());
    add(
        "tampered payload, original signature",
        format!("{}.{other_sub}.{sig}", hp.split('.').next().unwrap()),
    );
    add(
        "another deployment's key",
        sign(Algorithm::HS256, &attacker, &h, &p.to_string()),
    );
    add(
        "kid path traversal, empty key",
        sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(b""),
            &with(&h, &[("kid", json!("../../../../../../dev/null"))]),
            &p.to_string(),
        ),
    );
    add(
        "kid injection",
        sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(b"k"),
            &with(&h, &[("kid", json!("x' UNION SELECT 'k' --"))]),
            &p.to_string(),
        ),
    );
    add(
        "kid missing",
        ours(&json!({"alg": "HS256", "typ": "at+jwt"}), &p),
    );
    for (name, extra) in [
        ("jku", json!("https://evil.example/jwks.json")),
        ("x5u", json!("https://evil.example/cert.pem")),
        ("jwk", json!({"kty": "oct", "k": b64([7u8; 32])})),
    ] {
        add(
            &format!("{name} header naming the attacker's key"),
            sign(
                Algorithm::HS256,
                &attacker,
                &with(&h, &[(name, extra)]),
                &p.to_string(),
            ),
        );
    }
    add(
        "expired",
        ours(
            &h,
            &with(
                &p,
                &[
                    ("exp", json!(now - 60)),
                    ("iat", json!(now - 1860)),
                    ("nbf", json!(now - 1860)),
                ],
            ),
        ),
    );
    add(
        "not yet valid (nbf in the future)",
        ours(&h, &with(&p, &[("nbf", json!(now + 3600))])),
    );
    add(
        "issued in the future",
        ours(
            &h,
            &with(&p, &[("iat", json!(now + 3600)), ("nbf", json!(now))]),
        ),
    );
    add(
        "exp as a string",
        ours(&h, &with(&p, &[("exp", json!(p["exp"].to_string()))])),
    );
    add(
        "nbf as a string",
        ours(&h, &with(&p, &[("nbf", json!(p["nbf"].to_string()))])),
    );
    add(
        "exp as a float",
        ours(&h, &with(&p, &[("exp", json!(1e300))])),
    );
    add(
        "huge exp (year 9999)",
        ours(&h, &with(&p, &[("exp", json!(253_402_300_799_i64))])),
    );
    add(
        "huge exp (i64::MAX)",
        ours(&h, &with(&p, &[("exp", json!(i64::MAX))])),
    );
    add(
        "huge exp (u64::MAX)",
        ours(&h, &with(&p, &[("exp", json!(u64::MAX))])),
    );
    add(
        "negative exp",
        ours(&h, &with(&p, &[("exp", json!(i64::MIN))])),
    );
    add(
        "wrong iss",
        ours(&h, &with(&p, &[("iss", json!("https://evil.example"))])),
    );
    add(
        "wrong aud",
        ours(&h, &with(&p, &[("aud", json!("another-api"))])),
    );
    add(
        "aud list without ours",
        ours(&h, &with(&p, &[("aud", json!(["a", "b"]))])),
    );
    add(
        "typ JWT (not an access token)",
        ours(&with(&h, &[("typ", json!("JWT"))]), &p),
    );
    add(
        "typ missing",
        ours(&json!({"alg": "HS256", "kid": h["kid"]}), &p),
    );
    for claim in ["exp", "nbf", "iat", "iss", "aud", "sub", "sid"] {
        let mut q = p.clone();
        q.as_object_mut().unwrap().remove(claim);
        add(&format!("{claim} missing"), ours(&h, &q));
    }
    add(
        "sub not a string",
        ours(&h, &with(&p, &[("sub", json!(1))])),
    );
    let mut dup = p.to_string();
    dup.insert_str(1, r#""sub":"someone-else","#);
    add(
        "duplicate sub claim",
        sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(&TEST_SECRET),
            &h,
            &dup,
        ),
    );
    let padded: Vec<String> = access.split('.').map(|s| format!("{s}==")).collect();
    add("padded segments", padded.join("."));
    add(
        "standard base64 characters",
        access.replace('-', "+").replace('_', "/") + "+/",
    );
    add("stray characters", format!("{hp}.*{sig}"));
    add("four segments", format!("{access}.e30"));
    add("five segments", format!("{access}.e30.e30"));
    add("empty", String::new());
    add("dots only", "..".into());
    let big = with(&p, &[("pad", json!("A".repeat(64 * 1024)))]);
    add("64 KiB token", ours(&h, &big));
    add("64 KiB of junk", "A".repeat(64 * 1024));
    add("refresh token as access token", refresh.to_string());
    cases
}
