//! `scripts/dpop_client.py`, a client holding its own ES256 key, against a
//! running server in JWT mode on `http://localhost:<port>` (the origin its
//! proofs name): it gets DPoP-bound tokens, calls `/api/me` with them, sees
//! every altered proof and the token sent as `Bearer` refused, refreshes
//! only with its key, and sees the token refused once revoked.

use super::*;

#[tokio::test]
async fn jwt_mode_dpop_script() {
    let dir = TempDir::new("dpop-script");
    let port = free_port();
    let server = Instance::start(&settings(&dir, "jwt", "database", None), port).await;
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
}
