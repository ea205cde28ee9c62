"""Hand-written: the indexes the search outbox and needs queries use (both SQLite and PostgreSQL accept them).

- the pending outbox rows, in order (a partial index: processed rows are most rows and never read again);
- open needs (the new-listing alerts read only those).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T05:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes of the pending search outbox rows and of open needs"

UP = [
    "CREATE INDEX IF NOT EXISTS listings_search_outbox_pending ON listings_search_outbox (id) "
    "WHERE processed_at IS NULL",
    "CREATE INDEX IF NOT EXISTS listings_need_status ON listings_need (status)",
]
DOWN = ["DROP INDEX IF EXISTS listings_need_status", "DROP INDEX IF EXISTS listings_search_outbox_pending"]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="listings", description=DESCRIPTION)

    async def up() -> None:
        from listings.search.tables import SearchOutbox

        for statement in UP:
            await SearchOutbox.raw(statement)

    async def down() -> None:
        from listings.search.tables import SearchOutbox

        for statement in DOWN:
            await SearchOutbox.raw(statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
