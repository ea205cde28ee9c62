#!/usr/bin/env bash
# Screenshots of each role's dashboard at 1280 px and 375 px, in Chinese and English, for a reviewer (not committed).
#   scripts/screenshots.sh [OUT_DIR] [--role sme ...] [--url http://127.0.0.1:8000]
# Without --url it serves a fresh app with the demo seeded in a temporary directory and stops it afterwards.
# OUT_DIR defaults to /tmp/market-screens; the files are <role>-<lang>-<width>.png. Needs scripts/setup.sh first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
exec "$ROOT/.venv/bin/python" -m tests.e2e.screenshots "$@"
