# shellcheck shell=bash
# Private, throwaway PostgreSQL and Redis servers for the tests; sourced by
# scripts/test.sh. Each listens only on a free 127.0.0.1 port and keeps all
# its files in a temporary directory, so it never meets the machine's own
# servers, and stop_private_services (run it from an EXIT trap) stops them
# and deletes those directories.
#   start_private_postgres   exports LATCHKEY_TEST_POSTGRES_URL (superuser postgres)
#   start_private_redis      exports LATCHKEY_TEST_REDIS_URL
#   start_private_redis_cluster
#                            exports LATCHKEY_TEST_REDIS_CLUSTER_URL (6 nodes,
#                            comma-separated: 3 masters, 3 replicas)
#   stop_private_services    stops and removes what the three above started

private_postgres_dir=""
private_redis_dir=""
private_redis_pid=""
private_redis_cluster_dir=""
private_redis_cluster_pids=()
private_redis_cluster_ports=()

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
private_redis_cluster_gone() {
  local pid
  for pid in "${private_redis_cluster_pids[@]}"; do running "$pid" && return 1; done
  return 0
}

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

# Waits up to 30 s for the Redis started here with pid $2 to answer on port
# $1, and gives up as soon as it exits. It must report its own pid: another
# server that took the port in the meantime would answer too.
wait_for_private_redis() {
  local answer
  for _ in $(seq 150); do
    running "$2" || return 1
    answer=$(redis-cli -h 127.0.0.1 -p "$1" info server 2>/dev/null | tr -d '\r') || answer=""
    [[ $answer == *$'\n'"process_id:$2"$'\n'* ]] && return 0
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
  if ! wait_for_private_redis "$port" "$private_redis_pid"; then
    echo "services: the private Redis did not start on 127.0.0.1:$port; its log:" >&2
    cat "$private_redis_dir/redis.log" >&2 2>/dev/null
    return 1
  fi
  export LATCHKEY_TEST_REDIS_URL="redis://127.0.0.1:$port"
}

