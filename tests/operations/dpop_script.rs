//! `scripts/dpop_client.py`, a client holding its own ES256 key, against a
//! running server in JWT mode on `http://localhost:<port>` (the origin its
//! proofs name): it gets DPoP-bound tokens, calls `/api/me` with them, sees
//! every altered proof and the token sent as `Bearer` refused, refreshes
//! only with its key, and sees the token refused once revoked; and the same
//! with server nonces on (`LATCHKEY_DPOP_NONCES`).

use super::*;

/// The script against a server in JWT mode with `extra` settings; what it
/// printed.
async fn the_script_gets_and_uses_bound_tokens(extra: &[(&str, &str)]) -> String {
    let dir = TempDir::new("dpop-script");
    let port = free_port();
    let settings = settings(&dir, "jwt", "database", None);
    let server = Instance::start_with(&settings, port, extra).await;
    let base = format!("http://localhost:{port}");
    let said = run_client_script("dpop_client.py", &base).await;
    server.kill().await;
    let steps = [
        "token",
        "bound",
        "me",
        "refused-replay",
        "refused-method",
        "refused-url",
        "refused-old-iat",
        "refused-forged-signature",
        "refused-other-key",
        "refused-ath",
        "refused-alg-none",
        "refused-hmac",
        "refused-bearer",
        "refresh",
        "refresh-needs-proof",
        "refresh-other-key-refused",
        "refresh-after-refusals",
        "revoked",
    ];
    for step in steps {
        assert!(
            said.lines()
                .any(|l| l.split_whitespace().take(2).eq(["ok", step])),
            "no ok {step}: {said}"
        );
    }
    said
}

#[tokio::test]
async fn jwt_mode_dpop_script() {
    let said = the_script_gets_and_uses_bound_tokens(&[]).await;
    assert!(!said.contains("ok nonce"), "no nonce demanded: {said}");
}

/// With server nonces on, the script is told `use_dpop_nonce` once, takes
/// the nonce handed out, and every step passes with it.
#[tokio::test]
async fn jwt_mode_dpop_script_with_nonces() {
    let said = the_script_gets_and_uses_bound_tokens(&[("LATCHKEY_DPOP_NONCES", "true")]).await;
    assert!(said.lines().any(|l| l.starts_with("ok nonce ")), "{said}");
}
