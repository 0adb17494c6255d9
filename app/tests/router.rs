//! Router-level tests of the whole HTTP surface, driven with `oneshot`.
//!
//! The auth conformance cases are written once (`conformance`) and run
//! against every backend: session mode with each store, and JWT mode. The
//! rest check inputs, errors and the JSON API.

mod support;

use std::collections::BTreeMap;

use http::StatusCode;
use server::db::testing::{PgTestDb, POSTGRES_ENV};
use server::db::Db;
use support::{cookie_names, Backend, TestApp};

#[path = "router/conformance.rs"]
mod conformance;

#[path = "router/device_cases.rs"]
mod device_cases;

#[path = "router/activity_cases.rs"]
mod activity_cases;

#[path = "router/inspect_cases.rs"]
mod inspect_cases;

#[path = "router/reauth_cases.rs"]
mod reauth_cases;

#[path = "router/passkey_cases.rs"]
mod passkey_cases;

#[path = "router/passkey_manage_cases.rs"]
mod passkey_manage_cases;

#[path = "router/passkey_refusal_cases.rs"]
mod passkey_refusal_cases;

macro_rules! conformance_suite {
    (sqlite $backend:ident: $($case:ident),* $(,)?) => {
        $(
            #[sqlx::test(migrator = "server::db::MIGRATOR")]
            async fn $case(pool: sqlx::SqlitePool) {
                let db = server::db::testing::from_sqlite(pool).await;
                conformance::$case(TestApp::new(db, Backend::$backend)).await;
            }
        )*
    };
    (postgres $backend:ident: $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let Some(pg) = PgTestDb::create().await else {
                    return server::testing::skip("PostgreSQL", POSTGRES_ENV);
                };
                conformance::$case(TestApp::new(pg.db.clone(), Backend::$backend)).await;
                pg.drop().await;
            }
        )*
    };
    (redis $backend:ident: $($case:ident),* $(,)?) => {
        conformance_suite!(in_redis support::redis_available(), $backend: $($case),*);
    };
    (redis_cluster $backend:ident: $($case:ident),* $(,)?) => {
        conformance_suite!(in_redis support::redis_cluster_available(), $backend: $($case),*);
    };
    (in_redis $available:expr, $backend:ident: $($case:ident),* $(,)?) => {
        $(
            #[sqlx::test(migrator = "server::db::MIGRATOR")]
            async fn $case(pool: sqlx::SqlitePool) {
                if !$available {
                    return;
                }
                let db = server::db::testing::from_sqlite(pool).await;
                let app = TestApp::new(db, Backend::$backend);
                let redis = app.redis.clone().expect("a Redis app");
                conformance::$case(app).await;
                redis.delete_all().await.unwrap();
            }
        )*
    };
}

macro_rules! all_cases {
    ($db:ident $backend:ident) => {
        conformance_suite!($db $backend:
            sign_up_sets_policy_cookies,
            account_needs_a_session,
            every_sign_in_gets_new_credentials,
            sign_out_ends_the_session,
            no_session_fixation,
            signing_in_again_replaces_the_old_session,
            forged_cookies_never_authenticate,
            idle_timeout_ends_a_quiet_session,
            absolute_timeout_ends_an_active_session,
            me_is_json,
            devices_lists_every_sign_in,
            ending_a_device_refuses_its_next_request,
            ending_other_devices_keeps_this_one,
            ending_everywhere_includes_this_device,
            another_accounts_device_is_not_found,
            keep_me_signed_in_decides_cookie_and_idle_lifetime,
            activity_shows_sign_ins_and_revocations,
            activity_pages_through_every_event,
            the_api_and_the_pages_answer_in_one_shape,
            inspect_reports_the_requests_store_operations,
            inspect_cookie_sizes_are_the_set_cookie_sizes,
            inspect_opens_the_token_into_its_claims,
            inspect_revocation_refuses_the_same_credentials,
            sign_out_everywhere_asks_again_once_the_sign_in_is_old,
            a_passkey_signs_in_without_a_username,
            a_refused_passkey_gets_one_answer_whatever_the_reason,
            a_cloned_passkey_is_refused_and_recorded,
            a_removed_passkey_stops_at_once,
            passkey_sign_in_honours_throttling_and_disabled_accounts,
            adding_or_removing_a_passkey_needs_a_recent_sign_in,
            a_ceremony_answers_once_and_only_its_own_kind,
            the_user_handle_names_no_one,
            passkeys_are_renamed_from_the_page_and_the_api,
            a_passkey_sign_in_is_a_device_like_any_other,
            a_renewal_is_no_new_proof,
            a_password_change_by_api_needs_a_recent_sign_in,
        );
    };
}

