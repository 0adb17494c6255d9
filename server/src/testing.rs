//! Helpers shared by the tests that need PostgreSQL or Redis.

/// Says on stderr that a service test did not run, and why: such tests are
/// skipped visibly, never silently.
pub fn skip(service: &str, var: &str) {
    eprintln!("skipped: no {service} (set {var} to run this test)");
}
