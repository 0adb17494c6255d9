//! `scripts/passkey_client.py`, a client with its own software
//! authenticator (ES256, "none" attestation), against a running server in
//! each mode, on `http://localhost:<port>` as browsers require: it signs
//! up, adds a passkey, signs out, signs in with the passkey alone, and sees
//! a replayed assertion, another origin and a lower sign count refused.

use super::*;

async fn the_script_registers_and_signs_in(mode: &'static str) {
    let dir = TempDir::new(&format!("passkey-script-{mode}"));
    let port = free_port();
    let server = Instance::start(&settings(&dir, mode, "database", None), port).await;
    let base = format!("http://localhost:{port}");
    let said = run_client_script("passkey_client.py", &base).await;
    server.kill().await;
    for step in [
        "registration",
        "authentication",
        "me",
        "replay-refused",
        "wrong-origin-refused",
        "lower-counter-refused",
    ] {
        assert!(
            said.lines().any(|l| l.starts_with(&format!("ok {step} "))),
            "{mode}: no ok {step}: {said}"
        );
    }
}

#[tokio::test]
async fn session_mode_passkey_script() {
    the_script_registers_and_signs_in("session").await;
}

#[tokio::test]
async fn jwt_mode_passkey_script() {
    the_script_registers_and_signs_in("jwt").await;
}
