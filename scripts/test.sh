#!/usr/bin/env bash
# Sets up and runs every test: formatting and lints, unit, sqlx and router
# tests, then the Playwright suite (JavaScript on and off) against a fresh build.
# Needs no database or cache service: SQLite files are made per test; the
# PostgreSQL and Redis tests run when LATCHKEY_TEST_POSTGRES_URL and
# LATCHKEY_TEST_REDIS_URL name servers, and say "skipped" otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --e2e

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all --check

step "clippy (server build and browser build)"
cargo clippy --all-targets -p latchkey -p app -p server --features app/ssr,latchkey/ssr -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --features hydrate -p latchkey -p app -- -D warnings

step "unit, database, router and multi-instance tests"
# PostgreSQL and Redis tests run when these name servers (.ci/run sets them).
for service in "PostgreSQL LATCHKEY_TEST_POSTGRES_URL" "Redis LATCHKEY_TEST_REDIS_URL"; do
  set -- $service
  if [[ -z "${!2:-}" ]]; then
    printf '\033[33mskipped: no %s (set %s to run its conformance, multi-instance and outage tests)\033[0m\n' "$1" "$2"
  fi
done
# One invocation, so every crate's tests share one feature resolution.
cargo test -p server -p app -p latchkey --features app/ssr,latchkey/ssr

step "benchmarks compile (scripts/bench.sh and cargo bench run them)"
# Same packages and features as the tests: only the bench binaries are new.
cargo test --benches --no-run -p server -p app -p latchkey --features app/ssr,latchkey/ssr

step "build the site"
# `cargo leptos end-to-end` exits 0 when its build fails; build first so a
# failure stops here.
cargo leptos build

step "end-to-end, session mode (Playwright, JavaScript on and off)"
(cd end2end && LATCHKEY_AUTH_MODE=session npx playwright test)

step "end-to-end, JWT mode (2 s access tokens, 2 s refresh grace)"
(cd end2end && LATCHKEY_AUTH_MODE=jwt LATCHKEY_ACCESS_TTL=2s LATCHKEY_REFRESH_GRACE=2s npx playwright test)
