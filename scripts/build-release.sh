#!/usr/bin/env bash
# Builds the optimised server and wasm bundle into target/release/latchkey and
# target/site, and stamps them (target/release/latchkey.build.json: the
# commit, the binary's and the bundle's SHA-256) so that scripts/bench.sh can
# tell this build from a later debug one. Run the result from the workspace
# root:
#   ./target/release/latchkey
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --release
# cargo-leptos runs wasm-opt from PATH; without it, it would try to download one.
PATH="$PWD/tools/node_modules/.bin:$PATH" cargo leptos build --release "$@"
python3 scripts/bench_build.py stamp target/release/latchkey target/site
