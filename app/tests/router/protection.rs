//! Route protection comes from the page table and fails closed: every path
//! under a signed-in page needs a user, whether or not a page exists there.

use super::*;

async fn paths_under_a_signed_in_page_need_a_user(app: TestApp) {
    for path in ["/account", "/account/devices", "/account/no/such/page"] {
        let r = app.browser().get(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
        assert_eq!(r.location(), Some(format!("/login?next={next}").as_str()));
    }
    // Look-alike paths are not under the page.
    assert_eq!(
        app.browser().get("/accounts").await.status,
        StatusCode::NOT_FOUND
    );
    let b = app.browser();
    b.sign_up("alice", "correct-horse").await;
    assert_eq!(b.get("/account").await.status, StatusCode::OK);
    assert_eq!(
        b.get("/account/no/such/page").await.status,
        StatusCode::NOT_FOUND
    );
}

/// A file the browser fetches beside a page (the icon, a built asset) is
/// not resolved: credentials refused since the page loaded are neither
/// looked up nor cleared there, so the page's own next request is the one
/// that carries them and shows them refused.
async fn file_requests_leave_the_credentials_alone(app: TestApp) {
    let b = app.browser();
    b.sign_up("alice", "correct-horse").await;
    let held = b.cookies();
    b.post_form("/api/sign_out", "").await;
    b.set_cookies(held.clone());
    for path in ["/favicon.svg", "/favicon.ico", "/pkg/latchkey.js"] {
        let r = b.get(path).await;
        assert!(r.auth_set_cookies().is_empty(), "{path} changed cookies");
    }
    assert_eq!(b.cookies(), held);
    let page = b.get("/").await;
    for name in held.keys() {
        assert!(page.clears(name), "the page did not refuse {name}");
    }
}

both_modes!(
    paths_under_a_signed_in_page_need_a_user,
    file_requests_leave_the_credentials_alone
);
