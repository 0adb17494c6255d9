#!/usr/bin/env bash
# Builds the optimised server and wasm bundle into target/release/latchkey and
# target/site. Run the result from the workspace root:
#   ./target/release/latchkey
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --release
# cargo-leptos runs wasm-opt from PATH; without it, it would try to download one.
PATH="$PWD/tools/node_modules/.bin:$PATH" exec cargo leptos build --release "$@"
