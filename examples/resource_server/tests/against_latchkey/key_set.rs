//! The published key set as the resource server keeps it: a rotation at
//! the issuer costs one fetch, and an issuer that stops answering holds up
//! no request whose key is already known, with at most one fetch attempt
//! per cooldown.

use std::sync::atomic::Ordering;
use std::time::Instant;

use tokio::task::JoinHandle;

use super::*;

#[tokio::test]
async fn after_a_rotation_new_tokens_verify_after_one_key_set_fetch() {
    let latchkey = Latchkey::start().await;
    let cooldown = Duration::from_millis(300);
    let (url, verifier) = by_signature(&latchkey, cooldown).await;
    let before = latchkey.token().await;
    assert_eq!(get_notes(&url, &before).await.status(), 200);
    assert_eq!(fetches(&verifier), 1);
    // `latchkey keys rotate --delay 0s`, read by the server's sync round.
    let now = server::clock::Clock::System.now();
    Keyring::rotate(&latchkey.dir, now, 0, 1805).unwrap();
    latchkey.state.auth.sync().await.unwrap();
    let after = latchkey.token().await;
    assert_ne!(
        jsonwebtoken::decode_header(&before).unwrap().kid,
        jsonwebtoken::decode_header(&after).unwrap().kid
    );
    tokio::time::sleep(cooldown).await;
    assert_eq!(get_notes(&url, &after).await.status(), 200);
    assert_eq!(fetches(&verifier), 2, "one fetch for the new key");
    // Both keys are held now; and a made-up kid inside the cooldown costs
    // the issuer nothing.
    assert_eq!(get_notes(&url, &before).await.status(), 200);
    let foreign = Keyring::random(JwtAlg::EdDsa).unwrap();
    assert_eq!(
        get_notes(&url, &latchkey.forge(&foreign, |_| {}))
            .await
            .status(),
        401
    );
    assert_eq!(fetches(&verifier), 2);
    latchkey.stop();
}

/// The issuer stops answering (as under `kill -STOP`: connections are
/// accepted, nothing comes back) while the cached key set is stale: five
/// requests at once with a known key are answered without waiting for the
/// fetch that hangs, and tokens naming unknown keys cost the issuer at most
/// one fetch attempt per cooldown.
#[tokio::test]
async fn a_stopped_issuer_holds_up_no_known_key() {
    let latchkey = Latchkey::start_with(Duration::from_secs(1)).await;
    let cooldown = Duration::from_secs(1);
    let (url, verifier) = by_signature(&latchkey, cooldown).await;
    let token = latchkey.token().await;
    assert_eq!(get_notes(&url, &token).await.status(), 200);
    latchkey.stopped.store(true, Ordering::SeqCst);
    // Stale (max-age 1 s) and due (cooldown 1 s).
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let started = Instant::now();
    let answers = futures_join_all(
        (0..5)
            .map(|_| {
                let (url, token) = (url.clone(), token.clone());
                tokio::spawn(async move { get_notes(&url, &token).await.status() })
            })
            .collect(),
    )
    .await;
    let took = started.elapsed();
    assert!(answers.iter().all(|s| *s == 200), "{answers:?}");
    assert!(
        took < resource_server::jwks::FETCH_TIMEOUT,
        "known keys waited for the hanging fetch: {took:?}"
    );
    assert_eq!(
        fetches(&verifier),
        2,
        "one attempt started in the background"
    );

    // Tokens naming keys the cache does not hold, from ten clients at once
    // for three seconds: at most one attempt per cooldown (less with the
    // backoff), each waiting for the one under way rather than starting
    // another.
    let foreign = Keyring::random(JwtAlg::EdDsa).unwrap();
    let forged = latchkey.forge(&foreign, |_| {});
    let window = Instant::now();
    let clients = (0..10)
        .map(|_| {
            let (url, forged) = (url.clone(), forged.clone());
            tokio::spawn(async move {
                while window.elapsed() < Duration::from_secs(3) {
                    assert_eq!(get_notes(&url, &forged).await.status(), 401);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
        })
        .collect();
    futures_join_all(clients).await;
    let spent = window.elapsed().as_secs_f64() + 1.1;
    let attempts = fetches(&verifier) - 1;
    assert!(
        attempts as f64 <= 1.0 + spent / cooldown.as_secs_f64(),
        "{attempts} attempts in {spent:.1} s"
    );
    // Still answered from the cache all along.
    assert_eq!(get_notes(&url, &token).await.status(), 200);
    latchkey.stop();
}

/// Awaits every task, in order.
async fn futures_join_all<T>(tasks: Vec<JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}
