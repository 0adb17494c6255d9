#!/usr/bin/env bash
# Two Latchkey instances behind a load balancer, to watch where sessions live.
#
#   scripts/demo-scale-out.sh [memory|redis] [--port N] [--binary PATH] [--site-root PATH]
#
# Starts two instances in session mode on free loopback ports, both over one
# SQLite file in a temporary data directory, and HAProxy in front of them:
# round robin, no sticky sessions, no inserted cookie, and no server connection
# kept open between requests, so even the requests of one browser connection
# take turns between the instances. It prints one line on stdout,
#
#   demo: http://127.0.0.1:PORT
#
# once the load balancer answers, and runs until Ctrl-C (or SIGTERM), then
# stops everything it started and deletes the temporary directory.
#
#   memory  each instance keeps its sessions in its own memory: sign in through
#           the printed URL, then reload /inspect; every other answer comes from
#           the instance that never saw the sign-in, and you are anonymous there.
#   redis   both instances keep sessions in one Redis (LATCHKEY_DEMO_REDIS_URL,
#           default redis://127.0.0.1:6379) under a key prefix of their own
#           (LATCHKEY_DEMO_REDIS_PREFIX, default latchkey-demo-<pid>-<random>:),
#           whose keys are deleted at exit: the sign-in holds on both.
#
# The instances are named instance-1 and instance-2 (LATCHKEY_INSTANCE_NAME;
# /inspect shows which one answered). The binary defaults to
# target/debug/latchkey and the site to target/site, what `cargo leptos build`
# makes; --binary / --site-root or LATCHKEY_DEMO_BINARY / LATCHKEY_DEMO_SITE_ROOT
# choose others. Needs haproxy (scripts/setup.sh --e2e installs it).
set -euo pipefail

