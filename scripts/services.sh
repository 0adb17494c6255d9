# shellcheck shell=bash
# Private, throwaway PostgreSQL and Redis servers for the tests; sourced by
# scripts/test.sh. Each listens only on a free 127.0.0.1 port and keeps all
# its files in a temporary directory, so it never meets the machine's own
# servers, and stop_private_services (run it from an EXIT trap) stops them
# and deletes those directories.
#   start_private_postgres   exports LATCHKEY_TEST_POSTGRES_URL (superuser postgres)
#   start_private_redis      exports LATCHKEY_TEST_REDIS_URL
#   stop_private_services    stops and removes what the two above started

private_postgres_dir=""
private_redis_dir=""
private_redis_pid=""

# A port nothing listens on now. The kernel picks it; without python3, a
# random port that refuses a connection.
free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return
  fi
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "services: found no free port" >&2
  return 1
}

running() { kill -0 "$1" 2>/dev/null; }
gone() { ! running "$1"; }

# Runs "$@" until it succeeds, for at most $1 seconds.
wait_until() {
  local seconds=$1
  shift
  for _ in $(seq "$((seconds * 5))"); do
    "$@" && return 0
    sleep 0.2
  done
  return 1
}

# The directory of the newest installed initdb, pg_ctl and postgres: Debian
# keeps each major version under /usr/lib/postgresql/<major>/bin, off PATH.
postgres_bindir() {
  local newest dir
  newest=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
  if [[ -x $newest ]]; then
    dirname "$newest"
    return
  fi
  dir=$(pg_config --bindir 2>/dev/null) || dir=""
  if [[ -n $dir && -x $dir/initdb ]]; then
    echo "$dir"
    return
  fi
  echo "services: no PostgreSQL server found (scripts/setup.sh --e2e installs it)" >&2
  return 1
}

# initdb, pg_ctl and postgres refuse to run as root: as root, run them as the
# postgres user that Debian's package creates. From / so that user need not
# be able to read the current directory.
as_postgres_user() {
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

start_private_postgres() {
  local bindir port data log
  bindir=$(postgres_bindir) || return 1
  if ((EUID == 0)) && ! id postgres >/dev/null 2>&1; then
    echo "services: running as root needs a 'postgres' user to run PostgreSQL as" >&2
    return 1
  fi
  # Set before anything else, so stop_private_services cleans up even a
  # start that fails or is interrupted halfway.
  private_postgres_dir=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-postgres.XXXXXX") || return 1
  data=$private_postgres_dir/data
  log=$private_postgres_dir/postgres.log
  if ((EUID == 0)); then
    chown postgres: "$private_postgres_dir" || return 1
  fi
  if ! as_postgres_user test -w "$private_postgres_dir"; then
    echo "services: $private_postgres_dir is not writable by the postgres user (set TMPDIR?)" >&2
    return 1
  fi
  if ! as_postgres_user "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
    >"$private_postgres_dir/initdb.log" 2>&1; then
    echo "services: initdb failed:" >&2
    cat "$private_postgres_dir/initdb.log" >&2
    return 1
  fi
  port=$(free_port) || return 1
  # Loopback TCP only, its socket file in the temporary directory; durability
  # is pointless for a server deleted at exit.
  cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$private_postgres_dir'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  # pg_ctl -w waits for this server (not whatever holds the port) and gives up
  # as soon as it exits.
  if ! as_postgres_user "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 30 start >/dev/null ||
    ! wait_until 10 "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then
    echo "services: the private PostgreSQL did not start on 127.0.0.1:$port; its log:" >&2
    cat "$log" >&2 2>/dev/null
    return 1
  fi
  export LATCHKEY_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

# Waits up to 30 s for the Redis started here to answer on port $1, and gives
# up as soon as it exits. It must report its own pid: another server that took
# the port in the meantime would answer too.
wait_for_private_redis() {
  local answer
  for _ in $(seq 150); do
    running "$private_redis_pid" || return 1
    answer=$(redis-cli -h 127.0.0.1 -p "$1" info server 2>/dev/null | tr -d '\r') || answer=""
    [[ $answer == *$'\n'"process_id:$private_redis_pid"$'\n'* ]] && return 0
    sleep 0.2
  done
  return 1
}

start_private_redis() {
  local port
  if ! command -v redis-server >/dev/null; then
    echo "services: redis-server not found (scripts/setup.sh --e2e installs it)" >&2
    return 1
  fi
  private_redis_dir=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-redis.XXXXXX") || return 1
  port=$(free_port) || return 1
  # In the background rather than daemonized, so its pid is known at once.
  # Memory only: no snapshot, no append-only file.
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$private_redis_dir" </dev/null >"$private_redis_dir/redis.log" 2>&1 &
  private_redis_pid=$!
  if ! wait_for_private_redis "$port"; then
    echo "services: the private Redis did not start on 127.0.0.1:$port; its log:" >&2
    cat "$private_redis_dir/redis.log" >&2 2>/dev/null
    return 1
  fi
  export LATCHKEY_TEST_REDIS_URL="redis://127.0.0.1:$port"
}

# Stops what the start functions started and removes their directories; safe
# to call twice and after a failed start. Every step is guarded: under
# `set -e` in an EXIT trap, one failure would skip the rest.
stop_private_services() {
  local pid
  if [[ -n $private_postgres_dir ]]; then
    if [[ -f $private_postgres_dir/data/postmaster.pid ]]; then
      pid=$(head -n 1 "$private_postgres_dir/data/postmaster.pid" 2>/dev/null) || pid=""
      as_postgres_user "$(postgres_bindir 2>/dev/null)/pg_ctl" -D "$private_postgres_dir/data" \
        -m fast -w -t 20 stop >/dev/null 2>&1 || true
      if [[ -n $pid ]] && running "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    rm -rf "$private_postgres_dir" || true
    private_postgres_dir=""
  fi
  if [[ -n $private_redis_pid ]]; then
    kill -TERM "$private_redis_pid" 2>/dev/null || true
    wait_until 10 gone "$private_redis_pid" || kill -KILL "$private_redis_pid" 2>/dev/null || true
    wait "$private_redis_pid" 2>/dev/null || true
    private_redis_pid=""
  fi
  if [[ -n $private_redis_dir ]]; then
    rm -rf "$private_redis_dir" || true
    private_redis_dir=""
  fi
}
