"""Hand-written: repair databases migrated before ``listings_0001_initial`` was edited in place.

``listings_0001_initial`` landed at 7950572 and was edited twice after that, under the same migration id, so a
database that had already run it never saw the edits (Piccolo runs a migration id once):

- 1940894 made ``listings_patent.title_zh`` and ``title_en`` TEXT (they were VARCHAR(300));
- 05c8a61 added ``listings_recorded_licence.declaration_version`` (INTEGER NULL), which licence activation writes.

This migration brings such a database to what the edited migration creates, and does nothing on any other: the
column is added only if missing (``ADD COLUMN IF NOT EXISTS`` on PostgreSQL, ``PRAGMA table_info`` on SQLite) and
the TEXT conversion is a no-op on TEXT columns. SQLite does not enforce VARCHAR lengths, so its titles need no
change. Landed migrations are never edited again: see docs/migrations.md.
"""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-29T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "repair databases migrated before listings_0001_initial was edited (titles TEXT, declaration_version)"

POSTGRES = [
    "ALTER TABLE listings_recorded_licence ADD COLUMN IF NOT EXISTS declaration_version INTEGER NULL DEFAULT NULL",
    "ALTER TABLE listings_patent ALTER COLUMN title_zh TYPE TEXT, ALTER COLUMN title_en TYPE TEXT",
]
SQLITE_MISSING_COLUMNS = {
    "listings_recorded_licence": {"declaration_version": "INTEGER DEFAULT null"},
}


async def repair() -> None:
    engine: Any = engine_finder()
    if isinstance(engine, PostgresEngine):
        for statement in POSTGRES:
            await engine.run_ddl(statement)
        return
    for table, columns in SQLITE_MISSING_COLUMNS.items():
        present = {row["name"] for row in await engine.run_ddl(f"PRAGMA table_info({table})")}
        for column, declaration in columns.items():
            if column not in present:
                await engine.run_ddl(f'ALTER TABLE {table} ADD COLUMN "{column}" {declaration}')


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="listings", description=DESCRIPTION)
    # No backwards: the repaired schema is the one the edited listings_0001_initial creates.
    manager.add_raw(repair)
    return manager
