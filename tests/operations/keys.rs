//! `latchkey keys rotate` and `keys list` as their own processes, against a
//! running EdDSA server sharing the data directory.

use super::*;

/// A password grant's access token.
async fn grant(http: &reqwest::Client, base: &str) -> String {
    let form = [
        ("grant_type", "password"),
        ("username", "alice"),
        ("password", PASSWORD),
    ];
    let r = http
        .post(format!("{base}/auth/token"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    body["access_token"]
        .as_str()
        .expect("an access token")
        .to_string()
}

/// The `kid`s the server publishes.
async fn published(http: &reqwest::Client, base: &str) -> Vec<String> {
    let r = http
        .get(format!("{base}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let set: serde_json::Value = r.json().await.unwrap();
    set["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn keys_rotate_reaches_a_running_server_without_a_restart() {
    let dir = TempDir::new("keys");
    let settings = Settings {
        jwt_alg: "EdDSA",
        ..settings(&dir, "jwt", "database", None)
    };
    let server = Instance::start(&settings, free_port()).await;
    let http = client();
    let form = [("username", "alice"), ("password", PASSWORD)];
    let mut browser = Browser::default();
    let url = format!("{}/api/sign_up", server.base);
    browser.post_form(&http, &url, &form).await.unwrap();
    let before = grant(&http, &server.base).await;
    let list = admin(&settings, &["keys", "list"]).await;
    assert!(list.status.success(), "{}", text(&list.stderr));
    let out = text(&list.stdout);
    assert_eq!(out.lines().count(), 2, "a header and one key: {out}");
    assert!(out.lines().nth(1).unwrap().contains(" current "), "{out}");
    let first = published(&http, &server.base).await;
    assert_eq!(first.len(), 1);
    assert!(out.contains(&first[0]), "{out}");

    let rotate = admin(&settings, &["keys", "rotate", "--delay", "0s"]).await;
    assert!(rotate.status.success(), "{}", text(&rotate.stderr));
    assert!(
        text(&rotate.stdout).starts_with("Added key "),
        "{}",
        text(&rotate.stdout)
    );
    // The server's sync round reads the changed file within 2 s.
    let deadline = Instant::now() + Duration::from_secs(5);
    while published(&http, &server.base).await.len() < 2 {
        assert!(
            Instant::now() < deadline,
            "the rotation never reached the server"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = grant(&http, &server.base).await;
    // A different key id makes a different header.
    assert_ne!(before.split('.').next(), after.split('.').next());
    for token in [&before, &after] {
        assert_eq!(
            me(&http, &server.base, &browser, Some(token)).await,
            StatusCode::OK
        );
    }
    let out = text(&admin(&settings, &["keys", "list"]).await.stdout);
    let states: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    assert_eq!(states, ["previous", "current"], "{out}");

    // HS256 has one secret and nothing to rotate: a sentence and exit 2.
    let hs = Settings {
        jwt_alg: "HS256",
        ..settings.clone()
    };
    let refused = admin(&hs, &["keys", "rotate"]).await;
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("never published"),
        "{}",
        text(&refused.stderr)
    );
}