say() { printf 'demo: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}
usage() {
  echo "usage: scripts/demo-scale-out.sh [memory|redis] [--port N] [--binary PATH] [--site-root PATH]" >&2
  exit 2
}

store=memory
lb_port=""
binary=${LATCHKEY_DEMO_BINARY:-}
site_root=${LATCHKEY_DEMO_SITE_ROOT:-}
while (($#)); do
  case "$1" in
    memory | redis) store=$1 ;;
    --port)
      (($# >= 2)) || usage
      lb_port=$2
      shift
      ;;
    --binary)
      (($# >= 2)) || usage
      binary=$2
      shift
      ;;
    --site-root)
      (($# >= 2)) || usage
      site_root=$2
      shift
      ;;
    -h | --help)
      # The header comment.
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
      exit 0
      ;;
    *) say "unknown argument $1"; usage ;;
  esac
  shift
done
if [[ -n $lb_port ]] && ! { [[ $lb_port =~ ^[0-9]{1,5}$ ]] && ((10#$lb_port >= 1 && 10#$lb_port <= 65535)); }; then
  die "--port wants a port number (1-65535), not '$lb_port'"
fi

# Paths given by the caller are relative to where they ran the script, the
# defaults relative to the workspace root.
root=$(cd "$(dirname "$0")/.." && pwd)
binary=$(realpath -m "${binary:-$root/target/debug/latchkey}")
site_root=$(realpath -m "${site_root:-$root/target/site}")
redis_url=${LATCHKEY_DEMO_REDIS_URL:-redis://127.0.0.1:6379}

[[ -x $binary ]] || die "no Latchkey binary at $binary: build it with 'cargo leptos build', or pass --binary PATH"
[[ -d $site_root/pkg ]] || die "no built site at $site_root (no pkg/ in it): build it with 'cargo leptos build', or pass --site-root PATH"
command -v haproxy >/dev/null ||
  die "haproxy is not installed; run scripts/setup.sh --e2e (or: apt-get install haproxy)"
command -v curl >/dev/null || die "curl is not installed (apt-get install curl)"
# free_port and wait_until.
# shellcheck source=scripts/services.sh
source "$root/scripts/services.sh"

redis_prefix=""
if [[ $store == redis ]]; then
  command -v redis-cli >/dev/null ||
    die "redis-cli is not installed; run scripts/setup.sh --e2e (or: apt-get install redis-tools)"
  if [[ "$(redis-cli -u "$redis_url" PING 2>/dev/null)" != PONG ]]; then
    die "Redis is not answering at $redis_url: start one, or point LATCHKEY_DEMO_REDIS_URL at one"
  fi
  redis_prefix=${LATCHKEY_DEMO_REDIS_PREFIX:-latchkey-demo-$$-$RANDOM:}
  # Used as a SCAN pattern at exit: no glob characters.
  [[ $redis_prefix =~ ^[A-Za-z0-9_.:-]+$ ]] ||
    die "LATCHKEY_DEMO_REDIS_PREFIX may hold letters, digits and _ . : - only, not '$redis_prefix'"
fi

tmp=""
pids=()
haproxy_pid=""
sleeper=""

cleanup() {
  local pid
  # Once: a second Ctrl-C must not cut the clean-up short.
  trap - EXIT
  trap '' INT TERM
  for pid in "$haproxy_pid" "${pids[@]}" "$sleeper"; do
    if [[ -n $pid ]]; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for pid in "$haproxy_pid" "${pids[@]}"; do
    [[ -n $pid ]] || continue
    wait_until 10 gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  # After the instances have stopped, so none writes a key afterwards.
  if [[ -n $redis_prefix ]]; then
    redis-cli -u "$redis_url" --scan --pattern "${redis_prefix}*" 2>/dev/null |
      xargs -r -n 500 redis-cli -u "$redis_url" DEL >/dev/null 2>&1 || true
  fi
  [[ -n $tmp ]] && rm -rf "$tmp"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-demo.XXXXXX")
# The data directory holds keys: a server refuses one that others can read.
mkdir -m 700 "$tmp/data"
[[ -n $lb_port ]] || lb_port=$(free_port)
if (exec 3<>"/dev/tcp/127.0.0.1/$lb_port") 2>/dev/null; then
  die "port $lb_port is taken: choose another with --port, or leave it out for a free one"
fi
base="http://127.0.0.1:$lb_port"
ports=("$(free_port)" "$(free_port)")
while [[ ${ports[1]} == "${ports[0]}" || ${ports[1]} == "$lb_port" ]]; do ports[1]=$(free_port); done

answers() { [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1")" == 200 ]]; }

# Starts instance $1 (1 or 2) on ${ports[$1-1]} and waits for its /healthz.
start_instance() {
  local n=$1 port=${ports[$1 - 1]} pid log=$tmp/instance-$1.log
  local env=(
    LATCHKEY_INSTANCE_NAME="instance-$n"
    LATCHKEY_AUTH_MODE=session
    LATCHKEY_SESSION_STORE="$store"
    LATCHKEY_DATA_DIR="$tmp/data"
    DATABASE_URL="sqlite://$tmp/data/latchkey.db"
    LEPTOS_SITE_ADDR="127.0.0.1:$port"
    LEPTOS_SITE_ROOT="$site_root"
    LATCHKEY_ISSUER="$base"
    # HAProxy adds X-Forwarded-For: believe it, so devices show the browser's
    # network rather than the proxy's.
    LATCHKEY_TRUSTED_PROXIES=127.0.0.1
    RUST_LOG="${RUST_LOG:-warn}"
  )
  if [[ $store == redis ]]; then
    env+=(REDIS_URL="$redis_url" LATCHKEY_REDIS_PREFIX="$redis_prefix")
  fi
  env "${env[@]}" "$binary" </dev/null >"$log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 600); do
    if ! running "$pid"; then
      say "instance-$n exited at startup; its log:"
      tail -n 30 "$log" >&2
      exit 1
    fi
    answers "http://127.0.0.1:$port/healthz" && return 0
    sleep 0.1
  done
  say "instance-$n did not answer on 127.0.0.1:$port/healthz within 60 s; its log:"
  tail -n 30 "$log" >&2
  exit 1
}

# One after the other: the first creates the database and runs the
# migrations, the second finds them done.
say "starting instance-1 and instance-2 (session mode, $store store)"
start_instance 1
start_instance 2

# No stickiness: round robin per request, no cookie inserted. The server
# side of every request is its own connection (http-server-close, and never
# reused), so consecutive requests over one browser connection still
# alternate between the instances; the client side stays keep-alive.
# The built assets (identical on both instances) take turns in a round robin
# of their own: however many of them a page load fetches, the next page or
# API request goes to the other instance than the one before.
cat >"$tmp/haproxy.cfg" <<EOF
global
    maxconn 512
    # A port another process listens on is an error, not shared.
    noreuseport
    # One line per request, naming the instance that answered (haproxy.log).
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    option log-health-checks
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 10s
    # Patient checks: a debug build on a busy machine is not down.
    timeout check 5s
    default-server inter 2s fall 3 rise 2
    # A request an instance refuses (it was stopped) goes to the other one.
    retries 2
    option redispatch
    option http-server-close
    http-reuse never
    option forwardfor

frontend demo
    bind 127.0.0.1:$lb_port
    acl asset path_beg /pkg/
    acl asset path /favicon.ico /favicon.svg
    use_backend assets if asset
    default_backend latchkey

backend latchkey
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    server instance-1 127.0.0.1:${ports[0]} check
    server instance-2 127.0.0.1:${ports[1]} check

backend assets
    balance roundrobin
    server instance-1 127.0.0.1:${ports[0]} track latchkey/instance-1
    server instance-2 127.0.0.1:${ports[1]} track latchkey/instance-2
EOF
haproxy -c -q -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 || {
  say "haproxy refused its configuration:"
  cat "$tmp/haproxy.log" >&2
  exit 1
}
# -db: stay in the foreground (this script stops it).
haproxy -db -f "$tmp/haproxy.cfg" </dev/null >"$tmp/haproxy.log" 2>&1 &
haproxy_pid=$!
for _ in $(seq 100); do
  if ! running "$haproxy_pid"; then
    say "haproxy exited at startup (port $lb_port taken?); its output:"
    cat "$tmp/haproxy.log" >&2
    exit 1
  fi
  answers "$base/healthz" && break
  sleep 0.1
done
answers "$base/healthz" || die "haproxy did not answer on $base within 10 s"

say "instance-1 on 127.0.0.1:${ports[0]}, instance-2 on 127.0.0.1:${ports[1]}, one SQLite file in $tmp/data"
[[ -n $redis_prefix ]] && say "sessions in Redis $redis_url under ${redis_prefix} (deleted at exit)"
say "logs: $tmp/instance-1.log, $tmp/instance-2.log, $tmp/haproxy.log"
say "sign in at $base/signup, then reload $base/inspect; Ctrl-C stops the demo"
echo "demo: $base"

# Runs until a signal; an instance that stops is reported once (HAProxy then
# sends every request to the other), a stopped load balancer ends the demo.
reported=()
while true; do
  if ! running "$haproxy_pid"; then
    say "haproxy exited; its output:"
    cat "$tmp/haproxy.log" >&2
    exit 1
  fi
  for i in 0 1; do
    if [[ -z ${reported[i]:-} ]] && ! running "${pids[i]}"; then
      reported[i]=1
      say "instance-$((i + 1)) stopped; HAProxy sends every request to the other one. Its log:"
      tail -n 10 "$tmp/instance-$((i + 1)).log" >&2
    fi
  done
  sleep 1 &
  sleeper=$!
  wait "$sleeper" || true
done
