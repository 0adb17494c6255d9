//! Differential test: proofs made by an implementation independent of ours
//! (panva's `dpop` and `jose` for Node), with thumbprints from `jose`'s
//! `calculateJwkThumbprint`. `tools/dpop-fixtures/gen_fixtures.mjs` writes the file;
//! it is checked in so the test needs no Node.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::{check, Expected, ProofError, ALGS, WINDOW};

#[derive(Deserialize)]
struct Fixtures {
    proofs: Vec<Fixture>,
}

#[derive(Deserialize)]
struct Fixture {
    alg: String,
    proof: String,
    method: String,
    /// The URL the server expects: `htu` without its query, if any.
    url: String,
    access_token: Option<String>,
    nonce: Option<String>,
    iat: i64,
    jkt: String,
}

impl Fixture {
    fn expected(&self) -> Expected<'_> {
        Expected {
            method: &self.method,
            url: &self.url,
            access_token: self.access_token.as_deref(),
            nonce: self.nonce.as_deref(),
        }
    }

    fn check(&self, expected: &Expected, now: i64) -> Result<super::VerifiedProof, ProofError> {
        check(&self.proof, expected, WINDOW, now)
    }
}

fn fixtures() -> Vec<Fixture> {
    let file: Fixtures = serde_json::from_str(include_str!("../testdata/panva_dpop.json")).unwrap();
    file.proofs
}

#[test]
fn the_fixtures_cover_every_alg_with_and_without_ath_and_nonce() {
    let all = fixtures();
    let algs: BTreeSet<&str> = all.iter().map(|f| f.alg.as_str()).collect();
    assert_eq!(algs, ALGS.iter().copied().collect());
    assert!(all
        .iter()
        .any(|f| f.access_token.is_some() && f.nonce.is_some()));
    assert!(all
        .iter()
        .any(|f| f.access_token.is_none() && f.nonce.is_none()));
}

#[test]
fn their_proofs_pass_with_their_thumbprints() {
    for fixture in fixtures() {
        let verified = fixture.check(&fixture.expected(), fixture.iat).unwrap();
        assert_eq!(verified.jkt.as_str(), fixture.jkt, "{}", fixture.proof);
        assert_eq!(verified.iat, fixture.iat);
    }
}

#[test]
fn their_proofs_fail_for_another_request() {
    for fixture in fixtures() {
        let base = fixture.expected();
        let other_url = format!("{}/other", fixture.url);
        let cases = [
            (
                Expected {
                    url: &other_url,
                    ..base
                },
                ProofError::HtuMismatch,
            ),
            (
                Expected {
                    method: "PATCH",
                    ..base
                },
                ProofError::HtmMismatch,
            ),
            (
                Expected {
                    access_token: Some("another"),
                    ..base
                },
                match base.access_token {
                    Some(_) => ProofError::AthMismatch,
                    None => ProofError::AthMissing,
                },
            ),
            (
                Expected {
                    nonce: Some("another"),
                    ..base
                },
                match base.nonce {
                    Some(_) => ProofError::NonceWrong,
                    None => ProofError::NonceMissing,
                },
            ),
        ];
        for (expected, error) in cases {
            assert_eq!(fixture.check(&expected, fixture.iat), Err(error));
        }
        let late = fixture.iat + WINDOW.max_age + WINDOW.leeway + 1;
        assert_eq!(fixture.check(&base, late), Err(ProofError::IatTooOld));
    }
}
