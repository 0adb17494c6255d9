#!/usr/bin/env bash
# Sets up and runs every test: formatting and lints, the release build that
# users run (scripts/build-release.sh: the optimised server and browser
# bundle, wasm-opt included), unit, sqlx and router tests, then the
# Playwright suite against that release build in session mode and in JWT mode
# with each signing algorithm (JavaScript on and off; each run keeps the tests
# whose behaviour can differ in it, see end2end/README.md), and
# last the scale-out spec: two instances behind HAProxy
# (scripts/demo-scale-out.sh), sessions in memory and in Redis.
# SQLite files are made per test. PostgreSQL, Redis and a Redis Cluster are
# the servers named by LATCHKEY_TEST_POSTGRES_URL, LATCHKEY_TEST_REDIS_URL and
# LATCHKEY_TEST_REDIS_CLUSTER_URL (its nodes' URLs, comma-separated), or else
# private ones started here on free loopback ports and stopped at exit
# (scripts/services.sh).
# At the end, passed or not, it prints how long each step took.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step's name and wall time in seconds, for the table at the end.
timings=()
current=""
current_at=$SECONDS
finish_step() {
  [[ -n $current ]] && timings+=("$((SECONDS - current_at))|$current")
  current=""
}
step() {
  finish_step
  current="$*"
  current_at=$SECONDS
  printf '\n\033[1m== %s\033[0m\n' "$*"
}
report_timings() {
  finish_step
  printf '\n\033[1m== where the time went (wall clock)\033[0m\n'
  local t
  for t in "${timings[@]}"; do
    printf '%5d s  %s\n' "${t%%|*}" "${t#*|}"
  done
  printf '%5d s  total\n' "$SECONDS"
}
# The table is printed however the script ends.
trap report_timings EXIT

step "setup (toolchain, browser, packages; skipped where present)"
# A fresh clone builds into one target directory that every checkout on this
# machine shares (${XDG_CACHE_HOME:-~/.cache}/latchkey/target, linked as
# target/): the crates.io dependencies, most of a cold build's time, then
# compile once per machine rather than once per clone. Each clone's own
# crates still build (cargo keys them by their path), so its binary and
# bundle are its own. An existing target/ (a developer's checkout) is left
# as it is; LATCHKEY_SHARED_TARGET=off keeps a fresh clone's build to itself.
# The binary and site a build leaves (target/release/latchkey, target/site)
# are one per directory, so one test run at a time uses it: a second waits.
if [[ ! -e target && ${LATCHKEY_SHARED_TARGET:-on} != off ]]; then
  shared_target="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/latchkey/target"
  mkdir -p "$shared_target"
  ln -s "$shared_target" target
  echo "target/ -> $shared_target (shared by this machine's checkouts)"
fi
# The claim is a directory holding the run's pid, put in place by one atomic
# rename; a claim whose process is gone is taken over (no lock file whose
# descriptor a server started here could keep open after the run).
claim_shared_target() {
  local claim=target/.test-run mine holder
  mine=$(mktemp -d target/.test-run.XXXXXX)
  echo $$ >"$mine/pid"
  until mv -T "$mine" "$claim" 2>/dev/null; do
    holder=$(cat "$claim/pid" 2>/dev/null || true)
    if [[ -n $holder ]] && kill -0 "$holder" 2>/dev/null; then
      echo "waiting for test run $holder, which uses $(readlink target)"
      sleep 15
    else
      rm -rf "$claim"
    fi
  done
}
[[ -L target ]] && claim_shared_target
bash scripts/setup.sh --e2e --release
source scripts/services.sh

# A URL with its password, if any, masked.
masked() { sed -E 's#^([a-z]+://[^:/@]*):[^@/]*@#\1:***@#' <<<"$1"; }

step "format"
cargo fmt --all --check

step "structure (no import circle between files or top-level modules)"
python3 scripts/check_imports.py --self-test
python3 scripts/check_imports.py --modules --strict-modules

step "clippy (server build and browser build)"
cargo clippy --all-targets -p latchkey -p app -p server -p views -p resource_server -p dpop-proof -p latchkey-cli --features app/ssr,latchkey/ssr -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --features hydrate -p latchkey -p app -- -D warnings

step "release build (scripts/build-release.sh: server and browser bundle, optimised)"
# What users build and deploy, and what the Playwright runs below exercise:
# a view that only the optimised browser build cannot compile fails here,
# first, not in a user's hands. (Debug builds erase component types; the
# release build does not.)
bash scripts/build-release.sh
release_bin="$PWD/target/release/latchkey"

