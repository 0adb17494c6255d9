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

both_modes!(paths_under_a_signed_in_page_need_a_user);
