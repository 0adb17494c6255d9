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
#
#   scripts/bench.sh --no-build --scale-out [ARGS]
#                                 instead: the scale-out load (scripts/bench_cluster.py):
#                                 4 JWT instances behind HAProxy over a Redis Cluster and
#                                 PostgreSQL, the same with 1 instance and a single Redis, then
#                                 with a cluster master killed mid-run. Runs over a private
#                                 PostgreSQL, Redis and Redis Cluster (scripts/services.sh),
#                                 stopped at exit; writes target/bench/scale-out.md and .json.
#                                 ARGS go to scripts/bench_cluster.py (e.g. --seconds 30).
set -euo pipefail
cd "$(dirname "$0")/.."

build=true
scale_out=false
while (($#)); do
  case "$1" in
    --no-build) build=false ;;
    --scale-out) scale_out=true ;;
    *) break ;;
  esac
  shift
done

say() { printf '\033[1mbench:\033[0m %s\n' "$*" >&2; }

# --scale-out: at exit, the load (which stops its instances and HAProxy
# itself), then the private stores of scripts/services.sh.
bench_pid=""
stop_scale_out() {
  trap - EXIT
  trap '' INT TERM
  if [[ -n $bench_pid ]] && running "$bench_pid"; then
    kill -TERM "$bench_pid" 2>/dev/null || true
    wait_until 60 gone "$bench_pid" || kill -KILL "$bench_pid" 2>/dev/null || true
  fi
  stop_private_services
}

missing=()
if $scale_out; then
  # The scale-out load needs only the load balancer and the stores' servers.
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v redis-server >/dev/null || missing+=(redis-server)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
else
  command -v wrk >/dev/null || missing+=(wrk)
  # The load balancer of the load-balancer rows (scripts/demo-scale-out.sh).
  command -v haproxy >/dev/null || missing+=(haproxy)
  # The page-instructions row (scripts/bench_instructions.py).
  command -v valgrind >/dev/null || missing+=(valgrind)
fi
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

if $scale_out; then
  # shellcheck source=scripts/services.sh
  source scripts/services.sh
  trap stop_scale_out EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  say "starting a private PostgreSQL, Redis and Redis Cluster"
  start_private_postgres
  start_private_redis
  start_private_redis_cluster
  # In the background, so that a signal reaches the trap at once.
  python3 scripts/bench_cluster.py --binary target/release/latchkey --site-root "$PWD/target/site" \
    --postgres-admin-url "$LATCHKEY_TEST_POSTGRES_URL" --redis-url "$LATCHKEY_TEST_REDIS_URL" \
    --redis-cluster-urls "$LATCHKEY_TEST_REDIS_CLUSTER_URL" "$@" &
  bench_pid=$!
  status=0
  # Quiet: the cluster node the load kills is a job of this shell, and bash
  # would report its death here.
  wait "$bench_pid" 2>/dev/null || status=$?
  bench_pid=""
  exit "$status"
fi

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