# $1 free ports for Redis Cluster nodes, space-separated: each below 55535
# and with port + 10000 (the node's cluster bus) free too, no two alike. The
# kernel picks them, and the sockets stay bound until all are found, so it
# cannot hand out one twice; without python3, random ports that refuse a
# connection.
free_cluster_ports() {
  if command -v python3 >/dev/null; then
    python3 - "$1" <<'PY'
import socket, sys
held, ports = [], []
for _ in range(1000):
    if len(ports) == int(sys.argv[1]):
        print(*ports)
        sys.exit(0)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
    port = s.getsockname()[1]
    if port >= 55535:
        continue
    bus = socket.socket()
    try:
        bus.bind(("127.0.0.1", port + 10000))
    except OSError:
        continue
    held.append(bus)
    ports.append(port)
sys.exit("services: found no free ports for the Redis Cluster")
PY
    return
  fi
  local ports=() port taken p
  for _ in $(seq 500); do
    ((${#ports[@]} == $1)) && break
    port=$((20000 + RANDOM))
    taken=""
    for p in "${ports[@]}"; do
      ((port == p || port == p + 10000 || port + 10000 == p)) && taken=1
    done
    [[ -z $taken ]] || continue
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$((port + 10000))") 2>/dev/null && continue
    ports+=("$port")
  done
  if ((${#ports[@]} != $1)); then
    echo "services: found no free ports for the Redis Cluster" >&2
    return 1
  fi
  echo "${ports[*]}"
}

# Whether the private cluster is whole as every node sees it: each says
# cluster_state:ok, each sees 3 masters holding slots and 3 replicas, one per
# master, every link connected and no node suspected; and each replica's copy
# of its master is in sync. redis-cli --cluster create returns before the
# gossip has reached every node, and a replica that never synced refuses to
# take over its master's slots (its data counts as too old), so a test that
# stops a master would see a cluster that never heals.
private_redis_cluster_formed() {
  local port answer
  for port in "${private_redis_cluster_ports[@]}"; do
    answer=$(redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null) || return 1
    [[ $answer == *cluster_state:ok* ]] || return 1
    answer=$(redis-cli -h 127.0.0.1 -p "$port" cluster nodes 2>/dev/null) || return 1
    # <id> <addr> <flags> <master id> <ping> <pong> <epoch> <link> <slot>...
    awk '
      $3 ~ /fail|handshake|noaddr/ || $8 != "connected" { bad = 1 }
      $3 ~ /master/ && NF > 8 { masters[$1] = 1; m++ }
      $3 ~ /slave/ { of[$4] = 1; r++ }
      END {
        for (id in of) if (!(id in masters)) bad = 1
        exit !(!bad && NR == 6 && m == 3 && r == 3 && length(of) == 3)
      }' <<<"$answer" || return 1
    answer=$(redis-cli -h 127.0.0.1 -p "$port" info replication 2>/dev/null) || return 1
    [[ $answer != *role:slave* || $answer == *master_link_status:up* ]] || return 1
  done
}

private_redis_cluster_logs() {
  local log
  for log in "$private_redis_cluster_dir"/*.log; do
    [[ -f $log ]] || continue
    echo "--- $log" >&2
    cat "$log" >&2
  done
}

start_private_redis_cluster() {
  local ports port i pid formed="" nodes=() urls=()
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    echo "services: redis-server or redis-cli not found (scripts/setup.sh --e2e installs them)" >&2
    return 1
  fi
  # Set before anything else, so stop_private_services cleans up even a
  # start that fails or is interrupted halfway.
  private_redis_cluster_dir=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-redis-cluster.XXXXXX") || return 1
  ports=$(free_cluster_ports 6) || return 1
  read -ra private_redis_cluster_ports <<<"$ports"
  # In the background rather than daemonized, so the pids are known at once.
  # Memory only, like the single Redis; the node tables (nodes-<port>.conf)
  # are files Redis Cluster insists on, kept in the temporary directory. A
  # 2 s node timeout lets a replica take over from a stopped master within a
  # few seconds; a full sync with no delay has the replicas ready sooner.
  for port in "${private_redis_cluster_ports[@]}"; do
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
      --dir "$private_redis_cluster_dir" --cluster-enabled yes --cluster-node-timeout 2000 \
      --cluster-config-file "$private_redis_cluster_dir/nodes-$port.conf" \
      --repl-diskless-sync-delay 0 \
      </dev/null >"$private_redis_cluster_dir/redis-$port.log" 2>&1 &
    private_redis_cluster_pids+=("$!")
    nodes+=("127.0.0.1:$port")
    urls+=("redis://127.0.0.1:$port")
  done
  for i in "${!private_redis_cluster_ports[@]}"; do
    if ! wait_for_private_redis "${private_redis_cluster_ports[i]}" "${private_redis_cluster_pids[i]}"; then
      echo "services: a private Redis Cluster node did not start on ${nodes[i]}; the logs:" >&2
      private_redis_cluster_logs
      return 1
    fi
  done
  # Three masters with a replica each. --cluster-yes accepts the plan, which
  # warns that replicas share their masters' host (all are on 127.0.0.1).
  if ! redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes \
    </dev/null >"$private_redis_cluster_dir/create.log" 2>&1; then
    echo "services: redis-cli --cluster create failed; the logs:" >&2
    private_redis_cluster_logs
    return 1
  fi
  # Up to 30 s, giving up as soon as a node exits.
  for _ in $(seq 150); do
    for pid in "${private_redis_cluster_pids[@]}"; do
      running "$pid" || break 2
    done
    private_redis_cluster_formed && formed=1 && break
    sleep 0.2
  done
  if [[ -z $formed ]]; then
    echo "services: the private Redis Cluster on ${nodes[*]} did not form; the logs:" >&2
    private_redis_cluster_logs
    return 1
  fi
  LATCHKEY_TEST_REDIS_CLUSTER_URL=$(IFS=,; echo "${urls[*]}")
  export LATCHKEY_TEST_REDIS_CLUSTER_URL
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
  # All six at once, then one bounded wait for all of them.
  if ((${#private_redis_cluster_pids[@]})); then
    kill -TERM "${private_redis_cluster_pids[@]}" 2>/dev/null || true
    wait_until 10 private_redis_cluster_gone || kill -KILL "${private_redis_cluster_pids[@]}" 2>/dev/null || true
    for pid in "${private_redis_cluster_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    private_redis_cluster_pids=()
    private_redis_cluster_ports=()
  fi
  if [[ -n $private_redis_cluster_dir ]]; then
    rm -rf "$private_redis_cluster_dir" || true
    private_redis_cluster_dir=""
  fi
}
