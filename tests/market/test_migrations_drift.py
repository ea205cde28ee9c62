"""Drift: today's migrations on an empty database give exactly the schema the Piccolo table classes describe.

Compared (see tests/support/schema.py): tables, columns, types, nullability, single-column unique keys, indexed
columns and foreign keys, on PostgreSQL (information_schema and pg_catalog) and on SQLite (PRAGMA table_info).
A new table or column needs nothing here: add its migration and the test covers it.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import asyncpg

from market.settings import Settings
from tests.support.schema import drift, fresh_postgres_database, migrate, restored_bindings

ROOT = Path(__file__).resolve().parents[2]
MIGRATION_FILES = sorted(p for p in ROOT.glob("*/piccolo_migrations/*.py") if p.name != "__init__.py")


def postgres(url: str, tmp_path: Path) -> Settings:
    return Settings(env="test", data_dir=tmp_path, database_url=url)


def sqlite(tmp_path: Path) -> Settings:
    return Settings(env="test", data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")


async def test_an_empty_postgres_database_migrates_to_the_table_classes(tmp_path: Path) -> None:
    async with fresh_postgres_database() as url:
        with restored_bindings():
            settings = postgres(url, tmp_path)
            await migrate(settings)
            assert await drift(settings) == []
            await migrate(settings)  # nothing left to run, nothing run twice
            assert await drift(settings) == []
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM migration") == len(MIGRATION_FILES)
        finally:
            await conn.close()


async def test_an_empty_sqlite_database_migrates_to_the_table_classes(tmp_path: Path) -> None:
    with restored_bindings():
        settings = sqlite(tmp_path)
        await migrate(settings)
        assert await drift(settings) == []
        await migrate(settings)
        assert await drift(settings) == []


async def test_the_drift_check_names_what_differs(tmp_path: Path) -> None:
    """The check is not vacuous: a dropped column, a changed type, a lost unique key and nullability are named."""
    async with fresh_postgres_database() as url:
        with restored_bindings():
            settings = postgres(url, tmp_path)
            await migrate(settings)
            conn = await asyncpg.connect(url)
            try:
                await conn.execute("ALTER TABLE listings_recorded_licence DROP COLUMN declaration_version")
                await conn.execute("ALTER TABLE listings_patent ALTER COLUMN title_zh TYPE VARCHAR(300)")
                await conn.execute("ALTER TABLE market_user DROP CONSTRAINT market_user_email_key")
                await conn.execute("ALTER TABLE market_user ALTER COLUMN disabled_at SET NOT NULL")
                await conn.execute("CREATE TABLE stray (id integer)")
            finally:
                await conn.close()
            found = await drift(settings)
    assert found == [
        "table stray has no table class",
        "column listings_patent.title_zh is character varying(300), the class says text",
        "column listings_recorded_licence.declaration_version is missing",
        "column market_user.disabled_at is NOT NULL, the class says nullable",
        "column market_user.email should be unique and is not",
    ]


async def run_migrate(settings: Settings) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET_")}
    env |= {"MARKET_DATA_DIR": str(settings.data_dir), "MARKET_DATABASE_URL": settings.database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "market", "migrate", env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_two_migrate_commands_at_once_on_a_fresh_postgres_database_both_succeed(tmp_path: Path) -> None:
    """``market migrate`` holds a PostgreSQL advisory lock: the second run waits, then finds nothing to do."""
    async with fresh_postgres_database() as url:
        settings = postgres(url, tmp_path)
        results = await asyncio.gather(run_migrate(settings), run_migrate(settings))
        for returncode, output in results:
            assert returncode == 0, output
        conn = await asyncpg.connect(url)
        try:
            names = [row["name"] for row in await conn.fetch("SELECT name FROM migration")]
        finally:
            await conn.close()
        assert len(names) == len(set(names)) == len(MIGRATION_FILES)
        with restored_bindings():
            await migrate(settings)  # binds the tables to this database for the comparison
            assert await drift(settings) == []


async def test_two_migrate_commands_at_once_on_a_fresh_sqlite_file_both_succeed(tmp_path: Path) -> None:
    settings = sqlite(tmp_path)
    results = await asyncio.gather(run_migrate(settings), run_migrate(settings))
    for returncode, output in results:
        assert returncode == 0, output
    with restored_bindings():
        await migrate(settings)
        assert await drift(settings) == []
