//! Helpers shared by the tests that need PostgreSQL or Redis.

/// The variable that makes a missing service a test failure rather than a
/// skip. `scripts/test.sh` sets it to `required` after starting (or being
/// given) both services, so the test command never passes with a service
/// test left out.
pub const SERVICES_ENV: &str = "LATCHKEY_TEST_SERVICES";

/// Says on stderr that a service test did not run, and why: such tests are
/// skipped visibly, never silently. Panics instead when the services are
/// required ([`SERVICES_ENV`]).
pub fn skip(service: &str, var: &str) {
    if std::env::var(SERVICES_ENV).is_ok_and(|v| v == "required") {
        panic!("no {service}: {var} is not set, but {SERVICES_ENV}=required");
    }
    eprintln!("skipped: no {service} (set {var} to run this test)");
}

/// The test Redis server under a fresh key prefix, or `None` after
/// [`skip`] said why.
pub fn redis() -> Option<crate::redis_client::RedisClient> {
    let found = crate::redis_client::RedisClient::for_tests();
    if found.is_none() {
        skip("Redis", crate::redis_client::TEST_ENV);
    }
    found
}

/// The test Redis Cluster under a fresh key prefix, or `None` after
/// [`skip`] said why.
pub fn redis_cluster() -> Option<crate::redis_client::RedisClient> {
    let found = crate::redis_client::RedisClient::for_cluster_tests();
    if found.is_none() {
        skip("Redis Cluster", crate::redis_client::TEST_CLUSTER_ENV);
    }
    found
}
