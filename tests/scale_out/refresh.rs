//! JWT mode: a refresh on A and the same refresh token reused on B within
//! the grace window both keep the user signed in; reused after it, the
//! family is revoked on both.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_refresh_reuse_across_instances() {
    refresh_reuse_across_instances(Shared::Redis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_refresh_reuse_across_instances_over_a_cluster() {
    refresh_reuse_across_instances(Shared::Cluster).await;
}

async fn refresh_reuse_across_instances(shared: Shared) {
    let _serial = SERIAL.lock().await;
    let Some(stores) = Stores::start_with(shared).await else {
        return;
    };
    let settings = stores.settings("jwt");
    let a = Instance::start(&settings, free_port()).await;
    let b = Instance::start(&settings, free_port()).await;
    let http = client();
    sign_up(&http, &a, "bob").await;

    let first = password_grant(&http, &a, "bob").await;
    let r0 = first["refresh_token"].as_str().unwrap().to_string();

    // Two tabs refresh at once, one through each instance.
    let grant = [
        ("grant_type", "refresh_token"),
        ("refresh_token", r0.as_str()),
    ];
    let (s, on_a) = token(&http, &a, &grant).await;
    assert_eq!(s, StatusCode::OK, "{on_a}");
    let (s, on_b) = token(&http, &b, &grant).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "reuse on B within the grace window: {on_b}"
    );
    assert_eq!(
        on_a["refresh_token"], on_b["refresh_token"],
        "the same successor"
    );
    let access_b = on_b["access_token"].as_str().unwrap();
    assert_eq!(me(&http, &b, access_b).await, StatusCode::OK);
    assert_eq!(me(&http, &a, access_b).await, StatusCode::OK);

    // Reused after the grace window (2 s, counted in whole seconds): the
    // whole family is revoked.
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    let (s, reused) = token(&http, &b, &grant).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{reused}");
    assert_eq!(reused["error"], "invalid_grant");
    let r1 = on_a["refresh_token"].as_str().unwrap();
    let (s, newest) = token(
        &http,
        &a,
        &[("grant_type", "refresh_token"), ("refresh_token", r1)],
    )
    .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "the newest token dies with its family: {newest}"
    );
    assert_eq!(me(&http, &b, access_b).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        me(&http, &a, access_b).await,
        StatusCode::UNAUTHORIZED,
        "A learned of the revocation made on B"
    );

    drop((a, b));
    stores.stop().await;
}
