//! What a token is for and who may use it: a token asked for this service
//! (RFC 8707) is accepted here and refused by Latchkey's own API, and one
//! bound to a client's key (DPoP) needs a fresh proof by that key.

use super::*;

#[allow(dead_code)] // the forging helpers serve Latchkey's router tests
#[path = "../../../../app/tests/support/dpop_key.rs"]
mod dpop_key;
use dpop_key::DpopKey;

/// A token asked for this service (RFC 8707 `resource`) is accepted by a
/// service configured with that audience, by signature and by
/// introspection, and refused by Latchkey's own API; a token for
/// Latchkey's API is refused by the service (no replay across audiences).
#[tokio::test]
async fn a_token_for_this_service_is_accepted_here_and_refused_by_latchkey() {
    let latchkey = Latchkey::start().await;
    let notes_token = latchkey.grant_with(&[("resource", NOTES)]).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let latchkey_token = latchkey.token().await;
    for url in both_checks(&latchkey, NOTES).await {
        assert_eq!(get_notes(&url, &notes_token).await.status(), 200, "{url}");
        assert_eq!(
            get_notes(&url, &latchkey_token).await.status(),
            401,
            "{url}"
        );
    }
    // A service left at Latchkey's audience refuses the notes token.
    let (default_url, _) = by_signature(&latchkey, Duration::ZERO).await;
    assert_eq!(get_notes(&default_url, &notes_token).await.status(), 401);
    let me = |token: &str| {
        reqwest::Client::new()
            .get(format!("{}/api/me", latchkey.url))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(me(&notes_token).await.unwrap().status(), 401);
    assert_eq!(me(&latchkey_token).await.unwrap().status(), 200);
    latchkey.stop();
}

/// A token bound to a client's key (DPoP `cnf`), by either check: refused as
/// `Bearer`, accepted as `DPoP` with a fresh proof by that key for this
/// request, refused with the same proof again, with another key's proof,
/// with a proof for another URL; an unbound token is refused as `DPoP`.
#[tokio::test]
async fn a_token_bound_to_a_key_needs_a_fresh_proof_by_that_key() {
    let latchkey = Latchkey::start().await;
    let [signature_url, issuer_url] = both_checks(&latchkey, "latchkey").await;
    let own = Keyring::load_or_create(&latchkey.dir, JwtAlg::EdDsa).unwrap();
    let key = DpopKey::new();
    let bearer = latchkey.forge(&own, |_| {});
    let bound = latchkey.forge(&own, |c| {
        c.cnf = Some(claims::Confirmation {
            jkt: key.thumbprint(),
        })
    });
    let now = server::clock::Clock::System.now();
    let with_proof = |url: &str, token: &str, proof: &str| {
        reqwest::Client::new()
            .get(format!("{url}/notes"))
            .header("Authorization", format!("DPoP {token}"))
            .header("DPoP", proof)
            .send()
    };
    for url in [&signature_url, &issuer_url] {
        let here = format!("{url}/notes");
        assert_eq!(get_notes(url, &bearer).await.status(), 200, "{url}");
        let res = get_notes(url, &bound).await;
        assert_eq!(res.status(), 401, "{url}: bound token as Bearer");
        let challenge = res.headers()["www-authenticate"].to_str().unwrap();
        assert!(challenge.starts_with("DPoP algs="), "{challenge}");
        let proof = key.proof("GET", &here, now, Some(&bound));
        let res = with_proof(url, &bound, &proof).await.unwrap();
        assert_eq!(res.status(), 200, "{url}: {}", res.text().await.unwrap());
        for (case, proof) in [
            ("the same proof again", proof),
            (
                "another key's",
                DpopKey::new().proof("GET", &here, now, Some(&bound)),
            ),
            (
                "another URL's",
                key.proof("GET", &format!("{url}/other"), now, Some(&bound)),
            ),
            ("a POST's", key.proof("POST", &here, now, Some(&bound))),
        ] {
            let res = with_proof(url, &bound, &proof).await.unwrap();
            assert_eq!(res.status(), 401, "{url}: {case}");
        }
        let proof = key.proof("GET", &here, now, Some(&bearer));
        let res = with_proof(url, &bearer, &proof).await.unwrap();
        assert_eq!(res.status(), 401, "{url}: an unbound token as DPoP");
    }
    latchkey.stop();
}
