//! The passkey conformance cases of managing passkeys: a removed one stops
//! at once, adding or removing one needs a recent sign-in, and renaming
//! from the page and the API. Run by `router.rs` against every backend, as
//! the sign-in cases in `passkey_cases.rs` are.

use http::Method;
use serde_json::json;

use super::passkey_cases::{add_passkey, assert_refused, passkey_sign_in, with_passkey, ORIGIN};
use super::*;
use support::SoftAuthenticator;

pub async fn a_removed_passkey_stops_at_once(app: TestApp) {
    let b = app.browser();
    b.sign_up("dee", "correct-horse").await;
    let mut api_key = SoftAuthenticator::new(ORIGIN);
    let mut page_key = SoftAuthenticator::new(ORIGIN);
    let by_api = add_passkey(&b, &mut api_key, "Phone").await;
    let by_page = add_passkey(&b, &mut page_key, "Security key").await;
    let page = b.get("/account/security").await;
    assert!(page.body.contains("Phone") && page.body.contains("Security key"));

    let r = b
        .request(Method::DELETE, &format!("/api/passkeys/{by_api}"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_refused(&passkey_sign_in(&app.browser(), &mut api_key, false).await);
    // Removing it twice, or another account's, finds nothing.
    let r = b
        .request(Method::DELETE, &format!("/api/passkeys/{by_api}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The page's form, as a plain post: removed, and back to the page.
    let r = b
        .post_plain_form(
            "/api/remove_passkey",
            &format!("id={by_page}"),
            "/account/security",
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    assert_eq!(r.location(), Some("/account/security?done=removed"));
    assert_refused(&passkey_sign_in(&app.browser(), &mut page_key, false).await);
    let list = b.request(Method::GET, "/api/passkeys").await.json();
    assert_eq!(list["passkeys"], json!([]));
    let events = b.activity().await;
    let removed = events
        .iter()
        .filter(|(k, _)| k == "passkey_removed")
        .count();
    assert_eq!(removed, 2, "{events:?}");
}

pub async fn adding_or_removing_a_passkey_needs_a_recent_sign_in(app: TestApp) {
    let b = app.browser();
    b.sign_up("fay", "correct-horse").await;
    let mut key = SoftAuthenticator::new(ORIGIN);
    let id = add_passkey(&b, &mut key, "Laptop").await;
    app.clock.advance(601);

    let page = b.get("/account/security").await;
    assert!(
        page.body.contains(r#"name="confirm_password""#),
        "the page asks nothing"
    );
    let r = b
        .post_json("/auth/passkeys/registration/options", "{}")
        .await;
    super::reauth_cases::assert_prove_again(&r);
    let r = b
        .post_json(
            "/auth/passkeys/registration/options",
            r#"{"confirm_password":"wrong"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = b
        .request(Method::DELETE, &format!("/api/passkeys/{id}"))
        .await;
    super::reauth_cases::assert_prove_again(&r);
    let r = b
        .post_form("/api/remove_passkey", &format!("id={id}"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["fields"][0]["field"], "confirm_password");
    assert_eq!(
        b.request(Method::GET, "/api/passkeys").await.json()["passkeys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The password typed again: the action goes ahead.
    let r = b
        .post_json(
            "/auth/passkeys/registration/options",
            r#"{"confirm_password":"correct-horse"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let form = format!("id={id}&confirm_password=correct-horse");
    let r = b
        .post_plain_form("/api/remove_passkey", &form, "/account/security")
        .await;
    assert_eq!(r.location(), Some("/account/security?done=removed"));
    // A passkey sign-in is a fresh proof, as a password one is.
    let mut second = SoftAuthenticator::new(ORIGIN);
    let fresh = app.browser();
    fresh.sign_in("fay", "correct-horse").await;
    add_passkey(&fresh, &mut second, "Phone").await;
    app.clock.advance(601);
    let by_key = app.browser();
    assert_eq!(
        passkey_sign_in(&by_key, &mut second, false).await.status,
        StatusCode::OK
    );
    let r = by_key
        .post_json("/auth/passkeys/registration/options", "{}")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

pub async fn passkeys_are_renamed_from_the_page_and_the_api(app: TestApp) {
    let (id, _) = with_passkey(&app, "joan").await;
    let b = app.browser();
    b.sign_in("joan", "correct-horse").await;
    let r = b
        .post_plain_form(
            "/api/rename_passkey",
            &format!("id={id}&name=Work+laptop"),
            "/account/security",
        )
        .await;
    assert_eq!(r.location(), Some("/account/security?done=renamed"));
    assert!(b
        .get("/account/security")
        .await
        .body
        .contains("Work laptop"));
    let req = json!({ "name": "  " }).to_string();
    let r = b
        .send_json(Method::PATCH, &format!("/api/passkeys/{id}"), &req)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let req = json!({ "name": "Desk" }).to_string();
    let r = b
        .send_json(Method::PATCH, &format!("/api/passkeys/{id}"), &req)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let list = b.request(Method::GET, "/api/passkeys").await.json();
    assert_eq!(list["passkeys"][0]["name"], "Desk");
    // Someone else's passkey is not found.
    let other = app.browser();
    other.sign_up("kit", "correct-horse").await;
    let r = other
        .send_json(Method::PATCH, &format!("/api/passkeys/{id}"), &req)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = other
        .request(Method::DELETE, &format!("/api/passkeys/{id}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let list = b.request(Method::GET, "/api/passkeys").await.json();
    assert_eq!(list["passkeys"][0]["name"], "Desk", "removed by another");
}
