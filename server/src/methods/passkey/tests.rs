//! The relying party: which origins and RP IDs start a server, and the
//! options registration and sign-in send the browser.

use super::*;

fn config(public_origin: Option<&str>, rp_id: Option<&str>) -> Config {
    let mut config = Config::defaults();
    config.public_origin = public_origin.map(Into::into);
    config.webauthn_rp_id = rp_id.map(Into::into);
    config
}

#[test]
fn the_default_relying_party_is_localhost_on_the_site_port() {
    let rp = RelyingParty::from_config(&config(None, None)).unwrap();
    assert_eq!(rp.rp_id(), "localhost");
    assert_eq!(rp.origin(), "http://localhost:3000");
}

#[test]
fn the_rp_id_is_the_public_host_or_a_domain_above_it() {
    let rp = RelyingParty::from_config(&config(Some("https://auth.example.com"), None)).unwrap();
    assert_eq!(rp.rp_id(), "auth.example.com");
    let rp = RelyingParty::from_config(&config(
        Some("https://auth.example.com"),
        Some("Example.com"),
    ))
    .unwrap();
    assert_eq!(rp.rp_id(), "example.com");
    for (origin, id) in [
        ("https://auth.example.com", "other.com"),
        ("https://auth.example.com", "xample.com"),
        ("http://127.0.0.1:3000", "127.0.0.1"),
    ] {
        let e = RelyingParty::from_config(&config(Some(origin), Some(id))).unwrap_err();
        assert!(e.contains("LATCHKEY_WEBAUTHN_RP_ID"), "{e}");
    }
}

#[test]
fn registration_asks_for_a_discoverable_verified_credential() {
    let rp = RelyingParty::from_config(&config(None, None)).unwrap();
    let handle = Uuid::new_v4();
    let (options, state) = rp.registration_options(handle, "ada", vec![]).unwrap();
    let key = &options["publicKey"];
    assert_eq!(key["authenticatorSelection"]["residentKey"], "preferred");
    assert_eq!(
        key["authenticatorSelection"]["userVerification"],
        "required"
    );
    assert_eq!(key["rp"]["id"], "localhost");
    assert_eq!(key["user"]["name"], "ada");
    // The user handle is the random UUID, not the name.
    assert_eq!(key["user"]["id"], b64(handle.as_bytes()));
    assert!(serde_json::from_str::<PasskeyRegistration>(&state).is_ok());
}

#[test]
fn sign_in_names_no_credential_and_requires_verification() {
    let rp = RelyingParty::from_config(&config(None, None)).unwrap();
    let (options, _) = rp.sign_in_options().unwrap();
    let key = &options["publicKey"];
    assert_eq!(key["rpId"], "localhost");
    assert_eq!(key["userVerification"], "required");
    assert!(key
        .get("allowCredentials")
        .is_none_or(|a| a.as_array().is_some_and(Vec::is_empty)));
    assert!(options.get("mediation").is_none());
}
