//! `latchkey users disable NAME`, run as its own process over the same
//! stores as a running server, ends a signed-in user's browser and Bearer
//! sign-ins: at once with Redis, within one sync (2 s) where the sessions or
//! the revocation set live in a server's memory; in both modes. Then
//! `users list`, `users enable`, `sessions purge`, and a wrong name (exit 1).

use super::*;

/// Asks until the answer is `401`; fails if that takes longer than `bound`
/// (zero: the very first request must be refused).
async fn refused_within(bound: Duration, mut ask: impl AsyncFnMut() -> StatusCode) {
    let deadline = Instant::now() + bound;
    loop {
        let status = ask().await;
        if status == StatusCode::UNAUTHORIZED {
            return;
        }
        assert_eq!(status, StatusCode::OK, "neither signed in nor refused");
        assert!(Instant::now() < deadline, "still signed in after {bound:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn disable_ends_sign_ins_everywhere(mode: &'static str, store: &'static str) {
    let redis = match store {
        "redis" => match RedisClient::for_tests() {
            Some(r) => Some(r),
            None => return server::testing::skip("Redis", redis_client::TEST_ENV),
        },
        _ => None,
    };
    let dir = TempDir::new("admin");
    let settings = settings(&dir, mode, store, redis.as_ref());
    let server = Instance::start(&settings, free_port()).await;
    let http = client();
    let mut browser = Browser::default();
    let form = [("username", "alice"), ("password", PASSWORD)];
    let r = browser
        .post_form(&http, &format!("{}/api/sign_up", server.base), &form)
        .await
        .unwrap();
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    assert_eq!(
        me(&http, &server.base, &browser, None).await,
        StatusCode::OK
    );
    let bearer = if mode == "jwt" {
        let grant = [
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", PASSWORD),
        ];
        let r = http
            .post(format!("{}/auth/token", server.base))
            .form(&grant)
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = r.json().await.unwrap();
        let token = body["access_token"]
            .as_str()
            .expect("an access token")
            .to_string();
        assert_eq!(
            me(&http, &server.base, &browser, Some(&token)).await,
            StatusCode::OK
        );
        Some(token)
    } else {
        None
    };

    let out = admin(&settings, &["users", "disable", "Alice"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.starts_with("Disabled alice"), "{said}");

    // Redis carries the change to the server before the command returns;
    // a server's own memory learns it at its next sync.
    let bound = match store {
        "redis" => Duration::ZERO,
        _ => server::auth::jwt::revocation::SYNC_EVERY + Duration::from_secs(1),
    };
    refused_within(bound, async || {
        me(&http, &server.base, &browser, None).await
    })
    .await;
    if let Some(token) = &bearer {
        refused_within(bound, async || {
            me(&http, &server.base, &browser, Some(token)).await
        })
        .await;
    }
    let sign_in = format!("{}/api/sign_in", server.base);
    let mut again = Browser::default();
    again.post_form(&http, &sign_in, &form).await.unwrap();
    assert!(again.cookies.is_empty(), "a disabled account signed in");

    let out = admin(&settings, &["users", "list", "--disabled"]).await;
    let listed = text(&out.stdout);
    assert!(
        out.status.success() && listed.contains("alice") && listed.contains("disabled"),
        "{listed}"
    );
    let out = admin(&settings, &["users", "disable", "nobody"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no account named \"nobody\""),
        "{}",
        text(&out.stderr)
    );
    let out = admin(&settings, &["users", "enable", "alice"]).await;
    assert!(
        text(&out.stdout).starts_with("Enabled alice"),
        "{}",
        text(&out.stdout)
    );
    again.post_form(&http, &sign_in, &form).await.unwrap();
    assert_eq!(me(&http, &server.base, &again, None).await, StatusCode::OK);
    let out = admin(&settings, &["sessions", "purge"]).await;
    assert!(
        text(&out.stdout).starts_with("Deleted "),
        "{}",
        text(&out.stdout)
    );

    server.kill().await;
    if let Some(redis) = redis {
        redis.delete_all().await.ok();
    }
}

#[tokio::test]
async fn session_mode_memory_store_disable() {
    disable_ends_sign_ins_everywhere("session", "memory").await;
}

#[tokio::test]
async fn session_mode_redis_store_disable() {
    disable_ends_sign_ins_everywhere("session", "redis").await;
}

#[tokio::test]
async fn jwt_mode_database_revocations_disable() {
    disable_ends_sign_ins_everywhere("jwt", "memory").await;
}

#[tokio::test]
async fn jwt_mode_redis_revocations_disable() {
    disable_ends_sign_ins_everywhere("jwt", "redis").await;
}
