//! Router-level tests of the whole HTTP surface, driven with `oneshot`.
//!
//! The auth conformance cases are written once (`conformance`) and run
//! against every session store; the rest check inputs, errors and the JSON
//! API once.

mod support;

use http::StatusCode;
use server::config::SessionStoreKind;
use server::db::Db;
use support::TestApp;

mod conformance {
    use super::*;
    use server::auth::token;

    pub async fn sign_up_sets_one_policy_cookie(app: TestApp) {
        let r = app
            .post_form(
                "/api/sign_up",
                "username=Alice&password=correct-horse",
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let cookies = r.session_set_cookies();
        assert_eq!(cookies.len(), 1, "{cookies:?}");
        let c = &cookies[0];
        for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
            assert!(c.contains(attr), "{attr} missing: {c}");
        }
        assert!(!c.to_lowercase().contains("domain"), "{c}");
        let id = r.session_id().unwrap();
        assert!(id.len() >= 22 && token::is_well_formed(&id), "{id}");
        assert_eq!(r.location(), Some("/account"));
    }

    pub async fn account_needs_a_session(app: TestApp) {
        let r = app.get("/account", None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), Some("/login?next=%2Faccount"));

        let id = app.sign_up("bob", "correct-horse").await;
        let r = app.get("/account", Some(&id)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("bob"),
            "username missing from the account page"
        );
        assert!(
            !r.body.contains(&id),
            "the session ID must never appear in HTML"
        );
    }

    pub async fn every_sign_in_gets_a_new_id(app: TestApp) {
        app.sign_up("carol", "correct-horse").await;
        let ids: std::collections::HashSet<String> = futures_ids(&app, 100).await;
        assert_eq!(ids.len(), 100);
    }

    async fn futures_ids(app: &TestApp, n: usize) -> std::collections::HashSet<String> {
        let mut ids = std::collections::HashSet::new();
        for _ in 0..n {
            ids.insert(app.sign_in("carol", "correct-horse").await);
        }
        ids
    }

    pub async fn sign_out_ends_the_session(app: TestApp) {
        let id = app.sign_up("dave", "correct-horse").await;
        let r = app.post_form("/api/sign_out", "", Some(&id)).await;
        assert_eq!(r.status, StatusCode::OK);
        let cleared = r.session_set_cookies();
        assert!(
            cleared.iter().any(|c| c.contains("Max-Age=0")),
            "cookie not cleared: {cleared:?}"
        );
        // Replaying the old cookie after sign-out gets nothing.
        let r = app.get("/account", Some(&id)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = app.get("/api/me", Some(&id)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }

    pub async fn no_session_fixation(app: TestApp) {
        app.sign_up("erin", "correct-horse").await;
        // An attacker plants a well-formed ID of their choosing.
        let planted = token::new_token();
        let r = app
            .post_form(
                "/api/sign_in",
                "username=erin&password=correct-horse",
                Some(&planted),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let issued = r.session_id().unwrap();
        assert_ne!(issued, planted);
        assert_eq!(
            app.get("/account", Some(&planted)).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            app.get("/account", Some(&issued)).await.status,
            StatusCode::OK
        );
    }

    pub async fn signing_in_again_replaces_the_old_session(app: TestApp) {
        let first = app.sign_up("fay", "correct-horse").await;
        let r = app
            .post_form(
                "/api/sign_in",
                "username=fay&password=correct-horse",
                Some(&first),
            )
            .await;
        let second = r.session_id().unwrap();
        assert_ne!(first, second);
        assert_eq!(
            app.get("/api/me", Some(&first)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.get("/api/me", Some(&second)).await.status,
            StatusCode::OK
        );
    }

    pub async fn forged_cookies_never_authenticate(app: TestApp) {
        app.sign_up("gus", "correct-horse").await;
        for forged in [
            token::new_token(),
            "x".into(),
            "' OR 1=1 --".replace(' ', "%20"),
            "A".repeat(43),
            "A".repeat(5000),
        ] {
            let r = app.get("/api/me", Some(&forged)).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{forged}");
            assert!(
                r.session_set_cookies()
                    .iter()
                    .any(|c| c.contains("Max-Age=0")),
                "an unknown cookie is cleared"
            );
        }
    }

    pub async fn idle_timeout_ends_a_quiet_session(app: TestApp) {
        let id = app.sign_up("hal", "correct-horse").await;
        let idle = 24 * 3600;
        app.clock.advance(idle - 10);
        assert_eq!(app.get("/api/me", Some(&id)).await.status, StatusCode::OK);
        // Activity slid the deadline: another almost-idle period is fine.
        app.clock.advance(idle - 10);
        assert_eq!(app.get("/api/me", Some(&id)).await.status, StatusCode::OK);
        app.clock.advance(idle);
        assert_eq!(
            app.get("/api/me", Some(&id)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.get("/account", Some(&id)).await.status,
            StatusCode::SEE_OTHER
        );
    }

    pub async fn absolute_timeout_ends_an_active_session(app: TestApp) {
        let id = app.sign_up("ivy", "correct-horse").await;
        // Stay active every 12 hours for 14 days.
        for _ in 0..27 {
            app.clock.advance(12 * 3600);
            assert_eq!(app.get("/api/me", Some(&id)).await.status, StatusCode::OK);
        }
        app.clock.advance(12 * 3600);
        assert_eq!(
            app.get("/api/me", Some(&id)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }

    pub async fn me_is_json(app: TestApp) {
        let r = app.get("/api/me", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["error"], "unauthorized");
        let id = app.sign_up("jan", "correct-horse").await;
        let r = app.get("/api/me", Some(&id)).await;
        assert_eq!(r.status, StatusCode::OK);
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["username"], "jan");
    }
}

macro_rules! conformance_suite {
    ($store:ident: $($case:ident),* $(,)?) => {
        $(
            #[sqlx::test(migrator = "server::db::MIGRATOR")]
            async fn $case(db: Db) {
                conformance::$case(TestApp::new(db, SessionStoreKind::$store)).await;
            }
        )*
    };
}

macro_rules! all_cases {
    ($store:ident) => {
        conformance_suite!($store:
            sign_up_sets_one_policy_cookie,
            account_needs_a_session,
            every_sign_in_gets_a_new_id,
            sign_out_ends_the_session,
            no_session_fixation,
            signing_in_again_replaces_the_old_session,
            forged_cookies_never_authenticate,
            idle_timeout_ends_a_quiet_session,
            absolute_timeout_ends_an_active_session,
            me_is_json,
        );
    };
}

mod session_memory {
    use super::*;
    all_cases!(Memory);
}

mod session_database {
    use super::*;
    all_cases!(Database);
}

#[path = "router/inputs.rs"]
mod inputs;
