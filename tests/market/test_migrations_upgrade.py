"""Upgrade: a database made by an older commit's own migrations upgrades to today's schema.

The fixtures under fixtures/migrations/ are dumps of databases migrated at earlier commits, one per state of the
migration history: every commit that changed a migration (0f31f0a, 7950572, 1940894, 05c8a61, 2cbfcd5) and the
release before this one (204fdef, which 690a9b2 and later main commits share). They were made once by
tests/support/make_migration_fixtures.py (which checks each commit out and runs its own ``market migrate``), so
this test reads no git history. Each is loaded into an empty database, today's migrations run over it, and the
schema must then match the table classes exactly; licence activation's columns must be there and writable.

7950572 is the case from issue 10: its ``listings_0001_initial`` lacked ``declaration_version`` and had
VARCHAR(300) titles, and the later edits of that landed migration never reached such a database.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from market.settings import Settings
from tests.support.schema import drift, fresh_postgres_database, migrate, postgres_details, restored_bindings

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures" / "migrations"
POSTGRES_DUMPS = sorted(FIXTURES.glob("*.postgres.sql"))
SQLITE_DUMPS = sorted(FIXTURES.glob("*.sqlite.sql"))
REQUIRED = {"7950572", "204fdef"}  # the acceptance point: the commit of the edited migration, and the last release
LONG_TITLE = "一种专利" * 100  # 400 characters: more than the VARCHAR(300) of 7950572's titles


def commit_of(dump: Path) -> str:
    return dump.name.split(".")[0]


def migration_ids() -> set[str]:
    """The ids of today's migrations, as Piccolo records them."""
    ids = set()
    for path in ROOT.glob("*/piccolo_migrations/*.py"):
        found = re.search(r'^ID = "([^"]+)"', path.read_text(), re.M)
        if found:
            ids.add(found.group(1))
    return ids


_fresh: dict[str, set[str]] = {}


async def fresh_details(tmp_path: Path) -> dict[str, set[str]]:
    """Indexes, constraints and defaults of an empty database migrated to HEAD (made once per test process)."""
    if not _fresh:
        async with fresh_postgres_database() as url:
            with restored_bindings():
                await migrate(Settings(env="test", data_dir=tmp_path, database_url=url))
            conn = await asyncpg.connect(url)
            try:
                _fresh.update(await postgres_details(conn))
            finally:
                await conn.close()
    return _fresh


def test_the_fixtures_cover_the_edited_migration_and_the_last_release() -> None:
    assert {commit_of(p) for p in POSTGRES_DUMPS} >= REQUIRED
    assert {commit_of(p) for p in SQLITE_DUMPS} >= REQUIRED


@pytest.mark.parametrize("dump", POSTGRES_DUMPS, ids=commit_of)
async def test_a_postgres_database_made_at_an_older_commit_upgrades_to_head(dump: Path, tmp_path: Path) -> None:
    async with fresh_postgres_database() as url:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(dump.read_text())  # sets its own search_path: this connection is for the load only
        finally:
            await conn.close()
        settings = Settings(env="test", data_dir=tmp_path, database_url=url)
        with restored_bindings():
            await migrate(settings)
            assert await drift(settings) == []

        conn = await asyncpg.connect(url)
        try:
            names = [row["name"] for row in await conn.fetch("SELECT name FROM migration")]
            assert sorted(names) == sorted(migration_ids())
            # Beyond the classes: the same indexes (partial and multi-column too), constraints and defaults.
            upgraded, fresh = await postgres_details(conn), await fresh_details(tmp_path)
            for kind in fresh:
                assert sorted(upgraded[kind] - fresh[kind]) == sorted(fresh[kind] - upgraded[kind]) == [], kind
            # What licence activation writes: a recorded open licence with the declaration version whose terms apply.
            org = await conn.fetchval("INSERT INTO market_organisation (name) VALUES ('U') RETURNING id")
            patent = await conn.fetchval(
                "INSERT INTO listings_patent (organisation, number, title_zh) VALUES ($1, 'CN1', $2) RETURNING id",
                org,
                LONG_TITLE,
            )
            await conn.execute(
                "INSERT INTO listings_recorded_licence (patent, kind, starts_on, declaration_version) "
                "VALUES ($1, 'open', current_date, 3)",
                patent,
            )
            assert await conn.fetchval("SELECT declaration_version FROM listings_recorded_licence") == 3
        finally:
            await conn.close()


def sqlite_indexes(path: Path) -> set[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        query = "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index'"
        return {(name, " ".join(sql.split())) for name, sql in conn.execute(query)}
    finally:
        conn.close()


@pytest.mark.parametrize("dump", SQLITE_DUMPS, ids=commit_of)
async def test_a_sqlite_database_made_at_an_older_commit_upgrades_to_head(dump: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    try:
        conn.executescript(dump.read_text())
    finally:
        conn.close()
    settings = Settings(env="test", data_dir=tmp_path, database_url=f"sqlite:///{path}")
    with restored_bindings():
        await migrate(settings)
        assert await drift(settings) == []
    fresh = Settings(env="test", data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    with restored_bindings():
        await migrate(fresh)
    assert sqlite_indexes(path) == sqlite_indexes(fresh.sqlite_path)  # partial and multi-column ones too
    conn = sqlite3.connect(path)
    try:
        assert sorted(row[0] for row in conn.execute("SELECT name FROM migration")) == sorted(migration_ids())
        org = conn.execute("INSERT INTO market_organisation (name) VALUES ('U') RETURNING id").fetchone()[0]
        patent = conn.execute(
            "INSERT INTO listings_patent (organisation, number, title_zh) VALUES (?, 'CN1', ?) RETURNING id",
            (org, LONG_TITLE),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO listings_recorded_licence (patent, kind, starts_on, declaration_version) "
            "VALUES (?, 'open', date('now'), 3)",
            (patent,),
        )
        assert conn.execute("SELECT declaration_version FROM listings_recorded_licence").fetchone()[0] == 3
    finally:
        conn.close()
