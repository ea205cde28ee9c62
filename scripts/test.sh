#!/usr/bin/env bash
# The project's checks, in order, stopping at the first failure: ruff, mypy (strict), import-linter, pytest.
# Arguments go to pytest. The tests use the PostgreSQL and Redis servers below unless told otherwise; with
# CI=true nothing that needs PostgreSQL, Redis or Chromium is skipped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash "$ROOT/scripts/setup.sh"

step() { printf '\n==> %s\n' "$*"; }

step "ruff check"
.venv/bin/ruff check .

step "mypy (strict)"
.venv/bin/mypy market listings pricing finance frontend

step "import-linter"
.venv/bin/lint-imports

# The admin connection the test suite uses to create (and drop) its own database, and the Redis database it
# may flush.
export MARKET_TEST_DATABASE_URL="${MARKET_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
export MARKET_TEST_REDIS_URL="${MARKET_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"

step "pytest (PostgreSQL: $MARKET_TEST_DATABASE_URL, Redis: $MARKET_TEST_REDIS_URL, CI=${CI:-})"
status=0
# In parallel (pytest-xdist, one process per core by default; MARKET_TEST_WORKERS=0 for one process), each test
# module kept on one worker so its module-scoped fixtures (a live server, a seed) are set up once.
.venv/bin/pytest -n "${MARKET_TEST_WORKERS:-auto}" --dist loadscope "$@" || status=$?
if ((status == 5)); then
    echo "test.sh: pytest collected no tests: that is a failure" >&2
fi
exit "$status"
