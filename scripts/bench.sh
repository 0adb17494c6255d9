#!/usr/bin/env bash
# Measures what authentication costs per request in each mode and store:
# builds the release binary, starts it once per configuration on loopback,
# drives it with wrk and prints one table (also target/bench/results.md and
# target/bench/results.json). Then the instructions `/` and `/account`
# execute per request under Valgrind's callgrind (the same on every run,
# where CPU time is not), and two rows with two instances: how long a
# JWT revocation made on one takes to reach the other (through Redis, and
# through the database alone), and the share of a signed-in client's requests
# answered anonymously behind a round-robin load balancer (HAProxy, via
# scripts/demo-scale-out.sh) with sessions in memory and in Redis. See
# docs/PERFORMANCE.md.
#
#   scripts/bench.sh              build, then measure (a few minutes)
#   scripts/bench.sh --no-build   measure the existing release build
#   scripts/bench.sh --no-build --only revocation-lag load-balancer
#                                 some rows only (keys: scripts/bench.py --help)
#
# PostgreSQL and Redis rows run when these answer (else they are left out):
#   LATCHKEY_BENCH_POSTGRES_URL  a database URL on the server to create the database
#                                latchkey_bench on (default postgres://postgres@127.0.0.1:5432/postgres);
#                                it is dropped at the end
#   LATCHKEY_BENCH_REDIS_URL     default redis://127.0.0.1:6379; keys go under a
#                                prefix of their own and are deleted at the end
# wrk, haproxy and valgrind are installed from Debian when missing. Extra arguments go to
# scripts/bench.py (e.g. --seconds 15).
set -euo pipefail
cd "$(dirname "$0")/.."

build=true
if [[ "${1:-}" == "--no-build" ]]; then
  build=false
  shift
fi

say() { printf '\033[1mbench:\033[0m %s\n' "$*" >&2; }

missing=()
command -v wrk >/dev/null || missing+=(wrk)
# The load balancer of the load-balancer rows (scripts/demo-scale-out.sh).
command -v haproxy >/dev/null || missing+=(haproxy)
# The page-instructions row (scripts/bench_instructions.py).
command -v valgrind >/dev/null || missing+=(valgrind)
if ((${#missing[@]})); then
  say "installing ${missing[*]} (apt)"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if $build; then
  say "building the release binary and site"
  bash scripts/build-release.sh
fi
[[ -x target/release/latchkey ]] || { say "no target/release/latchkey: run without --no-build"; exit 1; }

pg_admin=${LATCHKEY_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
redis_url=${LATCHKEY_BENCH_REDIS_URL:-redis://127.0.0.1:6379}
pg_db=latchkey_bench
redis_prefix="latchkey-bench-$$:"
extra=()
made_pg=false
used_redis=false

cleanup() {
  if $made_pg; then
    psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if $used_redis; then
    redis-cli -u "$redis_url" --scan --pattern "${redis_prefix}*" |
      xargs -r -n 500 redis-cli -u "$redis_url" DEL >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

if command -v psql >/dev/null && psql "$pg_admin" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null
  psql "$pg_admin" -qc "CREATE DATABASE $pg_db" >/dev/null
  made_pg=true
  # The same server and credentials, the bench's own database.
  extra+=(--postgres-url "${pg_admin%/*}/$pg_db" --postgres-admin-url "$pg_admin"
          --postgres-db "$pg_db")
else
  say "no PostgreSQL at $pg_admin: its row is left out"
fi
if command -v redis-cli >/dev/null && [[ "$(redis-cli -u "$redis_url" PING 2>/dev/null)" == PONG ]]; then
  extra+=(--redis-url "$redis_url" --redis-prefix "$redis_prefix")
  used_redis=true
else
  say "no Redis at $redis_url: its row is left out"
fi

python3 scripts/bench.py --site-root "$PWD/target/site" "${extra[@]}" "$@"
