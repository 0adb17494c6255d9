#!/usr/bin/env bash
# Sets up and runs Latchkey with the embedded default: SQLite in ./data and
# session mode. Open http://localhost:3000 (it listens on 127.0.0.1:3000;
# passkeys need the name localhost: browsers refuse them on an IP address).
# Extra arguments go to `cargo leptos serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "Latchkey will be on http://localhost:3000 once built."
exec cargo leptos serve "$@"
