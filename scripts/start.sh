#!/usr/bin/env bash
# Sets the machine up, migrates the database, creates demo data (printing its sign-ins) and serves the app at
# http://127.0.0.1:8000 (or the --port given; `market serve` prints the address). With no MARKET_* variables it uses the embedded defaults: a SQLite file under ./var,
# the embedded search engine and jobs inside the app's process. Extra arguments go to `market serve`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash "$ROOT/scripts/setup.sh"

echo "==> market migrate"
.venv/bin/market migrate

echo "==> market seed --demo"
.venv/bin/market seed --demo

echo "==> market serve"
exec .venv/bin/market serve "$@"
