//! DPoP across instances: a proof used at one instance is refused at the
//! other (its `jti` is remembered in the shared store), and a fresh one
//! passes. Both instances name the load balancer's origin, as proofs do.

use super::*;
use dpop_key::DpopKey;

const ORIGIN: &str = "http://latchkey.test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dpop_proof_used_at_one_instance_is_refused_at_the_other() {
    proof_used_at_one_instance(Shared::Redis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dpop_proof_used_at_one_instance_is_refused_at_the_other_over_a_cluster() {
    proof_used_at_one_instance(Shared::Cluster).await;
}

async fn proof_used_at_one_instance(shared: Shared) {
    let _serial = SERIAL.lock().await;
    let Some(stores) = Stores::start_with(shared).await else {
        return;
    };
    let settings = stores.settings("jwt");
    let origin = [("LATCHKEY_PUBLIC_ORIGIN", ORIGIN)];
    let a = Instance::start_with(&settings, free_port(), &origin).await;
    let b = Instance::start_with(&settings, free_port(), &origin).await;
    let http = client();
    sign_up(&http, &a, "dora").await;
    let now = server::clock::Clock::System.now();
    let key = DpopKey::new();
    let proof = key.proof("POST", &format!("{ORIGIN}/auth/token"), now, None);
    let r = http
        .post(format!("{}/auth/token", a.base))
        .header("DPoP", proof)
        .form(&[
            ("grant_type", "password"),
            ("username", "dora"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let tokens: serde_json::Value = r.json().await.unwrap();
    assert_eq!(tokens["token_type"], "DPoP");
    let access = tokens["access_token"].as_str().unwrap();
    let me = |at: &Instance, proof: String| {
        http.get(format!("{}/api/me", at.base))
            .header("Authorization", format!("DPoP {access}"))
            .header("DPoP", proof)
            .send()
    };
    let me_url = format!("{ORIGIN}/api/me");
    let used = key.proof("GET", &me_url, now, Some(access));
    assert_eq!(me(&a, used.clone()).await.unwrap().status(), StatusCode::OK);
    let replayed = me(&b, used).await.unwrap();
    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED);
    let challenge = replayed.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("invalid_dpop_proof"), "{challenge}");
    let fresh = key.proof("GET", &me_url, now, Some(access));
    assert_eq!(me(&b, fresh).await.unwrap().status(), StatusCode::OK);
    a.kill().await;
    b.kill().await;
    stores.stop().await;
}