step "PostgreSQL and Redis for the tests"
# Stop the private servers however the script ends, Ctrl-C included (the INT
# and TERM traps turn those signals into an exit, which runs the EXIT trap).
trap 'stop_private_services; report_timings' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [[ -n "${LATCHKEY_TEST_POSTGRES_URL:-}" ]]; then
  echo "PostgreSQL: $(masked "$LATCHKEY_TEST_POSTGRES_URL") (from LATCHKEY_TEST_POSTGRES_URL)"
else
  start_private_postgres
  echo "PostgreSQL: private server $LATCHKEY_TEST_POSTGRES_URL (stopped at exit)"
fi
if [[ -n "${LATCHKEY_TEST_REDIS_URL:-}" ]]; then
  echo "Redis: $(masked "$LATCHKEY_TEST_REDIS_URL") (from LATCHKEY_TEST_REDIS_URL)"
else
  start_private_redis
  echo "Redis: private server $LATCHKEY_TEST_REDIS_URL (stopped at exit)"
fi
if [[ -n "${LATCHKEY_TEST_REDIS_CLUSTER_URL:-}" ]]; then
  # Every node's URL masked, not only the first.
  cluster_urls=$(tr , '\n' <<<"$LATCHKEY_TEST_REDIS_CLUSTER_URL" | while read -r url; do masked "$url"; done | paste -sd , -)
  echo "Redis Cluster: $cluster_urls (from LATCHKEY_TEST_REDIS_CLUSTER_URL)"
else
  start_private_redis_cluster
  echo "Redis Cluster: private, 3 masters and 3 replicas, $LATCHKEY_TEST_REDIS_CLUSTER_URL (stopped at exit)"
fi
# A missing server now fails its tests instead of skipping them.
export LATCHKEY_TEST_SERVICES=required

step "unit, database, router, multi-instance and resource-server tests: build"
# One feature resolution for every crate's tests; the run below reuses it.
cargo test --no-run -p server -p app -p views -p latchkey -p resource_server -p dpop-proof -p latchkey-cli --features app/ssr,latchkey/ssr

step "unit, database, router, multi-instance and resource-server tests: run"
cargo test -p server -p app -p views -p latchkey -p resource_server -p dpop-proof -p latchkey-cli --features app/ssr,latchkey/ssr

step "benchmarks compile (scripts/bench.sh and cargo bench run them)"
# Same packages and features as the tests: only the bench binaries are new.
cargo test --benches --no-run -p server -p app -p views -p latchkey -p resource_server -p dpop-proof -p latchkey-cli --features app/ssr,latchkey/ssr

# The Playwright runs drive the release build made above (its site is
# target/site, which a debug `cargo leptos build` would replace).
export LATCHKEY_BIN="$release_bin"
# The example command-line app device.spec.ts signs in with (its
# dependencies are the tests' debug builds: seconds).
cargo build -p latchkey-cli
export LATCHKEY_CLI_BIN="$PWD/target/debug/latchkey-cli"

# Each run keeps the tests whose behaviour can differ in it, by their tags
# (end2end/README.md, "Where a test runs").
step "end-to-end, session mode (Playwright, JavaScript on and off: untagged and @mode tests)"
(cd end2end && LATCHKEY_AUTH_MODE=session npx playwright test)

step "end-to-end, JWT mode, HS256 (2 s access tokens, 2 s grace; JavaScript on and off: @mode and @jwt tests)"
(cd end2end && LATCHKEY_AUTH_MODE=jwt LATCHKEY_ACCESS_TTL=2s LATCHKEY_REFRESH_GRACE=2s npx playwright test)

step "end-to-end, JWT mode, EdDSA with published keys (JavaScript on: @signing and @eddsa tests)"
(cd end2end && LATCHKEY_AUTH_MODE=jwt LATCHKEY_JWT_ALG=EdDSA LATCHKEY_ACCESS_TTL=2s LATCHKEY_REFRESH_GRACE=2s npx playwright test)

step "end-to-end, two instances behind HAProxy (sessions in memory and in Redis)"
# The spec starts scripts/demo-scale-out.sh itself, with the test Redis and
# the release binary (LATCHKEY_BIN).
(cd end2end && LATCHKEY_SCALE_OUT=1 LATCHKEY_DEMO_REDIS_URL="$LATCHKEY_TEST_REDIS_URL" \
  npx playwright test tests/scale-out.spec.ts)
