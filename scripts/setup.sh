#!/usr/bin/env bash
# Installs what building and testing Latchkey needs, skipping what is present.
#   scripts/setup.sh          toolchain for building and running the app
#   scripts/setup.sh --e2e    also Chromium, the Playwright packages, PostgreSQL, Redis
#                             and HAProxy (the load balancer of scripts/demo-scale-out.sh)
#   scripts/setup.sh --release  also wasm-opt (npm binaryen 132) for release builds
# Versions: cargo-leptos 0.3.10 (0.3.11 needs rustc 1.96); the wasm-bindgen CLI
# must equal the wasm-bindgen version in Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
e2e=false
release=false
for arg in "$@"; do
  case "$arg" in
    --e2e) e2e=true ;;
    --release) release=true ;;
    *) echo "setup: unknown option $arg (use --e2e or --release)" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    say "installing ${missing[*]} (apt)"
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

command -v cargo >/dev/null || { echo "setup: Rust is required: https://rustup.rs" >&2; exit 1; }
command -v cc >/dev/null || apt_install build-essential
command -v pkg-config >/dev/null || apt_install pkg-config

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# A prebuilt binary saves compiling the tool (cargo-leptos: ~20 min on two
# cores). cargo-binstall, where it is installed, fetches one from the
# project's releases; where that cannot be reached it fails within its time
# limit and the tool is compiled as before. `--disable-strategies compile`
# keeps binstall from compiling with flags of its own.
prebuilt() { # crate version
  command -v cargo-binstall >/dev/null || return 1
  say "trying a prebuilt $1 $2 (cargo binstall)"
  timeout 180 cargo binstall --no-confirm --disable-strategies compile --version "$2" "$1" ||
    { say "no prebuilt $1 here; compiling it"; return 1; }
}

if [[ "$(cargo leptos --version 2>/dev/null || true)" != *"$CARGO_LEPTOS_VERSION"* ]]; then
  if ! prebuilt cargo-leptos "$CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (compiles for ~20-30 min on 2 cores, once)"
    cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
  fi
fi

wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wb_version" ]]; then
  if ! prebuilt wasm-bindgen-cli "$wb_version"; then
    say "installing wasm-bindgen-cli $wb_version"
    # Without --locked: the crate's own lock pins a webpki-roots that no longer builds.
    cargo install wasm-bindgen-cli --version "$wb_version"
  fi
fi

if $e2e; then
  command -v npm >/dev/null || apt_install nodejs npm
  [[ -x /usr/bin/chromium ]] || apt_install chromium
  # Only the server binaries are used: scripts/test.sh starts private instances,
  # never the cluster or service the packages set up. HAProxy is the load
  # balancer scripts/demo-scale-out.sh (and the scale-out Playwright run) puts
  # in front of two instances, with a configuration of its own.
  apt_install postgresql redis-server haproxy
  if [[ ! -f end2end/node_modules/.package-lock.json ||
        end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]]; then
    say "installing the Playwright packages (npm ci)"
    # Playwright drives Debian's Chromium; it must not download a browser.
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
fi
if $release; then
  command -v npm >/dev/null || apt_install nodejs npm
  if [[ ! -x tools/node_modules/.bin/wasm-opt ]]; then
    # Debian's binaryen (108) produces wasm that fails in the browser; use npm's.
    say "installing wasm-opt (npm binaryen)"
    (cd tools && npm ci --no-audit --no-fund)
  fi
fi
say "ready"
