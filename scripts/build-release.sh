#!/usr/bin/env bash
# Builds the optimised server and wasm bundle into target/release/latchkey and
# target/site (each asset also stored brotli- and gzip-compressed), and
# stamps them (target/release/latchkey.build.json: the commit, the binary's
# and the bundle's SHA-256) so that scripts/bench.sh can tell this build from
# a later debug one. Run the result from the workspace
# root:
#   ./target/release/latchkey
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --release
# cargo-leptos runs wasm-opt from PATH; without it, it would try to download one.
export PATH="$PWD/tools/node_modules/.bin:$PATH"
# The browser bundle (cargo target directory target/front) and the server
# (target/) build side by side. `cargo leptos build` alone builds them one
# after the other when it names files by their hashes; the bundle's last
# steps (one-unit LTO, wasm-bindgen, wasm-opt) use one core each, and the
# server's compile takes the other meanwhile. `--precompress` stores each
# asset compressed beside it (brotli at its best level, gzip): the server
# sends those files and never compresses an asset per request.
cargo leptos build --release --frontend-only --precompress "$@" &
front=$!
if ! cargo leptos build --release --server-only "$@"; then
  kill "$front" 2>/dev/null || true
  wait "$front" || true
  exit 1
fi
wait "$front"
python3 scripts/bench_build.py stamp target/release/latchkey target/site
