//! A device signed out from the devices page on one instance is refused by
//! the other on its next request, in both modes.

use std::time::Duration;

use reqwest::StatusCode;

use super::instance::{client, free_port, Browser, Instance};
use super::stores::{Shared, Stores};
use super::{account, refused_within, sign_up, PASSWORD, SERIAL};

/// The id of `b`'s own device, as `at` lists it.
async fn own_device(http: &reqwest::Client, b: &mut Browser, at: &Instance) -> String {
    let r = b
        .get(http, &format!("{}/api/devices", at.base))
        .await
        .unwrap();
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let list: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let devices = list["devices"].as_array().expect("devices");
    let me = devices
        .iter()
        .find(|d| d["current"] == true)
        .expect("current");
    me["id"].as_str().unwrap().to_string()
}

async fn device_ended_on_a_is_refused_on_b(mode: &'static str, shared: Shared) {
    let _serial = SERIAL.lock().await;
    let Some(stores) = Stores::start_with(shared).await else {
        return;
    };
    let settings = stores.settings(mode);
    let a = Instance::start(&settings, free_port()).await;
    let b = Instance::start(&settings, free_port()).await;
    let http = client();

    let username = format!("dee-{mode}");
    let mut laptop = sign_up(&http, &a, &username).await;
    let mut phone = Browser::default();
    let r = phone
        .post_form(
            &http,
            &format!("{}/api/sign_in", b.base),
            &[("username", &username), ("password", PASSWORD)],
        )
        .await
        .unwrap();
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    assert_eq!(account(&http, &mut phone.clone(), &b).await, StatusCode::OK);
    let phone_id = own_device(&http, &mut phone, &b).await;

    // The laptop, on A, signs the phone out from the devices page's form.
    let r = laptop
        .post_form(
            &http,
            &format!("{}/api/end_device", a.base),
            &[("id", phone_id.as_str())],
        )
        .await
        .unwrap();
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    let refused_after = refused_within(&http, &mut phone, &b, Duration::from_secs(4)).await;
    assert_eq!(
        refused_after,
        Some(1),
        "{mode}: B must refuse the phone on its first request after A ended it"
    );
    assert_eq!(account(&http, &mut laptop, &b).await, StatusCode::OK);

    drop((a, b));
    stores.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_mode_device_ended_on_one_instance_is_refused_on_another() {
    device_ended_on_a_is_refused_on_b("session", Shared::Redis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_mode_device_ended_on_one_instance_is_refused_on_another() {
    device_ended_on_a_is_refused_on_b("jwt", Shared::Redis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_mode_device_ended_on_one_instance_is_refused_on_another_over_a_cluster() {
    device_ended_on_a_is_refused_on_b("session", Shared::Cluster).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_mode_device_ended_on_one_instance_is_refused_on_another_over_a_cluster() {
    device_ended_on_a_is_refused_on_b("jwt", Shared::Cluster).await;
}
