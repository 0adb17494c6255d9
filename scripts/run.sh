#!/usr/bin/env bash
# Sets up and runs Latchkey on http://127.0.0.1:3000 with the embedded default:
# SQLite in ./data and session mode. Extra arguments go to `cargo leptos serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec cargo leptos serve "$@"