mod session_memory {
    use super::*;
    all_cases!(sqlite SessionMemory);
}

mod session_database {
    use super::*;
    all_cases!(sqlite SessionDatabase);
}

mod session_postgres {
    use super::*;
    all_cases!(postgres SessionDatabase);
}

mod session_redis {
    use super::*;
    all_cases!(redis SessionRedis);
}

/// Sessions in a Redis Cluster: the same cases, with each store's keys
/// spread over three masters.
mod session_redis_cluster {
    use super::*;
    all_cases!(redis_cluster SessionRedisCluster);
}

mod jwt {
    use super::*;
    all_cases!(sqlite Jwt);
}

mod jwt_postgres {
    use super::*;
    all_cases!(postgres Jwt);
}

mod jwt_redis {
    use super::*;
    all_cases!(redis JwtRedis);
}

mod jwt_redis_cluster {
    use super::*;
    all_cases!(redis_cluster JwtRedisCluster);
}

/// Runs each named `async fn(TestApp)` of the enclosing module once in
/// session mode (database store) and once in JWT mode, as
/// `session_mode::<case>` and `jwt_mode::<case>`.
macro_rules! both_modes {
    ($($case:ident),* $(,)?) => {
        mod session_mode {
            use super::*;
            $(
                #[sqlx::test(migrator = "server::db::MIGRATOR")]
                async fn $case(pool: sqlx::SqlitePool) {
                    let db = server::db::testing::from_sqlite(pool).await;
                    super::$case(TestApp::new(db, Backend::SessionDatabase)).await;
                }
            )*
        }
        mod jwt_mode {
            use super::*;
            $(
                #[sqlx::test(migrator = "server::db::MIGRATOR")]
                async fn $case(pool: sqlx::SqlitePool) {
                    let db = server::db::testing::from_sqlite(pool).await;
                    super::$case(TestApp::new(db, Backend::Jwt)).await;
                }
            )*
        }
    };
}

#[path = "router/cross_site.rs"]
mod cross_site;

#[path = "router/headers.rs"]
mod headers;

#[path = "router/assets.rs"]
mod assets;

#[path = "router/notices.rs"]
mod notices;

#[path = "router/inputs.rs"]
mod inputs;

#[path = "router/forms.rs"]
mod forms;

#[path = "router/jwt_api.rs"]
mod jwt_api;

#[path = "router/dpop.rs"]
mod dpop;

#[path = "router/dpop_binding.rs"]
mod dpop_binding;

#[path = "router/dpop_nonces.rs"]
mod dpop_nonces;

#[path = "router/device_grant.rs"]
mod device_grant;

#[path = "router/device_grant_refusals.rs"]
mod device_grant_refusals;

#[path = "router/device_grant_across.rs"]
mod device_grant_across;

#[path = "router/resources.rs"]
mod resources;

#[path = "router/jwt_devices.rs"]
mod jwt_devices;

#[path = "router/reauth_bearer.rs"]
mod reauth_bearer;

#[path = "router/adversarial.rs"]
mod adversarial;

#[path = "router/throttle.rs"]
mod throttle;

#[path = "router/fuzz.rs"]
mod fuzz;

#[path = "router/metrics.rs"]
mod metrics;

#[path = "router/admin.rs"]
mod admin;

#[path = "router/operator_metrics.rs"]
mod operator_metrics;

#[path = "router/audit.rs"]
mod audit;

#[path = "router/credential_lifetimes.rs"]
mod credential_lifetimes;

#[path = "router/protection.rs"]
mod protection;

#[path = "router/discovery.rs"]
mod discovery;

#[path = "router/introspection.rs"]
mod introspection;

#[path = "router/mode_switch.rs"]
mod mode_switch;

#[path = "router/mode_switch_endings.rs"]
mod mode_switch_endings;

#[path = "router/mode_switch_bound.rs"]
mod mode_switch_bound;

#[path = "router/tradeoffs.rs"]
mod tradeoffs;

#[path = "router/page_reads.rs"]
mod page_reads;
