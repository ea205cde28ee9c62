"""Remake the upgrade test's fixtures: the schema of a database migrated by an older commit's own code.

The upgrade test (``tests/market/test_migrations_upgrade.py``) loads these dumps into an empty database, runs
today's migrations over them and checks the schema against the table classes. The test does not read git history
(CI clones may be shallow), so the dumps are committed; this script is how they were made and how to remake them
or add one for a new release:

    .venv/bin/python tests/support/make_migration_fixtures.py 0f31f0a 7950572 1940894 05c8a61 2cbfcd5 204fdef
    .venv/bin/python tests/support/make_migration_fixtures.py <release>   # add the release before the next one

(``--all`` takes every commit that changed a migration, and main; commits whose migrations are alike give alike
dumps, of which one is enough.) The committed set is one dump per state of the migration history.

For each commit it checks the commit out with ``git worktree add --detach`` under /tmp (removed afterwards), and
runs that commit's own ``market migrate`` (this checkout's virtualenv, with ``PYTHONPATH`` pointing at the old code
first) against

- a fresh PostgreSQL database, dumped with ``pg_dump --schema-only`` plus the rows of Piccolo's ``migration``
  table (``<commit>.postgres.sql``);
- a fresh SQLite file, dumped with ``sqlite3``'s ``iterdump`` (``<commit>.sqlite.sql``).

PostgreSQL comes from ``MARKET_TEST_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``);
``pg_dump`` must be on the PATH.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "market" / "fixtures" / "migrations"
ADMIN_URL = os.environ.get("MARKET_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
MIGRATIONS = "*/piccolo_migrations/*"


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@contextlib.contextmanager
def checkout(commit: str) -> Iterator[Path]:
    """The commit's tree in a detached worktree under /tmp, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=f"market-migrations-{commit}-"))
    git("worktree", "add", "--detach", str(path), commit)
    try:
        yield path
    finally:
        git("worktree", "remove", "--force", str(path))


def url_for(database: str) -> str:
    return urlunparse(urlparse(ADMIN_URL)._replace(path=f"/{database}"))


def psql(sql: str) -> None:
    subprocess.run(["psql", ADMIN_URL, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)


def run_old_migrate(tree: Path, env: dict[str, str]) -> None:
    """The old commit's ``market migrate``: its code first on the path, this checkout's installed libraries."""
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("MARKET_")}
    full = {**inherited, **env, "PYTHONPATH": str(tree), "MARKET_ENV": "development"}
    code = (
        "import market, sys; "
        f"assert market.__file__.startswith({str(tree)!r}), market.__file__; "
        "from market.cli import app; sys.argv = ['market', 'migrate']; app()"
    )
    subprocess.run([sys.executable, "-c", code], cwd=tree, env=full, check=True)


def postgres_fixture(tree: Path, short: str) -> str:
    database = f"market_fixture_{short}"
    psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{database}"')
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            run_old_migrate(tree, {"MARKET_DATABASE_URL": url_for(database), "MARKET_DATA_DIR": data_dir})
        base = ["pg_dump", "--no-owner", "--no-privileges", "--no-comments", url_for(database)]
        schema = subprocess.run([*base, "--schema-only"], check=True, capture_output=True, text=True).stdout
        rows = subprocess.run(
            [*base, "--data-only", "--inserts", "--table=migration"], check=True, capture_output=True, text=True
        ).stdout
    finally:
        psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    # psql meta-commands (\restrict in newer pg_dump) are not SQL: the test runs the dump through asyncpg.
    lines = [line for line in (schema + rows).splitlines() if not line.startswith("\\")]
    return "\n".join(lines) + "\n"


def sqlite_fixture(tree: Path) -> str:
    with tempfile.TemporaryDirectory() as data_dir:
        run_old_migrate(tree, {"MARKET_DATA_DIR": data_dir})
        conn = sqlite3.connect(Path(data_dir) / "market.sqlite3")
        try:
            return "\n".join(conn.iterdump()) + "\n"
        finally:
            conn.close()


def make(commit: str) -> None:
    short = git("rev-parse", "--short=7", commit)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    header = f"-- Schema of a database migrated at {short} by tests/support/make_migration_fixtures.py; do not edit.\n"
    with checkout(short) as tree:
        (FIXTURES / f"{short}.postgres.sql").write_text(header + postgres_fixture(tree, short))
        (FIXTURES / f"{short}.sqlite.sql").write_text(header + sqlite_fixture(tree))
    print(f"{short}: fixtures written to {FIXTURES.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("commits", nargs="*", help="commits to make fixtures for")
    parser.add_argument("--all", action="store_true", help="every commit that changed a migration, and main")
    args = parser.parse_args()
    commits: list[str] = list(args.commits)
    if args.all:
        commits += [*git("log", "--format=%h", "main", "--", MIGRATIONS).split(), "main"]
    if not commits:
        parser.error("name at least one commit, or --all")
    for commit in dict.fromkeys(commits):
        make(commit)


if __name__ == "__main__":
    main()
